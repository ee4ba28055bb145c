// "Run Reel: Open Eval Audio": from the palette (asks which run), a run, its eval group or
// one eval step in the Runs view, or an eval_results / step folder in the Explorer.
// "Run Reel: Open Live Audio Buffer": a ring buffer run in the Runs view, or from the palette
// one of those or the producer's default file in the system temp folder (which may not exist
// yet: the panel waits for it).
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { listEventAudioSteps } from '../domain/audio/eventAudio';
import { ScalarRun } from '../domain/tensorboard/scalars';
import { findEvalDir } from '../domain/audio/evalAudio';
import type { EvalAudioPanels } from './panels/evalAudioPanel';
import type { LiveAudioPanels } from './panels/liveAudioPanel';
import { DEFAULT_RING_BUFFERS, type RunIndex } from './runIndex';
import { argPath, firstFound, pickRun, runFolders } from './pickRun';
import type { RunsNode } from './runsView';

export function registerAudioCommands(deps: { index: RunIndex; evalAudio: EvalAudioPanels; liveAudio: LiveAudioPanels }): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.openEvalAudio', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickRun(deps.index, 'Open the eval audio of which run?', (r) => r.kind === 'lightning'))?.path;
      if (!path) return;
      const dir = await firstFound(runFolders(path, deps.index), findEvalDir);
      if (!dir) {
        // No eval folder: the run's TensorBoard audio summaries, when its event files have some.
        const events = new ScalarRun(path);
        if ((await listEventAudioSteps(path, events).catch(() => [])).length) return deps.evalAudio.showEvents(path, events);
        void vscode.window.showWarningMessage(`No eval audio (eval_results/step_N/target_wav_*.wav, pred_wav_*.wav) or TensorBoard audio summaries in ${path}.`);
        return;
      }
      const step = /^step_(\d+)$/.exec(basename(path));
      deps.evalAudio.show(dir, step ? Number(step[1]) : undefined);
    }),
    vscode.commands.registerCommand('runreel.openLiveAudio', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickRingBuffer(deps.index));
      if (path) deps.liveAudio.show(path);
    }),
  ];
}

async function pickRingBuffer(index: RunIndex): Promise<string | undefined> {
  if (index.all.length === 0) await index.refresh();
  const found = index.all.filter((r) => r.kind === 'ringbuffer').map((r) => r.path);
  const paths = [...new Set([...found, ...DEFAULT_RING_BUFFERS])];
  if (paths.length === 1) return paths[0];
  const browse = { label: '$(folder-opened) Choose a file…', path: undefined as string | undefined };
  const picked = await vscode.window.showQuickPick([
    ...paths.map((p) => ({ label: basename(p), description: DEFAULT_RING_BUFFERS.includes(p) ? `audiotab's default${existsSync(p) ? '' : ' · not there yet'}` : undefined, detail: p, path: p as string | undefined })),
    browse,
  ], { placeHolder: 'Open which audio ring buffer?', matchOnDetail: true });
  if (picked !== browse) return picked?.path;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Open Live Audio', title: 'An audio ring buffer (AUDITAB! file)' });
  return chosen?.[0]?.fsPath;
}
