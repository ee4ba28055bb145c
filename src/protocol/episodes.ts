// Messages between the Episode Replay panel and the host. The host indexes the log and sends
// one step at a time (grids as flat cell lists); the webview asks for the step it shows.

export const EPISODE_REPLAY_VIEW_TYPE = 'runreel.episodeReplay';
export const EPISODE_LOG_EDITOR_TYPE = 'runreel.episodeLogEditor';

/** The producer's colour schemes (JaxARC VisualizationConfig.color_scheme). */
export type ColourScheme = 'default' | 'colorblind' | 'high_contrast';

export type EpisodeSortKey = 'episode' | 'task' | 'steps' | 'reward' | 'similarity' | 'success';

/** What the panel keeps across reloads (webview state and the serializer's). */
export interface EpisodeReplayState {
  /** The run folder (holds episode_NNNN folders), or an episode folder/log opened alone. */
  run: string;
  /** The episode shown: its folder or log file. */
  episode?: string;
  step?: number;
  scheme: ColourScheme;
  showTarget: boolean;
  coords: boolean;
  /** Steps per second while playing. */
  speed: number;
  sort: { key: EpisodeSortKey; descending: boolean };
  filter: string;
  /** Episodes whose reward curves are overlaid. */
  overlay: string[];
}

export const DEFAULT_EPISODE_REPLAY: Omit<EpisodeReplayState, 'run'> = {
  scheme: 'default', showTarget: false, coords: false, speed: 4,
  sort: { key: 'episode', descending: false }, filter: '', overlay: [],
};

/** A grid as sent: row-major ARC colours 0–9; -1 marks padding outside the task. */
export interface GridData {
  height: number;
  width: number;
  cells: number[];
}

export interface EpisodeListItem {
  /** The episode's log, else its image folder: what openEpisode takes. */
  path: string;
  episodeNum: number;
  taskId?: string;
  steps?: number;
  totalReward?: number;
  finalSimilarity?: number;
  success?: boolean;
  /** Step images in the folder. */
  images: number;
  /** Why the log cannot be summarised, when it cannot. */
  warning?: string;
}

export interface EpisodeInfo {
  path: string;
  title: string;
  episodeNum: number;
  taskId: string;
  configHash?: string;
  /** Undefined where the files do not say (shown as "—"). */
  totalReward?: number;
  finalSimilarity?: number;
  success?: boolean;
  /** The files the episode is read from: its log and its image folder. */
  files: string[];
  /** Steps known so far (grows while the log is still being indexed). */
  stepCount: number;
  /** 'grids' when the log has full states, else 'images' (reduced states or no log). */
  mode: 'grids' | 'images';
  stepNums: number[];
  /** null where a step has no reward (image-only episodes). */
  rewards: (number | null)[];
  /** null where a step has no similarity. */
  similarity: (number | null)[];
  /** Step indices where the reward changes a lot (see keyMoments). */
  keyMoments: number[];
  /** First step index where similarity falls, if it ever does. */
  firstDrop?: number;
  /** True while the host is still reading the log. */
  indexing: boolean;
  warnings: string[];
}

export interface StepView {
  index: number;
  stepNum: number;
  before?: GridData;
  after?: GridData;
  target?: GridData;
  /** Selection mask (1 = selected), same size as before. */
  selection?: GridData;
  /** [y0, x0, y1, x1] when the log stores the selection as a box. */
  selectionBox?: number[];
  /** Row-major indices of cells that differ between before and after. */
  changed: number[];
  operation?: number;
  operationName?: string;
  /** The action's other fields, as JSON text (shown as text, never HTML). */
  params: string;
  reward?: number;
  similarity?: number;
  success?: boolean;
  /** The step image (webview URI) and whether it is an SVG (shown only through <img>). */
  image?: { src: string; svg: boolean };
  gridShape?: [number, number];
}

export interface CurveData {
  path: string;
  label: string;
  /** Cumulative reward after each step. */
  cumulative: number[];
}

/** The run's files beside its episodes (JaxARC v1.0.x logs/): training metrics and evaluation. */
export interface EpisodeRunFiles {
  batchMetrics?: {
    file: string;
    steps: number[];
    series: { name: string; values: (number | null)[]; reduced?: string }[];
    skipped: number;
    partialLast: boolean;
  };
  evaluation?: {
    file: string;
    taskId?: string;
    successRate?: number;
    averageEpisodeLength?: number;
    timeouts?: number;
    tests: { pair: number; solved?: boolean }[];
    configHash?: string;
  };
  configs: { file: string; fields: [string, string][] }[];
  /** Files that could not be read, with why. */
  problems: string[];
}

export type EpisodeWebviewToHost =
  /** The page (re)loaded; it names the episode and step it was showing, if any. */
  | { type: 'ready'; episode?: string; step?: number }
  | { type: 'openEpisode'; path: string; step?: number }
  | { type: 'step'; index: number }
  | { type: 'overlay'; paths: string[] };

export type EpisodeHostToWebview =
  | { type: 'episodes'; title: string; items: EpisodeListItem[] }
  | { type: 'runFiles'; files: EpisodeRunFiles }
  | { type: 'episode'; info: EpisodeInfo; step?: number }
  | { type: 'step'; view: StepView }
  | { type: 'curves'; items: CurveData[] }
  | { type: 'error'; message: string };
