// "Run Reel: Open Eval Audio": from the palette (asks which run), a run, its eval group or
// one eval step in the Runs view, or an eval_results / step folder in the Explorer.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { findEvalDir } from '../domain/audio/evalAudio';
import type { EvalAudioPanels } from './panels/evalAudioPanel';
import type { RunIndex } from './runIndex';
import { nodePath, type RunsNode } from './runsView';

export function registerAudioCommands(deps: { index: RunIndex; panels: EvalAudioPanels }): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.openEvalAudio', async (arg?: vscode.Uri | RunsNode) => {
      let path = arg instanceof vscode.Uri ? arg.fsPath : arg ? nodePath(arg) : undefined;
      if (!path) {
        const runs = deps.index.all.filter((r) => r.kind === 'lightning');
        const picked = await vscode.window.showQuickPick(runs.map((r) => ({ label: r.name, detail: r.path, path: r.path })), {
          placeHolder: runs.length > 0 ? 'Open the eval audio of which run?' : 'No run with eval audio found',
          matchOnDetail: true,
        });
        path = picked?.path;
      }
      if (!path) return;
      const dir = await findEvalDir(path);
      if (!dir) {
        void vscode.window.showWarningMessage(`No eval audio (eval_results/step_N/target_wav_*.wav, pred_wav_*.wav) in ${path}.`);
        return;
      }
      const step = /^step_(\d+)$/.exec(basename(path));
      deps.panels.show(dir, step ? Number(step[1]) : undefined);
    }),
  ];
}
