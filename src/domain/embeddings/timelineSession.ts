// The Embedding Timeline's host side, free of vscode: a snapshot folder's steps served one at a
// time as typed arrays (a few cached, neighbours prefetched), the run's geometry (alignment,
// fixed axes) measured in the background, names held back and sent as the page asks, and the
// steps listed again when files change.
import { basename, sep } from 'node:path';
import { ArtifactError, describeError } from '../artifacts/errors';
import { fileStamp } from '../artifacts/source';
import { GeometryPass } from './geometryPass';
import { listSnapshotSteps, readStep, readTrail, RowIds, type SnapshotStep } from './timeline';
import { holdBackNames, namesOf, type EmbeddingsHostToWebview, type EmbeddingsWebviewToHost, type SpaceData } from '../../protocol/embeddings';

const PREFETCH = 2;
/** Rows a trail follows in one space (the page asks for at most this many): a bound on the work and the message. */
const MAX_TRAIL_ROWS = 400;
const CACHE_STEPS = 6;
/** Points the cached steps may hold together (a step of 3 × 1 M points leaves room for 3). */
const CACHE_POINTS = 10_000_000;

type StepData = Extract<EmbeddingsHostToWebview, { type: 'stepData' }>;

export interface EmbeddingsHost {
  post(message: EmbeddingsHostToWebview): void;
  /** The webview URI for a file. */
  uri(path: string): string;
  /** A problem worth the log (the page is told too). */
  warn(message: string): void;
  exportPng(dataUrl: string, step: number): Promise<void>;
  createAnimation(): Promise<void>;
}

/** A run's name for titles: its folder, or the folder above a `viz_snapshots`. */
export function timelineTitle(dir: string): string {
  const parts = dir.split(sep).filter(Boolean);
  return parts.at(-1) === 'viz_snapshots' && parts.length > 1 ? parts.at(-2)! : parts.at(-1) ?? dir;
}

export interface EmbeddingsSessionOptions {
  /** An npz that is a timeline of one step. */
  singleFile?: string;
  /** The run's clock step when the panel opened. */
  clockStep?: number;
  /** Which names stay here until the page asks (default: fields of more than NAMES_SENT). */
  holdBack?: (spaces: SpaceData[]) => SpaceData[];
}

export class EmbeddingsSession {
  private steps: SnapshotStep[] = [];
  private pass = this.newPass();
  private rowIds = new RowIds();
  /** Points each cached step holds, once read. */
  private readonly cachedPoints = new Map<string, number>();
  private readonly cache = new Map<string, Promise<StepData>>();
  /** Each step's snapshot as last listed (size and time written), to see a step written again. */
  private versions = new Map<number, string>();
  /** The first step of each time the geometry was measured again (−∞: from the start). */
  private readonly remeasuredFrom: number[] = [];
  /** A step of the run's clock the page has not seen (set before it opened, or while hidden). */
  private pendingStep: number | undefined;

  private readonly singleFile: string | undefined;
  private readonly holdBack: (spaces: SpaceData[]) => SpaceData[];

  constructor(readonly dir: string, private readonly host: EmbeddingsHost, options: EmbeddingsSessionOptions = {}) {
    this.singleFile = options.singleFile;
    this.pendingStep = options.clockStep;
    this.holdBack = options.holdBack ?? ((spaces) => holdBackNames(spaces));
  }

  dispose(): void {
    this.pass.stop();
  }

  /** The run's clock moved: the page goes to the nearest snapshot step (when it shows again, if hidden). */
  goToStep(step: number, shown = true): void {
    if (!shown) { this.pendingStep = step; return; }
    this.pendingStep = undefined;
    this.host.post({ type: 'goToStep', step });
  }

