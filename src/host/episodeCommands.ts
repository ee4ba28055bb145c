// "Run Reel: Replay Episode": an episode (or a whole episode run) in the Runs view, an episode
// folder or log in the Explorer, or from the palette one of the episodes Run Reel has found.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { listRunEpisodes } from '../domain/episodes/replaySession';
import type { EpisodeReplayPanels } from './panels/episodeReplayPanel';
import { argPath } from './pickRun';
import type { RunIndex } from './runIndex';
import type { RunsNode } from './runsView';

export function registerEpisodeCommands(deps: { index: RunIndex; panels: EpisodeReplayPanels }): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('runreel.replayEpisode', async (arg?: vscode.Uri | RunsNode) => {
      const path = argPath(arg) ?? (await pickEpisode(deps.index));
      if (path) await deps.panels.show(path);
    }),
  ];
}

async function pickEpisode(index: RunIndex): Promise<string | undefined> {
  if (index.all.length === 0) await index.refresh();
  const runs = index.all.filter((r) => r.kind === 'episodes');
  const items = (await Promise.all(runs.map(async (run) => {
    const episodes = (await listRunEpisodes(run.path)).reverse(); // newest first
    return episodes.map((e) => ({ label: e.episodeNum !== undefined ? `episode ${e.episodeNum}` : basename(e.key), description: run.name, detail: e.key, path: e.key as string | undefined }));
  }))).flat();
  const browse = { label: '$(folder-opened) Choose an episode folder or log…', path: undefined as string | undefined };
  const picked = await vscode.window.showQuickPick([...items, browse], { placeHolder: items.length ? 'Replay which episode?' : 'No episode runs found; choose a folder or log', matchOnDescription: true, matchOnDetail: true });
  if (picked !== browse) return picked?.path;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, canSelectFolders: true, canSelectFiles: true, openLabel: 'Replay', title: 'An episode_NNNN folder or episode log (.json, .json.gz)', filters: { 'Episode logs': ['json', 'gz'] } });
  return chosen?.[0]?.fsPath;
}
