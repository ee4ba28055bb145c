// Messages between the Run Overview panel (host) and its webview. Both sides import
// this file; it only imports types, so the webview bundle stays free of host code.
import type { ArtifactGroup, RunActivityState, RunSummary } from '../domain/runs/model';

export const RUN_OVERVIEW_VIEW_TYPE = 'runreel.runOverview';

/** UI state kept by the webview across reloads (setState/getState) and used by the serializer. */
export interface RunOverviewState {
  runPath: string;
}

export type RunOverviewHostToWebview =
  | { type: 'summary'; summary: RunSummary; state: RunActivityState; version: string }
  | { type: 'error'; message: string };

export type RunOverviewWebviewToHost =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'reveal'; path: string }
  | { type: 'open'; kind: ArtifactGroup['kind'] };

/**
 * The panel each kind of artifact opens from its row: the command is run on the group's
 * folder, or on its newest item ('latest'). The webview names a kind, never a command or path.
 */
export const OPEN_ACTIONS: Partial<Record<ArtifactGroup['kind'], { label: string; command: string; target: 'group' | 'latest' }>> = {
  scalars: { label: 'Open Scalars', command: 'runreel.openScalars', target: 'group' },
  snapshots: { label: 'Open Timeline', command: 'runreel.openEmbeddingTimeline', target: 'group' },
  evalSteps: { label: 'Open Eval Audio', command: 'runreel.openEvalAudio', target: 'group' },
  checkpoints: { label: 'Inspect Latest', command: 'runreel.inspectSafetensors', target: 'latest' },
  episodes: { label: 'Replay', command: 'runreel.replayEpisode', target: 'group' },
  batchMetrics: { label: 'Open Chart', command: 'runreel.replayEpisode', target: 'group' },
  evaluation: { label: 'Open', command: 'vscode.open', target: 'group' },
  episodeConfigs: { label: 'Open', command: 'vscode.open', target: 'latest' },
  latents: { label: 'Open Store', command: 'runreel.openLatentStore', target: 'group' },
  buffer: { label: 'Open Live Audio', command: 'runreel.openLiveAudio', target: 'group' },
  images: { label: 'Open Gallery', command: 'runreel.openMedia', target: 'group' },
  clips: { label: 'Open Clips', command: 'runreel.openMedia', target: 'group' },
  frames: { label: 'Create Animation', command: 'runreel.createAnimation', target: 'group' },
};
