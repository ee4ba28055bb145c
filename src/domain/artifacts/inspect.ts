// What `runreel inspect FILE` reports: the reader chosen by the file's bytes and name,
// and what it found, as JSON-ready data plus readable lines.
import { basename } from 'node:path';
import { EPISODE_PICKLE, pickleLogProblem, readBatchMetrics, readEpisodeConfig, readEvaluationSummary } from '../producers/jaxarc';
import { readEpisodeLog, EPISODE_LOG } from './episodes';
import { isTorchLegacy, isTorchZip, readTorchCheckpointFrom } from './torch';
import { readZipDirectory } from './zip';
import { ArtifactError } from './errors';
import { latentExpiry, LATENT_FILE, readLatentRecord, ttlHoursFromEnv } from './latents';
import { decodeNpy, NPY_MAGIC, readNpyHeaderFrom } from './npy';
import { withNpz } from './npz';
import { decodePng, MAX_PIXELS, MAX_PNG_FILE, PNG_SIGNATURE, readPngInfoFrom } from './png';
import { RING_MAGIC, RingBufferReader } from './ringBuffer';
import { readSafetensorsHeaderFrom, readTensorFloat32, SAFETENSORS_DTYPES } from './safetensors';
import { withFile, type ByteSource } from './source';
import { readWavInfoFrom, readWavPeaks } from './wav';
import type { NpyArray, NpyValues } from './npy';

export type ArtifactKind = 'npy' | 'npz' | 'torch' | 'safetensors' | 'wav' | 'png' | 'ringbuffer' | 'episode_log' | 'episode_pickle' | 'batch_metrics' | 'evaluation_summary' | 'episode_config' | 'latent_record';

export interface InspectResult {
  file: string;
  kind: ArtifactKind;
  details: Record<string, unknown>;
  lines: string[];
}

export interface Stats { count: number; min: number; max: number; mean: number; std: number; nan: number; inf: number }

export function stats(values: ArrayLike<number>): Stats {
  let count = 0, min = Infinity, max = -Infinity, sum = 0, sumSq = 0, nan = 0, inf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) { nan++; continue; }
    if (!Number.isFinite(v)) { inf++; continue; }
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSq += v * v;
  }
  const mean = count ? sum / count : NaN;
  return { count, min: count ? min : NaN, max: count ? max : NaN, mean, std: count ? Math.sqrt(Math.max(0, sumSq / count - mean * mean)) : NaN, nan, inf };
}

const fmtNum = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));
const fmtKnown = (v: number | undefined) => (v === undefined ? '—' : fmtNum(v));
const fmtStats = (s: Stats) => `min ${fmtNum(s.min)}  max ${fmtNum(s.max)}  mean ${fmtNum(s.mean)}  std ${fmtNum(s.std)}${s.nan ? `  NaN ${s.nan}` : ''}${s.inf ? `  Inf ${s.inf}` : ''}`;

function startsWith(head: Uint8Array, sig: number[] | string): boolean {
  const bytes = typeof sig === 'string' ? [...sig].map((c) => c.charCodeAt(0)) : sig;
  return bytes.every((b, i) => head[i] === b);
}

export function detectKind(name: string, head: Uint8Array): ArtifactKind | undefined {
  const base = basename(name);
  if (startsWith(head, NPY_MAGIC)) return 'npy';
  if (startsWith(head, PNG_SIGNATURE)) return 'png';
  if (startsWith(head, RING_MAGIC)) return 'ringbuffer';
  if ((startsWith(head, 'RIFF') || startsWith(head, 'RIFX') || startsWith(head, 'RF64') || startsWith(head, 'BW64')) && head[8] === 0x57) return 'wav';
  if (startsWith(head, 'PK')) return /\.(ckpt|pt|pth|bin)$/i.test(base) ? 'torch' : 'npz';
  if (isTorchLegacy(head)) return 'torch';
  if (/\.safetensors$/i.test(base)) return 'safetensors';
  // JaxARC's run files (producers/jaxarc.ts) before the generic JSON rule.
  if (base === 'batch_metrics.jsonl') return 'batch_metrics';
  if (base === 'evaluation_summary.json') return 'evaluation_summary';
  if (base === 'episode_config.json') return 'episode_config';
  if (EPISODE_PICKLE.test(base)) return 'episode_pickle';
  if (EPISODE_LOG.test(base) || /\.json\.gz$/i.test(base)) return 'episode_log';
  if (LATENT_FILE.test(base)) return 'latent_record';
  if (/\.json$/i.test(base)) return 'episode_log';
  return undefined;
}

