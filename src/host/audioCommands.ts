// "Run Reel: Open Eval Audio": from the palette (asks which run), a run, its eval group or
// one eval step in the Runs view, or an eval_results / step folder in the Explorer.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { findEvalDir } from '../domain/audio/evalAudio';
import type { EvalAudioPanels } from './panels/evalAudioPanel';
import type { RunIndex } from './runIndex';
import { argPath, pickRun } from './pickRun';
import type { RunsNode } from './runsView';

export function registerAudioCommands(deps: { index: RunIndex; panels: EvalAudioPanels }): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.openEvalAudio', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickRun(deps.index, 'Open the eval audio of which run?', (r) => r.kind === 'lightning'))?.path;
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
