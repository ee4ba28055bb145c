// The Embedding Timeline panel: a snapshot folder's steps, served one at a time as typed
// arrays, with the run's geometry (alignment, fixed axes) measured in the background and
// new snapshots followed live through the run index. Also the "Open With…" editor for npz.
import { basename, dirname, join, sep } from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../domain/artifacts/errors';
import { fileStamp } from '../../domain/artifacts/source';
import { STEP_SNAPSHOT } from '../../domain/runs/discover';
import { GeometryPass } from '../../domain/embeddings/geometryPass';
import { listSnapshotSteps, readStep, readTrail, RowIds, type SnapshotStep } from '../../domain/embeddings/timeline';
import {
  EMBEDDINGS_EDITOR_TYPE, EMBEDDINGS_VIEW_TYPE, holdBackNames, namesOf,
  type EmbeddingsHostToWebview, type EmbeddingsState, type EmbeddingsWebviewToHost, type SpaceData,
} from '../../protocol/embeddings';
import { Disposable } from '../dispose';
import type { RunIndex } from '../runIndex';
import { loadPanelPage } from '../panelPage';
import { postToPage } from '../postToPage';
import { savePngDataUrl } from '../saveExport';
import type { StepClock } from '../stepClock';
import { PanelSet } from './panelSet';

const PREFETCH = 2;
/** Rows a trail follows in one space (the page asks for at most this many): a bound on the work and the message. */
const MAX_TRAIL_ROWS = 400;
const CACHE_STEPS = 6;
/** Points the cached steps may hold together (a step of 3 × 1 M points leaves room for 3). */
const CACHE_POINTS = 10_000_000;

export class EmbeddingsPanels extends PanelSet<EmbeddingsState, EmbeddingsView> {
  constructor(extensionUri: vscode.Uri, private readonly index: RunIndex, private readonly clock: StepClock, private readonly log: vscode.LogOutputChannel) {
    super(extensionUri, EMBEDDINGS_VIEW_TYPE, EMBEDDINGS_EDITOR_TYPE);
  }

  show(dir: string, step?: number): void {
    const existing = [...this.open].find((v) => v.dir === dir);
    if (existing && step === undefined) return existing.reveal();
    const panel = vscode.window.createWebviewPanel(EMBEDDINGS_VIEW_TYPE, `Embeddings · ${title(dir)}`, vscode.ViewColumn.Active, this.options(dir));
    this.adopt(panel, { dir, step, align: true, follow: step === undefined, trail: 0 });
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: EmbeddingsState | undefined): Promise<void> {
    if (typeof state?.dir !== 'string') return panel.dispose();
    panel.webview.options = this.options(state.dir);
    this.adopt(panel, state);
  }

  override resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const file = document.uri.fsPath;
    const m = STEP_SNAPSHOT.exec(basename(file));
    panel.webview.options = this.options(dirname(file));
    // A step snapshot opens its whole timeline at that step; any other npz is a timeline of one.
    this.adopt(panel, { dir: dirname(file), step: m ? Number(m[1]) : undefined, align: true, follow: false, trail: 0 }, m ? undefined : file);
  }

  private adopt(panel: vscode.WebviewPanel, state: EmbeddingsState, singleFile?: string): void {
    this.keep(new EmbeddingsView(panel, state, this.extensionUri, this.index, this.clock, this.log, singleFile));
  }
}

function title(dir: string): string {
  const parts = dir.split(sep).filter(Boolean);
  return parts.at(-1) === 'viz_snapshots' && parts.length > 1 ? parts.at(-2)! : parts.at(-1) ?? dir;
}

class EmbeddingsView extends Disposable {
  readonly dir: string;
  private steps: SnapshotStep[] = [];
  private pass = this.newPass();
  private rowIds = new RowIds();
  /** Points each cached step holds, once read. */
  private readonly cachedPoints = new Map<string, number>();
  private readonly cache = new Map<string, Promise<Extract<EmbeddingsHostToWebview, { type: 'stepData' }>>>();
  /** Each step's snapshot as last listed (size and time written), to see a step written again. */
  private versions = new Map<number, string>();
  /** The first step of each time the geometry was measured again (−∞: from the start). */
  private readonly remeasuredFrom: number[] = [];
  private relist: NodeJS.Timeout | undefined;
  private pendingStep: number | undefined;

