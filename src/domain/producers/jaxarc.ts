// JaxARC (seed 001) in every layout its loggers have written, and the value quirks of each.
//
// Where episode logs sit, per era (../shared/real-producers/FORMATS.md):
// - seed design: <run>/episode_NNNN/episode_NNNN_YYYYMMDD_HHMMSS.json[.gz] beside step_NNN images;
// - 2025-07 StructuredLogger, sync: <base>/structured_logs/episode_NNNN/episode_NNNN_<start>.json[.gz];
// - 2025-07 AsyncLogger (the default): <base>/structured_logs/episode/<end>_<priority>.json, a
//   {timestamp, priority, entry_type, data} wrapper around the episode;
// - v1.0.x: <base>/logs/episode_NNNN_<save time>.json|.pkl, flat, with batch_metrics.jsonl and
//   evaluation_summary.json beside them.
// Step images sit apart from the logs since 2025-07: <base>/episodes/run_<start>/episode_NNNN/
// (2025-07) or <base>/run_<start>/episode_NNNN/ (v1.0.x), each run_* with its episode_config.json.
// Logs and images share only the episode number, so they are paired by it (and by time when
// several logger starts reused the numbers). The whole <base> is one run.
//
// Values: logs written with json.dump(default=str) hold JAX scalars as strings ("13", "0.88",
// "False") and arrays as numpy str() text ("[[6 6 …]\n [6 6 …]]"); grids are padded to 30×30
// with −1 in the target (working-grid padding is not reliable) and, in full 2025-07 states, a
// working_grid_mask.
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ArtifactError, asArtifactError } from '../artifacts/errors';
import { readJsonFile } from '../artifacts/jsonFile';

export const EPISODE_DIR = /^episode_(\d+)$/;
/** A sync log: episode_NNNN_YYYYMMDD_HHMMSS.json[.gz]. */
export const EPISODE_LOG = /^episode_(\d+)_(\d{8})_(\d{6})\.json(\.gz)?$/;
/** v1.0.x's pickle beside the JSON log (same dict, with JAX arrays and JaxARC objects). */
export const EPISODE_PICKLE = /^episode_(\d+)_(\d{8})_(\d{6})\.pkl$/;
/** The AsyncLogger's file: <end time>_<priority>.json in structured_logs/episode/. */
export const ASYNC_LOG = /^(\d{8})_(\d{6})_(\d{3})\.json(\.gz)?$/;
/** A logger start's image tree. */
export const IMAGE_RUN_DIR = /^run_(\d{8})_(\d{6})$/;
export const STEP_IMAGE = /^step_(\d+)\.(svg|png)$/i;

// ---- values

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A number, or a number JAX wrote as text ("0.88", "13"). */
export function jaxNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return undefined;
}

/** A boolean, or one JAX wrote as text ("True", "False"). */
export function jaxBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'True' || v === 'true') return true;
  if (v === 'False' || v === 'false') return false;
  return undefined;
}

/**
 * A 2-D array that numpy printed with str(): "[[6 6 6]\n [6 5 6]]", booleans as True/False.
 * Rows are read from the brackets, not the lines (numpy wraps long rows). Returns undefined
 * when the text is not such an array; throws when numpy abbreviated it ("...").
 */
export function parseNumpyText(text: string): (number | boolean)[][] | undefined {
  const t = text.trim();
  if (!t.startsWith('[[')) return undefined;
  if (t.includes('...')) throw new Error('numpy printed this array abbreviated ("..."), so its cells are not in the file');
  const rows: (number | boolean)[][] = [];
  let row: (number | boolean)[] | undefined;
  let depth = 0;
  const token = /\[|\]|True|False|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\s+|,/y;
  let at = 0;
  while (at < t.length) {
    token.lastIndex = at;
    const m = token.exec(t);
    if (!m) return undefined;
    at = token.lastIndex;
    const s = m[0];
    if (s === '[') {
      if (++depth > 2) return undefined;
      if (depth === 2) row = [];
    } else if (s === ']') {
      if (depth === 2) rows.push(row!);
      if (--depth < 0) return undefined;
    } else if (s === 'True' || s === 'False') {
      if (depth !== 2) return undefined;
      row!.push(s === 'True');
    } else if (s.trim() && s !== ',') {
      if (depth !== 2) return undefined;
      row!.push(Number(s));
    }
  }
  return depth === 0 ? rows : undefined;
}

