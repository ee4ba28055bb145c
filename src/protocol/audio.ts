// Messages between the audio panels (Eval Audio, Live Audio) and their webviews. Peaks and
// samples travel as typed arrays for one visible range or one live frame at a time, never a
// whole file. The STFT defaults are the DSP module's own.
import { DEFAULT_HOP, DEFAULT_WINDOW } from '../domain/audio/stft';

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

export const DEFAULT_SPECTROGRAM: SpectrogramSettings = { window: DEFAULT_WINDOW, hop: DEFAULT_HOP, scale: 'log', colormap: 'magma', range: [-100, 0] };

export interface EvalStepInfo {
  step: number;
  samples: { index: number; key: string; target: boolean; pred: boolean }[];
}

export interface TrackInfo {
  /** 'target' / 'pred' in a run's eval step; 'file' for a WAV opened on its own. */
  role: 'target' | 'pred' | 'file';
  name: string;
  /** webview URI of the file, for playback ('' when `wav` carries the bytes) */
  src: string;
  /** The WAV's bytes when it lies inside another file (an event file's audio summary). */
  wav?: Uint8Array;
  sampleRate: number;
  channels: number;
  frames: number;
  warnings: string[];
}

export interface EvalAudioState {
  /** eval_results folder, the WAV for a single file, or a run folder whose event files hold audio summaries */
  path: string;
  single: boolean;
  /** `path` is a run folder: its event files' audio summaries are the samples. */
  events?: boolean;
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

// ---- Live Audio: a seed-003 ring buffer, polled by the webview while it is visible.
export const LIVE_AUDIO_VIEW_TYPE = 'runreel.liveAudio';
export const RING_EDITOR_TYPE = 'runreel.ringBufferEditor';
/** Frames are streamed at up to 60 a second. */
export const LIVE_FRAME_MS = 1000 / 60;

export interface LiveAudioState {
  /** The ring buffer file. */
  path: string;
  /** Waveform channels shown, as typed ("0-7", "0,2,5"). */
  channels: string;
  spectrumChannel: number;
  /** Seconds of history shown. */
  span: number;
  window: number;
  scale: FrequencyScaleName;
  colormap: ColormapName;
  range: [number, number];
}

/**
 * The channels shown until the user types others: every channel the file has, up to eight
 * (audiotab writes one; the "0-7" default would name seven that do not exist).
 */
export function defaultChannelSpec(channels: number): string {
  const n = Math.max(1, Math.min(8, channels));
  return n === 1 ? '0' : `0-${n - 1}`;
}

export const DEFAULT_LIVE_AUDIO: Omit<LiveAudioState, 'path'> = { channels: '0-7', spectrumChannel: 0, span: 5, window: DEFAULT_WINDOW, scale: DEFAULT_SPECTROGRAM.scale, colormap: DEFAULT_SPECTROGRAM.colormap, range: DEFAULT_SPECTROGRAM.range };

export interface RingInfo {
  name: string;
  sampleRate: number;
  channels: number;
  capacity: number;
  samplesPerWrite: number;
}

/** What one read of the ring brings: the new samples of a view, and what happened to the rest. */
export interface LiveSamples {
  /** Samples per channel the writer had written when this frame was read. */
  written: number;
  /** The frame covers samples [start, end) of the stream, both multiples of the bucket. */
  start: number;
  end: number;
  /** One array per waveform channel, (end − start) / bucket values each. */
  min: Float32Array[];
  max: Float32Array[];
  /** Raw samples [start, end) of the spectrogram channel. */
  spectrum?: Float32Array;
  /** Samples the writer overwrote before the reader could read them. */
  overrun: number;
  /** Samples still in the ring but skipped to keep a frame's work bounded. */
  skipped: number;
  /** The view must start afresh: the writer restarted, the buffer changed shape, or the request did. */
  fresh: boolean;
  /** Milliseconds since the write sequence last moved. */
  idleMs: number;
}

export interface LiveFrame extends LiveSamples {
  type: 'frame';
  /** The subscription this frame belongs to; frames of an older one are dropped. */
  id: number;
  /** Frame number within the subscription, acknowledged by the webview once drawn. */
  seq: number;
  ring: RingInfo;
  bucket: number;
  stopped: boolean;
  /** Frames the host held back since the last one, waiting for the view to draw what it was sent. */
  held: number;
  /** Host time spent reading this frame. */
  readMs: number;
}

export interface LiveSubscription {
  id: number;
  /** Waveform channels; empty for the first subscription, which only learns the buffer's shape. */
  channels: number[];
  spectrumChannel?: number;
  bucket: number;
  /** Samples of history wanted on the first frame. */
  history: number;
}

export type LiveAudioHostToWebview =
  | LiveFrame
  | { type: 'unavailable'; id: number; gone: boolean; message: string }
  | { type: 'frozen'; ok: boolean; message: string }
  | { type: 'error'; message: string };

export type LiveAudioWebviewToHost =
  | { type: 'ready' }
  /** Start (or restart, afresh) streaming frames of this shape. */
  | ({ type: 'subscribe' } & LiveSubscription)
  /** Frame `seq` of subscription `id` is drawn: the host keeps at most a few frames unacknowledged. */
  | { type: 'ack'; id: number; seq: number }
  /** Stop streaming and keep samples [start, end) of `channels` so they can be exported after the ring moves on. */
  | { type: 'freeze'; start: number; end: number; channels: number[] }
  | { type: 'exportWav'; start: number; end: number; channels: number[] }
  | { type: 'exportPng'; dataUrl: string };
