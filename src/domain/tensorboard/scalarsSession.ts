// The Scalars panel's host side, independent of VS Code: finds the runs under the roots, reads
// the selected ones and sends their points (all of them once, then what each poll adds), and
// polls while the panel is open so a point a training writes shows within a second. The host
// panel and the browser tests drive the same code.
import { basename, dirname, relative, sep } from 'node:path';
import { HISTOGRAM_SAMPLE, TEXT_SAMPLE, type HistogramSeries, type ScalarRunInfo, type ScalarsHostToWebview, type ScalarSeriesChunk, type TextSeries } from '../../protocol/scalars';
import { describeError } from '../artifacts/errors';
import { loadScalarRuns } from './loadRuns';
import { findScalarRuns, ScalarRun } from './scalars';

export const SCALARS_POLL_MS = 400;
/** Points per message: a large run goes over in pieces, so no one message holds it all. */
const CHUNK_POINTS = 1 << 20;

interface Tracked {
  run: ScalarRun;
  sent: Map<string, number>;
  generation: number;
  /** The panel holds this run's points (a reset was sent). */
  started: boolean;
  mediaSignature?: string;
}

/** The histogram and text tags as the panel shows them: histograms sampled evenly over steps, text's last entries. */
export function mediaSeries(media: ReturnType<ScalarRun['media']>): { histograms: HistogramSeries[]; texts: TextSeries[] } {
  const histograms: HistogramSeries[] = [], texts: TextSeries[] = [];
  for (const m of media) {
    if (m.kind === 'histogram') {
      const n = m.entries.length, k = Math.min(n, HISTOGRAM_SAMPLE);
      const picks = [...new Set(Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / Math.max(1, k - 1))))];
      histograms.push({ tag: m.tag, total: n, histograms: picks.map((i) => { const e = m.entries[i]; const h = e.histogram!; return { step: e.step, min: h.min, max: h.max, num: h.num, limits: h.limits, counts: h.counts }; }) });
    } else if (m.kind === 'text') {
      texts.push({ tag: m.tag, total: m.entries.length, entries: m.entries.slice(-TEXT_SAMPLE).map((e) => ({ step: e.step, text: e.text ?? '' })) });
    }
  }
  return { histograms, texts };
}

export class ScalarsSession {
  private runs: ScalarRunInfo[] = [];
  private readonly tracked = new Map<string, Tracked>();
  private wanted: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> = Promise.resolve();
  private disposed = false;
  private selectSeq = 0;

  /** `workerScript`: dist/scalarsWorker.js, to read several new runs on worker threads at once. */
  constructor(private roots: string[], private readonly post: (m: ScalarsHostToWebview) => void, private readonly pollMs = SCALARS_POLL_MS, private readonly workerScript?: string) {}

  /** The runs last selected (those being read included). */
  get selected(): readonly string[] {
    return this.wanted;
  }

  get runList(): readonly ScalarRunInfo[] {
    return this.runs;
  }

  /** Finds the runs under the roots again and sends the list. */
  async listRuns(): Promise<void> {
    this.post({ type: 'runs', runs: this.runs, scanning: true });
    const found: ScalarRunInfo[] = [];
    for (const root of this.roots) {
      for (const dir of await findScalarRuns(root)) {
        const label = labelFor(root, dir, this.roots.length > 1);
        found.push({ dir, label, group: label.includes('/') ? label.slice(0, label.lastIndexOf('/')) : '' });
      }
    }
    // A run selected by path (opened from elsewhere) stays listed even when outside the roots.
    for (const dir of this.tracked.keys()) if (!found.some((r) => r.dir === dir)) found.push({ dir, label: dir.split(sep).join('/'), group: dirname(dir).split(sep).join('/') });
    if (this.disposed) return;
    this.runs = found;
    this.post({ type: 'runs', runs: found, scanning: false });
  }

