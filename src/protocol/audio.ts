// Messages between the Eval Audio panel (host) and its webview. Peaks and samples travel
// as typed arrays for one visible range at a time, never a whole file.
export const EVAL_AUDIO_VIEW_TYPE = 'runreel.evalAudio';
export const WAV_EDITOR_TYPE = 'runreel.wavEditor';

export type FrequencyScaleName = 'linear' | 'log' | 'mel';
export const COLORMAPS = ['viridis', 'magma', 'inferno', 'plasma'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

export interface SpectrogramSettings {
  window: number;
  hop: number;
  scale: FrequencyScaleName;
  colormap: ColormapName;
  /** Levels shown, in dB: [floor, ceiling]. */
  range: [number, number];
}

export const DEFAULT_SPECTROGRAM: SpectrogramSettings = { window: 2048, hop: 512, scale: 'log', colormap: 'magma', range: [-100, 0] };

export interface EvalStepInfo {
  step: number;
  samples: { index: number; target: boolean; pred: boolean }[];
}

export interface TrackInfo {
  /** 'target' / 'pred' in a run's eval step; 'file' for a WAV opened on its own. */
  role: 'target' | 'pred' | 'file';
  name: string;
  /** webview URI of the file, for playback */
  src: string;
  sampleRate: number;
  channels: number;
  frames: number;
  warnings: string[];
}

export interface EvalAudioState {
  /** eval_results folder, or the WAV for a single file */
  path: string;
  single: boolean;
  step?: number;
  sample?: number;
  spectrogram: SpectrogramSettings;
  diff: boolean;
}

export type EvalAudioHostToWebview =
  | { type: 'steps'; title: string; steps: EvalStepInfo[] }
  | { type: 'sample'; step?: number; sample?: number; tracks: TrackInfo[]; text?: string }
  | { type: 'peaks'; id: number; track: number; start: number; end: number; min: Float32Array[]; max: Float32Array[]; exact: boolean }
  | { type: 'samples'; id: number; track: number; start: number; end: number; columns: number; size: number; mode: 'contiguous'; first: number; samples: Float32Array }
  | { type: 'samples'; id: number; track: number; start: number; end: number; columns: number; size: number; mode: 'gathered'; samples: Float32Array }
  | { type: 'error'; message: string };

export type EvalAudioWebviewToHost =
  | { type: 'ready' }
  | { type: 'select'; step: number; sample: number }
  | { type: 'requestPeaks'; id: number; track: number; start: number; end: number; buckets: number }
  | { type: 'requestSamples'; id: number; track: number; start: number; end: number; columns: number; size: number };
