// An episode log opened for replay: scanned once in the background (progress reported as
// steps are found), then read a step at a time by byte range. A gzipped log (the
// StructuredLogger's default) is inflated once into a temporary file so steps can be read by
// range; memory stays bounded by the chunk size whatever the log's size.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ArtifactError, asArtifactError } from '../artifacts/errors';
import { EpisodeLogScanner, ScanError, type ScanLimits } from './logScanner';

export interface IndexOptions extends ScanLimits {
  /** Called at most every `progressMs` while scanning, and once at the end. */
  onProgress?: () => void;
  progressMs?: number;
  /** Largest decompressed size accepted for a gzipped log (default 8 GiB). */
  maxInflatedBytes?: number;
}

const CHUNK = 4 << 20;

export class IndexedEpisodeLog {
  readonly scanner: EpisodeLogScanner;
  /** Settles when the scan ends (never rejects: see `error`). */
  readonly done: Promise<void>;
  error: ArtifactError | undefined;
  private closed = false;
  private readonly stream: NodeJS.ReadableStream & { destroy(): void };

  /**
   * `handle` is where steps are read from: the log itself, or for a gzipped log the file in
   * `tempDir` the scan inflates it into.
   */
  private constructor(readonly file: string, private readonly handle: FileHandle, private readonly tempDir: string | undefined, options: IndexOptions) {
    this.scanner = new EpisodeLogScanner(options);
    const raw = createReadStream(file, { highWaterMark: CHUNK });
    this.stream = tempDir ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
    if (tempDir) raw.on('error', (err) => (this.stream as unknown as { destroy(e: Error): void }).destroy(err));
    // The scan's loop reports errors while it runs; zlib can still emit one after the loop has
    // stopped (a ScanError, or close()), which must not become an uncaught exception.
    this.stream.on('error', () => {});
    this.done = this.scan(options).catch((err) => {
      this.error = err instanceof ScanError ? new ArtifactError(err.code, file, err.message) : asArtifactError(file, err);
    }).finally(() => options.onProgress?.());
  }

  /** Starts indexing `file`; resolves once it is open (not when the scan ends). */
  static async open(file: string, options: IndexOptions = {}): Promise<IndexedEpisodeLog> {
    const handle = await open(file, 'r').catch((err) => { throw asArtifactError(file, err); });
    let gzipped: boolean;
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      if (bytesRead === 0) throw new ArtifactError('truncated', file, 'file is empty (still being written?)');
      gzipped = head[0] === 0x1f && head[1] === 0x8b;
    } catch (err) {
      await handle.close();
      throw err;
    }
    if (!gzipped) return new IndexedEpisodeLog(file, handle, undefined, options);
    await handle.close();
    const tempDir = await mkdtemp(join(tmpdir(), 'runreel-episode-'));
    return new IndexedEpisodeLog(file, await open(join(tempDir, 'log.json'), 'w+'), tempDir, options);
  }

  private async scan(options: IndexOptions): Promise<void> {
    const maxInflated = options.maxInflatedBytes ?? 8 * 1024 ** 3;
    const every = options.progressMs ?? 150;
    let last = Date.now();
    let written = 0;
    for await (const chunk of this.stream as AsyncIterable<Buffer>) {
      if (this.closed) return;
      if (this.tempDir) {
        if (written + chunk.length > maxInflated) throw new ArtifactError('too_large', this.file, `gzip expands beyond ${maxInflated} bytes (gzip bomb?)`);
        await this.handle.write(chunk, 0, chunk.length, written);
        written += chunk.length;
      }
      const hadSteps = this.scanner.steps.length > 0;
      this.scanner.push(chunk);
      // The first step is reported at once: it is what the panel shows first.
      if (Date.now() - last >= every || (!hadSteps && this.scanner.steps.length > 0)) {
        last = Date.now();
        options.onProgress?.();
      }
    }
    if (!this.scanner.complete) {
      const what = this.scanner.steps.length ? `${this.scanner.steps.length} complete steps` : 'no complete step';
      const problem = `log ends at byte ${this.scanner.offset} inside the JSON (still being written, or cut off); ${what}`;
      if (this.scanner.steps.length === 0) throw new ArtifactError('truncated', this.file, problem);
      this.scanner.warnings.push(problem);
    }
  }

  get stepCount(): number {
    return this.scanner.steps.length;
  }

  /** Step `i` parsed from its byte range (only steps already indexed). */
  async readStep(i: number): Promise<unknown> {
    const s = this.scanner.steps[i];
    if (!s) throw new ArtifactError('inconsistent', this.file, `step ${i} is not in the log`);
    const length = s.end - s.start;
    if (length > 256 << 20) throw new ArtifactError('too_large', this.file, `step ${i} is ${length} bytes (limit 256 MiB)`);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, s.start);
    if (bytesRead !== length) throw new ArtifactError('truncated', this.file, `step ${i}: the log changed while it was open (re-open it)`);
    try {
      return JSON.parse(buf.toString('utf8')) as unknown;
    } catch (err) {
      throw new ArtifactError('bad_json', this.file, `step ${i}: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
    await this.done;
    await this.handle.close().catch(() => {});
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
  }
}
