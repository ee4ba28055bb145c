// How a command that works on a run finds it: from what it was invoked on (an Explorer
// resource or a Runs view node), or by asking with a quick pick of the known runs.
import * as vscode from 'vscode';
import { RUN_KIND_LABEL, type Run } from '../domain/runs/model';
import type { RunIndex } from './runIndex';
import { nodePath, type RunsNode } from './runsView';

/** The path a command was invoked on, if any. */
export function argPath(arg: vscode.Uri | RunsNode | undefined): string | undefined {
  return arg instanceof vscode.Uri ? arg.fsPath : arg ? nodePath(arg) : undefined;
}

/** Where to look for a run's artifacts: its own folder, then any sibling joined to it (ACE-Step's UI snapshot folder). */
export function runFolders(path: string, index: RunIndex): string[] {
  return [path, ...(index.find(path)?.joined ?? []).map((j) => j.path)];
}

/** The first of `paths` for which `find` finds something. */
export async function firstFound<T>(paths: readonly string[], find: (path: string) => Promise<T | undefined>): Promise<T | undefined> {
  for (const p of paths) {
    const found = await find(p);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Asks for one of the runs `accept` allows; offers to add a folder when there is none at all. */
export async function pickRun(index: RunIndex, placeHolder: string, accept: (run: Run) => boolean = () => true): Promise<Run | undefined> {
  if (index.all.length === 0) await index.refresh();
  if (index.all.length === 0) {
    const add = 'Add Run Folder…';
    const choice = await vscode.window.showInformationMessage('Run Reel found no runs in this workspace.', add);
    if (choice === add) await vscode.commands.executeCommand('runreel.addRunFolder');
    return undefined;
  }
  const runs = index.all.filter(accept);
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: run.name, description: RUN_KIND_LABEL[run.kind], detail: run.path, run })),
    // Kept open when focus moves: the Get Started page re-renders (and takes focus) as the command that opened it runs.
    { placeHolder: runs.length > 0 ? placeHolder : 'No run of this kind found', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
  );
  return picked?.run;
}
