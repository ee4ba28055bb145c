// A new user's first minutes: the Get Started walkthrough opens on the first activation, and
// each step's button runs the real command.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { VsCode } from './vscode';

const FIXTURE = join(inject('repoRoot'), 'test', 'fixtures', 'workspace');
let vs: VsCode;

beforeAll(async () => {
  vs = await VsCode.launch(FIXTURE, { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.welcomePage.walkthroughs.openOnInstall': true, 'runreel.walkthrough.openOnFirstRun': true });
});
afterAll(async () => {
  await vs?.close();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  await vs?.screenshot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

const page = () => vs.page.locator('.gettingStartedContainer .gettingStartedSlideDetails');
const step = (title: string) => page().locator('.getting-started-step', { hasText: title });

async function openStep(title: string) {
  const s = step(title);
  await s.waitFor({ timeout: 30_000 });
  if ((await s.getAttribute('aria-expanded')) !== 'true') await s.locator('.step-title').click();
  await expect.poll(() => s.getAttribute('aria-expanded'), { timeout: 10_000 }).toBe('true');
  return s;
}

/** Picks `label` in the command's quick pick by typing it (the walkthrough behind it keeps re-laying out). */
async function pickByTyping(label: string) {
  const input = vs.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await vs.page.locator('.quick-input-widget .monaco-list-row .label-name', { hasText: label }).first().waitFor();
  await input.fill(label);
  await vs.page.keyboard.press('Enter');
}

const logCount = (text: string) => vs.runReelLog().split(text).length - 1;
const walkthroughOpenings = () => logCount('first activation: opening the Get Started walkthrough');

test('the first activation opens Get Started with Run Reel and its four steps', async () => {
  await vs.waitForActivation();
  await page().locator('.category-title', { hasText: 'Get Started with Run Reel' }).waitFor({ timeout: 30_000 });
  const titles = await page().locator('.getting-started-step .step-title').allTextContents();
  expect(titles.map((t) => t.trim())).toEqual(['Open the Runs view', 'Add a run folder', 'Open an embedding timeline', 'Create an animation']);
  await vs.screenshot('walkthrough-dark');
  expect(walkthroughOpenings()).toBe(1);
});

test('Open the Runs View shows the side bar with the workspace runs', async () => {
  const s = await openStep('Open the Runs view');
  await s.getByRole('button', { name: 'Open the Runs View' }).click();
  await vs.treeItem(/^lightning_logs\/version_0/).waitFor({ timeout: 30_000 });
  await expect.poll(() => step('Open the Runs view').getAttribute('aria-checked'), { timeout: 10_000 }).toBe('true');
});

test('Add Run Folder… asks for a folder and adds its runs to the Runs view', async () => {
  const extra = mkdtempSync(join(tmpdir(), 'runreel-e2e-extra-'));
  cpSync(join(FIXTURE, 'outputs', 'episodes', 'arc_run'), join(extra, 'arc_more'), { recursive: true });
  const s = await openStep('Add a run folder');
  await s.getByRole('button', { name: 'Add Run Folder…' }).click();
  // VS Code's own folder dialog (the simple one in a browser): type the path, accept.
  const input = vs.page.locator('.quick-input-widget .quick-input-box input[aria-label="Folder path"]');
  await input.waitFor();
  // The dialog fills in its start folder by itself: type over it only once it has.
  await expect.poll(() => input.inputValue(), { timeout: 10_000 }).not.toBe('');
  // …and may do so after a first fill: fill until the dialog lists the typed folder's contents.
  await expect.poll(async () => {
    if ((await input.inputValue()) !== `${extra}/`) await input.fill(`${extra}/`);
    return vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'arc_more' }).count();
  }, { timeout: 15_000 }).toBe(1);
  await vs.page.locator('.quick-input-widget .quick-input-action .monaco-button', { hasText: 'Add Run Folder' }).click();
  await input.waitFor({ state: 'hidden' });
  await vs.openRunReelView();
  await vs.treeItem(/^arc_more/).waitFor({ timeout: 30_000 });
  expect(await vs.treeItem(/runreel-e2e-extra-/).count()).toBe(1);
  await expect.poll(() => step('Add a run folder').getAttribute('aria-checked'), { timeout: 10_000 }).toBe('true');
});

test('Open Embedding Timeline asks for a run and opens its timeline', async () => {
  await vs.runCommand('Run Reel: Get Started');
  const s = await openStep('Open an embedding timeline');
  await s.getByRole('button', { name: 'Open Embedding Timeline' }).click();
  await pickByTyping('lightning_logs/version_0');
  const frame = await vs.webviewFrame('[data-testid="slider"]', 60_000);
  await expect.poll(() => frame.locator('[data-testid="step-label"]').textContent(), { timeout: 30_000 }).toMatch(/^step \d+ · \d+\/\d+$/);
});

test('Create Animation asks for a run and writes its animation', async () => {
  await vs.runCommand('Run Reel: Get Started');
  const s = await openStep('Create an animation');
  await s.getByRole('button', { name: 'Create Animation' }).click();
  await pickByTyping('lightning_logs/version_0');
  await vs.page.locator('.notification-toast', { hasText: /animation created from \d+ frames/ }).waitFor({ timeout: 60_000 });
  await vs.runCommand('Run Reel: Get Started');
  await expect.poll(() => page().locator('.getting-started-step[aria-checked="true"]').count(), { timeout: 10_000 }).toBe(4);
  await vs.screenshot('walkthrough-done-dark');
  expect(vs.extensionErrors()).toEqual([]);
});

test('after a reload the walkthrough is not opened again', async () => {
  const tab = vs.page.locator('.tabs-container .tab', { hasText: 'Welcome' });
  await tab.hover();
  await tab.getByRole('button', { name: /^Close/ }).click();
  await tab.waitFor({ state: 'detached' });
  await vs.reloadWindow();
  // The view's own focus command (the walkthrough's first button): after this reload the side
  // bar came back collapsed under a selected Run Reel tab, which a tab click does not reopen.
  await vs.runCommand('Run Reel: Focus on Runs View');
  await vs.treeItem(/^lightning_logs\/version_0/).waitFor({ timeout: 30_000 });
  await expect.poll(() => logCount('Run Reel activated'), { timeout: 30_000 }).toBe(2);
  expect(walkthroughOpenings()).toBe(1);
  expect(await page().count()).toBe(0);
});
