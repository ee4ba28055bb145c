// RL episode logs (seed 001, JaxARC): one episode's steps with full states (grids as nested
// lists or numpy text) or reduced states (grid_shape/step_count only), and its step_NNN.svg|png
// images. Where each JaxARC version puts them, and its value quirks: ../producers/jaxarc.ts.
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { EpisodeLogScanner, ScanError } from '../episodes/logScanner';
import {
  EPISODE_LOG, STEP_IMAGE, gridValue, jaxBoolean, jaxNumber, listStepImages, realTaskId, type StepImage,
} from '../producers/jaxarc';
import { ArtifactError, guard } from './errors';
import { readJsonFile, type JsonFileLimits } from './jsonFile';

export { EPISODE_LOG, STEP_IMAGE };

export interface Grid {
  height: number;
  width: number;
  /** Row-major cell values (ARC colours 0–9; other small integers are kept). */
  cells: Int16Array;
}

export interface EpisodeStep {
  stepNum: number;
  timestamp?: number;
  operation?: number;
  operationName?: string;
  /** Action fields other than operation/operation_name/selection, as plain data. */
  actionParams: Record<string, unknown>;
  /** Undefined when the log does not say (never shown as 0). */
  reward?: number;
  similarity?: number;
  success?: boolean;
  before?: Grid;
  after?: Grid;
  target?: Grid;
  /** Selection mask (full states) as a grid of 0/1. */
  selection?: Grid;
  /** Bounding box [y0, x0, y1, x1] when the log stores the selection as one. */
  selectionBox?: number[];
  reduced: boolean;
  gridShape?: [number, number];
  /** The step image, resolved inside the run folder, or undefined. */
  imagePath?: string;
}

export interface EpisodeLog {
  file: string;
  episodeNum: number;
  taskId: string;
  configHash?: string;
  startTimestamp?: number;
  endTimestamp?: number;
  totalSteps: number;
  /** Summary values are undefined where the log does not say and its steps cannot tell. */
  totalReward?: number;
  finalSimilarity?: number;
  success?: boolean;
  steps: EpisodeStep[];
  warnings: string[];
}

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function toGrid(raw: unknown, file: string, where: string): Grid | undefined {
  let v: unknown[] | undefined;
  try {
    v = gridValue(raw);
  } catch (err) {
    throw new ArtifactError('unsupported', file, `${where}: ${(err as Error).message}`);
  }
  if (!v) return undefined;
  const height = v.length;
  const width = height > 0 && Array.isArray(v[0]) ? v[0].length : 0;
  if (height > 1000 || width > 1000) throw new ArtifactError('too_large', file, `${where}: grid of ${height}×${width} (limit 1000×1000)`);
  const cells = new Int16Array(height * width);
  for (let y = 0; y < height; y++) {
    const row = v[y];
    if (!Array.isArray(row) || row.length !== width) throw new ArtifactError('inconsistent', file, `${where}: row ${y} has ${Array.isArray(row) ? row.length : 'no'} cells, row 0 has ${width}`);
    for (let x = 0; x < width; x++) {
      const c = row[x];
      const n = typeof c === 'boolean' ? (c ? 1 : 0) : c;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -32768 || n > 32767) throw new ArtifactError('inconsistent', file, `${where}: cell (${y}, ${x}) is ${JSON.stringify(c)}, not a small integer`);
      cells[y * width + x] = n;
    }
  }
  return { height, width, cells };
}

/**
 * Resolves a logged visualization_path to a file inside `runFolder`, or undefined. An absolute
 * path that exists there is used as it is. Otherwise the part from the episode folder on
 * ("…/episode_0003/step_007.svg": the log may come from another machine or name the trainer's
 * working directory) is joined to the episode's own image folder. Nothing outside the run.
 */
