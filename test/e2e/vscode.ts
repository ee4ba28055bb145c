// Page object for VS Code in a browser: the few moves the suite makes, with waits
// on what the UI shows rather than sleeps.
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { readLogs, startCodeServer } from '../../scripts/lib/codeServer.mjs';
import { runReelErrors } from './logErrors';

export const RESULTS_DIR = join(inject('repoRoot'), 'test-results');

interface CodeServer {
  folderUrl: string;
  url: string;
  userDataDir: string;
  output(): string;
  stop(): Promise<void>;
}

export class VsCode {
  private constructor(readonly server: CodeServer, readonly browser: Browser, readonly page: Page, readonly workspace: string) {}

  /** Copies `fixture` (a folder) into a fresh temp workspace and opens it in a new code-server. */
  static async launch(fixture: string | undefined, settings: Record<string, unknown> = {}): Promise<VsCode> {
    const workspace = mkdtempSync(join(tmpdir(), 'runreel-e2e-ws-'));
    if (fixture) cpSync(fixture, workspace, { recursive: true });
    const stateDir = mkdtempSync(join(tmpdir(), 'runreel-e2e-state-'));
    const server: CodeServer = await startCodeServer({
      vsix: inject('vsix'), stateDir, workspace, log: () => {},
      // No empty secondary side bar (the chat pane's place) beside the panels in screenshots.
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden', ...settings },
    });
    const browser = await chromium.launch({
      executablePath: inject('chromium'),
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(server.folderUrl);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    return new VsCode(server, browser, page, workspace);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await this.server.stop();
  }

  /** Shows an activity-bar view; clicking an already selected tab would hide the side bar. */
  async openView(name: string | RegExp): Promise<void> {
    const tab = this.page.getByRole('tab', { name });
    await tab.waitFor({ timeout: 30_000 });
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  }

  /** Expands folders in the Explorer one by one and returns the row of the last name. */
  async explorerRow(path: string[]) {
    await this.openView(/^Explorer/);
    for (const [i, name] of path.entries()) {
      const row = this.page.locator('.explorer-folders-view').getByRole('treeitem', { name, exact: true });
      await row.waitFor({ timeout: 30_000 });
      if (i === path.length - 1) return row;
      for (let attempt = 0; attempt < 3 && (await row.getAttribute('aria-expanded')) !== 'true'; attempt++) {
        await row.click();
        await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 5_000 }).catch(() => {});
      }
    }
    throw new Error('empty path');
  }

