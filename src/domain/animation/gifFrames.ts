// The work of one GIF block, shared by the worker threads and the in-thread fallback:
// load frames (decode, fit to the canvas, label), map them to the global palette, make
// pixels that did not change since the previous frame transparent, LZW-encode.
import { GIFEncoder } from 'gifenc';
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
  /** The frame before the block (for transparency), or undefined for the first block. */
  previous?: FrameSpec;
  frames: FrameSpec[];
  /** The block starts the GIF: its first frame carries the global palette and loop. */
  first: boolean;
}

/** A frame as raw RGBA on the canvas (for WebM). */
export interface RawTask {
  type: 'raw';
  frame: Pick<FrameSpec, 'path' | 'label'>;
  width: number;
  height: number;
}

export type GifTask = SampleTask | EncodeTask | RawTask;

export async function loadFrame(spec: Pick<FrameSpec, 'path' | 'label'>, width: number, height: number): Promise<Raster> {
  const img = await readPng(spec.path);
  const r = fitToCanvas({ width: img.width, height: img.height, data: img.data }, width, height);
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
 * Indexes `rgba` against the palette, updating `shown` (the index on screen at each pixel).
 * A pixel becomes TRANSPARENT when the screen already shows its colour: cheaply when its
 * RGBA equals the previous frame's, else when it maps to the index already shown.
 */
function indexFrame(rgba: Uint8Array, prev: Uint8Array | undefined, shown: Uint8Array, mapper: ColorMapper): Uint8Array {
  const n = rgba.length >> 2;
  const out = new Uint8Array(n);
  const cur32 = new Uint32Array(rgba.buffer, rgba.byteOffset, n);
  const prev32 = prev ? new Uint32Array(prev.buffer, prev.byteOffset, n) : undefined;
  let lastKey = -1, lastIndex = 0;
  for (let i = 0; i < n; i++) {
    if (prev32 && cur32[i] === prev32[i]) { out[i] = TRANSPARENT; continue; }
    const o = i << 2;
    const key = (rgba[o] << 16) | (rgba[o + 1] << 8) | rgba[o + 2];
    if (key !== lastKey) { lastKey = key; lastIndex = mapper.map(key); }
    if (prev32 && shown[i] === lastIndex) out[i] = TRANSPARENT;
    else out[i] = shown[i] = lastIndex;
  }
  return out;
}

/** Encodes a block of frames; returns the GIF bytes of each frame (no header, no trailer). */
export async function encodeBlock(task: EncodeTask): Promise<Uint8Array[]> {
  const { width, height, palette } = task;
  const mapper = new ColorMapper(palette.slice(0, TRANSPARENT));
  const shown = new Uint8Array(width * height);
  let prev: Uint8Array | undefined;
  if (task.previous) {
    // What the previous block left on screen: its last frame, fully indexed.
    prev = alignedCopy((await loadFrame(task.previous, width, height)).data);
    indexFrame(prev, undefined, shown, mapper);
  }
  const out: Uint8Array[] = [];
  for (let k = 0; k < task.frames.length; k++) {
    const spec = task.frames[k];
    const rgba = alignedCopy((await loadFrame(spec, width, height)).data);
    const encoded = indexFrame(rgba, prev, shown, mapper);
    const gif = GIFEncoder({ auto: false, initialCapacity: width * height });
    const first = task.first && k === 0;
    gif.writeFrame(encoded, width, height, {
      first,
      palette: first ? palette : undefined,
      repeat: 0,
      delay: spec.delayMs,
      transparent: !!prev,
      transparentIndex: TRANSPARENT,
      dispose: 1, // keep the previous frame under transparent pixels
    });
    out.push(gif.bytes());
    prev = rgba;
  }
  return out;
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