export function resolveStepImage(logged: unknown, runFolder: string, episodeDir: string): string | undefined {
  if (typeof logged !== 'string' || logged === '' || logged.includes('\0')) return undefined;
  const inside = (p: string) => {
    const rel = relative(runFolder, p);
    return !(rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..'));
  };
  if (isAbsolute(logged) && inside(normalize(logged)) && existsSync(logged)) return normalize(logged);
  const parts = logged.split(/[\\/]+/);
  const epIndex = parts.map((p) => /^episode_\d+$/.test(p)).lastIndexOf(true);
  let candidate: string;
  if (epIndex >= 0) candidate = join(episodeDir, ...parts.slice(epIndex + 1));
  else if (isAbsolute(logged)) candidate = normalize(logged);
  else candidate = join(episodeDir, ...parts);
  return inside(candidate) ? candidate : undefined;
}

/** Rows y0..y1-1 and columns x0..x1-1 of a grid. */
interface Box { y0: number; x0: number; y1: number; x1: number }

/** The bounding box of a mask's set cells (JaxARC pads grids to 30×30 and marks the task's part). */
function maskBox(mask: Grid | undefined): Box | undefined {
  if (!mask) return undefined;
  let y0 = mask.height, x0 = mask.width, y1 = -1, x1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (!mask.cells[y * mask.width + x]) continue;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
    }
  }
  return y1 < 0 ? undefined : { y0, x0, y1: y1 + 1, x1: x1 + 1 };
}

/** The bounding box of a padded grid's task cells (JaxARC pads targets with −1). */
function validBox(grid: Grid | undefined): Box | undefined {
  if (!grid || !grid.cells.includes(-1)) return undefined;
  let y0 = grid.height, x0 = grid.width, y1 = -1, x1 = -1;
  for (let y = 0; y < grid.height; y++) {
    for (let x = 0; x < grid.width; x++) {
      if (grid.cells[y * grid.width + x] < 0) continue;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
    }
  }
  return y1 < 0 ? undefined : { y0, x0, y1: y1 + 1, x1: x1 + 1 };
}

/** `grid` cut to `box`; cells the mask leaves out become -1 (padding). */
function crop(grid: Grid | undefined, box: Box | undefined, mask?: Grid): Grid | undefined {
  if (!grid || !box || box.y1 > grid.height || box.x1 > grid.width) return grid;
  const height = box.y1 - box.y0, width = box.x1 - box.x0;
  const cells = new Int16Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = (y + box.y0) * grid.width + x + box.x0;
      cells[y * width + x] = mask && mask.width === grid.width && !mask.cells[k] ? -1 : grid.cells[k];
    }
  }
  return { height, width, cells };
}

/** JaxARC's operation ids (jaxarc/utils/operation_names.py), for logs that store only the id. */
export const OPERATION_NAMES: readonly string[] = [
  ...Array.from({ length: 10 }, (_, i) => `Fill ${i}`), ...Array.from({ length: 10 }, (_, i) => `Flood Fill ${i}`),
  'Move Up', 'Move Down', 'Move Left', 'Move Right', 'Rotate CW', 'Rotate CCW', 'Flip H', 'Flip V',
  'Copy', 'Paste', 'Cut', 'Clear', 'Copy Input', 'Resize', 'Submit',
];

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});

/**
 * One logged step as plain data. Understands the state layouts JaxARC has written: reduced
 * ({grid_shape, step_count} or {type}), and full (the state's fields: `grid` or the padded
 * `working_grid` with `working_grid_mask`, `target_grid`, `selected`, `similarity_score`), as
 * lists or numpy text. Padded grids are cut to the task's cells (the working-grid mask, else
 * the target's non-padding cells) so a 3×3 task is not drawn as 30×30.
 */
