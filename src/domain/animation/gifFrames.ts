// The work of one GIF block, shared by the worker threads and the in-thread fallback:
// load frames (decode, fit to the canvas, label), map them to the global palette, make
// pixels that did not change since the previous frame transparent, LZW-encode.
import { gifFrame, LzwCoder, type Rect } from './gifWriter';
import { ColorMapper } from './palette';
import { readPng } from '../artifacts/png';
import { drawLabel, fitToCanvas, labelSize, type Raster } from './raster';

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

/** `into`: a canvas-sized buffer to decode into, when the caller has one to reuse. */
export async function loadFrame(spec: Pick<FrameSpec, 'path' | 'label'>, width: number, height: number, into?: Uint8Array): Promise<Raster> {
  const img = await readPng(spec.path, undefined, into);
  const r = fitToCanvas({ width: img.width, height: img.height, data: img.data, opaque: img.opaque }, width, height);
  if (spec.label) {
    // Bottom right: the producers put titles top left.
    const scale = Math.max(1, Math.round(height / 250));
    const size = labelSize(spec.label, scale);
    drawLabel(r, spec.label, width - size.width - 4 * scale, height - size.height - 4 * scale, scale);
  }
  return r;
}

export async function sample(task: SampleTask): Promise<Uint8Array> {
  const r = await loadFrame({ path: task.path }, task.width, task.height);
  const n = Math.floor(r.data.length / 4 / task.every);
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) out.set(r.data.subarray(i * task.every * 4, i * task.every * 4 + 4), i * 4);
  return out;
}

/**
 * Indexes `rgba` against the palette into `out`, updating `shown` (the index on screen at
 * each pixel). A pixel becomes TRANSPARENT when the screen already shows its colour: cheaply
 * when its RGBA equals the previous frame's, else when it maps to the index already shown.
 * Returns the rectangle of pixels that are not transparent (undefined when none).
 */
function indexFrame(rgba: Uint8Array, prev: Uint8Array | undefined, shown: Uint8Array, mapper: ColorMapper, width: number, out: Uint8Array): Rect | undefined {
  const n = rgba.length >> 2;
  const height = n / width;
  const cur32 = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
  const prev32 = prev ? new Uint32Array(prev.buffer, prev.byteOffset, n) : undefined;
  let lastKey = -1, lastIndex = 0;
  let top = -1, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    const rowStart = y * width, rowEnd = rowStart + width;
    let first = -1, last = -1;
    for (let i = rowStart; i < rowEnd; i++) {
      if (prev32 && cur32[i] === prev32[i]) { out[i] = TRANSPARENT; continue; }
      const o = i << 2;
      const key = (rgba[o] << 16) | (rgba[o + 1] << 8) | rgba[o + 2];
      if (key !== lastKey) { lastKey = key; lastIndex = mapper.map(key); }
      if (prev32 && shown[i] === lastIndex) { out[i] = TRANSPARENT; continue; }
      out[i] = shown[i] = lastIndex;
      if (first < 0) first = i;
      last = i;
    }
    if (first >= 0) {
      if (top < 0) top = y;
      bottom = y;
      if (first - rowStart < left) left = first - rowStart;
      if (last - rowStart > right) right = last - rowStart;
    }
  }
  return top < 0 ? undefined : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** Encodes a block of frames; returns the GIF bytes of each frame (no header, no trailer). */
export async function encodeBlock(task: EncodeTask): Promise<Uint8Array[]> {
  const { width, height, palette } = task;
  const mapper = new ColorMapper(palette.slice(0, TRANSPARENT));
  const shown = new Uint8Array(width * height);
  const indexed = new Uint8Array(width * height);
  // A block starts with an opaque frame, so it never needs the frame before it: decoding
  // that again would cost more than the few extra bytes.
  let prev: Uint8Array | undefined;
  const out: Uint8Array[] = [];
  let spare: Uint8Array | undefined;
  for (const spec of task.frames) {
    const rgba = alignedCopy((await loadFrame(spec, width, height, spare)).data);
    const changed = indexFrame(rgba, prev, shown, mapper, width, indexed);
    // Nothing changed: a 1×1 transparent frame still carries the delay.
    const rect = changed ?? { left: 0, top: 0, width: 1, height: 1 };
    out.push(gifFrame(indexed, width, rect, { delayMs: spec.delayMs, transparentIndex: prev ? TRANSPARENT : undefined }, lzwCoder()));
    spare = prev;
    prev = rgba;
  }
  return out;
}

let coder: LzwCoder | undefined;
/** One coder per thread: its 2 MB table is reused by every frame. */
function lzwCoder(): LzwCoder {
  return (coder ??= new LzwCoder());
}

/** RGBA in its own 4-byte-aligned buffer (for 32-bit pixel comparisons). */
function alignedCopy(data: Uint8Array): Uint8Array {
  return data.byteOffset % 4 === 0 ? data : data.slice();
}

export async function runTask(task: GifTask): Promise<Uint8Array | Uint8Array[]> {
  switch (task.type) {
    case 'sample': return sample(task);
    case 'encode': return encodeBlock(task);
    case 'raw': return (await loadFrame(task.frame, task.width, task.height)).data;
  }
}
