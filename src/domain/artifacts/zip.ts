// A zip reader that lists members from the central directory alone (opening a 2 GB
// archive reads a few kilobytes) and extracts one member on demand. Stored and deflated
// members, ZIP64, data descriptors. Refuses names that escape the archive, encrypted
// members, and output beyond the declared size (zip bombs).
import { createInflateRaw, crc32, inflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import { ArtifactError } from './errors';
import type { ByteSource } from './source';

const inflateRawAsync = promisify(inflateRaw);
const EOCD_SIG = 0x06054b50, Z64_LOC_SIG = 0x07064b50, Z64_EOCD_SIG = 0x06064b50, CEN_SIG = 0x02014b50, LOC_SIG = 0x04034b50;
const MAX_ENTRIES = 100_000;
const MAX_CENTRAL_DIR = 64 << 20;

export interface ZipEntry {
  name: string;
  method: number; // 0 stored, 8 deflated
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
  flags: number;
}

export interface ZipLimits {
  /** Largest member (uncompressed) that may be extracted, in bytes (default 2 GiB). */
  maxMemberBytes?: number;
}

function u64(dv: DataView, at: number, file: string, what: string): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArtifactError('too_large', file, `zip ${what} ${v} is beyond what can be addressed`);
  return Number(v);
}

export function checkMemberName(name: string, file: string): void {
  if (name.includes('\0') || name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).some((seg) => seg === '..')) {
    throw new ArtifactError('unsafe_path', file, `zip member name ${JSON.stringify(name)} escapes the archive`);
  }
}

/** Reads the central directory. */
export async function readZipDirectory(src: ByteSource): Promise<ZipEntry[]> {
  const file = src.name;
  if (src.size < 22) throw new ArtifactError(src.size === 0 ? 'truncated' : 'bad_magic', file, `not a zip archive (${src.size} bytes, an empty archive has 22)`);
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tail = await src.read(src.size - tailLen, tailLen, 'zip end record');
  const tdv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tdv.getUint32(i, true) === EOCD_SIG && i + 22 + tdv.getUint16(i + 20, true) <= tail.length) { eocd = i; break; }
  }
  if (eocd < 0) {
    const head = await src.read(0, 4, 'zip signature');
    const isZip = new DataView(head.buffer, head.byteOffset).getUint32(0, true) === LOC_SIG;
    throw new ArtifactError(isZip ? 'truncated' : 'bad_magic', file, isZip ? 'zip archive has no end record (cut off, or still being written)' : 'not a zip archive');
  }
  let count = tdv.getUint16(eocd + 10, true);
  let cdSize = tdv.getUint32(eocd + 12, true);
  let cdOffset = tdv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = src.size - tailLen + eocd - 20;
    if (locAt < 0) throw new ArtifactError('inconsistent', file, 'ZIP64 archive without its locator');
    const loc = await src.read(locAt, 20, 'ZIP64 locator');
    const ldv = new DataView(loc.buffer, loc.byteOffset, 20);
    if (ldv.getUint32(0, true) !== Z64_LOC_SIG) throw new ArtifactError('inconsistent', file, 'ZIP64 locator missing');
    const recAt = u64(ldv, 8, file, 'ZIP64 record offset');
    const rec = await src.read(recAt, 56, 'ZIP64 end record');
    const rdv = new DataView(rec.buffer, rec.byteOffset, 56);
    if (rdv.getUint32(0, true) !== Z64_EOCD_SIG) throw new ArtifactError('inconsistent', file, 'ZIP64 end record missing');
    count = u64(rdv, 32, file, 'entry count');
    cdSize = u64(rdv, 40, file, 'directory size');
    cdOffset = u64(rdv, 48, file, 'directory offset');
  }
  if (count > MAX_ENTRIES) throw new ArtifactError('too_large', file, `zip claims ${count} members (limit ${MAX_ENTRIES})`);
  if (cdSize > MAX_CENTRAL_DIR) throw new ArtifactError('too_large', file, `zip directory of ${cdSize} bytes (limit ${MAX_CENTRAL_DIR})`);
  if (cdOffset + cdSize > src.size) throw new ArtifactError('truncated', file, `zip directory at ${cdOffset}+${cdSize} runs past the end of the ${src.size}-byte file`);
  const cd = await src.read(cdOffset, cdSize, 'zip directory');
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CEN_SIG) throw new ArtifactError('inconsistent', file, `zip directory entry ${n} is malformed`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true), extraLen = dv.getUint16(p + 30, true), commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new ArtifactError('inconsistent', file, `zip directory entry ${n} overruns the directory`);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(nameBytes);
    // ZIP64 extra field: the 64-bit values, in this order, for each field that was 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true), len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (what: string) => {
          if (q + 8 > e + 4 + len) throw new ArtifactError('inconsistent', file, `zip member ${name}: ZIP64 field too short`);
          const v = u64(dv, q, file, what);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take('size');
        if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('offset');
      }
      e += 4 + len;
    }
    checkMemberName(name, file);
    if (seen.has(name)) throw new ArtifactError('inconsistent', file, `zip has two members named ${JSON.stringify(name)}`);
    seen.add(name);
    entries.push({ name, method, compressedSize, size, crc, localHeaderOffset, flags });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

