// PNG to RGBA8: colour types gray, RGB, palette, gray+alpha, RGBA; bit depths 1–16;
// Adam7 interlacing; tRNS transparency. Dimensions are checked before allocating and the
// inflated size is bounded by what the dimensions imply, so a lying header cannot eat memory.
import { crc32 } from 'node:zlib';
import { ArtifactError } from './errors';
import { withFile, type ByteSource } from './source';
import { inflateInto } from './inflate';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Largest image decoded, in pixels (64 megapixels: 256 MiB of RGBA). */
export const MAX_PIXELS = 64 * 1024 * 1024;

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, row-major RGBA. 16-bit samples are reduced to their high byte. */
  data: Uint8Array;
  /** Every alpha is 255 by the format (no alpha channel, no tRNS), so nobody needs to check. */
  opaque?: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const ADAM7 = [ // [x0, y0, dx, dy]
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
];

export interface PngChunks {
  info: PngInfo;
  palette?: Uint8Array;
  trns?: Uint8Array;
  /** The IDAT bodies in order: together one zlib stream. */
  idat: Uint8Array[];
}

/**
 * Known ancillary chunks' lengths: exact, or [minimum]. libpng refuses them otherwise (its
 * crashers include every one of these empty), and so does Run Reel.
 */
const ANCILLARY_LENGTH: Record<string, number | [number]> = {
  gAMA: 4, cHRM: 32, sRGB: 1, pHYs: 9, tIME: 7, bKGD: [1], hIST: [2], sBIT: [1], iCCP: [3], iTXt: [5], tEXt: [1], zTXt: [3],
  pCAL: [10], sCAL: [4], sPLT: [4], eXIf: [1], cICP: 4, cLLI: 8, mDCV: 24,
};

/**
 * Walks the chunks up to IEND; refuses what decoding could not use. As image-png does, a bad
 * CRC on an ancillary chunk skips that chunk and one on a critical chunk refuses the file.
 */
export function readPngChunks(bytes: Uint8Array, file: string, maxPixels = MAX_PIXELS): PngChunks {
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== PNG_SIGNATURE[i]) throw new ArtifactError(bytes.length < 8 ? 'truncated' : 'bad_magic', file, 'not a PNG file (signature missing)');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let info: PngInfo | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  let previous = '';
  while (pos + 8 <= bytes.length) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (len > 0x7fffffff) throw new ArtifactError('inconsistent', file, `PNG chunk ${type} claims ${len} bytes`);
    if (pos + 12 + len > bytes.length) throw new ArtifactError('truncated', file, `PNG chunk ${type} needs ${len} bytes, the file ends first`);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    const critical = (bytes[pos + 4] & 0x20) === 0;
    if ((crc32(bytes.subarray(pos + 4, pos + 8 + len)) >>> 0) !== dv.getUint32(pos + 8 + len)) {
      if (critical) throw new ArtifactError('inconsistent', file, `PNG chunk ${type} fails its CRC check`);
      pos += 12 + len; // an ancillary chunk that fails its CRC is skipped
      continue;
    }
    const want = ANCILLARY_LENGTH[type];
    if (want !== undefined && (Array.isArray(want) ? len < want[0] : len !== want)) {
      throw new ArtifactError('bad_header', file, `PNG chunk ${type} is ${len} bytes (it must be ${Array.isArray(want) ? `at least ${want[0]}` : want})`);
    }
    if (type === 'IDAT' && idat.length > 0 && previous !== 'IDAT') throw new ArtifactError('bad_header', file, 'PNG image data (IDAT) is split by other chunks; it must be consecutive');
    previous = type;
    if (type === 'IHDR') {
      if (len < 13) throw new ArtifactError('bad_header', file, 'PNG IHDR is too short');
      const b = new DataView(body.buffer, body.byteOffset, 13);
      info = { width: b.getUint32(0), height: b.getUint32(4), bitDepth: body[8], colorType: body[9], interlaced: body[12] === 1 };
      if (info.width === 0 || info.height === 0) throw new ArtifactError('bad_header', file, `PNG is ${info.width}×${info.height}`);
      if (!(info.colorType in CHANNELS) || !VALID_DEPTHS[info.colorType].includes(info.bitDepth)) throw new ArtifactError('bad_header', file, `PNG colour type ${info.colorType} with bit depth ${info.bitDepth} is invalid`);
      if (body[10] !== 0 || body[11] !== 0 || body[12] > 1) throw new ArtifactError('unsupported', file, 'PNG uses an unknown compression, filter or interlace method');
      if (info.width * info.height > maxPixels) throw new ArtifactError('too_large', file, `PNG is ${info.width}×${info.height} (${info.width * info.height} pixels, limit ${maxPixels})`);
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') trns = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') { ended = true; break; }
    pos += 12 + len;
  }
  if (!info) throw new ArtifactError(bytes.length < 33 ? 'truncated' : 'bad_header', file, 'PNG has no IHDR');
  if (idat.length === 0) throw new ArtifactError('truncated', file, 'PNG has no image data');
  if (!ended) throw new ArtifactError('truncated', file, 'PNG ends before IEND (cut off, or still being written)');
  if (info.colorType === 3 && !palette) throw new ArtifactError('bad_header', file, 'palette PNG without PLTE');
  return { info, palette, trns, idat };
}

