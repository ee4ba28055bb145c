// What a run holds: counts and step ranges from folder listings, plus the few small reads
// that make a listing useful (episode log heads, latent records, the ring buffer header).
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readEpisodeSummary } from '../artifacts/episodes';
import { evalSampleKey } from '../audio/evalAudio';
import { pickleLogProblem, readBatchMetrics, readEpisodeConfig, readEvaluationSummary, scanEpisodeRun } from '../producers/jaxarc';
import { ArtifactError } from '../artifacts/errors';
import { scanLatentStore } from '../artifacts/latents';
import { readRingHeader } from '../artifacts/ringBuffer';
import { SERIES_FRAME, STEP_SNAPSHOT, UUID_IMAGE, VIDEO_CLIP } from './discover';
import { formatBytes, formatDuration } from '../format';
import { ITEM_LIMIT, type ArtifactGroup, type ArtifactItem, type Run, type RunSummary } from './model';

const EVAL_STEP_DIR = /^step_(\d+)$/;
const ANIMATION = /^pacmap_evolution\.(gif|webm)$/;
const WAV = /\.wav$/i;

interface Entry { name: string; isDir: boolean }

export interface SummarizeOptions {
  /** Latent TTL in hours (default: ACE_LATENT_TTL_HOURS or 24). */
  latentTtlHours?: number;
  nowMs?: number;
}

async function list(dir: string, warnings: string[]): Promise<Entry[] | undefined> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((d) => ({ name: d.name, isDir: d.isDirectory() }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') warnings.push(`cannot read folder ${dir}: ${code ?? String(err)}`);
    return undefined;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    if (s.isFile()) return s.size;
    let total = 0;
    for (const name of (await readdir(path)).slice(0, 200)) {
      try {
        const c = await stat(join(path, name));
        if (c.isFile()) total += c.size;
      } catch { /* vanished */ }
    }
    return total;
  } catch {
    return undefined;
  }
}

export function stepRange(steps: number[]): string | undefined {
  if (steps.length === 0) return undefined;
  let lo = steps[0], hi = steps[0];
  for (const s of steps) { if (s < lo) lo = s; if (s > hi) hi = s; }
  return lo === hi ? `step ${lo}` : `steps ${lo}–${hi}`;
}

/** At most ITEM_LIMIT items, and how many of `total` were left out. */
function limited(items: ArtifactItem[], total = items.length): Pick<ArtifactGroup, 'items' | 'moreItems'> {
  const shown = items.slice(0, ITEM_LIMIT);
  return total > shown.length ? { items: shown, moreItems: total - shown.length } : { items: shown };
}

function snapshotGroups(dir: string, entries: Entry[]): ArtifactGroup[] {
  const steps = new Set<number>();
  const animations: ArtifactItem[] = [];
  for (const e of entries) {
    if (e.isDir) continue;
    const m = STEP_SNAPSHOT.exec(e.name);
    if (m) steps.add(Number(m[1]));
    else if (ANIMATION.test(e.name)) animations.push({ label: e.name, path: join(dir, e.name) });
  }
  const groups: ArtifactGroup[] = [];
  if (steps.size > 0) {
    const latest = Math.max(...steps);
    groups.push({ kind: 'snapshots', label: 'Embedding snapshots', count: steps.size, detail: `${stepRange([...steps])}, latest ${latest}`, path: dir });
  }
  if (animations.length > 0) groups.push({ kind: 'animations', label: 'Animations', count: animations.length, path: dir, items: animations });
  return groups;
}

async function evalGroup(dir: string, entries: Entry[]): Promise<ArtifactGroup | undefined> {
  const steps = entries.filter((e) => e.isDir).map((e) => ({ e, m: EVAL_STEP_DIR.exec(e.name) })).filter((x) => x.m).map((x) => ({ name: x.e.name, step: Number(x.m![1]) }));
  if (steps.length === 0) return undefined;
  steps.sort((a, b) => a.step - b.step);
  const items: ArtifactItem[] = [];
  for (const s of steps.slice(0, ITEM_LIMIT)) {
    const files = (await list(join(dir, s.name), [])) ?? [];
    const wavs = files.filter((f) => WAV.test(f.name));
    const samples = new Set(wavs.map((f) => evalSampleKey(f.name)?.key ?? f.name)).size;
    items.push({ label: `step ${s.step}`, path: join(dir, s.name), detail: `${samples} sample${samples === 1 ? '' : 's'} · ${wavs.length} WAVs` });
  }
  return { kind: 'evalSteps', label: 'Eval audio', count: steps.length, detail: stepRange(steps.map((s) => s.step)), path: dir, ...limited(items, steps.length) };
}

