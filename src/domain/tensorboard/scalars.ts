// Scalar series of a run's event files, every point kept in columnar arrays, read incrementally
// as the files grow. A run (a folder) may hold several event files: a job restarted from a
// checkpoint writes a new one whose steps start lower. Points are kept as written; `restarts`
// marks where a tag's step went down. The TensorBoard view (what its Rust loader shows) keeps,
// for each step, the value written last, in step order; the written view keeps everything.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { asArtifactError, describeError } from '../artifacts/errors';
import { FileSource } from '../artifacts/source';
import { decodeEvent } from './events';
import { RecordReader } from './records';

export const EVENT_FILE = /^events\.out\.tfevents\.(\d+)\.[^/]*$/;

/** A growable column of doubles. */
class Column {
  data = new Float64Array(64);
  length = 0;
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

export interface ScalarSeries {
  tag: string;
  steps: Float64Array;
  values: Float64Array;
  wallTimes: Float64Array;
  /** Indices where the step went below the one before: a restarted job. */
  restarts: number[];
}

class SeriesBuilder {
  readonly steps = new Column();
  readonly values = new Column();
  readonly wall = new Column();
  readonly restarts: number[] = [];
  constructor(readonly tag: string) {}
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

/** What TensorBoard shows for a series: one point per step, the last written, by step. */
export function tensorboardView(s: ScalarSeries): ScalarSeries {
  if (s.restarts.length === 0 && isStrictlyIncreasing(s.steps)) return s;
  const last = new Map<number, number>();
  for (let i = 0; i < s.steps.length; i++) last.set(s.steps[i], i);
  const order = [...last.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const pick = (c: Float64Array) => Float64Array.from(order, (i) => c[i]);
  return { tag: s.tag, steps: pick(s.steps), values: pick(s.values), wallTimes: pick(s.wallTimes), restarts: [] };
}

function isStrictlyIncreasing(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] <= a[i - 1]) return false;
  return true;
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

/** One run folder's event files (not its sub-folders: those are runs of their own, as in TensorBoard). */
export class ScalarRun {
  private readonly readers = new Map<string, RecordReader>();
  private readonly files = new Map<string, EventFileState>();
  private readonly series = new Map<string, SeriesBuilder>();

  constructor(readonly dir: string) {}

  /** Reads what the event files gained since the last call; returns whether anything changed. */
  async update(): Promise<boolean> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => EVENT_FILE.test(n));
    // File order: the timestamp in the name, then the writer's trailing counter (….17058.2 < ….3).
    names.sort((a, b) => Number(EVENT_FILE.exec(a)![1]) - Number(EVENT_FILE.exec(b)![1]) || a.localeCompare(b, undefined, { numeric: true }));
    let changed = false;
    for (const name of names) {
      const path = join(this.dir, name);
      const reader = this.readers.get(path) ?? this.readers.set(path, new RecordReader(path)).get(path)!;
      const state = this.files.get(path) ?? this.files.set(path, { path, records: 0, skipped: 0, partial: false }).get(path)!;
      if (state.error) continue;
      const size = await stat(path).then((s) => s.size, () => -1);
      if (size === reader.offset && !state.partial) continue;
      let src: FileSource | undefined;
      try {
        src = await FileSource.open(path);
        for (;;) {
          const batch = await reader.read(src);
          for (const rec of batch.records) {
            const ev = decodeEvent(rec, path);
            state.records++;
            if (ev.fileVersion) state.fileVersion = ev.fileVersion;
            for (const v of ev.values) {
              if (v.kind !== 'scalar' || v.scalar === undefined) continue;
              const b = this.series.get(v.tag) ?? this.series.set(v.tag, new SeriesBuilder(v.tag)).get(v.tag)!;
              b.push(ev.step, v.scalar, ev.wallTime);
            }
            changed = true;
          }
          state.skipped = reader.skipped;
          state.partial = batch.partial;
          if (batch.records.length === 0 || batch.partial) break;
        }
      } catch (err) {
        state.error = describeError(asArtifactError(path, err), path);
        changed = true;
      } finally {
        await src?.close().catch(() => {});
      }
    }
    return changed;
  }

  get eventFiles(): EventFileState[] {
    return [...this.files.values()];
  }

  tags(): string[] {
    return [...this.series.keys()].sort();
  }

  /** A tag's points, as written (`all`) or as TensorBoard shows them (`tensorboard`, the default). */
  get(tag: string, view: 'tensorboard' | 'all' = 'tensorboard'): ScalarSeries | undefined {
    const s = this.series.get(tag)?.series();
    return s && view === 'tensorboard' ? tensorboardView(s) : s;
  }
}

/** Folders under `root` (itself included) that hold event files, bounded. */
export async function findEventRuns(root: string, maxDepth = 8, maxDirs = 10_000): Promise<string[]> {
  const out: string[] = [];
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  let seen = 0;
  while (queue.length && seen < maxDirs) {
    const { dir, depth } = queue.shift()!;
    seen++;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (entries.some((e) => e.isFile() && EVENT_FILE.test(e.name))) out.push(dir);
    if (depth < maxDepth) for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') queue.push({ dir: join(dir, e.name), depth: depth + 1 });
  }
  return out.sort();
}
