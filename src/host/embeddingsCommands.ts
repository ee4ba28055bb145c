// "Run Reel: Open Embedding Timeline": from the palette (asks which run), a run or snapshots
// node in the Runs view, or a folder in the Explorer.
import * as vscode from 'vscode';
import { findSnapshotDir } from '../domain/embeddings/timeline';
import type { EmbeddingsPanels } from './panels/embeddingsPanel';
import type { RunIndex } from './runIndex';
import { argPath, firstFound, pickRun, runFolders } from './pickRun';
import type { RunsNode } from './runsView';

const WITH_SNAPSHOTS = new Set(['lightning', 'snapshots']);

export function registerEmbeddingsCommands(deps: { index: RunIndex; panels: EmbeddingsPanels }): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.openEmbeddingTimeline', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickRun(deps.index, 'Open the embedding timeline of which run?', (r) => WITH_SNAPSHOTS.has(r.kind)))?.path;
      if (!path) return;
      const dir = await firstFound(runFolders(path, deps.index), findSnapshotDir);
      if (!dir) {
        void vscode.window.showWarningMessage(`No step snapshots (viz_step_N_embeddings.npz or viz_step_N_pacmap.png) in ${path} or its viz_snapshots folder.`);
        return;
      }
      deps.panels.show(dir);
    }),
  ];
}