  constructor(readonly panel: vscode.WebviewPanel, state: EmbeddingsState, extensionUri: vscode.Uri, index: RunIndex, clock: StepClock, private readonly log: vscode.LogOutputChannel, private readonly singleFile?: string) {
    super();
    this.dir = state.dir;
    // A timeline opened after the run's clock was set starts at its step.
    this.pendingStep = singleFile ? undefined : clock.stepOf(this.dir);
    panel.title = `Embeddings · ${singleFile ? basename(singleFile) : title(this.dir)}`;
    loadPanelPage(panel, extensionUri, { title: 'Embedding Timeline', bundle: 'embeddings', boot: state });
    this.register(panel.webview.onDidReceiveMessage((m: EmbeddingsWebviewToHost) => this.receive(m).catch((err) => this.fail(err))));
    this.register(index.onDidChangeFiles(({ changes }) => {
      if (this.singleFile || ![...changes.keys()].some((p) => dirname(p) === this.dir)) return;
      clearTimeout(this.relist);
      this.relist = setTimeout(() => void this.sendSteps().catch((err) => this.fail(err)), 250);
    }));
    this.register({ dispose: () => { clearTimeout(this.relist); this.pass.stop(); } });
    // The run's step clock moves the timeline to the nearest snapshot step. A hidden panel has
    // no page to tell: the step waits for the page to come back ("ready").
    this.register(clock.follow(this.dir, (step) => {
      if (panel.visible) this.post({ type: 'goToStep', step });
      this.pendingStep = panel.visible ? undefined : step;
    }));
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(message: EmbeddingsHostToWebview): void {
    postToPage(this.panel.webview, message);
  }

  private fail(err: unknown): void {
    const message = describeError(err, this.dir);
    this.log.warn(`embedding timeline: ${message}`);
    this.post({ type: 'error', message });
  }

  private async receive(m: EmbeddingsWebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.sendSteps();
        if (this.pendingStep !== undefined) this.post({ type: 'goToStep', step: this.pendingStep });
        this.pendingStep = undefined;
        return;
      case 'requestStep': {
        // A per-row id's million names stay here: the page asks for the few it shows.
        const data = await this.stepData(m.step, m.align);
        this.post({ ...data, spaces: holdBackNames(data.spaces) });
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
        this.post({ type: 'trail', step: m.step, spaces, off });
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
            this.log.warn(`embedding timeline: names of ${String(m.field)}: ${failed}`);
          }
        }
        this.post({ type: 'names', step: m.step, space: String(m.space), field: String(m.field), ...namesOf(spaces, String(m.space), String(m.field), m.codes), ...(failed ? { failed } : {}) });
        return;
      }
      case 'exportPng':
        return this.exportPng(m.dataUrl, m.step);
      case 'createAnimation':
        await vscode.commands.executeCommand('runreel.createAnimation', vscode.Uri.file(this.dir));
        return;
    }
  }

  private async sendSteps(): Promise<void> {
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
    const asUri = (p: string) => this.panel.webview.asWebviewUri(vscode.Uri.file(p)).toString();
    this.post({
      type: 'steps',
      title: this.singleFile ? basename(this.singleFile) : title(this.dir),
      steps: all.map((s) => ({ step: s.step, npz: !!s.snapshot, version: this.versionOf(s.step), image: s.png ? `${asUri(s.png)}?v=${Date.now()}` : undefined })),
      warnings: [],
    });
    // The fixed axes need every step: measured behind the steps the page asks for.
    const pass = this.pass;
    void pass.measureTo(Infinity).then(() => {
      if (pass !== this.pass) return;
      this.post({ type: 'bounds', align: true, bounds: pass.geometry.bounds(true) });
      this.post({ type: 'bounds', align: false, bounds: pass.geometry.bounds(false) });
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
      this.log.warn(`embedding timeline: ${message}`);
      this.post({ type: 'error', message });
    });
  }

  private stepData(step: number, align: boolean): Promise<Extract<EmbeddingsHostToWebview, { type: 'stepData' }>> {
    const key = `${step}:${align}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const s = this.steps.find((x) => x.step === step);
      if (!s?.snapshot) return Promise.reject(new Error(`step ${step} has no snapshot`));
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

  private exportPng(dataUrl: string, step: number): Promise<void> {
    return savePngDataUrl(join(this.dir, `embeddings_step_${step}.png`), dataUrl);
  }

}