function preview(data: NpyValues, n = 5): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < Math.min(n, data.values.length); i++) {
    const v = (data.values as ArrayLike<unknown>)[i];
    out.push(typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v);
  }
  return out;
}

function describeArray(key: string, a: NpyArray): { details: Record<string, unknown>; lines: string[] } {
  const details: Record<string, unknown> = { shape: a.shape, dtype: a.dtype.descr, fortranOrder: a.fortranOrder, preview: preview(a.data) };
  const lines = [`${key}: shape (${a.shape.join(', ')}) ${a.dtype.descr}${a.fortranOrder ? ' fortran' : ''}`];
  if (a.data.kind === 'number' || a.data.kind === 'bool' || a.data.kind === 'bigint') {
    const s = stats(a.data.kind === 'bigint' ? Array.from(a.data.values as ArrayLike<bigint>, Number) : a.data.values);
    details.stats = s;
    lines.push(`  ${fmtStats(s)}`);
  } else if (a.data.kind === 'object' && typeof a.data.values[0] === 'string') {
    try {
      const first = JSON.parse(a.data.values[0]);
      if (first && typeof first === 'object' && !Array.isArray(first)) {
        details.metadataKeys = Object.keys(first);
        lines.push(`  JSON metadata keys: ${Object.keys(first).join(', ')}`);
      }
    } catch { /* plain strings */ }
  }
  const shown = (details.preview as unknown[]).slice(0, 3).map((v) => {
    const t = JSON.stringify(v) ?? String(v);
    return t.length > 90 ? `${t.slice(0, 89)}…` : t;
  });
  lines.push(`  first values: ${shown.join(', ')}`);
  return { details, lines };
}

const SMALL = 64 << 20;

