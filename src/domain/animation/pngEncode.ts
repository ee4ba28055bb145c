// A minimal PNG writer (8-bit RGB, no filtering, fast deflate) for rendered frames.
import { crc32, deflateSync } from 'node:zlib';
import type { Raster } from './raster';

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0);
  return Buffer.concat([head, body, crc]);
}

export function encodePng(r: Raster): Buffer {
  const rows = Buffer.alloc((r.width * 3 + 1) * r.height);
  for (let y = 0; y < r.height; y++) {
    const o = y * (r.width * 3 + 1);
    for (let x = 0; x < r.width; x++) {
      const i = (y * r.width + x) * 4, j = o + 1 + x * 3;
      rows[j] = r.data[i]; rows[j + 1] = r.data[i + 1]; rows[j + 2] = r.data[i + 2];
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(r.width, 0);
  ihdr.writeUInt32BE(r.height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 1 })), chunk('IEND', new Uint8Array())]);
}