export function parseStep(raw: unknown, i: number, file: string, runFolder: string, episodeDir: string, warnings: string[]): EpisodeStep {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ArtifactError('inconsistent', file, `step ${i} is not an object`);
  const s = raw as Record<string, unknown>;
  const before = record(s.before_state);
  const after = record(s.after_state);
  const action = record(s.action);
  const info = record(s.info);
  const canonical = record(info.canonical_action);
  const stepNum = jaxNumber(s.step_num);
  const where = `step ${stepNum ?? i}`;
  const shape = Array.isArray(after.grid_shape) ? after.grid_shape : Array.isArray(before.grid_shape) ? before.grid_shape : undefined;
  const { operation, operation_name, selection, ...actionParams } = action;
  const grid = (state: Record<string, unknown>, name: string) => toGrid(state.grid ?? state.working_grid, file, `${where} ${name} grid`);
  const beforeGrid = grid(before, 'before');
  const afterGrid = grid(after, 'after');
  const targetGrid = toGrid(after.target_grid ?? before.target_grid, file, `${where} target grid`);
  const beforeMask = toGrid(before.working_grid_mask, file, `${where} before grid mask`);
  const afterMask = toGrid(after.working_grid_mask, file, `${where} after grid mask`);
  const targetMask = toGrid(after.target_grid_mask ?? before.target_grid_mask, file, `${where} target mask`);
  const targetBox = maskBox(targetMask) ?? validBox(targetGrid);
  const box = maskBox(afterMask ?? beforeMask) ?? targetBox;
  const selGrid = toGrid(Array.isArray(selection) && !Array.isArray(selection[0]) ? undefined : selection, file, `${where} selection`)
    ?? toGrid(after.selected, file, `${where} selection`);
  const bbox = ['r1', 'c1', 'r2', 'c2'].map((k) => jaxNumber(action[k]));
  const imagePath = resolveStepImage(s.visualization_path, runFolder, episodeDir);
  if (s.visualization_path && !imagePath) warnings.push(`${where}: visualization_path ${JSON.stringify(s.visualization_path)} is outside the run folder; not shown`);
  const op = jaxNumber(info.operation_id) ?? jaxNumber(canonical.operation) ?? jaxNumber(operation);
  return {
    stepNum: stepNum ?? i,
    timestamp: jaxNumber(s.timestamp),
    operation: op,
    operationName: typeof operation_name === 'string' ? operation_name : op !== undefined ? OPERATION_NAMES[op] : undefined,
    actionParams,
    reward: jaxNumber(s.reward),
    similarity: jaxNumber(info.similarity) ?? jaxNumber(after.similarity_score),
    success: jaxBoolean(info.success),
    before: crop(beforeGrid, box, beforeMask ?? afterMask),
    after: crop(afterGrid, box, afterMask),
    target: crop(targetGrid, targetBox, targetMask),
    selection: crop(selGrid, box),
    selectionBox: Array.isArray(selection) && !selGrid && selection.length === 4 && selection.every((n) => typeof n === 'number') ? (selection as number[])
      : bbox.every((n) => n !== undefined) ? bbox as number[] : undefined,
    reduced: !(beforeGrid || afterGrid),
    gridShape: shape && shape.length === 2 && shape.every((n) => Number.isInteger(n)) ? [shape[0] as number, shape[1] as number] : undefined,
    imagePath,
  };
}

/**
 * `runFolder` bounds where step images may be; `imagesDir` is the episode's image folder when
 * it is not the log's own (JaxARC 2025-07 and v1.0.x keep images apart: see scanEpisodeRun).
 */
export async function readEpisodeLog(path: string, runFolder: string, options: JsonFileLimits & { imagesDir?: string } = {}): Promise<EpisodeLog> {
  const { imagesDir, ...limits } = options;
  const json = await readJsonFile(path, limits);
  return guard(path, async () => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ArtifactError('inconsistent', path, 'episode log is not a JSON object');
    const o = unwrapEpisode(json as Record<string, unknown>);
    if (!Array.isArray(o.steps)) throw new ArtifactError('inconsistent', path, "episode log has no 'steps' list");
    const episodeDir = imagesDir ?? join(path, '..');
    const warnings: string[] = [];
    const steps = o.steps.map((raw, i) => parseStep(raw, i, path, runFolder, episodeDir, warnings));
    return { ...episodeTotals(path, o, steps), steps, warnings };
  });
}

/** The AsyncLogger's {timestamp, priority, entry_type, data} wrapper, unwrapped. */
export function unwrapEpisode(o: Record<string, unknown>): Record<string, unknown> {
  return typeof o.entry_type === 'string' && typeof o.data === 'object' && o.data !== null && !Array.isArray(o.data) ? o.data as Record<string, unknown> : o;
}

/** The episode's summary fields, from the log's top level, else from its steps; unknown stays undefined. */
export function episodeTotals(path: string, o: Record<string, unknown>, steps: Pick<EpisodeStep, 'reward' | 'similarity' | 'success'>[]): Omit<EpisodeLog, 'steps' | 'warnings'> {
  const last = steps[steps.length - 1];
  const finalSimilarity = jaxNumber(o.final_similarity) ?? last?.similarity;
  const rewards = steps.map((s) => s.reward);
  return {
    file: path,
    episodeNum: jaxNumber(o.episode_num) ?? Number(EPISODE_LOG.exec(basename(path))?.[1] ?? -1),
    taskId: realTaskId(o) ?? '',
    configHash: typeof o.config_hash === 'string' ? o.config_hash : undefined,
    startTimestamp: jaxNumber(o.start_timestamp),
    endTimestamp: jaxNumber(o.end_timestamp),
    totalSteps: jaxNumber(o.total_steps) ?? steps.length,
    totalReward: jaxNumber(o.total_reward) ?? (rewards.length && rewards.every((r) => r !== undefined) ? rewards.reduce((a, r) => a! + r!, 0) : undefined),
    finalSimilarity,
    // v1.0.x logs have no success field: a final similarity of 1 is a solved task.
    success: jaxBoolean(o.success) ?? last?.success ?? (finalSimilarity !== undefined ? finalSimilarity >= 1 : undefined),
  };
}

