// Width and height of a PNG, JPEG, WebP or GIF from its first bytes (JPEG: by hopping from
// segment to segment), so a gallery of thousands of images lists without decoding any.
import { ArtifactError } from './errors';
import { withFile, type ByteSource } from './source';

export interface ImageSize {
  format: 'png' | 'jpeg' | 'webp' | 'gif';
  width: number;
  height: number;
}

const JPEG_MAX_SEGMENTS = 1000;

function ascii(b: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...b.subarray(at, at + n));
}

export async function readImageSizeFrom(src: ByteSource): Promise<ImageSize> {
  const file = src.name;
  const head = await src.read(0, Math.min(src.size, 32), 'image header');
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const need = (n: number) => { if (head.length < n) throw new ArtifactError('truncated', file, `image header ends after ${head.length} bytes`); };
  const sized = (format: ImageSize['format'], width: number, height: number): ImageSize => {
    if (width <= 0 || height <= 0) throw new ArtifactError('bad_header', file, `${format} header gives a size of ${width} × ${height}`);
    return { format, width, height };
  };
  if (head[0] === 0x89 && ascii(head, 1, 3) === 'PNG') {
    need(24);
    if (ascii(head, 12, 4) !== 'IHDR') throw new ArtifactError('bad_header', file, 'PNG does not start with an IHDR chunk');
    return sized('png', dv.getUint32(16), dv.getUint32(20));
  }
  if (ascii(head, 0, 4) === 'GIF8') {
    need(10);
    return sized('gif', dv.getUint16(6, true), dv.getUint16(8, true));
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') {
    need(31);
    const chunk = ascii(head, 12, 4);
    if (chunk === 'VP8X') return sized('webp', 1 + (dv.getUint32(24, true) & 0xffffff), 1 + (dv.getUint32(27, true) & 0xffffff));
    if (chunk === 'VP8L') {
      const bits = dv.getUint32(21, true);
      return sized('webp', 1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff));
    }
    if (chunk === 'VP8 ') return sized('webp', dv.getUint16(26, true) & 0x3fff, dv.getUint16(28, true) & 0x3fff);
    throw new ArtifactError('unsupported', file, `WebP chunk ${JSON.stringify(chunk)} is not one of VP8, VP8L, VP8X`);
  }
  if (head[0] === 0xff && head[1] === 0xd8) {
    let at = 2;
    for (let i = 0; i < JPEG_MAX_SEGMENTS; i++) {
      const m = await src.read(at, 4, 'JPEG segment');
      if (m[0] !== 0xff) throw new ArtifactError('bad_header', file, `JPEG: no marker at byte ${at}`);
      const marker = m[1];
      if (marker === 0xff) { at++; continue; } // fill byte
      if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan without a frame header
      const length = (m[2] << 8) | m[3];
      // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        const f = await src.read(at + 4, 5, 'JPEG frame header');
        return sized('jpeg', (f[3] << 8) | f[4], (f[1] << 8) | f[2]);
      }
      if (length < 2) throw new ArtifactError('bad_header', file, `JPEG segment at byte ${at} has length ${length}`);
      at += 2 + length;
    }
    throw new ArtifactError('bad_header', file, 'JPEG has no frame header before its image data');
  }
  throw new ArtifactError('bad_magic', file, 'not a PNG, JPEG, WebP or GIF image');
}

export function readImageSize(path: string): Promise<ImageSize> {
  return withFile(path, readImageSizeFrom);
}
