// A small pool of worker threads running GIF tasks, with in-order results and abort.
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ArtifactError, type ArtifactErrorCode } from '../artifacts/errors';
import { runTask, type GifTask } from './gifFrames';

export type TaskRunner = (task: GifTask) => Promise<Uint8Array | Uint8Array[]>;

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, cpus().length));
}

/** Runs tasks in worker threads (or in this thread when `size` is 0). Owner must close(). */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: (() => void)[] = [];
  private readonly pending = new Map<number, { resolve: (v: Uint8Array | Uint8Array[]) => void; reject: (e: unknown) => void; worker: Worker }>();
  private nextId = 0;
  private inThread: Promise<void> = Promise.resolve();
  private nextRecycle = 0;
  private closed = false;

  constructor(script: string | undefined, size: number) {
    if (!script || size === 0) return;
    for (let i = 0; i < size; i++) {
      // An absolute path, as Worker wants. Its JavaScript is small and short-lived (the pixels
      // live in WebAssembly memory), so a small young generation is enough.
      const w = new Worker(resolve(script), { resourceLimits: { maxYoungGenerationSizeMb: 2 } });
      w.on('message', (m: { id: number; result?: Uint8Array | Uint8Array[]; error?: { code?: ArtifactErrorCode; file?: string; detail?: string; message: string } }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.release(w);
        if (m.error) p.reject(m.error.code ? new ArtifactError(m.error.code, m.error.file ?? '', m.error.detail ?? m.error.message) : new Error(m.error.message));
        else p.resolve(m.result!);
      });
      w.on('error', (err) => {
        for (const [id, p] of this.pending) if (p.worker === w) { this.pending.delete(id); p.reject(err); }
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** How many tasks run at once. */
  get size(): number {
    return Math.max(1, this.workers.length);
  }

  private release(w: Worker): void {
    this.idle.push(w);
    this.queue.shift()?.();
  }

  run(task: GifTask): Promise<Uint8Array | Uint8Array[]> {
    if (this.closed) return Promise.reject(new Error('worker pool closed'));
    if (this.workers.length === 0) {
      // One at a time, as in a worker: tasks share this thread's frame buffers.
      const result = this.inThread.then(() => runTask(task));
      this.inThread = result.then(() => {}, () => {});
      return result;
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        const w = this.idle.pop()!;
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject, worker: w });
        w.postMessage({ id, task });
      };
      if (this.idle.length > 0) start();
      else this.queue.push(start);
    });
  }

  /**
   * Hands results the caller is done with back to a worker, which writes later frames into
   * them: otherwise they wait here for a garbage collection that a thread allocating little
   * JavaScript runs rarely, and memory grows with the number of frames.
   */
  recycle(buffers: Uint8Array[]): void {
    if (this.closed || this.workers.length === 0 || buffers.length === 0) return;
    const transfer = buffers.map((b) => b.buffer as ArrayBuffer);
    this.workers[this.nextRecycle++ % this.workers.length].postMessage({ recycle: transfer }, transfer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new Error('cancelled'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
