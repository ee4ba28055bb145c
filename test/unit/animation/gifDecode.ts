// A small GIF decoder for tests and the benchmark: LZW, global/local colour tables,
// transparency and disposal, composited to full RGBA frames as a viewer shows them.
export interface DecodedGif {
  width: number;
  height: number;
  loop: number | undefined;
  frames: { rgba: Uint8Array; delayMs: number }[];
}

function lzw(data: Uint8Array, minCodeSize: number, pixelCount: number): Uint8Array {
  const out = new Uint8Array(pixelCount);
  const clear = 1 << minCodeSize, eoi = clear + 1;
  let codeSize = minCodeSize + 1, next = eoi + 1;
  const prefix = new Int32Array(4096), suffix = new Uint8Array(4096), length = new Int32Array(4096);
  for (let i = 0; i < clear; i++) { prefix[i] = -1; suffix[i] = i; length[i] = 1; }
  let bits = 0, acc = 0, pos = 0, prev = -1, o = 0;
  const emit = (code: number) => {
    const len = length[code];
    let c = code;
    for (let k = len - 1; k >= 0; k--) { if (o + k < pixelCount) out[o + k] = suffix[c]; c = prefix[c]; }
    o += len;
  };
  const first = (code: number) => { let c = code; while (prefix[c] !== -1) c = prefix[c]; return suffix[c]; };
  while (pos < data.length || bits >= codeSize) {
    while (bits < codeSize && pos < data.length) { acc |= data[pos++] << bits; bits += 8; }
    if (bits < codeSize) break;
    const code = acc & ((1 << codeSize) - 1);
    acc >>>= codeSize; bits -= codeSize;
    if (code === clear) { codeSize = minCodeSize + 1; next = eoi + 1; prev = -1; continue; }
    if (code === eoi) break;
    if (prev === -1) { emit(code); prev = code; continue; }
    if (code < next) {
      emit(code);
      if (next < 4096) { prefix[next] = prev; suffix[next] = first(code); length[next] = length[prev] + 1; next++; }
    } else {
      const f = first(prev);
      if (next < 4096) { prefix[next] = prev; suffix[next] = f; length[next] = length[prev] + 1; next++; }
      emit(code);
    }
    prev = code;
    if (next === 1 << codeSize && codeSize < 12) codeSize++;
  }
  return out;
}

export function decodeGif(b: Uint8Array): DecodedGif {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (String.fromCharCode(...b.subarray(0, 6)) !== 'GIF89a' && String.fromCharCode(...b.subarray(0, 6)) !== 'GIF87a') throw new Error('not a GIF');
  const width = dv.getUint16(6, true), height = dv.getUint16(8, true);
  const flags = b[10];
  let p = 13;
  let global: Uint8Array | undefined;
  if (flags & 0x80) { const n = 3 * (1 << ((flags & 7) + 1)); global = b.subarray(p, p + n); p += n; }
  const canvas = new Uint8Array(width * height * 4);
  const frames: DecodedGif['frames'] = [];
  let loop: number | undefined;
  let delay = 0, transparent = -1, dispose = 0;
  const subBlocks = () => { const parts: Uint8Array[] = []; while (b[p] !== 0) { parts.push(b.subarray(p + 1, p + 1 + b[p])); p += 1 + b[p]; } p++; const all = new Uint8Array(parts.reduce((n, x) => n + x.length, 0)); let o = 0; for (const x of parts) { all.set(x, o); o += x.length; } return all; };
  while (p < b.length) {
    const t = b[p++];
    if (t === 0x3b) break;
    if (t === 0x21) {
      const label = b[p++];
      if (label === 0xf9) { const d = subBlocks(); dispose = (d[0] >> 2) & 7; delay = (d[1] | (d[2] << 8)) * 10; transparent = d[0] & 1 ? d[3] : -1; }
      else if (label === 0xff) { const d = subBlocks(); if (String.fromCharCode(...d.subarray(0, 8)) === "NETSCAPE" && d.length >= 14) loop = d[12] | (d[13] << 8); }
      else subBlocks();
      continue;
    }
    if (t !== 0x2c) throw new Error(`unexpected block 0x${t.toString(16)} at ${p - 1}`);
    const x = dv.getUint16(p, true), y = dv.getUint16(p + 2, true), w = dv.getUint16(p + 4, true), h = dv.getUint16(p + 6, true), f = b[p + 8];
    p += 9;
    let table = global!;
    if (f & 0x80) { const n = 3 * (1 << ((f & 7) + 1)); table = b.subarray(p, p + n); p += n; }
    if (f & 0x40) throw new Error('interlaced GIF frames are not expected here');
    const minCode = b[p++];
    const idx = lzw(subBlocks(), minCode, w * h);
    const before = dispose === 3 ? canvas.slice() : undefined;
    for (let yy = 0; yy < h; yy++) for (let xx = 0; xx < w; xx++) {
      const k = idx[yy * w + xx];
      if (k === transparent) continue;
      const o = ((y + yy) * width + x + xx) * 4;
      canvas[o] = table[k * 3]; canvas[o + 1] = table[k * 3 + 1]; canvas[o + 2] = table[k * 3 + 2]; canvas[o + 3] = 255;
    }
    frames.push({ rgba: canvas.slice(), delayMs: delay });
    if (dispose === 2) for (let yy = 0; yy < h; yy++) canvas.fill(0, ((y + yy) * width + x) * 4, ((y + yy) * width + x + w) * 4);
    if (before) canvas.set(before);
    transparent = -1; delay = 0; dispose = 0;
  }
  return { width, height, loop, frames };
}

/** PSNR in dB between two RGBA images (RGB channels). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0, n = 0;
  for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) { const d = a[i + c] - b[i + c]; se += d * d; n++; }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}