export interface EpisodeFolder {
  dir: string;
  episodeNum: number;
  /** Structured logs in the folder, newest name last. */
  logs: string[];
  /** Step images sorted by step number. */
  images: StepImage[];
}

export async function listEpisodeFolder(dir: string): Promise<EpisodeFolder> {
  return guard(dir, async () => {
    const { readdir } = await import('node:fs/promises');
    const names = await readdir(dir);
    const logs = names.filter((n) => EPISODE_LOG.test(n)).sort().map((n) => join(dir, n));
    const images = await listStepImages(dir);
    return { dir, episodeNum: Number(/episode_(\d+)$/.exec(dir)?.[1] ?? -1), logs, images };
  });
}

export interface EpisodeSummary {
  file: string;
  episodeNum?: number;
  taskId?: string;
  totalSteps?: number;
  totalReward?: number;
  finalSimilarity?: number;
  success?: boolean;
  startTimestamp?: number;
}

const SUMMARY_FIELDS = ['episode_num', 'total_steps', 'total_reward', 'final_similarity'];
const summaryCache = new Map<string, EpisodeSummary>();
const SUMMARY_CACHE = 4096;

/**
 * An episode log's summary fields, wherever they sit: JaxARC writes them before `steps`
 * (v1.0.x after its long raw `step_data`), so the scan stops at `steps` once it has them and
 * reads on only when they come later. Cached by size and modification time.
 */
export async function readEpisodeSummary(path: string): Promise<EpisodeSummary> {
  return guard(path, async () => {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      const key = `${path}\0${st.size}\0${st.mtimeMs}`;
      const cached = summaryCache.get(key);
      if (cached) return cached;
      const scanner = new EpisodeLogScanner({ keepSteps: false });
      const enough = () => {
        const h = unwrapEpisode(scanner.header);
        return scanner.inSteps && SUMMARY_FIELDS.every((f) => f in h) && realTaskId(h) !== undefined;
      };
      // Read by hand (no streams): a chunk at a time, inflated when gzipped, until the fields are in.
      const buf = Buffer.alloc(1 << 20);
      const first = await handle.read(buf, 0, 2, 0);
      const gunzip = first.bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b ? createGunzip() : undefined;
      let failure: unknown;
      gunzip?.on('data', (c: Buffer) => {
        if (failure) return;
        try {
          scanner.push(c);
        } catch (err) {
          failure = err;
        }
      });
      gunzip?.on('error', () => { /* a prefix ends mid-stream: keep what was read */ });
      try {
        for (let pos = 0; !failure && !enough();) {
          const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) break;
          pos += bytesRead;
          const chunk = buf.subarray(0, bytesRead);
          if (gunzip) await new Promise<void>((resolve) => gunzip.write(Buffer.from(chunk), () => resolve()));
          else scanner.push(chunk);
        }
      } catch (err) {
        failure = err;
      } finally {
        gunzip?.destroy();
      }
      if (failure instanceof ScanError) throw new ArtifactError(failure.code, path, failure.message);
      if (failure) throw failure;
      const o = unwrapEpisode(scanner.header);
      const summary: EpisodeSummary = {
        file: path,
        episodeNum: jaxNumber(o.episode_num),
        taskId: realTaskId(o),
        totalSteps: jaxNumber(o.total_steps),
        totalReward: jaxNumber(o.total_reward),
        finalSimilarity: jaxNumber(o.final_similarity),
        success: jaxBoolean(o.success) ?? (jaxNumber(o.final_similarity) !== undefined ? jaxNumber(o.final_similarity)! >= 1 : undefined),
        startTimestamp: jaxNumber(o.start_timestamp) ?? jaxNumber(o.timestamp),
      };
      if (summaryCache.size >= SUMMARY_CACHE) summaryCache.delete(summaryCache.keys().next().value!);
      summaryCache.set(key, summary);
      return summary;
    } finally {
      await handle.close();
    }
  });
}