/** A grid as nested lists, from a list or from numpy text. */
export function gridValue(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return parseNumpyText(v);
  return undefined;
}

/** The ARC task id: task_info.task_id (v1.0.x; its top-level task_id is a synthetic task_N). */
export function realTaskId(o: Record<string, unknown>): string | undefined {
  const info = o.task_info;
  const fromInfo = typeof info === 'object' && info !== null ? (info as Record<string, unknown>).task_id : undefined;
  if (typeof fromInfo === 'string' && fromInfo) return fromInfo;
  return typeof o.task_id === 'string' ? o.task_id : undefined;
}

// ---- layout

export interface StepImage { step: number; path: string; format: 'svg' | 'png' }

/** One episode of a run: its log (if any) and its step images (if any), paired. */
export interface RunEpisode {
  /** What the panel opens it by: the log, else the image folder. */
  key: string;
  /** From the file name; for async logs read from the log (undefined until then). */
  episodeNum?: number;
  log?: string;
  /** A pickle log beside (or instead of) the JSON one. */
  pickle?: string;
  imagesDir?: string;
  images: StepImage[];
}

export interface EpisodeRunExtras {
  /** logs/batch_metrics.jsonl (v1.0.x). */
  batchMetrics?: string;
  /** logs/evaluation_summary.json (v1.0.x). */
  evaluationSummary?: string;
  /** Each logger start's episode_config.json. */
  episodeConfigs: string[];
}

export interface EpisodeRunLayout {
  episodes: RunEpisode[];
  extras: EpisodeRunExtras;
}

async function names(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((d) => ({ name: d.name, isDir: d.isDirectory() || d.isSymbolicLink() }));
  } catch {
    return [];
  }
}

export async function listStepImages(dir: string): Promise<StepImage[]> {
  return (await names(dir))
    .map(({ name }) => ({ name, m: STEP_IMAGE.exec(name) }))
    .filter((x) => x.m)
    .map(({ name, m }) => ({ step: Number(m![1]), path: join(dir, name), format: m![2].toLowerCase() as 'svg' | 'png' }))
    .sort((a, b) => a.step - b.step || a.format.localeCompare(b.format));
}

/** Sub-folders of a folder that mark a JaxARC base (logs apart from images). */
const BASE_MARKERS = ['logs', 'structured_logs', 'episodes'];

/**
 * Whether `dir` (with these entries) is a JaxARC base whose episode logs sit in a sub-folder
 * (logs/ or structured_logs/); its image trees then belong to it too.
 */
export async function isEpisodeBase(dir: string, entries: { name: string; isDir: boolean }[]): Promise<boolean> {
  for (const e of entries) {
    if (!e.isDir) continue;
    if (e.name === 'logs') {
      if ((await names(join(dir, 'logs'))).some((f) => EPISODE_LOG.test(f.name) || EPISODE_PICKLE.test(f.name))) return true;
    } else if (e.name === 'structured_logs') {
      const inner = await names(join(dir, 'structured_logs'));
      if (inner.some((f) => f.isDir && (EPISODE_DIR.test(f.name) || f.name === 'episode'))) return true;
    }
  }
  return false;
}

/**
 * The run folder a path belongs to: the JaxARC base above a logs/, structured_logs/ or
 * image-tree folder, else the folder holding episode_NNNN folders, else the folder itself.
 */
export async function episodeRunOf(path: string, isFile: boolean): Promise<string> {
  const hasMarker = async (base: string) => (await names(base)).some((e) => e.isDir && BASE_MARKERS.includes(e.name));
  const dir = isFile ? dirname(path) : path;
  const name = basename(dir);
  const parent = dirname(dir);
  if (isFile) {
    if (name === 'logs') return parent;
    if (name === 'episode' && basename(parent) === 'structured_logs') return dirname(parent);
  }
  if (EPISODE_DIR.test(name)) {
    if (basename(parent) === 'structured_logs') return dirname(parent);
    if (IMAGE_RUN_DIR.test(basename(parent))) {
      const grand = dirname(parent);
      if (basename(grand) === 'episodes' && (await hasMarker(dirname(grand)))) return dirname(grand);
      if (await hasMarker(grand)) return grand;
    }
    return parent;
  }
  return dir;
}

/** YYYYMMDD_HHMMSS as a sortable number. */
const stamp = (d: string, t: string) => Number(d + t);

interface ImageDir { episodeNum: number; dir: string; runStamp: number }

