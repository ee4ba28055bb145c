// GIF frame kernels in AssemblyScript (compiled to WebAssembly with SIMD by scripts/lib/wasm.mjs):
// PNG row unfiltering, RGB to RGBA, palette indexing against the previous frame, and LZW.
// All buffers live in this module's memory at offsets the JavaScript side lays out; nothing
// here allocates.

// ---- PNG unfiltering ------------------------------------------------------------------

/**
 * Reverses the filters of `height` rows at `raw` (each a filter byte then `stride` bytes),
 * in place. `zero` is `stride` zero bytes: the row "above" the first one. Returns -1, or the
 * index of the first row with an unknown filter type.
 */
export function unfilter(raw: usize, zero: usize, height: i32, stride: i32, bpp: i32): i32 {
  let above = zero;
  const rowLen = <usize>stride + 1;
  for (let y = 0; y < height; y++) {
    const at = raw + <usize>y * rowLen;
    const s = at + 1;
    switch (load<u8>(at)) {
      case 0: break;
      case 1: subRow(s, stride, bpp); break;
      case 2: upRow(s, above, stride); break;
      case 3: avgRow(s, above, stride, bpp); break;
      case 4:
        if ((bpp == 3 || bpp == 4) && stride % bpp == 0) paethPixels(s, above, stride, bpp);
        else paethBytes(s, above, stride, bpp);
        break;
      default: return y;
    }
    above = s;
  }
  return -1;
}

function subRow(s: usize, stride: i32, bpp: i32): void {
  const end = s + <usize>stride;
  for (let p = s + <usize>bpp; p < end; p++) store<u8>(p, load<u8>(p) + load<u8>(p - bpp));
}

function upRow(s: usize, above: usize, stride: i32): void {
  let i: usize = 0;
  const n = <usize>stride;
  for (; i + 16 <= n; i += 16) v128.store(s + i, i8x16.add(v128.load(s + i), v128.load(above + i)));
  for (; i < n; i++) store<u8>(s + i, load<u8>(s + i) + load<u8>(above + i));
}

function avgRow(s: usize, above: usize, stride: i32, bpp: i32): void {
  const n = <usize>stride, b = <usize>bpp;
  for (let i: usize = 0; i < b && i < n; i++) store<u8>(s + i, load<u8>(s + i) + (load<u8>(above + i) >> 1));
  for (let i = b; i < n; i++) store<u8>(s + i, load<u8>(s + i) + <u8>((<u32>load<u8>(s + i - b) + <u32>load<u8>(above + i)) >> 1));
}

function paethBytes(s: usize, above: usize, stride: i32, bpp: i32): void {
  const n = <usize>stride, b = <usize>bpp;
  for (let i: usize = 0; i < n; i++) {
    const a: i32 = i >= b ? load<u8>(s + i - b) : 0;
    const up: i32 = load<u8>(above + i);
    const c: i32 = i >= b ? load<u8>(above + i - b) : 0;
    const pa = abs(up - c), pb = abs(a - c), pc = abs(a + up - c - c);
    const pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
    store<u8>(s + i, load<u8>(s + i) + <u8>pred);
  }
}

/** Paeth for 8-bit RGB/RGBA: one pixel a step, its channels side by side in 16-bit lanes. */
function paethPixels(s: usize, above: usize, stride: i32, bpp: i32): void {
  let a = i16x8.splat(0), c = i16x8.splat(0);
  const mask = i16x8.splat(255);
  const end = s + <usize>stride;
  const offset = above - s;
  for (let p = s; p < end; p += <usize>bpp) {
    // 4-byte loads read one byte past an RGB pixel: its lane is never stored.
    const b = i16x8.extend_low_i8x16_u(v128.load32_zero(p + offset));
    const x = i16x8.extend_low_i8x16_u(v128.load32_zero(p));
    const pa = i16x8.abs(i16x8.sub(b, c));
    const pb = i16x8.abs(i16x8.sub(a, c));
    const pc = i16x8.abs(i16x8.sub(i16x8.add(a, b), i16x8.add(c, c)));
    const useA = v128.and(i16x8.le_s(pa, pb), i16x8.le_s(pa, pc));
    const pred = v128.bitselect(a, v128.bitselect(b, c, i16x8.le_s(pb, pc)), useA);
    a = v128.and(i16x8.add(x, pred), mask);
    const packed = i8x16.narrow_i16x8_u(a, a);
    if (bpp == 4) v128.store32_lane(p, packed, 0);
    else { v128.store16_lane(p, packed, 0); v128.store8_lane(p + 2, packed, 2); }
    c = b;
  }
}

