// GIF timelines: one global palette sampled across the whole run (so a colour means the
// same thing in every frame), unchanged pixels transparent and cropped away, blocks of
// frames (each starting opaque) encoded in worker threads and written in order to a temporary file that is renamed when complete.
// Memory holds the blocks in flight, not the animation.
import { open } from 'node:fs/promises';
import { buildPalette } from './palette';
import { readPngInfoFrom } from '../artifacts/png';
import { withFile } from '../artifacts/source';
import { ArtifactError } from '../artifacts/errors';
import { throwIfAborted } from './abort';
import { writeAtomically } from './atomic';
import { TRANSPARENT, type FrameSpec } from './gifFrames';
import { GIF_TRAILER, gifHeader } from './gifWriter';
import type { WorkerPool } from './workerPool';

export interface GifOptions {
  pool: WorkerPool;
  /** Canvas size; default: the first frame's. Other sizes are fitted without distortion. */
  width?: number;
  height?: number;
  signal?: AbortSignal;
  onProgress?: (framesDone: number, total: number) => void;
  /** Frames per encoded block (default: about three blocks per worker, at least 6, at most 24). */
  blockSize?: number;
}

const SAMPLE_FRAMES = 12;

export async function canvasSize(path: string): Promise<{ width: number; height: number }> {
  const info = await withFile(path, readPngInfoFrom);
  return { width: info.width, height: info.height };
}

export async function encodeGif(frames: FrameSpec[], target: string, options: GifOptions): Promise<{ bytes: number }> {
  if (frames.length < 2) throw new ArtifactError('unsupported', target, `an animation needs at least 2 frames, found ${frames.length}`);
  const { pool, signal } = options;
  const { width, height } = options.width && options.height ? { width: options.width, height: options.height } : await canvasSize(frames[0].path);
  throwIfAborted(signal);

  // 1. One palette for the whole run, from pixels of frames spread over it.
  const picks = Array.from({ length: Math.min(SAMPLE_FRAMES, frames.length) }, (_, i) => frames[Math.round((i * (frames.length - 1)) / Math.max(1, Math.min(SAMPLE_FRAMES, frames.length) - 1))]);
  const every = Math.max(1, Math.floor((width * height * picks.length) / 400_000));
  const samples = (await Promise.all(picks.map((f) => pool.run({ type: 'sample', path: f.path, width, height, every })))) as Uint8Array[];
  throwIfAborted(signal);
  const all = new Uint8Array(samples.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of samples) { all.set(s, at); at += s.length; }
  const palette = buildPalette(all, TRANSPARENT);
  while (palette.length < 256) palette.push([255, 0, 255]); // index 255 stays free for transparency

  // 2. Blocks in parallel, written in order.
  // Each block decodes the frame before it again (for transparency): few long blocks waste
  // little; enough blocks keep every worker busy to the end.
  const blockSize = options.blockSize ?? Math.min(24, Math.max(6, Math.ceil(frames.length / (pool.size * 3))));
  const blocks: { start: number; frames: FrameSpec[] }[] = [];
  for (let s = 0; s < frames.length; s += blockSize) blocks.push({ start: s, frames: frames.slice(s, s + blockSize) });
  return writeAtomically(target, async (tmp) => {
    const out = await open(tmp, 'w');
    let bytes = 0;
    try {
      const header = gifHeader(width, height, palette);
      await out.write(header);
      bytes += header.length;
      let done = 0;
      // Keep at most a few blocks in flight beyond the one being written.
      const inFlight = new Map<number, Promise<Uint8Array[]>>();
      const launch = (b: number) => {
        if (b >= blocks.length || inFlight.has(b)) return;
        const block = blocks[b];
        const job = pool.run({ type: 'encode', width, height, palette, frames: block.frames }) as Promise<Uint8Array[]>;
        job.catch(() => {}); // awaited in order below; this only keeps an early failure from going unhandled
        inFlight.set(b, job);
      };
      const ahead = pool.size + 1;
      for (let b = 0; b < Math.min(ahead, blocks.length); b++) launch(b);
      for (let b = 0; b < blocks.length; b++) {
        throwIfAborted(signal);
        const chunks = await inFlight.get(b)!;
        inFlight.delete(b);
        launch(b + ahead);
        for (const c of chunks) { await out.write(c); bytes += c.length; }
        pool.recycle(chunks);
        done += blocks[b].frames.length;
        options.onProgress?.(done, frames.length);
      }
      await out.write(GIF_TRAILER);
      bytes += 1;
    } finally {
      await out.close();
    }
    return { bytes };
  });
}
