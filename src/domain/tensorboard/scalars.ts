// Scalar series of a run's event files, every point kept in columnar arrays, read incrementally
// as the files grow. A run (a folder) may hold several event files: a job restarted from a
// checkpoint writes a new one whose steps start lower. Points are kept as written; `restarts`
// marks where a tag's step went down. The TensorBoard view (what its Rust loader shows) keeps,
// for each step, the value written last, in step order; the written view keeps everything.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { asArtifactError, describeError } from '../artifacts/errors';
import { FileSource, fileStamp } from '../artifacts/source';
import { RecordReader } from './records';
import { decodeEvent, scanSimpleScalars, type Histogram, type HparamValue, type SummaryValue } from './events';
import { text } from './protobuf';
import { readHparamsYaml, readMetricsCsv } from './runFiles';
import { tensorboardView, type ScalarSeries } from './series';

export type { ScalarSeries } from './series';

export const EVENT_FILE = /^events\.out\.tfevents\.(\d+)\.[^/]*$/;

/** A growable column of doubles. */
class Column {
  data: Float64Array = new Float64Array(64);
  length = 0;
  static of(values: Float64Array): Column {
    const c = new Column();
    c.data = values;
    c.length = values.length;
    return c;
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

class SeriesBuilder {
  steps = new Column();
  values = new Column();
  wall = new Column();
  restarts: number[] = [];
  constructor(readonly tag: string) {}
  static of(s: ScalarSeries): SeriesBuilder {
    const b = new SeriesBuilder(s.tag);
    b.steps = Column.of(s.steps);
    b.values = Column.of(s.values);
    b.wall = Column.of(s.wallTimes);
    b.restarts = [...s.restarts];
    return b;
  }
  push(step: number, value: number, wall: number): void {
    const n = this.steps.length;
    if (n > 0 && step < this.steps.data[n - 1]) this.restarts.push(n);
    this.steps.push(step);
    this.values.push(value);
    this.wall.push(wall);
  }
  series(): ScalarSeries {
    return { tag: this.tag, steps: this.steps.view(), values: this.values.view(), wallTimes: this.wall.view(), restarts: [...this.restarts] };
  }
}

export interface EventFileState {
  path: string;
  records: number;
  skipped: number;
  /** The last record is still being written. */
  partial: boolean;
  fileVersion?: string;
  error?: string;
}

/** Where a run's series come from. */
export type ScalarSourceKind = 'events' | 'csv';

/** New points of one tag since a cursor (as written), or the whole series when `reset`. */
export interface SeriesDelta {
  tag: string;
  source: ScalarSourceKind;
  /** Index of the first point in `steps` within the series as written. */
  from: number;
  steps: Float64Array;
  values: Float64Array;
  wallTimes: Float64Array;
}

/**
 * One run folder: its event files (not its sub-folders: those are runs of their own, as in
 * TensorBoard), and beside them Lightning's metrics.csv and hparams.yaml. The hparams plugin's
 * summaries in the event files give hparams too.
 */
export class ScalarRun {
  private readonly readers = new Map<string, RecordReader>();
  private readonly files = new Map<string, EventFileState>();
  private readonly series = new Map<string, SeriesBuilder>();
  private csv: { key: string; series: Map<string, ScalarSeries>; skipped: number; partial: boolean; error?: string } | undefined;
  private hparamsYaml: { key: string; values: [string, HparamValue][]; error?: string } | undefined;
  private pluginHparams: [string, HparamValue][] | undefined;
  /** The series as written were replaced (metrics.csv rewritten): a consumer must start over. */
  generation = 0;

  constructor(readonly dir: string) {}

  /** Reads what the files gained since the last call; returns whether anything changed. */
  async update(): Promise<boolean> {
    const entries = await readdir(this.dir).catch(() => [] as string[]);
    const names = entries.filter((n) => EVENT_FILE.test(n));
    // File order: the timestamp in the name, then the writer's trailing counter (….17058.2 < ….3).
    names.sort((a, b) => Number(EVENT_FILE.exec(a)![1]) - Number(EVENT_FILE.exec(b)![1]) || a.localeCompare(b, undefined, { numeric: true }));
    let changed = false;
    for (const name of names) if (await this.readEventFile(join(this.dir, name))) changed = true;
    if (entries.includes(METRICS_CSV) && await this.readCsv(join(this.dir, METRICS_CSV))) changed = true;
    if (entries.includes(HPARAMS_YAML) && await this.readHparams(join(this.dir, HPARAMS_YAML))) changed = true;
    return changed;
  }

  /** Tag bytes → series, by a hash of the bytes: the fast path makes no string per value. */
  private readonly byTagBytes = new Map<number, { bytes: Uint8Array; builder: SeriesBuilder }[]>();

  /** The fast path's sink, made once (not a closure per record). */
  private readonly pushSimple = (rec: Uint8Array, a: number, b: number, value: number, step: number, wall: number): void => this.builder(rec, a, b).push(step, value, wall);

  private builder(rec: Uint8Array, start: number, end: number): SeriesBuilder {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ rec[i], 0x01000193);
    const bucket = this.byTagBytes.get(h);
    if (bucket) {
      outer: for (const e of bucket) {
        if (e.bytes.length !== end - start) continue;
        for (let i = 0; i < e.bytes.length; i++) if (e.bytes[i] !== rec[start + i]) continue outer;
        return e.builder;
      }
    }
    const tag = text(rec.subarray(start, end));
    const builder = this.series.get(tag) ?? this.series.set(tag, new SeriesBuilder(tag)).get(tag)!;
    const entry = { bytes: rec.slice(start, end), builder };
    if (bucket) bucket.push(entry); else this.byTagBytes.set(h, [entry]);
    return builder;
  }

  private readonly mediaByTag = new Map<string, MediaEntry[]>();

  /** Images and audio are kept as byte ranges of the file (not in memory); the rest as read. */
  private noteMedia(v: SummaryValue, step: number, wallTime: number, file: string, rec: Uint8Array, recordOffset: number): void {
    const base = { tag: v.tag, step, wallTime, file };
    let entry: MediaEntry | undefined;
    if (v.kind === 'image' && v.image) entry = { ...base, kind: 'image', image: v.image, ...range(v.payload, rec, recordOffset) };
    else if (v.kind === 'audio' && v.audio) entry = { ...base, kind: 'audio', audio: v.audio, ...range(v.payload, rec, recordOffset) };
    else if (v.kind === 'histogram' && v.histogram) entry = { ...base, kind: 'histogram', histogram: v.histogram };
    else if (v.text !== undefined && v.plugin === 'text') entry = { ...base, kind: 'text', text: v.text };
    if (!entry) return;
    const list = this.mediaByTag.get(v.tag) ?? this.mediaByTag.set(v.tag, []).get(v.tag)!;
    list.push(entry);
  }

  /** Image, audio, histogram and text tags, each with its entries in the order written. */
  media(): { tag: string; kind: MediaKind; entries: MediaEntry[] }[] {
    return [...this.mediaByTag].sort((a, b) => a[0].localeCompare(b[0])).map(([tag, entries]) => ({ tag, kind: entries[0].kind, entries }));
  }

  private async readEventFile(path: string): Promise<boolean> {
    const reader = this.readers.get(path) ?? this.readers.set(path, new RecordReader(path)).get(path)!;
    const state = this.files.get(path) ?? this.files.set(path, { path, records: 0, skipped: 0, partial: false }).get(path)!;
    if (state.error) return false;
    const size = await stat(path).then((s) => s.size, () => -1);
    if (size === reader.offset && !state.partial) return false;
    let changed = false;
    let src: FileSource | undefined;
    try {
      src = await FileSource.open(path);
      for (;;) {
        // Batches of 8 MiB: a 1 GB file is read in bounded memory.
        const batch = await reader.scan(src, 8 << 20, (buf, start, end, at) => {
          state.records++;
          if (scanSimpleScalars(buf, this.pushSimple, start, end)) return;
          const rec = buf.subarray(start, end);
          const ev = decodeEvent(rec, path);
          if (ev.fileVersion) state.fileVersion = ev.fileVersion;
          for (const v of ev.values) {
            if (v.hparams) this.pluginHparams = v.hparams;
            this.noteMedia(v, ev.step, ev.wallTime, path, rec, at);
            if (v.kind !== 'scalar' || v.scalar === undefined) continue;
            const b = this.series.get(v.tag) ?? this.series.set(v.tag, new SeriesBuilder(v.tag)).get(v.tag)!;
            b.push(ev.step, v.scalar, ev.wallTime);
          }
        });
        if (batch.records) changed = true;
        if (state.skipped !== reader.skipped || state.partial !== batch.partial) changed = true;
        state.skipped = reader.skipped;
        state.partial = batch.partial;
        if (batch.records === 0 || batch.partial) break;
      }
    } catch (err) {
      state.error = describeError(asArtifactError(path, err), path);
      changed = true;
    } finally {
      await src?.close().catch(() => {});
    }
    return changed;
  }

  private async readCsv(path: string): Promise<boolean> {
    const key = await fileStamp(path);
    if (this.csv?.key === key) return false;
    try {
      const r = await readMetricsCsv(path);
      const series = new Map(r.series.map((s) => [s.tag, s]));
      // Rows are only appended while training runs; anything else is a new file.
      const before = this.csv?.series;
      if (before && [...before].some(([tag, s]) => (series.get(tag)?.steps.length ?? 0) < s.steps.length)) this.generation++;
      this.csv = { key, series, skipped: r.skipped, partial: r.partialLast };
    } catch (err) {
      this.csv = { key, series: this.csv?.series ?? new Map(), skipped: 0, partial: false, error: describeError(err, path) };
    }
    return true;
  }

  private async readHparams(path: string): Promise<boolean> {
    const key = await fileStamp(path);
    if (this.hparamsYaml?.key === key) return false;
    try {
      this.hparamsYaml = { key, values: await readHparamsYaml(path) };
    } catch (err) {
      this.hparamsYaml = { key, values: [], error: describeError(err, path) };
    }
    return true;
  }

  get eventFiles(): EventFileState[] {
    return [...this.files.values()];
  }

  /**
   * What reading the event files gave, to hand to another thread (`fromSnapshot`): the series
   * (their buffers can be transferred), each file's read position and state, media and hparams.
   * metrics.csv and hparams.yaml are not in it: the next update() reads them (they are small).
   */
  snapshot(): ScalarRunSnapshot {
    return {
      dir: this.dir,
      files: [...this.files.values()].map((state) => ({ state: { ...state }, offset: this.readers.get(state.path)?.offset ?? 0, skipped: this.readers.get(state.path)?.skipped ?? 0 })),
      series: [...this.series.values()].map((b) => b.series()),
      media: [...this.mediaByTag],
      pluginHparams: this.pluginHparams,
    };
  }

  static fromSnapshot(s: ScalarRunSnapshot): ScalarRun {
    const run = new ScalarRun(s.dir);
    for (const f of s.files) {
      const reader = new RecordReader(f.state.path);
      reader.offset = f.offset;
      reader.skipped = f.skipped;
      run.readers.set(f.state.path, reader);
      run.files.set(f.state.path, f.state);
    }
    for (const series of s.series) run.series.set(series.tag, SeriesBuilder.of(series));
    for (const [tag, entries] of s.media) run.mediaByTag.set(tag, entries);
    run.pluginHparams = s.pluginHparams;
    return run;
  }

  /** metrics.csv's state, when the run has one. */
  get csvFile(): { path: string; skipped: number; partial: boolean; error?: string } | undefined {
    return this.csv && { path: join(this.dir, METRICS_CSV), skipped: this.csv.skipped, partial: this.csv.partial, error: this.csv.error };
  }

  /**
   * Hyperparameters: hparams.yaml's, then the hparams plugin's for keys the YAML lacks (the
   * YAML keeps types the plugin loses: Lightning's logger writes a bool there as 0/1).
   */
  get hparams(): { values: [string, HparamValue][]; problems: string[] } {
    const merged = new Map<string, HparamValue>(this.hparamsYaml?.values ?? []);
    for (const [k, v] of this.pluginHparams ?? []) if (!merged.has(k)) merged.set(k, v);
    return { values: [...merged], problems: this.hparamsYaml?.error ? [this.hparamsYaml.error] : [] };
  }

  /** Tags, sorted; a metrics.csv column counts when the event files lack that tag. */
  tags(): string[] {
    const out = new Set(this.series.keys());
    for (const tag of this.csv?.series.keys() ?? []) out.add(tag);
    return [...out].sort();
  }

  sourceOf(tag: string): ScalarSourceKind | undefined {
    return this.series.has(tag) ? 'events' : this.csv?.series.has(tag) ? 'csv' : undefined;
  }

  /** A tag's points, as written (`all`) or as TensorBoard shows them (`tensorboard`, the default). */
  get(tag: string, view: 'tensorboard' | 'all' = 'tensorboard'): ScalarSeries | undefined {
    const s = this.series.get(tag)?.series() ?? this.csv?.series.get(tag);
    return s && view === 'tensorboard' ? tensorboardView(s) : s;
  }

  /** Points written since `sent` (tag → points already taken), as written. */
  delta(sent: ReadonlyMap<string, number>): SeriesDelta[] {
    const out: SeriesDelta[] = [];
    for (const tag of this.tags()) {
      const s = this.get(tag, 'all')!;
      const from = sent.get(tag) ?? 0;
      if (s.steps.length <= from) continue;
      out.push({ tag, source: this.sourceOf(tag)!, from, steps: s.steps.slice(from), values: s.values.slice(from), wallTimes: s.wallTimes.slice(from) });
    }
    return out;
  }
}

export type MediaKind = 'image' | 'audio' | 'histogram' | 'text';

export interface ScalarRunSnapshot {
  dir: string;
  files: { state: EventFileState; offset: number; skipped: number }[];
  series: ScalarSeries[];
  media: [string, MediaEntry[]][];
  pluginHparams?: [string, HparamValue][];
}

/** One image, audio clip, histogram or text a summary wrote. */
export interface MediaEntry {
  kind: MediaKind;
  tag: string;
  step: number;
  wallTime: number;
  file: string;
  /** Where the encoded bytes (PNG, WAV) lie in `file`. */
  offset?: number;
  length?: number;
  image?: { width: number; height: number; colorspace: number };
  audio?: { sampleRate: number; channels: number; frames: number; contentType: string };
  histogram?: Histogram;
  text?: string;
}

/** The file range of `payload`, a view into `rec` whose body starts at `recordOffset`. */
function range(payload: Uint8Array | undefined, rec: Uint8Array, recordOffset: number): { offset?: number; length?: number } {
  return payload ? { offset: recordOffset + (payload.byteOffset - rec.byteOffset), length: payload.length } : {};
}

const METRICS_CSV = 'metrics.csv';
const HPARAMS_YAML = 'hparams.yaml';

/** Folders under `root` (itself included) that hold event files or a metrics.csv, bounded. */
export async function findScalarRuns(root: string, maxDepth = 8, maxDirs = 10_000): Promise<string[]> {
  const out: string[] = [];
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  let seen = 0;
  while (queue.length && seen < maxDirs) {
    const { dir, depth } = queue.shift()!;
    seen++;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (entries.some((e) => e.isFile() && (EVENT_FILE.test(e.name) || e.name === METRICS_CSV))) out.push(dir);
    if (depth < maxDepth) for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') queue.push({ dir: join(dir, e.name), depth: depth + 1 });
  }
  return out.sort();
}
