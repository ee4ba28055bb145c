// One canvas's GIF frame pipeline in WebAssembly memory (kernels: wasm/gifcore.ts): PNG rows
// inflated, unfiltered and widened to RGBA in place, indexed against the previous frame,
// LZW-coded. Every buffer is laid out once per canvas and reused for every frame, so a
// worker's memory stays flat however many frames it encodes.
import gifcoreWasm from '../../../wasm/gifcore.wasm';
import { ArtifactError } from '../artifacts/errors';
import { inflatePngRows, pngRawSize, readPngChunks } from '../artifacts/png';
import type { Rect } from './gifWriter';

interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  unfilter(raw: number, zero: number, height: number, stride: number, bpp: number): number;
  rgbRowsToRgba(raw: number, height: number, width: number, out: number): void;
  rgbaRowsToRgba(raw: number, height: number, width: number, out: number): void;
  indexFrame(cur: number, prev: number, shown: number, out: number, lut: number, palette: number, count: number, width: number, height: number): void;
  lzw(indexed: number, stride: number, left: number, top: number, width: number, height: number, table: number, used: number, out: number): number;
  rectLeft: WebAssembly.Global;
  rectTop: WebAssembly.Global;
  rectRight: WebAssembly.Global;
  rectBottom: WebAssembly.Global;
  LUT_BYTES: WebAssembly.Global;
}

const PAGE = 65536;
const MAX_CODE = 4096;
/** Spare bytes after each buffer: the SIMD kernels read a little past the last pixel. */
const PAD = 64;

let compiled: WebAssembly.Module | undefined;

export class FrameCoder {
  private readonly k: Kernels;
  private readonly heap: Uint8Array;
  private readonly lut: number;
  private readonly table: number;
  private readonly used: number;
  private readonly palette: number;
  private readonly zero: number;
  private readonly raw: number;
  private cur: number;
  private prev: number;
  private readonly shown: number;
  private readonly indexed: number;
  private readonly codes: number;
  private hasPrev = false;
  private count = 0;
  private lutUsed = false;

  constructor(readonly width: number, readonly height: number) {
    compiled ??= new WebAssembly.Module(gifcoreWasm);
    this.k = new WebAssembly.Instance(compiled, {}).exports as unknown as Kernels;
    const pixels = width * height;
    let at = align(this.k.heapBase());
    const take = (bytes: number) => { const start = at; at = align(at + bytes + PAD); return start; };
    this.lut = take(this.k.LUT_BYTES.value as number); // pages never touched cost nothing
    this.table = take(MAX_CODE * 256 * 2);
    this.used = take(MAX_CODE * 4);
    this.palette = take(256 * 12);
    this.zero = take(width * 4);
    this.raw = take(height * (1 + width * 4) + 1); // 8-bit RGBA rows, one spare byte for inflatePngRows
    this.cur = take(pixels * 4);
    this.prev = take(pixels * 4);
    this.shown = take(pixels);
    this.indexed = take(pixels);
    this.codes = take(Math.ceil(pixels * 1.5) + 64); // 12 bits a pixel at worst, plus clears
    const memory = this.k.memory;
    const need = Math.ceil(at / PAGE) - memory.buffer.byteLength / PAGE;
    try {
      if (need > 0) memory.grow(need);
    } catch {
      throw new ArtifactError('too_large', '', `not enough memory to encode a ${width}×${height} canvas`);
    }
    this.heap = new Uint8Array(memory.buffer);
  }

  /**
   * Sets the palette: up to 255 RGB colours (index 255 is kept for transparency). Once frames
   * have been indexed, only the same colours are accepted (false: make another coder), since
   * the lookup table remembers the old ones.
   */
  usePalette(colours: readonly (readonly number[])[]): boolean {
    const p = new Int32Array(this.heap.buffer, this.palette, 255 * 3);
    const count = Math.min(255, colours.length);
    if (this.lutUsed) return count === this.count && colours.slice(0, count).every((c, i) => c[0] === p[i * 3] && c[1] === p[i * 3 + 1] && c[2] === p[i * 3 + 2]);
    for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) p[i * 3 + c] = colours[i][c];
    this.count = count;
    return true;
  }

  /** The current frame, RGBA: where the general path puts its pixels and labels are drawn. */
  frame(): Uint8Array {
    return this.heap.subarray(this.cur, this.cur + this.width * this.height * 4);
  }

  /**
   * Decodes a PNG straight into the current frame when it is the producers' layout (8-bit RGB
   * or RGBA, not interlaced) at the canvas size; false for anything else (use the general
   * decoder). Errors name `file`. RGBA may keep alpha below 255: the caller flattens.
   */
  decodePng(bytes: Uint8Array, file: string): { decoded: boolean; opaque: boolean } {
    const { info, trns, idat } = readPngChunks(bytes, file);
    const rgb = info.colorType === 2 && !trns, rgba = info.colorType === 6;
    if (info.bitDepth !== 8 || info.interlaced || !(rgb || rgba) || info.width !== this.width || info.height !== this.height) return { decoded: false, opaque: false };
    const rawSize = pngRawSize(info);
    inflatePngRows(idat, this.heap.subarray(this.raw), rawSize, file);
    const bpp = rgb ? 3 : 4;
    const bad = this.k.unfilter(this.raw, this.zero, this.height, this.width * bpp, bpp);
    if (bad >= 0) throw new ArtifactError('inconsistent', file, `PNG row ${bad} uses unknown filter ${this.heap[this.raw + bad * (1 + this.width * bpp)]}`);
    if (rgb) this.k.rgbRowsToRgba(this.raw, this.height, this.width, this.cur);
    else this.k.rgbaRowsToRgba(this.raw, this.height, this.width, this.cur);
    return { decoded: true, opaque: rgb };
  }

  /**
   * Maps the current frame to palette indices. After a previous frame, pixels the screen
   * already shows become `255` (transparent); returns the rectangle of the others.
   */
  index(): Rect | undefined {
    if (this.count === 0) throw new Error('FrameCoder: usePalette first');
    this.lutUsed = true;
    const k = this.k;
    k.indexFrame(this.cur, this.hasPrev ? this.prev : 0, this.shown, this.indexed, this.lut, this.palette, this.count, this.width, this.height);
    const top = k.rectTop.value as number;
    if (top < 0) return undefined;
    const left = k.rectLeft.value as number;
    return { left, top, width: (k.rectRight.value as number) - left + 1, height: (k.rectBottom.value as number) - top + 1 };
  }

  /** Palette indices of the last indexed frame (writable: tests and callers may fill it). */
  indices(): Uint8Array {
    return this.heap.subarray(this.indexed, this.indexed + this.width * this.height);
  }

  /** The LZW code stream (not yet in sub-blocks) of `rect` of the indices; valid until the next call. */
  lzw(rect: Rect): Uint8Array {
    const n = this.k.lzw(this.indexed, this.width, rect.left, rect.top, rect.width, rect.height, this.table, this.used, this.codes);
    return this.heap.subarray(this.codes, this.codes + n);
  }

  /** The current frame becomes the previous one. */
  advance(): void {
    [this.cur, this.prev] = [this.prev, this.cur];
    this.hasPrev = true;
  }

  /** The next frame is indexed on its own (opaque), as the first of a block. */
  restart(): void {
    this.hasPrev = false;
  }
}

function align(n: number): number {
  return (n + 63) & ~63;
}
