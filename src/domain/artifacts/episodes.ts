// RL episode logs (seed 001): episode_NNNN/episode_NNNN_YYYYMMDD_HHMMSS.json[.gz] written by
// the StructuredLogger, with full states (grids as nested lists) or reduced states
// (grid_shape/step_count only), and per-episode folders of step_NNN.svg|png images.
import { readdir } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { ArtifactError, guard } from './errors';
import { readJsonFile, type JsonFileLimits } from './jsonFile';

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
  reward: number;
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
  totalReward: number;
  finalSimilarity: number;
  success: boolean;
  steps: EpisodeStep[];
  warnings: string[];
}

export const EPISODE_LOG = /^episode_(\d+)_(\d{8})_(\d{6})\.json(\.gz)?$/;
export const STEP_IMAGE = /^step_(\d+)\.(svg|png)$/i;

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function toGrid(v: unknown, file: string, where: string): Grid | undefined {
  if (!Array.isArray(v)) return undefined;
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
 * Resolves a logged visualization_path to a file inside `runFolder`, or undefined. Paths are
 * written relative to the trainer's working directory ("outputs/episodes/<run>/episode_0003/
 * step_007.png"), so the part from the episode folder on is joined to `episodeDir`; anything
 * that would leave the run folder is refused.
 */
export function resolveStepImage(logged: unknown, runFolder: string, episodeDir: string): string | undefined {
  if (typeof logged !== 'string' || logged === '' || logged.includes('\0')) return undefined;
  const parts = logged.split(/[\\/]+/);
  const epIndex = parts.map((p) => /^episode_\d+$/.test(p)).lastIndexOf(true);
  let candidate: string;
  if (epIndex >= 0) candidate = join(episodeDir, '..', ...parts.slice(epIndex));
  else if (isAbsolute(logged)) candidate = normalize(logged);
  else candidate = join(episodeDir, ...parts);
  const rel = relative(runFolder, candidate);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return undefined;
  return candidate;
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
 * One logged step as plain data. Understands both state layouts the StructuredLogger writes:
 * reduced ({grid_shape, step_count}) and full (the state's fields: `grid` or JaxARC's padded
 * `working_grid` with `working_grid_mask`, `target_grid`, `selected`, `similarity_score`).
 * Padded grids are cut to the task's cells so a 3×3 task is not drawn as 30×30.
 */
export function parseStep(raw: unknown, i: number, file: string, runFolder: string, episodeDir: string, warnings: string[]): EpisodeStep {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ArtifactError('inconsistent', file, `step ${i} is not an object`);
  const s = raw as Record<string, unknown>;
  const before = record(s.before_state);
  const after = record(s.after_state);
  const action = record(s.action);
  const info = record(s.info);
  const where = `step ${num(s.step_num) ?? i}`;
  const full = Array.isArray(after.grid ?? after.working_grid) || Array.isArray(before.grid ?? before.working_grid);
  const shape = Array.isArray(after.grid_shape) ? after.grid_shape : Array.isArray(before.grid_shape) ? before.grid_shape : undefined;
  const { operation, operation_name, selection, ...actionParams } = action;
  const grid = (state: Record<string, unknown>, name: string) => toGrid(state.grid ?? state.working_grid, file, `${where} ${name} grid`);
  const beforeMask = toGrid(before.working_grid_mask, file, `${where} before grid mask`);
  const afterMask = toGrid(after.working_grid_mask, file, `${where} after grid mask`);
  const box = maskBox(afterMask ?? beforeMask);
  const targetMask = toGrid(after.target_grid_mask ?? before.target_grid_mask, file, `${where} target mask`);
  const selectionGrid = Array.isArray(selection) && Array.isArray(selection[0]) ? selection : Array.isArray(after.selected) ? after.selected : undefined;
  const selGrid = toGrid(selectionGrid, file, `${where} selection`);
  const bbox = ['r1', 'c1', 'r2', 'c2'].map((k) => num(action[k]));
  const imagePath = resolveStepImage(s.visualization_path, runFolder, episodeDir);
  if (s.visualization_path && !imagePath) warnings.push(`${where}: visualization_path ${JSON.stringify(s.visualization_path)} is outside the run folder; not shown`);
  const op = num(operation);
  return {
    stepNum: num(s.step_num) ?? i,
    timestamp: num(s.timestamp),
    operation: op,
    operationName: typeof operation_name === 'string' ? operation_name : op !== undefined ? OPERATION_NAMES[op] : undefined,
    actionParams,
    reward: num(s.reward) ?? 0,
    similarity: num(info.similarity) ?? num(after.similarity_score),
    success: typeof info.success === 'boolean' ? info.success : undefined,
    before: crop(grid(before, 'before'), box, beforeMask ?? afterMask),
    after: crop(grid(after, 'after'), box, afterMask),
    target: crop(toGrid(after.target_grid ?? before.target_grid, file, `${where} target grid`), maskBox(targetMask), targetMask),
    selection: crop(selGrid, box),
    selectionBox: Array.isArray(selection) && !selGrid && selection.length === 4 && selection.every((n) => typeof n === 'number') ? (selection as number[])
      : bbox.every((n) => n !== undefined) ? bbox as number[] : undefined,
    reduced: !full,
    gridShape: shape && shape.length === 2 && shape.every((n) => Number.isInteger(n)) ? [shape[0] as number, shape[1] as number] : undefined,
    imagePath,
  };
}

/** `runFolder` bounds where step images may be; the folder holding the episode_NNNN folders. */
export async function readEpisodeLog(path: string, runFolder: string, limits?: JsonFileLimits): Promise<EpisodeLog> {
  const json = await readJsonFile(path, limits);
  return guard(path, async () => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ArtifactError('inconsistent', path, 'episode log is not a JSON object');
    const o = json as Record<string, unknown>;
    if (!Array.isArray(o.steps)) throw new ArtifactError('inconsistent', path, "episode log has no 'steps' list");
    const episodeDir = join(path, '..');
    const warnings: string[] = [];
    const steps = o.steps.map((raw, i) => parseStep(raw, i, path, runFolder, episodeDir, warnings));
    return { ...episodeTotals(path, o, steps), steps, warnings };
  });
}

/** The episode's summary fields, from the log's top level, else from its steps. */
export function episodeTotals(path: string, o: Record<string, unknown>, steps: Pick<EpisodeStep, 'reward' | 'similarity' | 'success'>[]): Omit<EpisodeLog, 'steps' | 'warnings'> {
  const last = steps[steps.length - 1];
  const finalSimilarity = num(o.final_similarity) ?? last?.similarity ?? 0;
  return {
    file: path,
    episodeNum: num(o.episode_num) ?? Number(EPISODE_LOG.exec(basename(path))?.[1] ?? -1),
    taskId: typeof o.task_id === 'string' ? o.task_id : '',
    configHash: typeof o.config_hash === 'string' ? o.config_hash : undefined,
    startTimestamp: num(o.start_timestamp),
    endTimestamp: num(o.end_timestamp),
    totalSteps: num(o.total_steps) ?? steps.length,
    totalReward: num(o.total_reward) ?? steps.reduce((a, s) => a + s.reward, 0),
    finalSimilarity,
    success: last?.success ?? finalSimilarity >= 1,
  };
}

export interface EpisodeFolder {
  dir: string;
  episodeNum: number;
  /** Structured logs in the folder, newest name last. */
  logs: string[];
  /** Step images sorted by step number. */
  images: { step: number; path: string; format: 'svg' | 'png' }[];
}

export async function listEpisodeFolder(dir: string): Promise<EpisodeFolder> {
  return guard(dir, async () => {
    const names = await readdir(dir);
    const logs = names.filter((n) => EPISODE_LOG.test(n)).sort().map((n) => join(dir, n));
    const images = names
      .map((n) => ({ n, m: STEP_IMAGE.exec(n) }))
      .filter((x) => x.m)
      .map(({ n, m }) => ({ step: Number(m![1]), path: join(dir, n), format: m![2].toLowerCase() as 'svg' | 'png' }))
      .sort((a, b) => a.step - b.step || a.format.localeCompare(b.format));
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
}

const HEAD_BYTES = 16 * 1024;

/**
 * The summary fields of an episode log from its first kilobytes: the StructuredLogger
 * writes episode_num … task_id before the long `steps` list, so listing a run with
 * thousands of large logs does not parse any of them whole.
 */
export async function readEpisodeSummary(path: string): Promise<EpisodeSummary> {
  return guard(path, async () => {
    const { open } = await import('node:fs/promises');
    const handle = await open(path, 'r');
    let head: Buffer;
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    if (head[0] === 0x1f && head[1] === 0x8b) {
      const { createGunzip } = await import('node:zlib');
      head = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const gz = createGunzip();
        gz.on('data', (c: Buffer) => chunks.push(c));
        gz.on('error', () => resolve(Buffer.concat(chunks))); // a prefix ends mid-stream
        gz.on('end', () => resolve(Buffer.concat(chunks)));
        gz.end(head);
      });
    }
    const text = head.toString('utf8', 0, Math.min(head.length, HEAD_BYTES * 8));
    const field = (name: string) => new RegExp(`"${name}"\\s*:\\s*(-?[0-9.eE+-]+|"(?:[^"\\\\]|\\\\.)*")`).exec(text)?.[1];
    const n = (name: string) => {
      const v = field(name);
      const x = v === undefined ? NaN : Number(v);
      return Number.isFinite(x) ? x : undefined;
    };
    const task = field('task_id');
    let taskId: string | undefined;
    try {
      taskId = task ? (JSON.parse(task) as string) : undefined;
    } catch {
      taskId = undefined;
    }
    return { file: path, episodeNum: n('episode_num'), taskId, totalSteps: n('total_steps'), totalReward: n('total_reward'), finalSimilarity: n('final_similarity') };
  });
}
