// The Tensor Inspector's host side, free of vscode: reads the file's table of tensors (a
// safetensors header, or a torch checkpoint's pickle; nothing else) when the file opens, then
// computes what the webview asks for from byte ranges: one tensor's statistics, a window of
// its plane. A newer request of a kind cancels the older one.
import { isAbortError } from '../animation/abort';
import { ArtifactError, describeError } from '../artifacts/errors';
import type { SafetensorsHeader } from '../artifacts/safetensors';
import { FileSource, type ByteSource } from '../artifacts/source';
import { readTensorTable, type TensorFormat, type TensorTable } from './tensorTable';
import type { DtypeTotal, InspectorHeader, InspectorHostToWebview, InspectorWebviewToHost, TensorRow } from '../../protocol/tensors';
import { readPlane } from './plane';
import { tensorStats } from './tensorStats';

export interface InspectorHost {
  post(message: InspectorHostToWebview): void;
  copy(text: string): void;
}

export function describeHeader(h: SafetensorsHeader & { format?: TensorFormat; notes?: string[] }, fileBytes: number): InspectorHeader {
  // Offsets from the start of the data: after a safetensors header; in the file for the others.
  const dataStart = !h.format || h.format === 'safetensors' ? 8 + h.headerBytes : 0;
  const tensors: TensorRow[] = h.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, count: t.count, bytes: t.end - t.begin, offset: t.begin - dataStart }));
  const totals = new Map<string, DtypeTotal>();
  for (const t of tensors) {
    const d = totals.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, count: 0, bytes: 0 };
    d.tensors++; d.count += t.count; d.bytes += t.bytes;
    totals.set(t.dtype, d);
  }
  return {
    file: h.file, fileBytes, headerBytes: h.headerBytes,
    metadata: Object.entries(h.metadata),
    format: h.format ?? 'safetensors',
    notes: h.notes ?? [],
    tensors,
    totals: [...totals.values()].sort((a, b) => b.bytes - a.bytes || a.dtype.localeCompare(b.dtype)),
  };
}

export class InspectorSession {
  private header: { h: TensorTable; mtimeMs: number; size: number } | undefined;
  /** The last compressed member inflated (one at a time keeps memory bounded). */
  private inflated: { name: string; src: Promise<ByteSource> } | undefined;
  private statsRun: AbortController | undefined;
  private planeRun: AbortController | undefined;

  constructor(readonly file: string, private readonly host: InspectorHost) {}

  async handle(message: InspectorWebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.header = undefined;
        await this.withSource(undefined, async () => {});
        return;
      case 'stats':
        return this.stats(message.name);
      case 'plane':
        return this.plane(message.seq, message.name, message.window);
      case 'copy':
        this.host.copy(message.text);
        return;
    }
  }

  /** The file changed on disk: send the new header (the webview keeps what still exists). */
  async fileChanged(): Promise<void> {
    await this.withSource(undefined, async () => {});
  }

  dispose(): void {
    this.statsRun?.abort();
    this.planeRun?.abort();
  }

  /**
   * Opens the file, re-reading the header when the file changed since it was read (a latent
   * rewritten, a checkpoint replaced), and runs `fn` on it. Errors go to the webview.
   */
  private async withSource(name: string | undefined, fn: (src: FileSource, h: SafetensorsHeader) => Promise<void>, seq?: number): Promise<void> {
    let src: FileSource | undefined;
    try {
      // Size and time of the file opened, not of a path that may have been replaced since.
      src = await FileSource.open(this.file);
      if (!this.header || this.header.mtimeMs !== src.mtimeMs || this.header.size !== src.size) {
        const changed = !!this.header;
        this.header = undefined;
        this.inflated = undefined;
        const h = await readTensorTable(src);
        this.header = { h, mtimeMs: src.mtimeMs, size: src.size };
        this.host.post({ type: 'header', header: describeHeader(h, src.size), changed });
      }
      await fn(src, this.header.h);
    } catch (err) {
      if (isAbortError(err)) return;
      this.host.post({ type: 'error', message: describeError(err, this.file), name, seq });
    } finally {
      await src?.close().catch(() => {});
    }
  }

  /** Where a tensor's bytes are: the file, or its compressed npz member inflated. */
  private async sourceOf(file: ByteSource, name: string): Promise<ByteSource> {
    const inflate = this.header?.h.inflated?.get(name);
    if (!inflate) return file;
    if (this.inflated?.name !== name) this.inflated = { name, src: inflate(file) };
    return this.inflated.src;
  }

  private tensor(h: SafetensorsHeader, name: string) {
    const t = h.tensors.find((x) => x.name === name);
    if (!t) throw new ArtifactError('inconsistent', this.file, `has no tensor named ${JSON.stringify(name)} (any more)`);
    return t;
  }

  private async stats(name: string): Promise<void> {
    this.statsRun?.abort();
    const run = (this.statsRun = new AbortController());
    let lastPost = 0;
    await this.withSource(name, async (src, h) => {
      const result = await tensorStats(await this.sourceOf(src, name), this.tensor(h, name), {
        signal: run.signal,
        onProgress: (fraction) => {
          const now = Date.now();
          if (fraction < 1 && now - lastPost > 100) {
            lastPost = now;
            this.host.post({ type: 'progress', name, fraction });
          }
        },
      });
      if (!run.signal.aborted) this.host.post({ type: 'stats', name, ...result });
    });
  }

  private async plane(seq: number, name: string, window: Parameters<typeof readPlane>[2]): Promise<void> {
    this.planeRun?.abort();
    const run = (this.planeRun = new AbortController());
    await this.withSource(name, async (src, h) => {
      const plane = await readPlane(await this.sourceOf(src, name), this.tensor(h, name), window, run.signal);
      if (!run.signal.aborted) this.host.post({ type: 'plane', seq, name, plane });
    }, seq);
  }
}