  /**
   * Right-clicks `row` and picks `label` from its context menu. Contributed items appear only
   * once the extension host has registered the extension, so on a slow machine the first menu
   * can lack them, or swallow the first click: close it and ask again rather than fail on a race.
   */
  async contextMenuPick(row: ReturnType<Page['locator']>, label: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const menu = this.page.locator('.context-view .monaco-menu');
    for (;;) {
      await row.click({ button: 'right' });
      const item = this.page.locator('.context-view .action-label', { hasText: label });
      try {
        await item.first().waitFor({ timeout: 3_000 });
        await item.first().click();
        // VS Code closes the menu when it runs the item. A menu still open means the click ran
        // nothing: a menu item listens for the button's release only from 100 ms after it is
        // drawn, and on a busy CI machine clicks kept landing unheard for 30 s. The keyboard
        // (the item under the pointer has focus; Enter runs it) has no such delay.
        if (!(await menu.waitFor({ state: 'detached', timeout: 3_000 }).then(() => true, () => false))) {
          console.warn(`contextMenuPick: the click on "${label}" ran nothing; pressing Enter on it`);
          await item.first().hover();
          await this.page.keyboard.press('Enter');
          await menu.waitFor({ state: 'detached', timeout: 3_000 });
        }
        return;
      } catch (error) {
        await this.page.keyboard.press('Escape');
        await menu.waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {});
        if (Date.now() > deadline) throw error;
      }
    }
  }

  /**
   * Right-click → Open With… → `editor`. Asks again when the picker does not list the
   * editor in time (seen once on a cold CI machine), rather than fail on that race.
   */
  async openWith(row: ReturnType<Page['locator']>, editor: string, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.contextMenuPick(row, 'Open With...');
      const item = this.page.locator('.quick-input-widget .monaco-list-row', { has: this.page.locator('.label-name', { hasText: editor }) }).first();
      try {
        await item.waitFor({ timeout: 8_000 });
        await item.click();
        return;
      } catch (error) {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw error;
      }
    }
  }

  async openRunReelView(): Promise<void> {
    await this.openView('Run Reel');
    // A container with one view hides that view's header, so wait for it to exist, not to show.
    await this.page.locator('.pane-header[aria-label^="Runs"]').first().waitFor({ state: 'attached' });
  }

  treeItem(name: string | RegExp) {
    return this.page.getByRole('treeitem', { name });
  }

  /** Clicks the inline action `action` of the Runs view row `item` (shown on hover). */
  async runsViewAction(item: string | RegExp, action: string): Promise<void> {
    await this.openRunReelView();
    const row = this.treeItem(item);
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator(`.action-label[aria-label="${action}"]`).click();
  }

  /**
   * Run Reel: Refresh Runs, returning once the rescan is done and the view has been rebuilt, so
   * a click that follows does not land on a row the rebuild replaces (VS Code then logs "No
   * tree item with id …" for it, as it would for a user who clicked at that instant).
   */
  async refreshRuns(): Promise<void> {
    const scans = () => this.runReelLog().match(/\[info\] found \d+ run\(s\) under/g)?.length ?? 0;
    const before = scans();
    await this.runCommand('Run Reel: Refresh Runs');
    const deadline = Date.now() + 30_000;
    while (scans() <= before) {
      if (Date.now() > deadline) throw new Error('Refresh Runs did not finish a scan within 30 s');
      await this.page.waitForTimeout(100);
    }
    await this.page.waitForTimeout(600); // the view's rebuild follows the scan within 500 ms
  }

  /** Types into the command palette and runs the command whose label is exactly `title`. */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { has: this.page.locator('.label-name', { hasText: title }) }).first();
    // Just after a window reload the palette can open before the command is registered with
    // it, and then never lists it: close it and type again.
    for (let attempt = 1; ; attempt++) {
      // Focus the workbench (not a webview, which would swallow the shortcut) before Ctrl+Shift+P.
      await this.page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } });
      await this.page.keyboard.press('Control+Shift+P');
      await input.waitFor();
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 });
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
    await row.click();
    // Done when the palette has closed or been replaced by the command's own quick pick.
    await this.page.waitForFunction((typed) => {
      const box = document.querySelector<HTMLInputElement>('.quick-input-widget:not(.quick-input-widget-closing) .quick-input-box input');
      return !box || box.offsetParent === null || box.value !== typed;
    }, `>${title}`);
  }

  /** Clicks the quick-pick row whose label is `label`. */
  async pickQuickItem(label: string): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { has: this.page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor();
    await row.click();
  }

  /** Switches the colour theme and waits until the panel follows it: what `colour` reads from the page changes. */
  async switchTheme(theme: string, colour: () => Promise<string | null>): Promise<void> {
    const before = await colour();
    await this.setColorTheme(theme);
    await expect.poll(colour, { timeout: 10_000 }).not.toBe(before);
  }

  async setColorTheme(theme: string): Promise<void> {
    await this.runCommand('Preferences: Color Theme');
    await this.page.locator('.quick-input-widget .quick-input-box input').fill(theme);
    await this.pickQuickItem(theme);
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** The text of the Output panel (Monaco renders spaces as U+00A0). */
  async outputText(): Promise<string> {
    const lines = await this.page.locator('.part.panel .view-lines .view-line').allTextContents();
    return lines.join('\n').replace(/\u00a0/g, ' ');
  }

  /** Finds the frame of the webview whose document contains `selector` (webviews nest two iframes deep). */
  /**
   * Reloads the window and waits for the new page's workbench. Until the old page unloads, its
   * workbench and webview frames are still there, and a test that looked for them at once found
   * the old ones (then "Frame was detached").
   */
  async reloadWindow(): Promise<void> {
    const loaded = this.page.waitForEvent('load', { timeout: 60_000 });
    await this.runCommand('Developer: Reload Window');
    await loaded;
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  }

  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        try {
          if ((await frame.locator(selector).count()) > 0) return frame;
        } catch {
          /* frame navigated away */
        }
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`no webview frame contains ${selector}`);
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const path = join(RESULTS_DIR, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Waits until Run Reel's own log says it activated; throws the activation error if one is logged. */
  async waitForActivation(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const errors = this.extensionErrors();
      if (errors.length > 0) throw new Error(`Run Reel failed to activate:\n${errors.join('\n')}`);
      const logs = readLogs(this.server.userDataDir) as { path: string; text: string }[];
      if (logs.some((l) => l.path.includes('runreel.runreel') && l.text.includes('Run Reel activated'))) return;
      await this.page.waitForTimeout(250);
    }
    throw new Error('Run Reel did not log its activation');
  }

  /** What Run Reel wrote to its own log channel so far. */
  runReelLog(): string {
    return (readLogs(this.server.userDataDir) as { path: string; text: string }[]).filter((l) => l.path.includes('runreel.runreel')).map((l) => l.text).join('\n');
  }

  /** Every webview frame whose document contains `selector` (one per open panel). */
  async webviewFrames(selector: string): Promise<Frame[]> {
    const found: Frame[] = [];
    for (const frame of this.page.frames()) {
      try {
        if ((await frame.locator(selector).count()) > 0) found.push(frame);
      } catch {
        /* frame navigated away */
      }
    }
    return found;
  }

  /** Activation failures and errors raised from Run Reel's code, from every log VS Code wrote. */
  extensionErrors(): string[] {
    return runReelErrors(readLogs(this.server.userDataDir) as { path: string; text: string }[]);
  }
}