/** Every episode of the run at `run`, whatever the layout; logs paired with image folders. */
export async function scanEpisodeRun(run: string): Promise<EpisodeRunLayout> {
  const extras: EpisodeRunExtras = { episodeConfigs: [] };
  const logs: { path: string; episodeNum?: number; stamp: number; imagesDir?: string }[] = [];
  const pickles = new Map<string, string>();
  const imageDirs: ImageDir[] = [];
  const top = await names(run);

  const addImageTree = async (tree: string, runStamp: number) => {
    for (const e of await names(tree)) {
      const m = EPISODE_DIR.exec(e.name);
      if (e.isDir && m) imageDirs.push({ episodeNum: Number(m[1]), dir: join(tree, e.name), runStamp });
      else if (e.name === 'episode_config.json') extras.episodeConfigs.push(join(tree, e.name));
    }
  };

  for (const e of top) {
    const m = EPISODE_DIR.exec(e.name);
    if (e.isDir && m) {
      // Seed layout: the log sits in the episode folder with its images.
      const dir = join(run, e.name);
      const inside = (await names(dir)).filter((f) => EPISODE_LOG.test(f.name)).map((f) => f.name).sort();
      if (inside.length) {
        const lm = EPISODE_LOG.exec(inside.at(-1)!)!;
        logs.push({ path: join(dir, inside.at(-1)!), episodeNum: Number(m[1]), stamp: stamp(lm[2], lm[3]), imagesDir: dir });
      } else {
        imageDirs.push({ episodeNum: Number(m[1]), dir, runStamp: 0 });
      }
    } else if (e.isDir && e.name === 'logs') {
      for (const f of await names(join(run, 'logs'))) {
        const lm = EPISODE_LOG.exec(f.name);
        const pm = EPISODE_PICKLE.exec(f.name);
        if (lm) logs.push({ path: join(run, 'logs', f.name), episodeNum: Number(lm[1]), stamp: stamp(lm[2], lm[3]) });
        else if (pm) pickles.set(f.name.replace(/\.pkl$/, ''), join(run, 'logs', f.name));
        else if (f.name === 'batch_metrics.jsonl') extras.batchMetrics = join(run, 'logs', f.name);
        else if (f.name === 'evaluation_summary.json') extras.evaluationSummary = join(run, 'logs', f.name);
      }
    } else if (e.isDir && e.name === 'structured_logs') {
      for (const d of await names(join(run, 'structured_logs'))) {
        const dm = EPISODE_DIR.exec(d.name);
        const dir = join(run, 'structured_logs', d.name);
        if (d.isDir && dm) {
          const inside = (await names(dir)).filter((f) => EPISODE_LOG.test(f.name)).map((f) => f.name).sort();
          if (inside.length) {
            const lm = EPISODE_LOG.exec(inside.at(-1)!)!;
            logs.push({ path: join(dir, inside.at(-1)!), episodeNum: Number(dm[1]), stamp: stamp(lm[2], lm[3]) });
          }
        } else if (d.isDir && d.name === 'episode') {
          for (const f of await names(dir)) {
            const am = ASYNC_LOG.exec(f.name);
            if (am) logs.push({ path: join(dir, f.name), episodeNum: await asyncEpisodeNum(join(dir, f.name)), stamp: stamp(am[1], am[2]) });
          }
        }
      }
    } else if (e.isDir && IMAGE_RUN_DIR.test(e.name)) {
      const rm = IMAGE_RUN_DIR.exec(e.name)!;
      await addImageTree(join(run, e.name), stamp(rm[1], rm[2]));
    } else if (e.isDir && e.name === 'episodes') {
      for (const d of await names(join(run, 'episodes'))) {
        const rm = IMAGE_RUN_DIR.exec(d.name);
        if (d.isDir && rm) await addImageTree(join(run, 'episodes', d.name), stamp(rm[1], rm[2]));
      }
    }
  }

  const episodes: RunEpisode[] = [];
  const used = new Set<string>();
  for (const log of logs) {
    let imagesDir = log.imagesDir;
    if (!imagesDir && log.episodeNum !== undefined) imagesDir = pairImages(imageDirs, log.episodeNum, log.stamp, used)?.dir;
    if (imagesDir) used.add(imagesDir);
    const stem = basename(log.path).replace(/\.json(\.gz)?$/, '');
    const pickle = pickles.get(stem);
    pickles.delete(stem);
    episodes.push({ key: log.path, episodeNum: log.episodeNum, log: log.path, pickle, imagesDir, images: imagesDir ? await listStepImages(imagesDir) : [] });
  }
  for (const [stem, path] of pickles) {
    episodes.push({ key: path, episodeNum: Number(EPISODE_PICKLE.exec(`${stem}.pkl`)![1]), pickle: path, images: [] });
  }
  for (const d of imageDirs) {
    if (used.has(d.dir)) continue;
    episodes.push({ key: d.dir, episodeNum: d.episodeNum, imagesDir: d.dir, images: await listStepImages(d.dir) });
  }
  episodes.sort((a, b) => (a.episodeNum ?? Infinity) - (b.episodeNum ?? Infinity) || a.key.localeCompare(b.key));
  return { episodes, extras };
}