async function inspectSource(src: ByteSource, kind: ArtifactKind): Promise<Omit<InspectResult, 'file' | 'kind'>> {
  const file = src.name;
  switch (kind) {
    case 'npy': {
      const h = await readNpyHeaderFrom(src);
      if (src.size > SMALL) return { details: { ...h }, lines: [`npy ${h.version}: shape (${h.shape.join(', ')}) ${h.dtype.descr} (values not read: ${src.size} bytes)`] };
      const a = decodeNpy(await src.read(0, src.size, 'npy'), file);
      const d = describeArray('array', a);
      return { details: { version: a.version, ...d.details }, lines: [`npy ${a.version}`, ...d.lines] };
    }
    case 'npz':
      return withNpz(file, async (npz) => {
        const members: Record<string, unknown>[] = [];
        const lines = [`npz with ${npz.members.length} arrays`];
        for (const m of npz.members) {
          try {
            if (m.entry.size > SMALL) {
              const h = await npz.header(m.key);
              members.push({ key: m.key, shape: h.shape, dtype: h.dtype.descr, bytes: m.entry.size });
              lines.push(`${m.key}: shape (${h.shape.join(', ')}) ${h.dtype.descr} (values not read: ${m.entry.size} bytes)`);
            } else {
              const d = describeArray(m.key, await npz.read(m.key));
              members.push({ key: m.key, ...d.details });
              lines.push(...d.lines);
            }
          } catch (err) {
            if (!(err instanceof ArtifactError)) throw err;
            members.push({ key: m.key, error: err.toJSON() });
            lines.push(`${m.key}: ${err.detail}`);
          }
        }
        return { details: { members }, lines };
      });
    case 'safetensors': {
      const h = await readSafetensorsHeaderFrom(src);
      const perDtype: Record<string, { tensors: number; bytes: number }> = {};
      const tensors = [];
      const lines = [`safetensors: ${h.tensors.length} tensors, header ${h.headerBytes} bytes`];
      for (const [k, v] of Object.entries(h.metadata)) lines.push(`  __metadata__ ${k} = ${v}`);
      for (const t of h.tensors) {
        const bytes = t.end - t.begin;
        (perDtype[t.dtype] ??= { tensors: 0, bytes: 0 }).tensors++;
        perDtype[t.dtype].bytes += bytes;
        const entry: Record<string, unknown> = { name: t.name, dtype: t.dtype, shape: t.shape, bytes, offset: t.begin };
        let line = `${t.name}: ${t.dtype} [${t.shape.join(', ')}]`;
        if (t.count > 0 && t.count <= 1 << 20 && tensors.length < 64 && SAFETENSORS_DTYPES[t.dtype]) {
          const s = stats(await readTensorFloat32(src, t));
          entry.stats = s;
          line += `  ${fmtStats(s)}`;
        }
        tensors.push(entry);
        lines.push(line);
      }
      for (const [d, v] of Object.entries(perDtype)) lines.push(`total ${d}: ${v.tensors} tensors, ${v.bytes} bytes`);
      return { details: { metadata: { ...h.metadata }, tensors, perDtype }, lines };
    }
    case 'wav': {
      const info = await readWavInfoFrom(src);
      const peaks = await readWavPeaks(src, info, 1);
      const peak = Math.max(...peaks.max.map((m, c) => Math.max(m[0], -peaks.min[c][0])));
      const { file: _f, ...rest } = info;
      return {
        details: { ...rest, peak },
        lines: [
          `WAV ${info.container} ${info.encoding} ${info.bitsPerSample}-bit, ${info.channels} ch, ${info.sampleRate} Hz, ${info.frames} frames (${info.durationSeconds.toFixed(3)} s)`,
          `peak ${fmtNum(peak)} (${peak > 0 ? (20 * Math.log10(peak)).toFixed(1) : '-inf'} dBFS)`,
          ...info.warnings.map((w) => `warning: ${w}`),
        ],
      };
    }
    case 'png': {
      // The same decoder as Create Animation's frames: inspect says a PNG is usable only when it is.
      const info = await readPngInfoFrom(src);
      if (info.width * info.height > MAX_PIXELS) throw new ArtifactError('too_large', file, `PNG is ${info.width}×${info.height} (${info.width * info.height} pixels, limit ${MAX_PIXELS})`);
      if (src.size > MAX_PNG_FILE) throw new ArtifactError('too_large', file, `PNG file of ${src.size} bytes (limit ${MAX_PNG_FILE})`);
      decodePng(await src.read(0, src.size, 'PNG'), file);
      return { details: { ...info }, lines: [`PNG ${info.width}×${info.height}, ${info.bitDepth}-bit, colour type ${info.colorType}${info.interlaced ? ', interlaced' : ''}, decodes`] };
    }
    case 'ringbuffer': {
      const r = await new RingBufferReader(file).readFrom(src, 4096);
      const h = r.header;
      const s = r.data.map((d) => stats(d));
      return {
        details: { header: h, newest: s },
        lines: [
          `ring buffer v${h.version}: ${h.channels} ch × ${h.capacity} samples at ${h.sampleRate} Hz (${(h.capacity / h.sampleRate).toFixed(1)} s), ${h.samplesPerWrite} per write${h.samplesPerWriteInHeader ? '' : ' (header says 0: the audiotab writer\'s fixed stride)'}, sequence ${h.writeSequence} (${Math.min(h.writeSequence * h.samplesPerWrite, h.capacity)} samples held)`,
          ...s.map((x, c) => `  channel ${c} newest ${x.count}: ${fmtStats(x)}`),
        ],
      };
    }
    case 'episode_log': {
      const log = await readEpisodeLog(file, basename(file) === file ? '.' : `${file}/../..`);
      const { steps, file: _f, ...summary } = log;
      return {
        details: { ...summary, steps: steps.length, reduced: steps.some((s) => s.reduced) },
        lines: [
          `episode ${log.episodeNum} of task ${log.taskId || '—'}: ${steps.length} steps, total reward ${fmtKnown(log.totalReward)}, final similarity ${fmtKnown(log.finalSimilarity)}, ${log.success === undefined ? 'outcome not logged' : log.success ? 'solved' : 'not solved'}`,
          `states: ${steps.some((s) => s.reduced) ? 'reduced (no grids)' : 'full grids'}`,
        ],
      };
    }
    case 'torch': {
      const c = await readTorchCheckpointFrom(src);
      const lines = [`torch checkpoint: ${c.tensors.length} tensors${c.skipped.length ? ` (${c.skipped.length} not readable as ranges)` : ''}`];
      for (const [k, v] of Object.entries(c.metadata)) lines.push(`  ${k}: ${v.length > 120 ? `${v.slice(0, 119)}…` : v}`);
      for (const t of c.tensors.slice(0, 200)) {
        const st = t.count <= SMALL / 8 ? stats(await readTensorFloat32(src, t)) : undefined;
        lines.push(`${t.name}: ${t.dtype} [${t.shape.join(', ')}]${st ? `  ${fmtStats(st)}` : ''}`);
      }
      if (c.tensors.length > 200) lines.push(`… ${c.tensors.length - 200} more tensors`);
      for (const s of c.skipped) lines.push(`${s.name}: ${s.why}`);
      return { details: { tensors: c.tensors.map(({ name, dtype, shape, count }) => ({ name, dtype, shape, count })), skipped: c.skipped, contents: c.data }, lines };
    }
    case 'episode_pickle': {
      const { existsSync } = await import('node:fs');
      throw new ArtifactError('unsupported', file, await pickleLogProblem(file, existsSync(file.replace(/\.pkl$/, '.json'))));
    }
    case 'batch_metrics': {
      const m = await readBatchMetrics(file);
      const last = (v: (number | null)[]) => [...v].reverse().find((x) => x !== null);
      return {
        details: { rows: m.steps.length, steps: m.steps, series: m.series, skipped: m.skipped, stillBeingWritten: m.partialLast },
        lines: [
          `JaxARC batch metrics: ${m.steps.length} rows, steps ${m.steps.length ? `${m.steps[0]}–${m.steps.at(-1)}` : '—'}${m.skipped ? `, ${m.skipped} lines skipped` : ''}${m.partialLast ? ' (last line still being written)' : ''}`,
          ...m.series.map((x) => `  ${x.name}${x.reduced ? ` (${x.reduced})` : ''}: last ${fmtKnown(last(x.values) ?? undefined)}`),
        ],
      };
    }
    case 'evaluation_summary': {
      const ev = await readEvaluationSummary(file);
      return {
        details: { ...ev },
        lines: [
          `JaxARC evaluation of task ${ev.taskId ?? '—'}: success rate ${fmtKnown(ev.successRate)}, mean episode length ${fmtKnown(ev.averageEpisodeLength)}, ${fmtKnown(ev.timeouts)} timeouts`,
          ...ev.tests.map((t) => `  test pair ${t.pair}: ${t.solved === undefined ? '—' : t.solved ? 'solved' : 'not solved'}`),
        ],
      };
    }
    case 'episode_config': {
      const c = await readEpisodeConfig(file);
      return { details: Object.fromEntries(c.fields), lines: ['JaxARC episode manager config', ...c.fields.map(([k, v]) => `  ${k}: ${v}`)] };
    }
    case 'latent_record': {
      const r = await readLatentRecord(file);
      const e = latentExpiry(r, ttlHoursFromEnv(process.env), Date.now());
      return {
        details: { ...r, expiry: e },
        lines: [
          `latent ${r.id}: ${r.stageType} on ${r.modelVariant}, ${r.dtype} [${r.shape.join(', ')}], ${r.isCheckpoint ? `checkpoint at step ${r.checkpointStep}` : 'final'} of ${r.totalSteps} steps`,
          r.pinned ? 'pinned (never expires)' : e.expired ? 'expired' : `expires ${new Date(e.expiresAtMs!).toISOString()}${e.expiresSoon ? ' (within the hour)' : ''}`,
          ...(r.pipelineId ? [`pipeline ${r.pipelineId}, stage ${r.stageIndex ?? '—'}`] : []),
          ...(r.schedule ? [`schedule: ${r.schedule.map(fmtNum).join(', ')}`] : []),
        ],
      };
    }
  }
}

export async function inspectFile(path: string): Promise<InspectResult> {
  return withFile(path, async (src) => {
    const head = await src.read(0, Math.min(16, src.size), 'file signature');
    let kind = detectKind(path, head);
    // A zip is an npz unless torch.save wrote it (whatever its extension).
    if (kind === 'npz' && isTorchZip((await readZipDirectory(src)).map((e) => e.name))) kind = 'torch';
    if (!kind) throw new ArtifactError('unsupported', path, 'not a file type Run Reel reads (npy, npz, safetensors, torch checkpoint, wav, png, ring buffer, episode log, latent record)');
    return { file: path, kind, ...(await inspectSource(src, kind)) };
  });
}