async function checkpointGroup(dir: string, entries: Entry[]): Promise<ArtifactGroup | undefined> {
  if (entries.length === 0) return undefined;
  const items: ArtifactItem[] = [];
  let bytes = 0;
  const step = (n: string) => Number(/step=(\d+)/.exec(n)?.[1] ?? -1);
  // The newest ITEM_LIMIT when there are more: those are the ones a user opens.
  for (const e of [...entries].sort((a, b) => step(a.name) - step(b.name) || a.name.localeCompare(b.name)).slice(-ITEM_LIMIT)) {
    const p = join(dir, e.name);
    const size = await sizeOf(p);
    bytes += size ?? 0;
    items.push({ label: e.name, path: p, bytes: size, detail: size !== undefined ? formatBytes(size) : undefined });
  }
  return { kind: 'checkpoints', label: 'Checkpoints', count: entries.length, detail: formatBytes(bytes), bytes, path: dir, ...limited(items, entries.length) };
}

async function episodeGroups(run: string): Promise<ArtifactGroup[]> {
  const layout = await scanEpisodeRun(run);
  const eps = layout.episodes;
  const items: ArtifactItem[] = [];
  let solved = 0, outcomes = 0;
  await Promise.all(eps.slice(0, ITEM_LIMIT).map(async (e, i) => {
    let label = e.episodeNum !== undefined ? `episode ${e.episodeNum}` : basename(e.key);
    let detail = e.images.length ? `${e.images.length} step images` : undefined;
    let warning: string | undefined;
    if (e.log) {
      try {
        const s = await readEpisodeSummary(e.log);
        if (s.episodeNum !== undefined) label = `episode ${s.episodeNum}`;
        const parts = [
          s.totalSteps !== undefined ? `${s.totalSteps} steps` : undefined,
          s.totalReward !== undefined ? `reward ${s.totalReward.toFixed(2)}` : undefined,
          s.success ? 'solved' : s.finalSimilarity !== undefined ? `similarity ${s.finalSimilarity.toFixed(2)}` : undefined,
          s.taskId,
          e.images.length ? `${e.images.length} images` : undefined,
        ].filter(Boolean);
        if (s.success !== undefined) outcomes++;
        if (s.success) solved++;
        detail = parts.join(' · ') || detail;
      } catch (err) {
        warning = err instanceof ArtifactError ? err.detail : String(err);
      }
    } else if (e.pickle) {
      warning = await pickleLogProblem(e.pickle, false);
    }
    items[i] = { label, path: e.key, detail, warning };
  }));
  // Image-only episodes say nothing of reward or outcome: no "0 solved" for them.
  const groups: ArtifactGroup[] = [{ kind: 'episodes', label: 'Episodes', count: eps.length, detail: outcomes ? `${solved} of ${outcomes} solved` : undefined, path: run, ...limited(items, eps.length) }];
  const { batchMetrics, evaluationSummary, episodeConfigs } = layout.extras;
  if (batchMetrics) {
    try {
      const m = await readBatchMetrics(batchMetrics);
      groups.push({ kind: 'batchMetrics', label: 'Batch metrics', count: m.steps.length, path: batchMetrics,
        detail: [stepRange(m.steps), m.series.map((x) => x.name).join(', ')].filter(Boolean).join(' · ') || undefined });
    } catch (err) {
      groups.push({ kind: 'batchMetrics', label: 'Batch metrics', count: 0, path: batchMetrics, detail: err instanceof ArtifactError ? err.detail : String(err) });
    }
  }
  if (evaluationSummary) {
    try {
      const ev = await readEvaluationSummary(evaluationSummary);
      const detail = [ev.taskId && `task ${ev.taskId}`, ev.successRate !== undefined && `success rate ${ev.successRate.toFixed(2)}`,
        ev.averageEpisodeLength !== undefined && `mean length ${ev.averageEpisodeLength}`, ev.timeouts !== undefined && `${ev.timeouts} timeouts`,
        ev.tests.length && `${ev.tests.filter((t) => t.solved).length} of ${ev.tests.length} test pairs solved`].filter(Boolean).join(' · ');
      groups.push({ kind: 'evaluation', label: 'Evaluation summary', count: 1, path: evaluationSummary, detail: detail || undefined });
    } catch (err) {
      groups.push({ kind: 'evaluation', label: 'Evaluation summary', count: 0, path: evaluationSummary, detail: err instanceof ArtifactError ? err.detail : String(err) });
    }
  }
  if (episodeConfigs.length) {
    const items: ArtifactItem[] = [];
    for (const path of episodeConfigs.slice(0, ITEM_LIMIT)) {
      try {
        const c = await readEpisodeConfig(path);
        items.push({ label: basename(dirname(path)), path, detail: c.fields.map(([k, v]) => `${k} ${v}`).join(' · ') });
      } catch (err) {
        items.push({ label: basename(dirname(path)), path, warning: err instanceof ArtifactError ? err.detail : String(err) });
      }
    }
    groups.push({ kind: 'episodeConfigs', label: 'Episode config', count: episodeConfigs.length, path: dirname(episodeConfigs[0]), detail: items.length === 1 ? items[0].detail : undefined, ...limited(items, episodeConfigs.length) });
  }
  return groups;
}

