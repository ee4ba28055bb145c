// Messages between the Embedding Timeline panel (host) and its webview. Point data travels
// as typed arrays (structured-cloned, no JSON), one step at a time.
export const EMBEDDINGS_VIEW_TYPE = 'runreel.embeddings';
export const EMBEDDINGS_EDITOR_TYPE = 'runreel.embeddingsEditor';

export interface TimelineStep {
  step: number;
  /** The step has projections to plot. */
  npz: boolean;
  /** A webview URI of the step's PNG, when there is one. */
  image?: string;
}

/** A metadata field as columns: numbers, or codes into a table of category names. */
export type FieldColumn =
  | { name: string; kind: 'number'; values: Float64Array }
  | { name: string; kind: 'category'; codes: Uint32Array; categories: string[] };

/** How many points a column describes. */
export function fieldLength(f: FieldColumn): number {
  return f.kind === 'number' ? f.values.length : f.codes.length;
}

export interface SpaceData {
  name: string;
  /** Point i is (x[i], y[i]); NaN for a point without a finite position. */
  x: Float32Array;
  y: Float32Array;
  fields: FieldColumn[];
}

export interface AxisBounds {
  x: [number, number];
  y: [number, number];
}

export interface EmbeddingsState {
  dir: string;
  step?: number;
  colorBy?: string;
  align: boolean;
  follow: boolean;
  /** Steps of history drawn behind selected points (0: none). */
  trail: number;
  selected?: number[];
}

export type EmbeddingsHostToWebview =
  | { type: 'steps'; title: string; steps: TimelineStep[]; warnings: string[] }
  | { type: 'stepData'; step: number; align: boolean; spaces: SpaceData[]; warnings: string[] }
  | { type: 'bounds'; align: boolean; bounds: Record<string, AxisBounds> }
  | { type: 'trail'; step: number; indices: number[]; spaces: { name: string; steps: number[]; x: Float32Array; y: Float32Array }[] }
  | { type: 'error'; message: string };

export type EmbeddingsWebviewToHost =
  | { type: 'ready' }
  | { type: 'requestStep'; step: number; align: boolean }
  | { type: 'requestTrail'; step: number; indices: number[]; length: number; align: boolean }
  | { type: 'exportPng'; dataUrl: string; step: number }
  | { type: 'createAnimation' };