export async function memberDataOffset(src: ByteSource, entry: ZipEntry): Promise<number> {
  const file = src.name;
  if (entry.flags & 0x1) throw new ArtifactError('unsupported', file, `zip member ${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) throw new ArtifactError('unsupported', file, `zip member ${entry.name} uses compression method ${entry.method} (stored and deflate are supported)`);
  const loc = await src.read(entry.localHeaderOffset, 30, `zip member ${entry.name} header`);
  const dv = new DataView(loc.buffer, loc.byteOffset, 30);
  if (dv.getUint32(0, true) !== LOC_SIG) throw new ArtifactError('inconsistent', file, `zip member ${entry.name}: no local header at ${entry.localHeaderOffset}`);
  const start = entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
  if (start + entry.compressedSize > src.size) {
    throw new ArtifactError('truncated', file, `zip member ${entry.name}: needs ${entry.compressedSize} bytes at ${start}, file has ${src.size}`);
  }
  return start;
}

/** Extracts a whole member, checking its size and CRC. */
export async function readZipMember(src: ByteSource, entry: ZipEntry, limits: ZipLimits = {}): Promise<Uint8Array> {
  const file = src.name;
  const max = limits.maxMemberBytes ?? 2 ** 31;
  if (entry.size > max) throw new ArtifactError('too_large', file, `zip member ${entry.name} is ${entry.size} bytes uncompressed (limit ${max})`);
  const start = await memberDataOffset(src, entry);
  const raw = await src.read(start, entry.compressedSize, `zip member ${entry.name}`);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new ArtifactError('inconsistent', file, `stored zip member ${entry.name} has different stored and declared sizes`);
    data = raw;
  } else {
    try {
      // The declared size bounds the output: a bomb stops here instead of filling memory.
      // One output chunk sized to the member: the default 16 KiB chunks cost a thread-pool
      // round trip each, which made large members several times slower to inflate.
      data = await inflateRawAsync(raw, { maxOutputLength: Math.max(1, entry.size), chunkSize: Math.max(64 * 1024, Math.min(entry.size + 1, 256 << 20)) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger|maxOutputLength/i.test(String(err))) {
        throw new ArtifactError('too_large', file, `zip member ${entry.name} inflates beyond its declared ${entry.size} bytes (zip bomb?)`);
      }
      throw new ArtifactError(code === 'Z_BUF_ERROR' ? 'truncated' : 'inconsistent', file, `zip member ${entry.name} does not inflate: ${(err as Error).message}`);
    }
  }
  if (data.length !== entry.size) throw new ArtifactError('inconsistent', file, `zip member ${entry.name} is ${data.length} bytes, its directory entry says ${entry.size}`);
  if (crc32(data) >>> 0 !== entry.crc >>> 0) throw new ArtifactError('inconsistent', file, `zip member ${entry.name} fails its CRC check`);
  return data;
}

/** The first `want` bytes of a member, inflating only as much as needed. */
export async function readZipMemberPrefix(src: ByteSource, entry: ZipEntry, want: number): Promise<Uint8Array> {
  const start = await memberDataOffset(src, entry);
  want = Math.min(want, entry.size);
  if (entry.method === 0) return src.read(start, want, `zip member ${entry.name}`);
  const inflater = createInflateRaw();
  const chunks: Buffer[] = [];
  let got = 0;
  let failure: Error | undefined;
  inflater.on('data', (c: Buffer) => { chunks.push(c); got += c.length; });
  inflater.on('error', (e) => { failure = e; });
  const step = 64 * 1024;
  for (let off = 0; off < entry.compressedSize && got < want && !failure; off += step) {
    const n = Math.min(step, entry.compressedSize - off);
    const chunk = await src.read(start + off, n, `zip member ${entry.name}`);
    await new Promise<void>((resolve) => inflater.write(chunk, () => resolve()));
  }
  inflater.destroy();
  if (got < want && failure) throw new ArtifactError('inconsistent', src.name, `zip member ${entry.name} does not inflate: ${failure.message}`);
  return new Uint8Array(Buffer.concat(chunks).subarray(0, want));
}
