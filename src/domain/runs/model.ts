// The run model: what discovery found, in plain data. No imports, so the webview
// tsconfig can include it through the protocol without pulling in Node.

/** What kind of producer wrote a run folder (see shared/seeds). */
export type RunKind =
  | 'lightning' // seed 000: lightning_logs/<run>/ with viz_snapshots, eval_results, checkpoints
  | 'snapshots' // seed 000: a viz_snapshots-style folder on its own
  | 'episodes' // seed 001: episode_NNNN/ folders
  | 'latents' // seed 004: {uuid}.safetensors + {uuid}.json
  | 'gallery' // seed 002: UUID-named generated images
  | 'clips' // seed 002: video clips to stitch
  | 'series' // any step-numbered image series (step_000.png, frame_12.png, …)
  | 'ringbuffer'; // seed 003: an AUDITAB! memory-mapped ring buffer file

export const RUN_KIND_LABEL: Record<RunKind, string> = {
  lightning: 'training run',
  snapshots: 'embedding snapshots',
  episodes: 'episode log',
  latents: 'latent store',
  gallery: 'image gallery',
  clips: 'video clips',
  series: 'image series',
  ringbuffer: 'live audio buffer',
};

export interface Run {
  /** Absolute path of the run folder (or of the buffer file). Unique, used as id. */
  path: string;
  /** Display name: the folder name, or parent/name for generic names like version_0. */
  name: string;
  kind: RunKind;
  /** The root (workspace folder or configured run root) it was found under. */
  root: string;
  /** Newest modification time seen among its top-level entries, ms since epoch. */
  modifiedMs: number;
  /** Sibling folders whose artifacts belong to this run (ACE-Step's UI snapshot folder), and why. */
  joined?: { path: string; why: string }[];
}

/** Whether files arrived recently (a run being written) or not. */
export type RunActivityState = 'live' | 'idle';

/** One line of a run's contents: "snapshots: 12 (steps 50–600)". */
export interface ArtifactGroup {
  kind: 'scalars' | 'snapshots' | 'evalSteps' | 'checkpoints' | 'episodes' | 'batchMetrics' | 'evaluation' | 'episodeConfigs' | 'latents' | 'animations' | 'buffer' | 'images' | 'clips' | 'frames';
  label: string;
  count: number;
  /** e.g. "steps 50–600", "3 pinned"; plain text. */
  detail?: string;
  /** Folder or file the group lives in, when there is one. */
  path?: string;
  /** Total size in bytes, when known. */
  bytes?: number;
  /** The individual artifacts, when the group lists them (at most ITEM_LIMIT). */
  items?: ArtifactItem[];
  /** Items beyond ITEM_LIMIT that were not listed. */
  moreItems?: number;
}

/** One artifact: an eval step, a checkpoint, an episode, a latent, a clip. */
export interface ArtifactItem {
  label: string;
  path: string;
  /** Plain text, e.g. "25 steps · reward 0.42 · solved". */
  detail?: string;
  /** Something a user copies: a latent id, an image id. */
  id?: string;
  /** Needs attention: an orphaned or soon-expiring latent, a log that cannot be read. */
  warning?: string;
  bytes?: number;
}

export const ITEM_LIMIT = 500;

export interface RunSummary {
  run: Run;
  groups: ArtifactGroup[];
  /** Problems met while summarising (unreadable folder, …); plain text naming the file. */
  warnings: string[];
  /** What the user should know about how the run was put together (a joined folder); plain text. */
  notes?: string[];
}
