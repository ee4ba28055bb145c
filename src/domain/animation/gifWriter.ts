// GIF89a blocks for 256-colour frames: the screen header with the global palette and loop,
// and frames that cover only the rectangle that changed (their LZW codes come from
// FrameCoder, in WebAssembly).

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

const MIN_CODE_SIZE = 8;

/** "GIF89a", the logical screen with a 256-colour global palette, and loop forever. */
export function gifHeader(width: number, height: number, palette: readonly (readonly number[])[]): Uint8Array {
  const out = new Uint8Array(6 + 7 + 768 + 19);
  out.set([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
  put16(out, 6, width);
  put16(out, 8, height);
  out[10] = 0xf7; // global table, 8 bits colour resolution, 2^(7+1) entries
  for (let i = 0; i < 256; i++) {
    const c = palette[i] ?? [0, 0, 0];
    out[13 + i * 3] = c[0]; out[14 + i * 3] = c[1]; out[15 + i * 3] = c[2];
  }
  // NETSCAPE2.0 application extension: loop count 0 = forever
  out.set([0x21, 0xff, 0x0b, ...Array.from('NETSCAPE2.0', (ch) => ch.charCodeAt(0)), 0x03, 0x01, 0x00, 0x00, 0x00], 13 + 768);
  return out;
}

export const GIF_TRAILER = Uint8Array.of(0x3b);

export interface FrameOptions {
  delayMs: number;
  /** Palette index drawn as "leave what is there"; undefined for an opaque frame. */
  transparentIndex?: number;
}

/**
 * One frame: graphic control extension (delay, transparency, keep-the-previous disposal),
 * image descriptor for `rect`, and `codes`, the frame's LZW code stream, in sub-blocks.
 * `allocate` gives the output buffer (zeroed or not: every byte is written).
 */
export function gifFrame(codes: Uint8Array, rect: Rect, options: FrameOptions, allocate: (size: number) => Uint8Array = (size) => new Uint8Array(size)): Uint8Array {
  const blocks = Math.ceil(codes.length / 255);
  const out = allocate(8 + 10 + 1 + codes.length + blocks + 1);
  const transparent = options.transparentIndex !== undefined;
  out.set([0x21, 0xf9, 0x04, (1 << 2) | (transparent ? 1 : 0)]);
  put16(out, 4, Math.round(options.delayMs / 10));
  out[6] = transparent ? options.transparentIndex! : 0;
  out[7] = 0;
  out[8] = 0x2c;
  put16(out, 9, rect.left);
  put16(out, 11, rect.top);
  put16(out, 13, rect.width);
  put16(out, 15, rect.height);
  out[17] = 0; // no local palette, not interlaced
  out[18] = MIN_CODE_SIZE;
  let o = 19;
  for (let s = 0; s < codes.length; s += 255) {
    const n = Math.min(255, codes.length - s);
    out[o++] = n;
    out.set(codes.subarray(s, s + n), o);
    o += n;
  }
  out[o] = 0;
  return out;
}

function put16(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >> 8) & 0xff;
}
