// Messages between the Scalars panel and the host. The host reads the runs' event files,
// metrics.csv and hparams.yaml and sends each selected run's points as written, then only the
// points appended since; the panel keeps them and derives what it draws (the TensorBoard view,
// smoothing, decimation) from every point.

/** A hyperparameter as the files hold it (null: written as null). */
export type HparamValue = string | number | boolean | null;

export const SCALARS_VIEW_TYPE = 'runreel.scalars';

export type ScalarsXAxis = 'step' | 'relative' | 'wall';

/** What the panel keeps across reloads (webview state and the serializer's). */
export interface ScalarsState {
  /** Folders searched for runs (the workspace folders, or a folder opened alone). */
  roots: string[];
  /** Runs shown in the charts. */
  selected: string[];
  /** Colour index per run, kept when other runs come and go. */
  colours: Record<string, number>;
  runFilter: string;
  tagFilter: string;
  /** Debiased EMA weight in [0, 0.999]. */
  smoothing: number;
  x: ScalarsXAxis;
  logX: boolean;
  logY: boolean;
  ignoreOutliers: boolean;
  /** Every point written (a restarted job's overlap included) instead of TensorBoard's view. */
  showAllWritten: boolean;
  /** Tag groups folded away. */
  collapsed: string[];
  hparamsSort: { key: string; descending: boolean };
  hparamsFilter: string;
}

export const DEFAULT_SCALARS: Omit<ScalarsState, 'roots'> = {
  selected: [], colours: {}, runFilter: '', tagFilter: '', smoothing: 0.6, x: 'step', logX: false, logY: false,
  ignoreOutliers: false, showAllWritten: false, collapsed: [], hparamsSort: { key: 'run', descending: false }, hparamsFilter: '',
};

export interface ScalarRunInfo {
  dir: string;
  /** Path under its root, for the list. */
  label: string;
  /** The folder that holds it (under its root), for grouping. */
  group: string;
}

/** A tag's new points: `from` is where they start in the series as written (0 = all of it). */
export interface ScalarSeriesChunk {
  tag: string;
  source: 'events' | 'csv';
  from: number;
  steps: Float64Array;
  values: Float64Array;
  /** Seconds since the epoch; NaN where the source has none. */
  wallTimes: Float64Array;
}

/** One histogram of a step (HistogramProto): bucket i counts values in (limits[i−1], limits[i]]. */
export interface StepHistogram {
  step: number;
  min: number;
  max: number;
  num: number;
  limits: Float64Array;
  counts: Float64Array;
}

/** A histogram tag over steps: at most HISTOGRAM_SAMPLE of its `total` steps, evenly picked, the last included. */
export interface HistogramSeries {
  tag: string;
  total: number;
  histograms: StepHistogram[];
}

export const HISTOGRAM_SAMPLE = 60;
export const TEXT_SAMPLE = 100;

/** A text tag: its last TEXT_SAMPLE entries of `total`. */
export interface TextSeries {
  tag: string;
  total: number;
  entries: { step: number; text: string }[];
}

/** A tag of images, audio, histograms or text in the run's event files. */
export interface MediaTagInfo {
  tag: string;
  kind: 'image' | 'audio' | 'histogram' | 'text';
  steps: number;
}

export type ScalarsHostToWebview =
  | { type: 'runs'; runs: ScalarRunInfo[]; scanning: boolean }
  /** `reset`: drop what the panel holds for this run first. */
  | { type: 'data'; run: string; reset: boolean; chunks: ScalarSeriesChunk[]; hparams: [string, HparamValue][]; notes: string[]; media: MediaTagInfo[]; histograms?: HistogramSeries[]; texts?: TextSeries[] }
  | { type: 'unavailable'; run: string; message: string }
  /** Show these runs too (opened from the Runs view, the Run Overview or the palette). */
  | { type: 'addRuns'; runs: string[] }
  /** The run's current step, set from another panel or "Go to Step…". */
  | { type: 'step'; run: string; step: number }
  | { type: 'error'; message: string };

export type ScalarsWebviewToHost =
  | { type: 'ready' }
  | { type: 'select'; runs: string[] }
  | { type: 'state'; state: ScalarsState }
  /** A click on a chart: make `step` the run's current step. */
  | { type: 'step'; run: string; step: number }
  /** Open the run's image summaries in the Gallery, its audio summaries in Eval Audio. */
  | { type: 'openImages'; run: string }
  | { type: 'openAudio'; run: string }
  | { type: 'exportCsv'; name: string; text: string }
  | { type: 'exportPng'; name: string; dataUrl: string };
