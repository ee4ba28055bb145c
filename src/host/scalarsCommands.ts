// "Run Reel: Open Scalars" (the palette offers the runs found; the Runs view passes the runs
// selected; the Run Overview its run) and "Run Reel: Go to Step…" (the step clock).
import * as vscode from 'vscode';
import { findScalarRuns } from '../domain/tensorboard/scalars';
import type { ScalarsPanels } from './panels/scalarsPanel';
import type { RunIndex } from './runIndex';
import { argPath, pickRun, runFolders } from './pickRun';
import type { RunsNode } from './runsView';
import type { StepClock } from './stepClock';

/** The scalar runs (folders of event files or a metrics.csv) in `path`'s run, its joined folders included. */
async function scalarRunsOf(path: string, index: RunIndex): Promise<string[]> {
  const out: string[] = [];
  for (const folder of runFolders(path, index)) out.push(...await findScalarRuns(folder, 4, 2000));
  return [...new Set(out)];
}

export function registerScalarsCommands(deps: { index: RunIndex; panels: ScalarsPanels; clock: StepClock }): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.openScalars', async (arg?: vscode.Uri | RunsNode, many?: (vscode.Uri | RunsNode)[]) => {
      const paths = (many?.length ? many : arg ? [arg] : []).map(argPath).filter((p): p is string => !!p);
      if (paths.length === 0) {
        const found: string[] = [];
        if (deps.index.all.length === 0) await deps.index.refresh();
        for (const root of deps.index.searchedRoots) found.push(...await findScalarRuns(root));
        if (found.length === 0) {
          void vscode.window.showWarningMessage('No scalar logs found: no TensorBoard event files (events.out.tfevents.*) or metrics.csv in the run folders.');
          return;
        }
        const picked = await vscode.window.showQuickPick(found.map((dir) => ({ label: vscode.workspace.asRelativePath(dir), detail: dir, dir, picked: found.length <= 4 })), {
          canPickMany: true, placeHolder: 'Open Scalars for which runs?', matchOnDetail: true, ignoreFocusOut: true,
        });
        if (picked?.length) deps.panels.show(picked.map((p) => p.dir));
        return;
      }
      const runs = [...new Set((await Promise.all(paths.map((p) => scalarRunsOf(p, deps.index)))).flat())];
      if (runs.length === 0) {
        void vscode.window.showWarningMessage(`No scalar logs in ${paths.join(', ')}: no TensorBoard event files (events.out.tfevents.*) or metrics.csv.`);
        return;
      }
      deps.panels.show(runs);
    }),

    vscode.commands.registerCommand('runreel.goToStep', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickRun(deps.index, 'Go to a step of which run?'))?.path;
      if (!path) return;
      const current = deps.clock.stepOf(path);
      const text = await vscode.window.showInputBox({
        prompt: `The step to show in ${vscode.workspace.asRelativePath(path)}'s open panels`, value: current === undefined ? '' : String(current), ignoreFocusOut: true,
        validateInput: (v) => (/^\s*\d+\s*$/.test(v) ? undefined : 'A step is a whole number, 0 or more'),
      });
      if (text === undefined) return;
      deps.clock.set(path, Number(text));
    }),
  ];
}