  async handle(m: EmbeddingsWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.refresh();
        if (this.pendingStep !== undefined) this.host.post({ type: 'goToStep', step: this.pendingStep });
        this.pendingStep = undefined;
        return;
      case 'requestStep': {
        // A per-row id's million names stay here: the page asks for the few it shows.
        const data = await this.stepData(m.step, m.align);
        this.host.post({ ...data, spaces: this.holdBack(data.spaces) });
        // Neighbours next, so scrubbing and playing find them ready.
        const i = this.steps.findIndex((s) => s.step === m.step);
        for (let d = 1; d <= PREFETCH; d++) for (const j of [i + d, i - d]) if (this.steps[j]?.snapshot) void this.stepData(this.steps[j].step, m.align).catch(() => {});
        return;
      }
      case 'requestTrail': {
        const i = this.steps.findIndex((s) => s.step === m.step);
        if (i < 0) return;
        const window = this.steps.slice(Math.max(0, i - Math.max(1, Math.min(50, m.length)) + 1), i + 1);
        const pass = this.pass;
        if (m.align) await pass.measureTo(m.step);
        const rows = Object.fromEntries(Object.entries(m.rows ?? {}).filter(([, r]) => Array.isArray(r)).map(([name, r]) => [name, r.slice(0, MAX_TRAIL_ROWS)]));
        const { spaces, off } = await pass.reading(() => readTrail(window, this.steps[i], rows, m.align ? pass.geometry : undefined));
        this.host.post({ type: 'trail', step: m.step, spaces, off });
        return;
      }
      case 'requestNames': {
        // Always answered, so the page never waits on a name for ever.
        let spaces: SpaceData[] = [], failed: string | undefined;
        if (!this.steps.some((s) => s.step === m.step && s.snapshot)) failed = `step ${m.step} is no longer in ${this.dir}`;
        else {
          try {
            ({ spaces } = await this.stepData(m.step, !!m.align));
          } catch (err) {
            failed = describeError(err, this.dir);
            this.host.warn(`names of ${String(m.field)}: ${failed}`);
          }
        }
        this.host.post({ type: 'names', step: m.step, space: String(m.space), field: String(m.field), ...namesOf(spaces, String(m.space), String(m.field), m.codes), ...(failed ? { failed } : {}) });
        return;
      }
      case 'exportPng':
        return this.host.exportPng(m.dataUrl, m.step);
      case 'createAnimation':
        return this.host.createAnimation();
    }
  }

  /** Lists the steps again and tells the page; steps written again are read afresh. */
  async refresh(): Promise<void> {
    const all = this.singleFile ? [{ step: 0, snapshot: this.singleFile }] : await listSnapshotSteps(this.dir);
    const grew = all.length >= this.steps.length && this.steps.every((s, i) => all[i]?.step === s.step);
    // A step whose file was written again (a resumed run, or one still being written when read)
    // is read afresh; the page, told by the version, asks for it again.
    const versions = new Map(await Promise.all(all.filter((s) => s.snapshot).map(async (s) => [s.step, await fileStamp(s.snapshot!)] as const)));
    const rewritten = [...versions.keys()].filter((step) => this.versions.has(step) && this.versions.get(step) !== versions.get(step));
    for (const step of rewritten) this.dropCached(step);
    // A step whose npz arrived after its PNG: drop what was cached without it.
    for (const s of all) if (s.snapshot && !this.steps.find((o) => o.step === s.step)?.snapshot) this.dropCached(s.step);
    // The geometry chains each step's alignment onto the one before, so a change at a step it has
    // measured is measured again from there on, and every aligned step after it is new.
    const from = grew ? Math.min(...rewritten) : -Infinity;
    if (from <= this.pass.geometry.last) {
      this.pass.stop();
      this.pass = this.newPass();
      this.remeasuredFrom.push(from);
      if (grew) {
        for (const key of [...this.cache.keys()]) if (key.endsWith(':true') && parseFloat(key) >= from) this.dropKey(key);
      } else {
        this.rowIds = new RowIds();
        this.cache.clear();
        this.cachedPoints.clear();
      }
    }
    this.versions = versions;
    this.steps = all;
    this.pass.setSteps(all);
    this.host.post({
      type: 'steps',
      title: this.singleFile ? basename(this.singleFile) : timelineTitle(this.dir),
      steps: all.map((s) => ({ step: s.step, npz: !!s.snapshot, version: this.versionOf(s.step), image: s.png ? `${this.host.uri(s.png)}?v=${Date.now()}` : undefined })),
      warnings: [],
    });
    // The fixed axes need every step: measured behind the steps the page asks for.
    const pass = this.pass;
    void pass.measureTo(Infinity).then(() => {
      if (pass !== this.pass) return;
      this.host.post({ type: 'bounds', align: true, bounds: pass.geometry.bounds(true) });
      this.host.post({ type: 'bounds', align: false, bounds: pass.geometry.bounds(false) });
    });
  }

  /** What the page compares to see a step change: its file, and each time the geometry up to it was measured again. */
  private versionOf(step: number): string | undefined {
    const stamp = this.versions.get(step);
    return stamp === undefined ? undefined : `${stamp}/${this.remeasuredFrom.filter((from) => from <= step).length}`;
  }

  private dropCached(step: number): void {
    for (const a of [true, false]) this.dropKey(`${step}:${a}`);
  }

  private dropKey(key: string): void {
    this.cache.delete(key);
    this.cachedPoints.delete(key);
  }

  private newPass(): GeometryPass {
    return new GeometryPass((message) => {
      this.host.warn(message);
      this.host.post({ type: 'error', message });
    });
  }

  private stepData(step: number, align: boolean): Promise<StepData> {
    const key = `${step}:${align}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const s = this.steps.find((x) => x.step === step);
      if (!s?.snapshot) return Promise.reject(new ArtifactError('not_found', this.dir, `step ${step} has no snapshot`));
      const pass = this.pass;
      entry = pass.reading(async () => {
        if (align) await pass.measureTo(step);
        const { spaces, warnings } = await readStep(s.snapshot!, align ? pass.geometry.alignmentsOf(step) : undefined, this.rowIds);
        if (this.cache.get(key) === entry) {
          this.cachedPoints.set(key, spaces.reduce((n, sp) => n + sp.x.length, 0));
          this.trimCache(key);
        }
        return { type: 'stepData' as const, step, align, spaces, warnings };
      });
      entry.catch(() => { if (this.cache.get(key) === entry) this.dropKey(key); });
      this.cache.set(key, entry);
      this.trimCache(key);
    }
    return entry;
  }

  /** Only a window of steps stays in memory: at most CACHE_STEPS, and CACHE_POINTS points (`keep` stays). */
  private trimCache(keep: string): void {
    const total = () => [...this.cachedPoints.values()].reduce((a, b) => a + b, 0);
    for (const key of [...this.cache.keys()]) {
      if (this.cache.size <= CACHE_STEPS && total() <= CACHE_POINTS) break;
      if (key === keep) continue;
      this.dropKey(key);
    }
  }
}