/**
 * The image folder of episode `n` for a log saved at `logStamp`: of the logger starts that
 * have one, the latest that began at or before the log (else the earliest), not yet taken.
 */
function pairImages(dirs: ImageDir[], n: number, logStamp: number, used: Set<string>): ImageDir | undefined {
  const candidates = dirs.filter((d) => d.episodeNum === n && !used.has(d.dir)).sort((a, b) => a.runStamp - b.runStamp);
  return candidates.filter((d) => d.runStamp <= logStamp).at(-1) ?? candidates[0];
}

/**
 * The episode number of an AsyncLogger file, from its first kilobytes: the wrapper's few
 * fields come first, then the episode, which starts with episode_num.
 */
export async function asyncEpisodeNum(path: string): Promise<number | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const m = /"episode_num"\s*:\s*"?(\d+)"?/.exec(buf.toString('utf8', 0, bytesRead));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/**
 * Why a .pkl episode log is not replayed. JaxARC pickles the episode with its JAX arrays and
 * JaxARC objects (jaxarc.state.State, EnvParams), which only Python with jax and jaxarc
 * installed can rebuild; Run Reel never runs a pickle's code.
 */
export async function pickleLogProblem(path: string, hasJson: boolean): Promise<string> {
  let jax = false;
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    jax = head.includes('jax._src.array') || head.includes('jaxarc.');
  } catch {
    /* unreadable: said below either way */
  } finally {
    await handle?.close();
  }
  const what = jax ? 'a Python pickle of JAX arrays and JaxARC objects (jaxarc.state.State, EnvParams)' : 'a Python pickle';
  const instead = hasJson ? 'The JSON log beside it holds the same episode and is the one replayed.' : 'Have JaxARC write its JSON episode logs as well to replay this episode here.';
  return `${basename(path)} is ${what}: only Python with jax and jaxarc installed can rebuild it, and Run Reel never runs a pickle's code. ${instead}`;
}

// ---- the run's other files (v1.0.x logs/ and each logger start's image tree)

export interface MetricSeries {
  name: string;
  /** One value per row; null where the row has none. */
  values: (number | null)[];
  /** How an array metric became one number per row ("mean of 4", "fraction true of 4"). */
  reduced?: string;
}

export interface BatchMetrics {
  file: string;
  steps: number[];
  series: MetricSeries[];
  /** Lines that were not a metrics row (counted, not shown). */
  skipped: number;
  /** The last line has no newline yet: still being written. */
  partialLast: boolean;
}

const MAX_METRIC_ROWS = 1_000_000;
const MAX_SERIES = 64;

/** A metric value as one number: a number, a numeric string, or the mean of numpy array text. */
function metricValue(v: unknown): { value: number | null; reduced?: string } {
  const n = jaxNumber(v) ?? (typeof v === 'boolean' ? Number(v) : jaxBoolean(v) !== undefined ? Number(jaxBoolean(v)) : undefined);
  if (n !== undefined) return { value: n };
  if (typeof v === 'string' && /^\s*\[/.test(v) && !v.includes('...')) {
    const items = v.replace(/[[\]]/g, ' ').trim().split(/[\s,]+/).filter(Boolean);
    const nums = items.map((t) => (t === 'True' ? 1 : t === 'False' ? 0 : jaxNumber(t)));
    if (items.length && nums.every((x) => x !== undefined)) {
      const bools = items.every((t) => t === 'True' || t === 'False');
      return { value: nums.reduce((a, b) => a! + b!, 0)! / nums.length, reduced: `${bools ? 'fraction true' : 'mean'} of ${nums.length}` };
    }
  }
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'number' || typeof x === 'boolean')) {
    return { value: v.reduce((a: number, b) => a + Number(b), 0) / v.length, reduced: `mean of ${v.length}` };
  }
  return { value: null };
}