/** Bytes of the filtered rows (a filter byte per row) the image data must inflate to. */
export function pngRawSize(info: PngInfo): number {
  const bpp = CHANNELS[info.colorType] * info.bitDepth;
  let size = 0;
  for (const [x0, y0, dx, dy] of info.interlaced ? ADAM7 : [[0, 0, 1, 1]]) {
    const pw = Math.ceil((info.width - x0) / dx), ph = Math.ceil((info.height - y0) / dy);
    if (pw > 0 && ph > 0) size += ph * (1 + Math.ceil((pw * bpp) / 8));
  }
  return size;
}

/**
 * Inflates the image data into `out` (at least `rawSize` + 1 bytes: the spare byte tells a
 * stream that is too long), or raises the decoder's error naming `file`.
 */
export function inflatePngRows(idat: readonly Uint8Array[], out: Uint8Array, rawSize: number, file: string): void {
  const result = inflateInto(idat, out.subarray(0, rawSize + 1));
  if (result.ok && result.bytes === rawSize) return;
  if (result.ok) throw new ArtifactError('truncated', file, `PNG data is ${result.bytes} bytes, ${rawSize} expected`);
  if (result.reason === 'too_long') throw new ArtifactError('inconsistent', file, `PNG data inflates beyond the ${rawSize} bytes its dimensions allow`);
  throw new ArtifactError(result.reason === 'truncated' ? 'truncated' : 'inconsistent', file, `PNG data does not inflate: ${result.message}`);
}

export function decodePng(bytes: Uint8Array, file: string, maxPixels = MAX_PIXELS): RgbaImage & PngInfo {
  const { info, palette, trns, idat } = readPngChunks(bytes, file, maxPixels);
  const { width, height, bitDepth, colorType } = info;
  const bpp = CHANNELS[colorType] * bitDepth; // bits per pixel
  const passes = info.interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const rawSize = pngRawSize(info);
  const bytesRaw = new Uint8Array(rawSize + 1);
  inflatePngRows(idat, bytesRaw, rawSize, file);

  const out = new Uint8Array(width * height * 4);
  const bytesPerPixel = Math.max(1, bpp >> 3);
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx), ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * bpp) / 8);
    for (let y = 0; y < ph; y++) {
      // Unfiltered in place: each row's bytes follow its filter byte in `raw`.
      unfilter(bytesRaw, offset, stride, bytesPerPixel, y > 0, file);
      const line = bytesRaw.subarray(offset + 1, offset + 1 + stride);
      offset += 1 + stride;
      const rowStart = (y0 + y * dy) * width;
      if (dx === 1 && bitDepth === 8 && (colorType === 6 || (colorType === 2 && !trns))) {
        copyRow8(out, rowStart * 4, line, pw, colorType === 6 ? 4 : 3);
      } else {
        for (let x = 0; x < pw; x++) writePixel(out, (rowStart + x0 + x * dx) * 4, line, x, info, palette, trns);
      }
    }
  }
  return { ...info, data: out, opaque: (colorType === 0 || colorType === 2) && !trns };
}

