// Messages between the Run Overview panel (host) and its webview. Both sides import
// this file; it only imports types, so the webview bundle stays free of host code.
import type { RunActivityState, RunSummary } from '../domain/runs/model';

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
  | { type: 'reveal'; path: string };
