// Command handlers. Each takes what the palette, the tree or a menu passes and
// falls back to asking the user when nothing was passed.
import * as vscode from 'vscode';
import { RUN_KIND_LABEL, type Run } from '../domain/runs/model';
import type { RunOverviewPanels } from './panels/runOverviewPanel';
import type { RunIndex } from './runIndex';
import type { RunsNode } from './runsView';

interface Services {
  log: vscode.LogOutputChannel;
  index: RunIndex;
  overviews: RunOverviewPanels;
}

async function pickRun(index: RunIndex, placeHolder: string): Promise<Run | undefined> {
  if (index.all.length === 0) await index.refresh();
  if (index.all.length === 0) {
    const add = 'Add Run Folder…';
    const choice = await vscode.window.showInformationMessage('Run Reel found no runs in this workspace.', add);
    if (choice === add) await vscode.commands.executeCommand('runreel.addRunFolder');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    index.all.map((run) => ({ label: run.name, description: RUN_KIND_LABEL[run.kind], detail: run.path, run })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.run;
}

export function registerCommands({ log, index, overviews }: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.showLog', () => log.show()),

    vscode.commands.registerCommand('runreel.refreshRuns', () => index.refresh()),

    vscode.commands.registerCommand('runreel.openRunOverview', async (node?: RunsNode) => {
      const run = node?.type === 'run' ? node.run : await pickRun(index, 'Open which run?');
      if (run) overviews.show(run);
    }),

    vscode.commands.registerCommand('runreel.addRunFolder', async (uri?: vscode.Uri) => {
      const target = uri ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Add Run Folder' }))?.[0];
      if (!target) return;
      if (target.scheme !== 'file') {
        void vscode.window.showErrorMessage(`Run Reel reads local folders only; ${target.toString()} is not on this machine's disk.`);
        return;
      }
      const config = vscode.workspace.getConfiguration('runreel');
      const roots = config.get<string[]>('runRoots', []).filter((r) => typeof r === 'string');
      if (roots.includes(target.fsPath)) {
        void vscode.window.showInformationMessage(`${target.fsPath} is already a run root.`);
        return;
      }
      const scope = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await config.update('runRoots', [...roots, target.fsPath], scope);
      log.info(`added run root ${target.fsPath}`);
      await index.refresh();
    }),
  ];
}