/** The common producer layouts (8-bit RGB, RGBA), copied without per-pixel calls. */
function copyRow8(out: Uint8Array, at: number, line: Uint8Array, width: number, channels: 3 | 4): void {
  if (channels === 4) {
    out.set(line.subarray(0, width * 4), at);
    return;
  }
  for (let x = 0, i = 0, o = at; x < width; x++, i += 3, o += 4) {
    out[o] = line[i]; out[o + 1] = line[i + 1]; out[o + 2] = line[i + 2]; out[o + 3] = 255;
  }
}

/**
 * Reverses the filter of the row at `raw[at]` (filter byte, then `stride` bytes) in place;
 * the row above, already unfiltered, ends just before it. `hasPrev` is false on a pass's
 * first row, where "above" is zeros.
 */
function unfilter(raw: Uint8Array, at: number, stride: number, bpp: number, hasPrev: boolean, file: string): void {
  const s = at + 1, e = s + stride, up = stride + 1;
  switch (raw[at]) {
    case 0: return;
    case 1: for (let i = s + bpp; i < e; i++) raw[i] = (raw[i] + raw[i - bpp]) & 0xff; return;
    case 2: if (hasPrev) for (let i = s; i < e; i++) raw[i] = (raw[i] + raw[i - up]) & 0xff; return;
    case 3:
      if (!hasPrev) { for (let i = s + bpp; i < e; i++) raw[i] = (raw[i] + (raw[i - bpp] >> 1)) & 0xff; return; }
      for (let i = s; i < s + bpp && i < e; i++) raw[i] = (raw[i] + (raw[i - up] >> 1)) & 0xff;
      for (let i = s + bpp; i < e; i++) raw[i] = (raw[i] + ((raw[i - bpp] + raw[i - up]) >> 1)) & 0xff;
      return;
    case 4:
      // Paeth with no row above predicts from the left only (b = c = 0).
      if (!hasPrev) { for (let i = s + bpp; i < e; i++) raw[i] = (raw[i] + raw[i - bpp]) & 0xff; return; }
      if ((bpp === 3 || bpp === 4) && stride % bpp === 0) { paethPixels(raw, s, e, up, bpp); return; }
      for (let i = s; i < s + bpp && i < e; i++) raw[i] = (raw[i] + raw[i - up]) & 0xff; // a = c = 0 picks b
      for (let i = s + bpp; i < e; i++) raw[i] = (raw[i] + paeth(raw[i - bpp], raw[i - up], raw[i - up - bpp])) & 0xff;
      return;
    default:
      throw new ArtifactError('inconsistent', file, `PNG row uses unknown filter ${raw[at]}`);
  }
}

