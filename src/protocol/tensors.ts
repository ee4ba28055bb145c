// Messages of the Safetensors Inspector and the Latent Store panels, and the tensor views
// both show. Plain types only: the webview bundle includes this file.

export const INSPECTOR_EDITOR_TYPE = 'runreel.safetensorsInspector';
export const LATENT_STORE_VIEW_TYPE = 'runreel.latentStore';

export interface TensorRow {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  bytes: number;
  /** Byte offset of its data in the file. */
  offset: number;
}

export interface DtypeTotal {
  dtype: string;
  tensors: number;
  count: number;
  bytes: number;
}

export interface TensorStatsData {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  nan: number;
  posInf: number;
  negInf: number;
  zeros: number;
}

export interface HistogramData {
  lo: number;
  hi: number;
  counts: number[];
}

/** A window of a tensor's last-two-axes plane, as asked for. */
export interface PlaneWindowData {
  lead: number[];
  r0?: number; r1?: number; c0?: number; c1?: number;
  maxRows: number;
  maxCols: number;
}

/** A window of the plane as computed: each value the mean of a rowStep × colStep block. */
export interface PlaneData {
  layout: { lead: number[]; rows: number; cols: number };
  lead: number[];
  r0: number; r1: number; c0: number; c1: number;
  rowStep: number;
  colStep: number;
  outRows: number;
  outCols: number;
  values: Float32Array;
  min: number;
  max: number;
}

// ---- Safetensors Inspector

/** Kept by the webview across reloads. */
export interface InspectorState {
  file: string;
  selected?: string;
  filter?: string;
  lead?: number[];
  transpose?: boolean;
  colormap?: HeatmapColormap;
}

export type HeatmapColormap = 'viridis' | 'magma' | 'diverging';

export interface InspectorHeader {
  file: string;
  fileBytes: number;
  /** The safetensors JSON header, or a torch checkpoint's data.pkl, in bytes. */
  headerBytes: number;
  format: 'safetensors' | 'torch' | 'npy' | 'npz';
  /** For a checkpoint: its other keys (epoch, global_step, hyper_parameters, …) as text. */
  metadata: [string, string][];
  /** Plain-text notes: tensors that cannot be shown, and why. */
  notes: string[];
  tensors: TensorRow[];
  totals: DtypeTotal[];
}

export type InspectorHostToWebview =
  | { type: 'header'; header: InspectorHeader; changed: boolean }
  | { type: 'progress'; name: string; fraction: number }
  | { type: 'stats'; name: string; stats: TensorStatsData; histogram: HistogramData }
  | { type: 'plane'; seq: number; name: string; plane: PlaneData }
  | { type: 'error'; message: string; name?: string; seq?: number };

export type InspectorWebviewToHost =
  | { type: 'ready' }
  | { type: 'stats'; name: string }
  | { type: 'plane'; seq: number; name: string; window: PlaneWindowData }
  | { type: 'copy'; text: string };

// ---- Latent Store

export interface LatentRow {
  id: string;
  tensorPath?: string;
  recordPath?: string;
  shape?: number[];
  dtype?: string;
  stage?: string;
  variant?: string;
  isCheckpoint?: boolean;
  checkpointStep?: number | null;
  totalSteps?: number;
  createdAtMs?: number;
  pinned?: boolean;
  /** null: pinned, never expires. */
  expiresAtMs?: number | null;
  orphan?: 'no_tensor' | 'no_record';
  /** Why the record cannot be read. */
  error?: string;
  /** params.caption when it is a string: a hint of what was generated. */
  caption?: string;
  /** Pretty-printed JSON, shown as text. */
  paramsText?: string;
  lmText?: string;
  tensorBytes?: number;
}

export interface LatentStoreState {
  dir: string;
  selected?: string;
  compare?: [string, string];
}

export interface LatentComparisonData {
  a: string;
  b: string;
  shape: number[];
  steps: Float64Array;
  cosine: Float64Array;
  l2: Float64Array;
  overall: { cosine: number; l2: number; maxAbsDiff: number; meanAbsDiff: number };
  diff: PlaneData;
}

export type LatentStoreHostToWebview =
  | { type: 'store'; dir: string; ttlHours: number; nowMs: number; rows: LatentRow[]; generations: string[][] }
  | { type: 'comparison'; comparison: LatentComparisonData }
  | { type: 'compareError'; a: string; b: string; message: string }
  /** Show this record (opened from the Runs view). */
  | { type: 'select'; id: string }
  | { type: 'error'; message: string };

export type LatentStoreWebviewToHost =
  | { type: 'ready' }
  | { type: 'copyId'; id: string }
  | { type: 'inspect'; path: string }
  | { type: 'reveal'; path: string }
  | { type: 'compare'; a: string; b: string; window: PlaneWindowData };