async function latentGroup(dir: string, options: SummarizeOptions): Promise<ArtifactGroup> {
  const store = await scanLatentStore(dir, { ttlHours: options.latentTtlHours, nowMs: options.nowMs });
  const now = options.nowMs ?? Date.now();
  let pinned = 0, soon = 0, orphans = 0, unread = 0;
  const items = store.entries.map((e): ArtifactItem => {
    if (e.error) unread++;
    const r = e.record;
    if (r?.pinned) pinned++;
    if (e.expiry?.expiresSoon) soon++;
    if (e.orphan) orphans++;
    const parts = r ? [r.stageType, r.isCheckpoint ? `checkpoint ${r.checkpointStep}` : 'final', `[${r.shape.join('×')}]`] : [];
    if (r?.pinned) parts.push('pinned');
    else if (e.expiry?.expired) parts.push('expired');
    else if (e.expiry?.expiresAtMs) parts.push(`expires in ${formatDuration(e.expiry.expiresAtMs - now)}`);
    const warning = e.orphan === 'no_tensor' ? 'orphaned: the tensor file is missing'
      : e.orphan === 'no_record' ? 'orphaned: the record is missing'
      : e.error ? e.error.detail
      : e.expiry?.expiresSoon ? 'expires within the hour' : undefined;
    return { label: e.id.length > 12 ? e.id.slice(0, 8) : e.id, id: e.id, path: e.tensorPath ?? e.recordPath ?? e.recordIn!, detail: parts.join(' · '), warning };
  });
  const detail = [pinned && `${pinned} pinned`, soon && `${soon} expiring soon`, orphans && `${orphans} orphaned`, unread && `${unread} records unreadable`].filter(Boolean).join(', ');
  return { kind: 'latents', label: 'Latents', count: store.entries.length, detail: detail || undefined, path: dir, ...limited(items) };
}

async function fileGroup(kind: 'images' | 'clips' | 'frames', label: string, dir: string, entries: Entry[], re: RegExp): Promise<ArtifactGroup> {
  const files = entries.filter((e) => !e.isDir && re.test(e.name)).map((e) => e.name);
  if (kind === 'frames') files.sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]));
  else files.sort();
  let bytes = 0;
  const items: ArtifactItem[] = [];
  for (const name of files.slice(0, ITEM_LIMIT)) {
    const p = join(dir, name);
    const size = await sizeOf(p);
    bytes += size ?? 0;
    items.push({ label: name, path: p, bytes: size, detail: size !== undefined ? formatBytes(size) : undefined, id: UUID_IMAGE.exec(name)?.[1] });
  }
  const steps = kind === 'frames' ? files.map((n) => Number(re.exec(n)![1])) : [];
  const detail = kind === 'frames' ? stepRange(steps) : `${formatBytes(bytes)}${files.length > ITEM_LIMIT ? ` (first ${ITEM_LIMIT})` : ''}`;
  return { kind, label, count: files.length, detail, bytes, path: dir, ...limited(items, files.length) };
}