function paeth(a: number, b: number, c: number): number {
  let pa = b - c, pb = a - c, pc = pa + pb;
  pa = pa < 0 ? -pa : pa; pb = pb < 0 ? -pb : pb; pc = pc < 0 ? -pc : pc;
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Paeth for 8-bit RGB / RGBA rows, channel by channel with left and upper-left kept in locals. */
function paethPixels(raw: Uint8Array, s: number, e: number, up: number, bpp: number): void {
  for (let ch = 0; ch < bpp; ch++) {
    let a = 0, c = 0;
    for (let i = s + ch; i < e; i += bpp) {
      const b = raw[i - up];
      let pa = b - c, pb = a - c, pc = pa + pb;
      pa = pa < 0 ? -pa : pa; pb = pb < 0 ? -pb : pb; pc = pc < 0 ? -pc : pc;
      a = (raw[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      raw[i] = a;
      c = b;
    }
  }
}

function sample(line: Uint8Array, index: number, depth: number): number {
  if (depth === 8) return line[index];
  if (depth === 16) return line[index * 2]; // high byte
  const perByte = 8 / depth;
  const byte = line[Math.floor(index / perByte)];
  const shift = 8 - depth * ((index % perByte) + 1);
  return (byte >> shift) & ((1 << depth) - 1);
}

function sample16(line: Uint8Array, index: number): number {
  return (line[index * 2] << 8) | line[index * 2 + 1];
}

function writePixel(out: Uint8Array, at: number, line: Uint8Array, x: number, info: PngInfo, palette?: Uint8Array, trns?: Uint8Array): void {
  const { colorType, bitDepth } = info;
  switch (colorType) {
    case 0: {
      const v = sample(line, x, bitDepth);
      const g = bitDepth >= 8 ? v : Math.round((v * 255) / ((1 << bitDepth) - 1));
      out[at] = out[at + 1] = out[at + 2] = g;
      const key = trns && trns.length >= 2 ? (trns[0] << 8) | trns[1] : -1;
      out[at + 3] = (bitDepth === 16 ? sample16(line, x) : v) === key ? 0 : 255;
      return;
    }
    case 2: {
      for (let c = 0; c < 3; c++) out[at + c] = sample(line, x * 3 + c, bitDepth);
      let transparent = false;
      if (trns && trns.length >= 6) {
        transparent = true;
        for (let c = 0; c < 3; c++) {
          const v = bitDepth === 16 ? sample16(line, x * 3 + c) : line[x * 3 + c];
          if (v !== ((trns[c * 2] << 8) | trns[c * 2 + 1])) transparent = false;
        }
      }
      out[at + 3] = transparent ? 0 : 255;
      return;
    }
    case 3: {
      const i = sample(line, x, bitDepth);
      const p = palette!;
      if (i * 3 + 2 < p.length) { out[at] = p[i * 3]; out[at + 1] = p[i * 3 + 1]; out[at + 2] = p[i * 3 + 2]; }
      out[at + 3] = trns && i < trns.length ? trns[i] : 255;
      return;
    }
    case 4: {
      const g = sample(line, x * 2, bitDepth);
      out[at] = out[at + 1] = out[at + 2] = g;
      out[at + 3] = sample(line, x * 2 + 1, bitDepth);
      return;
    }
    case 6:
      for (let c = 0; c < 4; c++) out[at + c] = sample(line, x * 4 + c, bitDepth);
      return;
  }
}

/** Reads only the IHDR: dimensions without decoding. */
export async function readPngInfoFrom(src: ByteSource): Promise<PngInfo> {
  const head = await src.read(0, Math.min(src.size, 33), 'PNG header');
  for (let i = 0; i < 8; i++) if (head[i] !== PNG_SIGNATURE[i]) throw new ArtifactError(head.length < 8 ? 'truncated' : 'bad_magic', src.name, 'not a PNG file (signature missing)');
  if (head.length < 33 || String.fromCharCode(...head.subarray(12, 16)) !== 'IHDR') throw new ArtifactError(head.length < 33 ? 'truncated' : 'bad_header', src.name, 'PNG has no IHDR');
  const dv = new DataView(head.buffer, head.byteOffset, 33);
  return { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: head[24], colorType: head[25], interlaced: head[28] === 1 };
}

/** Files over this are refused before reading: a frame this big is not a PNG the producers write. */
export const MAX_PNG_FILE = 512 << 20;

export async function readPng(path: string, maxPixels = MAX_PIXELS): Promise<RgbaImage & PngInfo> {
  return withFile(path, async (src) => {
    const info = await readPngInfoFrom(src);
    if (info.width * info.height > maxPixels) throw new ArtifactError('too_large', path, `PNG is ${info.width}×${info.height} (${info.width * info.height} pixels, limit ${maxPixels})`);
    if (src.size > MAX_PNG_FILE) throw new ArtifactError('too_large', path, `PNG file of ${src.size} bytes (limit ${MAX_PNG_FILE})`);
    return decodePng(await src.read(0, src.size, 'PNG'), path, maxPixels);
  });
}
