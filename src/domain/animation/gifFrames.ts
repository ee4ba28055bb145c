// The work of one GIF block, shared by the worker threads and the in-thread fallback:
// load frames (decode, fit to the canvas, label), map them to the global palette, make
// pixels that did not change since the previous frame transparent, LZW-encode. The pixel
// work runs in a per-thread FrameCoder (WebAssembly) whose buffers every frame reuses.
import { ArtifactError } from '../artifacts/errors';
import { decodePng, MAX_PNG_FILE, readPng } from '../artifacts/png';
import { FileSource } from '../artifacts/source';
import { FrameCoder } from './gifCore';
import { gifFrame } from './gifWriter';
import { drawLabel, fitToCanvas, flatten, labelSize, type Raster } from './raster';

export const TRANSPARENT = 255;

export interface FrameSpec {
  path: string;
  label?: string;
  delayMs: number;
}

export interface SampleTask {
  type: 'sample';
  path: string;
  width: number;
  height: number;
  /** Keep every n-th pixel. */
  every: number;
}

export interface EncodeTask {
  type: 'encode';
  width: number;
  height: number;
  palette: number[][];
  frames: FrameSpec[];
}

/** A frame as raw RGBA on the canvas (for WebM). */
export interface RawTask {
  type: 'raw';
  frame: Pick<FrameSpec, 'path' | 'label'>;
  width: number;
  height: number;
}

export type GifTask = SampleTask | EncodeTask | RawTask;

/** A frame as RGBA on the canvas: decoded, fitted without distortion, labelled. */
export async function loadFrame(spec: Pick<FrameSpec, 'path' | 'label'>, width: number, height: number): Promise<Raster> {
  const r = fitToCanvas(await readPng(spec.path), width, height);
  if (spec.label) labelFrame(r, spec.label);
  return r;
}

/** "step N" at the bottom right: the producers put titles top left. */
function labelFrame(r: Raster, label: string): void {
  const scale = Math.max(1, Math.round(r.height / 250));
  const size = labelSize(label, scale);
  drawLabel(r, label, r.width - size.width - 4 * scale, r.height - size.height - 4 * scale, scale);
}

export async function sample(task: SampleTask): Promise<Uint8Array> {
  const coder = coderFor(task.width, task.height);
  await loadInto(coder, { path: task.path });
  const data = coder.frame();
  const n = Math.floor(data.length / 4 / task.every);
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) out.set(data.subarray(i * task.every * 4, i * task.every * 4 + 4), i * 4);
  return out;
}

/** A frame into `coder`'s current frame: PNGs of the canvas size decode in place, others are fitted. */
async function loadInto(coder: FrameCoder, spec: Pick<FrameSpec, 'path' | 'label'>): Promise<void> {
  const { width, height } = coder;
  const target = coder.frame();
  const bytes = await readReusing(spec.path);
  const { decoded, opaque } = coder.decodePng(bytes, spec.path);
  if (decoded && !opaque) {
    const flat = flatten({ width, height, data: target }, [255, 255, 255]);
    if (flat.data !== target) target.set(flat.data);
  } else if (!decoded) {
    // Another layout or size: the general decoder, on the bytes already read.
    target.set(fitToCanvas(decodePng(bytes, spec.path), width, height).data);
  }
  if (spec.label) labelFrame({ width, height, data: target }, spec.label);
}

/** Encodes a block of frames; returns the GIF bytes of each frame (no header, no trailer). */
export async function encodeBlock(task: EncodeTask): Promise<Uint8Array[]> {
  const coder = coderFor(task.width, task.height, task.palette.slice(0, TRANSPARENT));
  // A block starts with an opaque frame, so it never needs the frame before it: decoding
  // that again would cost more than the few extra bytes.
  coder.restart();
  const out: Uint8Array[] = [];
  for (const [i, spec] of task.frames.entries()) {
    await loadInto(coder, spec);
    // Nothing changed: a 1×1 transparent frame still carries the delay.
    const rect = coder.index() ?? { left: 0, top: 0, width: 1, height: 1 };
    out.push(gifFrame(coder.lzw(rect), rect, { delayMs: spec.delayMs, transparentIndex: i > 0 ? TRANSPARENT : undefined }, outputBuffer));
    coder.advance();
  }
  return out;
}

let coder: FrameCoder | undefined;
/** One coder per thread and canvas: its buffers serve every block of the animation. */
function coderFor(width: number, height: number, palette?: number[][]): FrameCoder {
  if (!coder || coder.width !== width || coder.height !== height || (palette && !coder.usePalette(palette))) {
    coder = undefined; // let the old buffers go before taking new ones
    coder = new FrameCoder(width, height);
    if (palette) coder.usePalette(palette);
  }
  return coder;
}

// Buffers the main thread has written and handed back (WorkerPool.recycle), for later frames.
const shelf: ArrayBuffer[] = [];
const SHELF_BYTES = 32 << 20;

export function reuseBuffers(buffers: ArrayBuffer[]): void {
  let total = shelf.reduce((n, b) => n + b.byteLength, 0);
  for (const b of buffers) if (total + b.byteLength <= SHELF_BYTES) { shelf.push(b); total += b.byteLength; }
}

/** `size` bytes, in a handed-back buffer when one is big enough. */
function outputBuffer(size: number): Uint8Array {
  const i = shelf.findIndex((b) => b.byteLength >= size);
  if (i >= 0) return new Uint8Array(shelf.splice(i, 1)[0], 0, size);
  // Rounded up so the buffer fits other frames of about this size when it comes back.
  return new Uint8Array(new ArrayBuffer(Math.ceil(size / 65536) * 65536), 0, size);
}

let scratch = new Uint8Array(1 << 20);
/** A whole file into this thread's reused buffer (valid until the next call). */
async function readReusing(path: string): Promise<Uint8Array> {
  const file = await FileSource.open(path);
  try {
    if (file.size > MAX_PNG_FILE) throw new ArtifactError('too_large', path, `image file of ${file.size} bytes (limit ${MAX_PNG_FILE})`);
    if (scratch.length < file.size) scratch = new Uint8Array(file.size);
    return await file.readInto(scratch, 0, file.size, 'image');
  } finally {
    await file.close();
  }
}

export async function runTask(task: GifTask): Promise<Uint8Array | Uint8Array[]> {
  switch (task.type) {
    case 'sample': return sample(task);
    case 'encode': return encodeBlock(task);
    case 'raw': return (await loadFrame(task.frame, task.width, task.height)).data;
  }
}
