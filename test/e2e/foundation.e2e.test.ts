// Run Reel installed from its VSIX into a real VS Code, used through the UI.
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import { VsCode } from './vscode';

const FIXTURE = join(inject('repoRoot'), 'test', 'fixtures', 'workspace');

describe('in a workspace with runs', () => {
  let vs: VsCode;

  beforeAll(async () => {
    vs = await VsCode.launch(FIXTURE, { 'workbench.colorTheme': 'Default Dark Modern' });
  });
  afterAll(async () => {
    await vs?.close();
  });

  test('the Runs view lists every fixture run with its kind', async () => {
    await vs.openRunReelView();
    await vs.waitForActivation();
    const run = vs.treeItem(/^lightning_logs\/version_0/);
    await run.waitFor({ timeout: 30_000 });
    await expect(run.textContent()).resolves.toContain('training run · idle');
    await expect(vs.treeItem(/^arc_run/).textContent()).resolves.toContain('episode log');
    await expect(vs.treeItem(/^latents/).textContent()).resolves.toContain('latent store');
    expect(await vs.page.getByRole('treeitem').count()).toBe(3);
  });

  test('expanding a run shows what it holds, counted from disk', async () => {
    await vs.treeItem(/^lightning_logs\/version_0/).locator('.monaco-tl-twistie').click();
    const snapshots = vs.treeItem(/^Embedding snapshots/);
    await snapshots.waitFor();
    expect(await snapshots.textContent()).toContain('3 · steps 50–150, latest 150');
    expect(await vs.treeItem(/^Eval audio/).textContent()).toContain('2 · steps 0–100');
    expect(await vs.treeItem(/^Checkpoints/).textContent()).toMatch(/1 · \d+(\.\d)? KiB/);
  });

  test('clicking a run opens the Run Overview webview with its contents', async () => {
    await vs.treeItem(/^lightning_logs\/version_0/).locator('.label-name').click();
    const frame = await vs.webviewFrame('[data-testid="run-name"]');
    expect(await frame.locator('[data-testid="run-name"]').textContent()).toBe('lightning_logs/version_0');
    expect(await frame.locator('[data-testid="run-kind"]').textContent()).toBe('Training run');
    const rows = await frame.locator('[data-testid="artifacts"] tbody tr').allTextContents();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^Scalars11 event fileOpen Scalars/);
    expect(rows[1]).toMatch(/^Embedding snapshots3steps 50–150, latest 150/);
    expect(rows[2]).toMatch(/^Eval audio2steps 0–100/);
    // The panel follows the theme: its body colour is the dark theme's editor background.
    const bg = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    expect(bg).toBe('rgb(31, 31, 31)');
    await vs.screenshot('run-overview-dark');
  });

  test('the panel follows a switch to the light theme', async () => {
    await vs.setColorTheme('Light Modern');
    const frame = await vs.webviewFrame('[data-testid="run-name"]');
    await expect.poll(() => frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor), { timeout: 15_000 }).toBe('rgb(255, 255, 255)');
    await vs.screenshot('run-overview-light');
  });

  test('each row opens what it holds: Inspect Latest on checkpoints, Open Timeline on snapshots', async () => {
    const overview = await vs.webviewFrame('[data-testid="open-checkpoints"]');
    await overview.locator('[data-testid="open-checkpoints"]').click();
    const inspector = await vs.webviewFrame('[data-testid="tensors"]');
    await expect.poll(() => inspector.locator('[data-testid="tensors"] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => vs.page.locator('.tab.active').textContent()).toContain('adapter_model.safetensors');
    await vs.page.locator('.tab', { hasText: 'Run · lightning_logs/version_0' }).click();
    await (await vs.webviewFrame('[data-testid="open-snapshots"]')).locator('[data-testid="open-snapshots"]').click();
    const timeline = await vs.webviewFrame('[data-testid="slider"]');
    await expect.poll(() => timeline.locator('[data-testid="step-label"]').textContent(), { timeout: 30_000 }).toMatch(/^step \d+/);
    await vs.runCommand('View: Close All Editors');
    expect(vs.extensionErrors()).toEqual([]);
  });

  test('"Run Reel: Open Run Overview" from the palette asks which run and opens it', async () => {
    await vs.runCommand('Run Reel: Open Run Overview');
    await vs.pickQuickItem('arc_run');
    const frame = await vs.webviewFrame('[data-testid="run-kind"]:text("Episode log")');
    const rows = await frame.locator('[data-testid="artifacts"] tbody tr').allTextContents();
    expect(rows[0]).toMatch(/^Episodes20 of 2 solved/);
  });

  test('a snapshot written by a running training appears in the tree and the panel without a refresh', async () => {
    await vs.treeItem(/^lightning_logs\/version_0/).locator('.label-name').click();
    const frame = await vs.webviewFrame('[data-testid="run-name"]:text("lightning_logs/version_0")');
    const snaps = join(vs.workspace, 'lightning_logs', 'version_0', 'viz_snapshots');
    copyFileSync(join(snaps, 'viz_step_150_embeddings.npz'), join(snaps, 'viz_step_200_embeddings.npz'));
    const started = Date.now();
    await expect.poll(() => vs.treeItem(/^Embedding snapshots/).textContent(), { timeout: 10_000, interval: 100 }).toContain('4 · steps 50–200, latest 200');
    const delay = Date.now() - started;
    await expect.poll(() => frame.locator('[data-testid="artifacts"] tbody tr', { hasText: 'Embedding snapshots' }).first().textContent(), { timeout: 5_000 }).toMatch(/^Embedding snapshots4steps 50–200, latest 200/);
    expect(await frame.locator('[data-testid="run-state"]').textContent()).toBe('● live');
    await expect.poll(() => vs.treeItem(/^lightning_logs\/version_0/).textContent()).toContain('training run · live');
    expect(delay).toBeLessThan(5_000);
    await vs.screenshot('runs-live');
  });

  test('after Collapse All, a snapshot arriving in the run that was open shows when it is opened again', async () => {
    await vs.page.locator('.pane-header[aria-label^="Runs"] .action-label[aria-label="Collapse All"], .title-actions .action-label[aria-label="Collapse All"]').first().click();
    await expect.poll(() => vs.treeItem(/^Embedding snapshots/).count()).toBe(0);
    const snaps = join(vs.workspace, 'lightning_logs', 'version_0', 'viz_snapshots');
    copyFileSync(join(snaps, 'viz_step_150_embeddings.npz'), join(snaps, 'viz_step_250_embeddings.npz'));
    await vs.page.waitForTimeout(1_500); // the index's debounce and the view's refresh, on a collapsed run
    await vs.treeItem(/^lightning_logs\/version_0/).locator('.monaco-tl-twistie').click();
    await expect.poll(() => vs.treeItem(/^Embedding snapshots/).textContent(), { timeout: 10_000 }).toContain('5 · steps 50–250, latest 250');
    expect(vs.extensionErrors()).toEqual([]);
  });

  test('a new run folder appears as a new run', async () => {
    const store = join(vs.workspace, 'new_store');
    mkdirSync(store);
    copyFileSync(join(vs.workspace, 'latents', readdirSync(join(vs.workspace, 'latents')).find((n) => n.endsWith('.safetensors'))!), join(store, '11111111-2222-4333-8444-555555555555.safetensors'));
    await expect.poll(() => vs.page.getByRole('treeitem', { name: /^new_store/ }).count(), { timeout: 10_000, interval: 100 }).toBe(1);
    expect(await vs.treeItem(/^new_store/).textContent()).toContain('latent store · live');
  });

  test('a renamed run follows its new name, a deleted one disappears', async () => {
    renameSync(join(vs.workspace, 'new_store'), join(vs.workspace, 'renamed_store'));
    await expect.poll(() => vs.page.getByRole('treeitem', { name: /^renamed_store/ }).count(), { timeout: 10_000, interval: 100 }).toBe(1);
    expect(await vs.page.getByRole('treeitem', { name: /^new_store/ }).count()).toBe(0);
    rmSync(join(vs.workspace, 'renamed_store'), { recursive: true });
    await expect.poll(() => vs.page.getByRole('treeitem', { name: /^renamed_store/ }).count(), { timeout: 10_000, interval: 100 }).toBe(0);
    expect(await vs.page.getByRole('treeitem', { name: /^latents/ }).count()).toBe(1);
  });

  test('"Run Reel: Show Log" opens the log channel with the activation line', async () => {
    await vs.runCommand('Run Reel: Show Log');
    await expect.poll(() => vs.outputText(), { timeout: 15_000 }).toContain('Run Reel activated');
    expect(await vs.outputText()).toMatch(/\[info\] found 3 run\(s\) under 1 root\(s\)/);
    expect(await vs.outputText()).not.toMatch(/\[(warning|error)\]/);
    await vs.screenshot('show-log');
  });

  test('no activation failure or Run Reel error in any extension host log', () => {
    expect(vs.extensionErrors()).toEqual([]);
  });
});

describe('in a workspace without runs', () => {
  let vs: VsCode;

  beforeAll(async () => {
    vs = await VsCode.launch(undefined, { 'workbench.colorTheme': 'Default Dark Modern' });
    mkdirSync(join(vs.workspace, 'src'));
  });
  afterAll(async () => {
    await vs?.close();
  });

  test('the Runs view shows the welcome view offering to add a run folder', async () => {
    await vs.openRunReelView();
    await vs.waitForActivation();
    const welcome = vs.page.locator('.welcome-view-content');
    await welcome.waitFor({ timeout: 30_000 });
    expect(await welcome.textContent()).toContain('No training runs found in this workspace yet.');
    await expect(welcome.getByRole('button', { name: 'Add Run Folder…' })).toBeTruthy();
    expect(await welcome.getByRole('button', { name: 'Add Run Folder…' }).count()).toBe(1);
    await vs.screenshot('runs-welcome');
    expect(vs.extensionErrors()).toEqual([]);
  });
});
