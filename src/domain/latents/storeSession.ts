// The Latent Store panel's host side, free of vscode: the store's records as rows grouped by
// generation, rescanned when files change, and comparisons of two latents.
import { stat } from 'node:fs/promises';
import { ArtifactError, describeError } from '../artifacts/errors';
import { groupGenerations, scanLatentStore, type LatentEntry } from '../artifacts/latents';
import { readSafetensorsHeaderFrom, type SafetensorsHeader, type SafetensorsTensor } from '../artifacts/safetensors';
import { FileSource } from '../artifacts/source';
import type { LatentRow, LatentStoreHostToWebview, LatentStoreWebviewToHost, PlaneWindowData } from '../../protocol/tensors';
import { isAbortError } from '../animation/abort';
import { compareTensors } from '../tensors/compare';
import { nearestIndexOf } from '../nearest';
import { planeLayout } from '../tensors/plane';

export interface LatentStoreHost {
  post(message: LatentStoreHostToWebview): void;
  copy(text: string): void;
  inspect(path: string): void;
  reveal(path: string): void;
}

/** The tensor a latent file holds: its only one, else one named "latent", else the largest. */
export function latentTensor(h: SafetensorsHeader): SafetensorsTensor {
  if (h.tensors.length === 0) throw new ArtifactError('inconsistent', h.file, 'holds no tensors');
  return h.tensors.length === 1 ? h.tensors[0] : h.tensors.find((t) => t.name === 'latent') ?? [...h.tensors].sort((a, b) => b.count - a.count)[0];
}

function toRow(e: LatentEntry): LatentRow {
  const r = e.record;
  const caption = r?.params.caption;
  return {
    id: e.id,
    tensorPath: e.tensorPath,
    recordPath: e.recordPath,
    orphan: e.orphan,
    error: e.error?.detail,
    ...(r && {
      shape: r.shape, dtype: r.dtype, stage: r.stageType, variant: r.modelVariant,
      isCheckpoint: r.isCheckpoint, checkpointStep: r.checkpointStep, totalSteps: r.totalSteps,
      createdAtMs: r.createdAt * 1000, pinned: r.pinned, expiresAtMs: e.expiry?.expiresAtMs ?? null,
      caption: typeof caption === 'string' ? caption.slice(0, 200) : undefined,
      paramsText: JSON.stringify(r.params, null, 2),
      lmText: r.lmMetadata ? JSON.stringify(r.lmMetadata, null, 2) : undefined,
    }),
  };
}

export class LatentStoreSession {
  private compareRun: AbortController | undefined;
  private rows = new Map<string, LatentRow>();

  /** A step of the run's clock the page has not seen (set before it opened, or while hidden). */
  private pendingStep: number | undefined;

  constructor(readonly dir: string, private readonly host: LatentStoreHost, private readonly ttlHours: () => number, clockStep?: number) {
    this.pendingStep = clockStep;
  }

  private listedFile(path: unknown): path is string {
    return typeof path === 'string' && [...this.rows.values()].some((r) => r.tensorPath === path || r.recordPath === path);
  }

  private refuse(path: unknown): void {
    this.host.post({ type: 'error', message: `${this.dir}: ${JSON.stringify(path)} is not a file of the latents listed` });
  }

  async handle(message: LatentStoreWebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready': {
        await this.refresh();
        const step = this.pendingStep;
        this.pendingStep = undefined;
        if (step !== undefined) this.goToStep(step);
        return;
      }
      case 'copyId':
        return typeof message.id === 'string' ? this.host.copy(message.id) : undefined;
      // Paths come from the page: only the files of the records listed are opened or revealed.
      case 'inspect':
        return this.listedFile(message.path) ? this.host.inspect(message.path) : this.refuse(message.path);
      case 'reveal':
        return this.listedFile(message.path) ? this.host.reveal(message.path) : this.refuse(message.path);
      case 'compare':
        return this.compare(message.a, message.b, message.window);
    }
  }

  async refresh(): Promise<void> {
    try {
      const nowMs = Date.now();
      const store = await scanLatentStore(this.dir, { ttlHours: this.ttlHours(), nowMs });
      const rows = store.entries.map(toRow);
      await Promise.all(rows.map(async (row) => {
        if (row.tensorPath) row.tensorBytes = await stat(row.tensorPath).then((s) => s.size, () => undefined);
      }));
      this.rows = new Map(rows.map((r) => [r.id, r]));
      const generations = groupGenerations(store.entries).map((g) => g.map((e) => e.id));
      this.host.post({ type: 'store', dir: this.dir, ttlHours: store.ttlHours, nowMs, rows, generations });
    } catch (err) {
      this.host.post({ type: 'error', message: describeError(err, this.dir) });
    }
  }

  private async compare(a: string, b: string, window: PlaneWindowData): Promise<void> {
    this.compareRun?.abort();
    const run = (this.compareRun = new AbortController());
    const sources: FileSource[] = [];
    try {
      const open = async (id: string) => {
        const path = this.rows.get(id)?.tensorPath;
        if (!path) throw new ArtifactError('not_found', id, 'this latent has no tensor file (orphaned or deleted)');
        const src = await FileSource.open(path);
        sources.push(src);
        return { src, tensor: latentTensor(await readSafetensorsHeaderFrom(src)) };
      };
      const [ta, tb] = [await open(a), await open(b)];
      // Batch item 0 unless the webview chose another.
      const result = await compareTensors(ta, tb, { ...window, lead: (planeLayout(ta.tensor.shape)?.lead ?? []).map((_, i) => window.lead[i] ?? 0) }, run.signal);
      if (run.signal.aborted) return;
      this.host.post({
        type: 'comparison',
        comparison: {
          a, b, shape: ta.tensor.shape,
          steps: Float64Array.from(result.steps), cosine: Float64Array.from(result.cosine), l2: Float64Array.from(result.l2),
          overall: result.overall, diff: result.diff,
        },
      });
    } catch (err) {
      if (isAbortError(err)) return;
      this.host.post({ type: 'compareError', a, b, message: describeError(err, this.dir) });
    } finally {
      for (const s of sources) await s.close().catch(() => {});
    }
  }

  /**
   * The run's step clock: selects the checkpoint latent whose step is nearest (the first of
   * equals, in the store's order); a store without step-K checkpoints has nothing to move to.
   */
  goToStep(step: number, shown = true): void {
    if (!shown) { this.pendingStep = step; return; }
    const rows = [...this.rows.values()];
    const best = rows[nearestIndexOf(rows.map((r) => (typeof r.checkpointStep === 'number' ? r.checkpointStep : NaN)), step)];
    if (best) this.host.post({ type: 'select', id: best.id });
  }

  dispose(): void {
    this.compareRun?.abort();
  }
}
