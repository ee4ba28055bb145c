// Large JSON documents (episode logs), optionally gzipped: sizes bounded, nesting checked
// before JSON.parse so a 10^5-deep document is refused instead of overflowing the stack.
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { ArtifactError } from './errors';
import { withFile } from './source';

const gunzipAsync = promisify(gunzip);

export interface JsonFileLimits {
  maxBytes?: number; // decompressed, default 512 MiB
  maxDepth?: number; // default 64
}

/**
 * Deepest nesting of [ and { outside strings, and whether the text stops with a string or
 * a bracket still open (a document cut off mid-write). Linear, no recursion.
 */
export function jsonShape(text: string, stopAt: number): { depth: number; open: boolean } {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) { max = depth; if (max > stopAt) return { depth: max, open: true }; }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return { depth: max, open: inString || depth > 0 };
}

export async function readJsonFile(path: string, limits: JsonFileLimits = {}): Promise<unknown> {
  const maxBytes = limits.maxBytes ?? 512 << 20;
  const maxDepth = limits.maxDepth ?? 64;
  return withFile(path, async (src) => {
    if (src.size === 0) throw new ArtifactError('truncated', path, 'file is empty (still being written?)');
    let bytes = await src.read(0, Math.min(src.size, maxBytes + 1), 'JSON');
    if (bytes.length > maxBytes) throw new ArtifactError('too_large', path, `JSON file is over ${maxBytes} bytes`);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      // The trailer's ISIZE (the last member's size mod 2^32) refuses a bomb before inflating it;
      // the output limit below still holds when it lies low.
      const isize = bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : 0;
      if (isize > maxBytes) throw new ArtifactError('too_large', path, `gzip says it expands to ${isize} bytes, over the ${maxBytes}-byte limit (gzip bomb?)`);
      try {
        bytes = await gunzipAsync(bytes, { maxOutputLength: maxBytes });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') throw new ArtifactError('too_large', path, `gzip expands beyond ${maxBytes} bytes (gzip bomb?)`);
        throw new ArtifactError(code === 'Z_BUF_ERROR' ? 'truncated' : 'inconsistent', path, `gzip data is damaged: ${(err as Error).message}`);
      }
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ArtifactError('bad_json', path, 'not valid UTF-8');
    }
    const shape = jsonShape(text, maxDepth);
    if (shape.depth > maxDepth) throw new ArtifactError('too_deep', path, `JSON nests deeper than ${maxDepth} levels`);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      // A document that stops inside a string or an open bracket is most likely still being written.
      if (shape.open || text.trim() === '') throw new ArtifactError('truncated', path, 'JSON ends early (still being written?)');
      throw new ArtifactError('bad_json', path, `invalid JSON: ${(err as Error).message}`);
    }
  });
}