/** TensorBoard event files and Lightning's metrics.csv: what the Scalars panel charts. */
function scalarsGroup(dir: string, entries: Entry[]): ArtifactGroup | undefined {
  const events = entries.filter((e) => !e.isDir && e.name.startsWith('events.out.tfevents.')).length;
  const csv = entries.some((e) => !e.isDir && e.name === 'metrics.csv');
  if (!events && !csv) return undefined;
  const parts = [events ? `${events} event file${events === 1 ? '' : 's'}` : '', csv ? 'metrics.csv' : ''].filter(Boolean);
  return { kind: 'scalars', label: 'Scalars', count: events + (csv ? 1 : 0), detail: parts.join(' · '), path: dir };
}

export async function summarizeRun(run: Run, options: SummarizeOptions = {}): Promise<RunSummary> {
  const warnings: string[] = [];
  const groups: ArtifactGroup[] = [];
  const push = (g: ArtifactGroup | undefined) => { if (g) groups.push(g); };
  switch (run.kind) {
    case 'lightning': {
      // The run's own folder first, then any joined sibling (ACE-Step's UI snapshot folder).
      for (const folder of [run.path, ...(run.joined ?? []).map((j) => j.path)]) {
        const own = await list(folder, warnings);
        if (own) push(scalarsGroup(folder, own));
        const snapDir = join(folder, 'viz_snapshots');
        const snaps = await list(snapDir, warnings);
        if (snaps) groups.push(...snapshotGroups(snapDir, snaps));
        const evalDir = join(folder, 'eval_results');
        const evals = await list(evalDir, warnings);
        if (evals) push(await evalGroup(evalDir, evals));
        const ckptDir = join(folder, 'checkpoints');
        const ckpts = await list(ckptDir, warnings);
        if (ckpts) push(await checkpointGroup(ckptDir, ckpts));
      }
      break;
    }
    case 'snapshots': {
      const entries = await list(run.path, warnings);
      if (entries) groups.push(...snapshotGroups(run.path, entries));
      break;
    }
    case 'episodes':
      groups.push(...await episodeGroups(run.path));
      break;
    case 'latents':
      try {
        push(await latentGroup(run.path, options));
      } catch (err) {
        warnings.push(err instanceof ArtifactError ? err.message : String(err));
      }
      break;
    case 'gallery':
      push(await fileGroup('images', 'Images', run.path, (await list(run.path, warnings)) ?? [], UUID_IMAGE));
      break;
    case 'clips':
      push(await fileGroup('clips', 'Clips', run.path, (await list(run.path, warnings)) ?? [], VIDEO_CLIP));
      break;
    case 'series':
      push(await fileGroup('frames', 'Frames', run.path, (await list(run.path, warnings)) ?? [], SERIES_FRAME));
      break;
    case 'ringbuffer': {
      try {
        const h = await readRingHeader(run.path);
        const size = (await stat(run.path)).size;
        groups.push({ kind: 'buffer', label: 'Ring buffer', count: h.channels, path: run.path, bytes: size,
          detail: `${h.channels} ch · ${h.sampleRate / 1000} kHz · ${(h.capacity / h.sampleRate).toFixed(1)} s · ${formatBytes(size)}` });
      } catch (err) {
        warnings.push(err instanceof ArtifactError ? err.message : String(err));
      }
      break;
    }
    default: {
      const never: never = run.kind;
      throw new Error(`unknown run kind ${String(never)}`);
    }
  }
  const notes = (run.joined ?? []).map((j) => `Joined: ${j.why}.`);
  return { run, groups, warnings, ...(notes.length ? { notes } : {}) };
}