// ---- Pixels ---------------------------------------------------------------------------

/** Unfiltered 8-bit RGB rows (after their filter bytes) to opaque RGBA at `out`. */
export function rgbRowsToRgba(raw: usize, height: i32, width: i32, out: usize): void {
  const stride = <usize>width * 3;
  // bytes 0-2, 3-5, 6-8, 9-11 of the source into pixels; alpha lanes read zero (index ≥ 16)
  const shuffle = v128(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
  const alpha = i32x4.splat(0xff000000);
  for (let y = 0; y < height; y++) {
    const src = raw + <usize>y * (stride + 1) + 1;
    const dst = out + <usize>y * <usize>width * 4;
    let x = 0;
    // 16-byte loads: stop while 4 spare bytes remain in the row.
    for (; x + 6 <= width; x += 4) {
      v128.store(dst + <usize>x * 4, v128.or(i8x16.swizzle(v128.load(src + <usize>x * 3), shuffle), alpha));
    }
    for (; x < width; x++) {
      const p = src + <usize>x * 3;
      store<u32>(dst + <usize>x * 4, <u32>load<u8>(p) | (<u32>load<u8>(p + 1) << 8) | (<u32>load<u8>(p + 2) << 16) | 0xff000000);
    }
  }
}

/** Unfiltered 8-bit RGBA rows to packed RGBA at `out`. */
export function rgbaRowsToRgba(raw: usize, height: i32, width: i32, out: usize): void {
  const stride = <usize>width * 4;
  for (let y = 0; y < height; y++) memory.copy(out + <usize>y * stride, raw + <usize>y * (stride + 1) + 1, stride);
}

// ---- Palette indexing -----------------------------------------------------------------

const TRANSPARENT: u8 = 255;

/** Changed rectangle of the last indexFrame: left, top, right, bottom (inclusive); top -1 when none. */
export let rectLeft = 0, rectTop = -1, rectRight = -1, rectBottom = -1;

/**
 * Maps RGBA pixels at `cur` to palette indices at `out`, keeping `shown` (what the screen
 * shows at each pixel) current. With a previous frame (`prev` ≠ 0), pixels the screen
 * already shows become TRANSPARENT. `lut` is the colour cache (LUT_BYTES, zeroed before
 * first use), `palette` `count` × (r, g, b) i32 triples.
 */
export function indexFrame(cur: usize, prev: usize, shown: usize, out: usize, lut: usize, palette: usize, count: i32, width: i32, height: i32): void {
  let top = -1, bottom = -1, left = width, right = -1;
  const w = <usize>width;
  for (let y = 0; y < height; y++) {
    const row = <usize>y * w;
    let first = -1, last = -1;
    let x: usize = 0;
    while (x < w) {
      const i = row + x;
      if (prev != 0) {
        // four unchanged pixels at once
        if (x + 4 <= w && i32x4.all_true(i32x4.eq(v128.load(cur + i * 4), v128.load(prev + i * 4)))) {
          store<u32>(out + i, 0xffffffff);
          x += 4;
          continue;
        }
        if (load<u32>(cur + i * 4) == load<u32>(prev + i * 4)) { store<u8>(out + i, TRANSPARENT); x++; continue; }
      }
      const index = lookup(load<u32>(cur + i * 4) & 0xffffff, lut, palette, count);
      if (prev != 0 && load<u8>(shown + i) == index) { store<u8>(out + i, TRANSPARENT); x++; continue; }
      store<u8>(out + i, index);
      store<u8>(shown + i, index);
      if (first < 0) first = <i32>x;
      last = <i32>x;
      x++;
    }
    if (first >= 0) {
      if (top < 0) top = y;
      bottom = y;
      if (first < left) left = first;
      if (last > right) right = last;
    }
  }
  rectLeft = left; rectTop = top; rectRight = right; rectBottom = bottom;
}

// The colour cache: RGB in 4×4×4 blocks of 64 bytes (index + 1; 0 = not looked up yet),
// made on first use. A plot's ~100,000 colours fill ~20,000 blocks (about 1 MB); a flat
// 2^24-byte table would touch ~10 MB of pages for the same colours.
const TOP_ENTRIES = 1 << 18;
export const LUT_BYTES: i32 = TOP_ENTRIES * 4 + TOP_ENTRIES * 64;
let nextBlock: usize = 0;

@inline function lookup(rgb: u32, lut: usize, palette: usize, count: i32): u8 {
  const top = lut + <usize>((((rgb >> 18) & 63) << 12) | (((rgb >> 10) & 63) << 6) | ((rgb >> 2) & 63)) * 4;
  let block = <usize>load<u32>(top);
  if (block == 0) {
    if (nextBlock == 0) nextBlock = lut + TOP_ENTRIES * 4;
    block = nextBlock;
    nextBlock += 64;
    store<u32>(top, <u32>block);
  }
  const at = block + <usize>(((rgb >> 16) & 3) << 4 | ((rgb >> 8) & 3) << 2 | (rgb & 3));
  let v = load<u8>(at);
  if (v == 0) { v = <u8>(nearest(<i32>rgb, palette, count) + 1); store<u8>(at, v); }
  return v - 1;
}

/** The nearest palette colour to little-endian `rgb` (r in the low byte), roughly perceptual weights. */
function nearest(rgb: i32, palette: usize, count: i32): i32 {
  const r = rgb & 255, g = (rgb >> 8) & 255, b = (rgb >> 16) & 255;
  let best = 0, bestD = i32.MAX_VALUE;
  for (let i = 0; i < count; i++) {
    const p = palette + <usize>i * 12;
    const dr = r - load<i32>(p), dg = g - load<i32>(p, 4), db = b - load<i32>(p, 8);
    const d = dr * dr * 2 + dg * dg * 4 + db * db * 3;
    if (d < bestD) { bestD = d; best = i; if (d == 0) break; }
  }
  return best;
}

// ---- LZW ------------------------------------------------------------------------------

const MIN_CODE_SIZE = 8;
const CLEAR = 1 << MIN_CODE_SIZE;
const EOI = CLEAR + 1;
const MAX_CODE = 4096;

/**
 * The GIF LZW code stream (before sub-blocking) of the `rectW`×`rectH` pixels at `left`,
 * `top` of `indexed` (`stride` a row), written at `out`; returns its length. `table` is
 * MAX_CODE × 256 u16 entries, all zero (left zero on return); `used` MAX_CODE i32s.
 * Keys are pixel-major (pixel << 12 | code), so runs of one index stay in one 8 KB stretch.
 */
export function lzw(indexed: usize, stride: i32, left: i32, top: i32, rectW: i32, rectH: i32, table: usize, used: usize, out: usize): i32 {
  let usedCount = 0;
  let pos = out;
  let acc: u64 = CLEAR, bits: u32 = MIN_CODE_SIZE + 1;
  let codeSize: u32 = MIN_CODE_SIZE + 1;
  let nextCode = EOI + 1;
  let cur: u32 = load<u8>(indexed + <usize>top * stride + left);
  let skipFirst = true;
  for (let y = top, end = top + rectH; y < end; y++) {
    let i = indexed + <usize>y * stride + left;
    const rowEnd = i + <usize>rectW;
    if (skipFirst) { i++; skipFirst = false; }
    for (; i < rowEnd; i++) {
      const k: u32 = load<u8>(i);
      const key = <usize>((k << 12) | cur);
      const found: u32 = load<u16>(table + key * 2);
      if (found != 0) { cur = found; continue; }
      acc |= <u64>cur << bits; bits += codeSize;
      if (bits >= 32) { store<u32>(pos, <u32>acc); pos += 4; acc >>= 32; bits -= 32; }
      if (nextCode == MAX_CODE) {
        acc |= <u64>CLEAR << bits; bits += codeSize;
        if (bits >= 32) { store<u32>(pos, <u32>acc); pos += 4; acc >>= 32; bits -= 32; }
        for (let u = 0; u < usedCount; u++) store<u16>(table + <usize>load<i32>(used + <usize>u * 4) * 2, 0);
        usedCount = 0;
        nextCode = EOI + 1;
        codeSize = MIN_CODE_SIZE + 1;
      } else {
        if (nextCode >= (1 << codeSize)) codeSize++;
        store<u16>(table + key * 2, <u16>nextCode);
        store<i32>(used + <usize>usedCount * 4, <i32>key);
        usedCount++;
        nextCode++;
      }
      cur = k;
    }
  }
  acc |= <u64>cur << bits; bits += codeSize;
  if (bits >= 32) { store<u32>(pos, <u32>acc); pos += 4; acc >>= 32; bits -= 32; }
  acc |= <u64>EOI << bits; bits += codeSize;
  while (bits > 0) { store<u8>(pos, <u8>acc); pos++; acc >>= 8; bits = bits > 8 ? bits - 8 : 0; }
  for (let u = 0; u < usedCount; u++) store<u16>(table + <usize>load<i32>(used + <usize>u * 4) * 2, 0);
  return <i32>(pos - out);
}

/** Where the JavaScript side may start laying out buffers. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