/** logs/batch_metrics.jsonl: one {timestamp, step, metrics} row per line, values JAX text. */
export async function readBatchMetrics(path: string): Promise<BatchMetrics> {
  const steps: number[] = [];
  const byName = new Map<string, MetricSeries>();
  let skipped = 0;
  let partialLast = false;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let lastLine = '';
  stream.on('data', (chunk) => { lastLine = (lastLine + chunk).slice(-1); });
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      if (line.length > 1 << 20) { skipped++; continue; }
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      const r = typeof row === 'object' && row !== null && !Array.isArray(row) ? row as Record<string, unknown> : undefined;
      const metrics = r && typeof r.metrics === 'object' && r.metrics !== null && !Array.isArray(r.metrics) ? r.metrics as Record<string, unknown> : undefined;
      const step = jaxNumber(r?.step);
      if (!metrics || step === undefined) { skipped++; continue; }
      if (steps.length >= MAX_METRIC_ROWS) throw new ArtifactError('too_large', path, `over ${MAX_METRIC_ROWS} rows`);
      const at = steps.length;
      steps.push(step);
      for (const [name, raw] of Object.entries(metrics)) {
        if (name === 'update_step' || name === 'step') continue;
        let s = byName.get(name);
        if (!s) {
          if (byName.size >= MAX_SERIES) continue;
          s = { name, values: new Array<number | null>(at).fill(null) };
          byName.set(name, s);
        }
        const { value, reduced } = metricValue(raw);
        s.values[at] = value;
        if (reduced) s.reduced = reduced;
      }
      for (const s of byName.values()) if (s.values.length < steps.length) s.values.push(null);
    }
  } catch (err) {
    throw asArtifactError(path, err);
  }
  partialLast = lastLine !== '' && lastLine !== '\n';
  const series = [...byName.values()].filter((s) => s.values.some((v) => v !== null));
  return { file: path, steps, series, skipped, partialLast };
}

export interface EvaluationSummary {
  file: string;
  timestamp?: number;
  configHash?: string;
  taskId?: string;
  successRate?: number;
  averageEpisodeLength?: number;
  timeouts?: number;
  /** Each test pair: solved or not (undefined where the file does not say). */
  tests: { pair: number; solved?: boolean }[];
  /** Any other evaluation fields, as plain text pairs. */
  other: [string, string][];
}

/** logs/evaluation_summary.json: {timestamp, evaluation: {task_id, success_rate, …}, config_hash}. */
export async function readEvaluationSummary(path: string): Promise<EvaluationSummary> {
  const json = await readJsonFile(path, { maxBytes: 16 << 20 });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ArtifactError('inconsistent', path, 'evaluation summary is not a JSON object');
  const o = json as Record<string, unknown>;
  const ev = typeof o.evaluation === 'object' && o.evaluation !== null && !Array.isArray(o.evaluation) ? o.evaluation as Record<string, unknown> : o;
  const known = new Set(['task_id', 'success_rate', 'average_episode_length', 'num_timeouts', 'test_results']);
  const tests = Array.isArray(ev.test_results) ? ev.test_results.slice(0, 1000).map((t, i) => {
    const r = typeof t === 'object' && t !== null ? t as Record<string, unknown> : {};
    return { pair: jaxNumber(r.pair) ?? i, solved: jaxBoolean(r.solved) };
  }) : [];
  return {
    file: path,
    timestamp: jaxNumber(o.timestamp),
    configHash: typeof o.config_hash === 'string' ? o.config_hash : undefined,
    taskId: typeof ev.task_id === 'string' ? ev.task_id : undefined,
    successRate: jaxNumber(ev.success_rate),
    averageEpisodeLength: jaxNumber(ev.average_episode_length),
    timeouts: jaxNumber(ev.num_timeouts),
    tests,
    other: Object.entries(ev).filter(([k]) => !known.has(k)).slice(0, 50).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  };
}

/** An image tree's episode_config.json (EpisodeManager settings), as plain text pairs. */
export async function readEpisodeConfig(path: string): Promise<{ file: string; fields: [string, string][] }> {
  const json = await readJsonFile(path, { maxBytes: 4 << 20 });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ArtifactError('inconsistent', path, 'episode config is not a JSON object');
  return { file: path, fields: Object.entries(json).slice(0, 100).map(([k, v]) => [k, v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v)]) };
}