  /** The runs shown: new ones are read and sent whole, dropped ones forgotten. */
  async select(dirs: string[]): Promise<void> {
    const seq = ++this.selectSeq;
    // The list comes from the page: folder names only.
    const want = new Set((Array.isArray(dirs) ? dirs : []).filter((d): d is string => typeof d === 'string' && d !== ''));
    this.wanted = [...want];
    for (const dir of [...this.tracked.keys()]) if (!want.has(dir)) this.tracked.delete(dir);
    const added = [...want].filter((dir) => !this.tracked.has(dir));
    // Several new runs (a panel opening on a logdir): their first read on worker threads.
    const runs = added.length > 1 && this.workerScript ? await loadScalarRuns(added, { workerScript: this.workerScript }) : added.map((dir) => new ScalarRun(dir));
    // A newer selection made while these were read has the last word.
    if (seq !== this.selectSeq || this.disposed) return;
    added.forEach((dir, i) => { if (want.has(dir) && !this.tracked.has(dir)) this.tracked.set(dir, { run: runs[i], sent: new Map(), generation: runs[i].generation, started: false }); });
    return this.pollNow();
  }

  /** A new page (the panel was hidden and shown again, or reloaded): every run goes again whole. */
  resend(): void {
    for (const t of this.tracked.values()) { t.started = false; t.sent.clear(); t.mediaSignature = undefined; }
  }

  /** Reads what the selected runs' files gained and sends it (one poll at a time). */
  pollNow(): Promise<void> {
    clearTimeout(this.timer);
    this.polling = this.polling.then(() => this.poll()).finally(() => this.schedule());
    return this.polling;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.tracked.clear();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.disposed && this.tracked.size) this.timer = setTimeout(() => void this.pollNow(), this.pollMs);
  }

  private async poll(): Promise<void> {
    for (const [dir, t] of [...this.tracked]) {
      if (this.disposed || this.tracked.get(dir) !== t) continue;
      let changed: boolean;
      try {
        changed = await t.run.update();
      } catch (err) {
        this.post({ type: 'unavailable', run: dir, message: describeError(err, dir) });
        continue;
      }
      if (this.tracked.get(dir) !== t) continue;
      let reset = !t.started;
      if (t.run.generation !== t.generation) { t.generation = t.run.generation; t.sent.clear(); reset = true; }
      if (!changed && !reset) continue;
      t.started = true;
      const deltas = t.run.delta(t.sent);
      for (const d of deltas) t.sent.set(d.tag, d.from + d.steps.length);
      const hp = t.run.hparams;
      const notes = [...runNotes(t.run), ...hp.problems];
      const all = t.run.media();
      const media = all.map((m) => ({ tag: m.tag, kind: m.kind, steps: m.entries.length }));
      // Histograms and text go again only when they gained entries (they are sampled, not streamed).
      const signature = JSON.stringify(media);
      const extra = reset || signature !== t.mediaSignature ? mediaSeries(all) : {};
      t.mediaSignature = signature;
      // Split so no message is larger than CHUNK_POINTS points; the first carries the reset.
      let batch: ScalarSeriesChunk[] = [], points = 0, first = true;
      const flush = () => {
        this.post({ type: 'data', run: dir, reset: reset && first, chunks: batch, hparams: hp.values, notes, media, ...(first ? extra : {}) });
        first = false; batch = []; points = 0;
      };
      for (const d of deltas) {
        for (let at = 0; at < d.steps.length; at += CHUNK_POINTS) {
          const end = Math.min(d.steps.length, at + CHUNK_POINTS);
          batch.push({ tag: d.tag, source: d.source, from: d.from + at, steps: d.steps.subarray(at, end), values: d.values.subarray(at, end), wallTimes: d.wallTimes.subarray(at, end) });
          points += end - at;
          if (points >= CHUNK_POINTS) flush();
        }
      }
      if (batch.length || first) flush();
    }
  }
}

/** What the user should know about a run's files, as text naming each file. */
export function runNotes(run: ScalarRun): string[] {
  const notes: string[] = [];
  for (const f of run.eventFiles) {
    const name = basename(f.path);
    if (f.error) notes.push(f.error);
    if (f.skipped) notes.push(`${name}: ${f.skipped} record${f.skipped === 1 ? '' : 's'} skipped (bad CRC)`);
    if (f.partial) notes.push(`${name}: the last record is still being written`);
  }
  const csv = run.csvFile;
  if (csv?.error) notes.push(csv.error);
  if (csv?.skipped) notes.push(`${basename(csv.path)}: ${csv.skipped} malformed row${csv.skipped === 1 ? '' : 's'} skipped`);
  return notes;
}

function labelFor(root: string, dir: string, prefixRoot: boolean): string {
  const rel = relative(root, dir).split(sep).join('/');
  const base = basename(root);
  return prefixRoot ? (rel ? `${base}/${rel}` : base) : rel || base;
}
