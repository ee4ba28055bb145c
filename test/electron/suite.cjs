// Runs inside the extension host of a desktop VS Code (see run.mjs).
const assert = require('node:assert/strict');
const vscode = require('vscode');

async function until(check, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

exports.run = async function run() {
  const ext = vscode.extensions.getExtension('runreel.runreel');
  assert.ok(ext, 'runreel.runreel is installed');
  await ext.activate();
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['runreel.showLog', 'runreel.refreshRuns', 'runreel.addRunFolder', 'runreel.openRunOverview']) {
    assert.ok(commands.includes(id), `${id} is registered`);
  }
  await vscode.commands.executeCommand('runreel.refreshRuns');
  // The palette command asks which run; answer with the first item.
  const opening = vscode.commands.executeCommand('runreel.openRunOverview');
  await new Promise((r) => setTimeout(r, 500));
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  await opening;
  const tab = await until(
    () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('runreel.runOverview')),
    'the Run Overview panel',
  );
  assert.match(tab.label, /^Run · /);
};
