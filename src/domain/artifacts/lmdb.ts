// A read-only reader of an LMDB environment's data.mdb (the latent store of sonaturgy 2239c92
// and later keeps its records there). It never opens lock.mdb, so it takes no lock and a
// writer never waits for it. LMDB writes copy-on-write and commits by flipping one of its two
// meta pages, so the newer meta names a consistent tree; a writer may recycle that tree's
// pages once a later transaction commits, so the meta is read again afterwards and the read
// retried when it moved. Only the main database of a 64-bit build is read: B-tree branch and
// leaf pages, and overflow pages for large values.
import { ArtifactError } from './errors';
import { withFile, type ByteSource } from './source';

const MAGIC = 0xbeefc0de;
const PAGE_HEADER = 16;
const NODE_HEADER = 8;
const P_BRANCH = 0x01, P_LEAF = 0x02, P_OVERFLOW = 0x04, P_META = 0x08, P_LEAF2 = 0x20;
const F_BIGDATA = 0x01, F_SUBDATA = 0x02, F_DUPDATA = 0x04;
const INVALID_PAGE = 0xffffffffffffffffn;
const MAX_ENTRIES = 1_000_000;
const MAX_VALUE_BYTES = 64 << 20;
const MAX_DEPTH = 64;
const RETRIES = 3;

interface Meta { pageSize: number; root: bigint; entries: number; depth: number; txnid: bigint; lastPage: bigint }

export interface LmdbContents {
  entries: { key: Uint8Array; value: Uint8Array }[];
  /** The transaction read. */
  txnid: bigint;
}

function readMeta(bytes: Uint8Array, file: string): Meta | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 160 || !(dv.getUint16(10, true) & P_META) || dv.getUint32(16, true) !== MAGIC) return undefined;
  if (dv.getUint32(20, true) !== 1) throw new ArtifactError('unsupported', file, `LMDB data version ${dv.getUint32(20, true)} (this reader knows 1)`);
  const free = 40, main = 88; // mm_dbs[FREE_DBI], mm_dbs[MAIN_DBI]
  return {
    pageSize: dv.getUint32(free, true), // mm_psize lives in the free DB's md_pad
    depth: dv.getUint16(main + 6, true),
    entries: Number(dv.getBigUint64(main + 32, true)),
    root: dv.getBigUint64(main + 40, true),
    lastPage: dv.getBigUint64(136, true),
    txnid: dv.getBigUint64(144, true),
  };
}

/** The newer of the two meta pages (both sit in the first two pages, whatever the page size). */
async function currentMeta(src: ByteSource): Promise<Meta> {
  const file = src.name;
  if (src.size < 2 * 4096 && src.size < 320) throw new ArtifactError('truncated', file, `LMDB file of ${src.size} bytes has no room for its two meta pages`);
  const first = readMeta(await src.read(0, 160, 'LMDB meta page 0'), file);
  if (!first) throw new ArtifactError('bad_magic', file, 'not an LMDB data file (no meta page magic 0xBEEFC0DE)');
  if (first.pageSize < 512 || first.pageSize > 65536 || (first.pageSize & (first.pageSize - 1))) throw new ArtifactError('bad_header', file, `LMDB page size ${first.pageSize} is not a power of two in 512–65536`);
  const second = src.size >= first.pageSize + 160 ? readMeta(await src.read(first.pageSize, 160, 'LMDB meta page 1'), file) : undefined;
  return second && second.txnid > first.txnid ? { ...second, pageSize: first.pageSize } : first;
}

async function readTree(src: ByteSource, meta: Meta): Promise<{ key: Uint8Array; value: Uint8Array }[]> {
  const file = src.name;
  const ps = meta.pageSize;
  const pages = Math.floor(src.size / ps);
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  if (meta.root === INVALID_PAGE) return entries;
  const page = async (pgno: bigint, what: string) => {
    if (pgno < 2n || pgno >= BigInt(pages)) throw new ArtifactError('inconsistent', file, `LMDB ${what} points at page ${pgno}, outside the file's ${pages} pages`);
    return src.read(Number(pgno) * ps, ps, `LMDB page ${pgno}`);
  };
  const visit = async (pgno: bigint, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new ArtifactError('too_deep', file, `LMDB tree deeper than ${MAX_DEPTH} levels (a page cycle?)`);
    const p = await page(pgno, depth === 0 ? 'root' : 'branch');
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const flags = dv.getUint16(10, true);
    const lower = dv.getUint16(12, true), upper = dv.getUint16(14, true);
    const kind = flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META);
    if (kind !== P_BRANCH && kind !== P_LEAF) throw new ArtifactError('inconsistent', file, `LMDB page ${pgno} is not a branch or leaf page (flags 0x${flags.toString(16)}): the file is damaged`);
    if (flags & P_LEAF2) throw new ArtifactError('unsupported', file, 'LMDB database with fixed-size duplicate keys');
    if (lower < PAGE_HEADER || lower > upper || upper > ps) throw new ArtifactError('inconsistent', file, `LMDB page ${pgno} has free space ${lower}–${upper} outside the page`);
    const count = (lower - PAGE_HEADER) >> 1;
    for (let i = 0; i < count; i++) {
      const at = dv.getUint16(PAGE_HEADER + 2 * i, true);
      if (at < upper || at + NODE_HEADER > ps) throw new ArtifactError('inconsistent', file, `LMDB page ${pgno} node ${i} at ${at} is outside the page's nodes`);
      const lo = dv.getUint16(at, true), hi = dv.getUint16(at + 2, true), nodeFlags = dv.getUint16(at + 4, true), ksize = dv.getUint16(at + 6, true);
      if (at + NODE_HEADER + ksize > ps) throw new ArtifactError('inconsistent', file, `LMDB page ${pgno} node ${i} key runs past the page`);
      if (flags & P_BRANCH) {
        // A branch node's child page number is spread over lo, hi and flags (48 bits).
        await visit(BigInt(lo) | (BigInt(hi) << 16n) | (BigInt(nodeFlags) << 32n), depth + 1);
        continue;
      }
      if (nodeFlags & (F_SUBDATA | F_DUPDATA)) throw new ArtifactError('unsupported', file, 'LMDB database with sub-databases or duplicate keys');
      const key = p.slice(at + NODE_HEADER, at + NODE_HEADER + ksize);
      const size = lo | (hi << 16);
      if (size > MAX_VALUE_BYTES) throw new ArtifactError('too_large', file, `LMDB value of ${size} bytes (limit ${MAX_VALUE_BYTES})`);
      let value: Uint8Array;
      if (nodeFlags & F_BIGDATA) {
        const data = at + NODE_HEADER + ksize;
        if (data + 8 > ps) throw new ArtifactError('inconsistent', file, `LMDB page ${pgno} node ${i} overflow pointer runs past the page`);
        const ov = dv.getBigUint64(data, true);
        if (ov < 2n || ov >= BigInt(pages)) throw new ArtifactError('inconsistent', file, `LMDB value on page ${ov}, outside the file's ${pages} pages`);
        const head = await src.read(Number(ov) * ps, PAGE_HEADER, `LMDB overflow page ${ov}`);
        if (!(new DataView(head.buffer, head.byteOffset).getUint16(10, true) & P_OVERFLOW)) throw new ArtifactError('inconsistent', file, `LMDB page ${ov} should hold a large value and does not`);
        if (Number(ov) * ps + PAGE_HEADER + size > src.size) throw new ArtifactError('truncated', file, `LMDB value on page ${ov} runs past the end of the file`);
        value = await src.read(Number(ov) * ps + PAGE_HEADER, size, `LMDB value on page ${ov}`);
      } else {
        const data = at + NODE_HEADER + ksize;
        if (data + size > ps) throw new ArtifactError('inconsistent', file, `LMDB page ${pgno} node ${i} value runs past the page`);
        value = p.slice(data, data + size);
      }
      if (entries.length >= MAX_ENTRIES) throw new ArtifactError('too_large', file, `over ${MAX_ENTRIES} LMDB entries`);
      entries.push({ key, value });
    }
  };
  await visit(meta.root, 0);
  return entries;
}

/** Every key and value of the main database of `dir`/data.mdb (or of the data file itself). */
export async function readLmdb(path: string): Promise<LmdbContents> {
  const file = /\.mdb$/.test(path) ? path : `${path.replace(/[\\/]$/, '')}/data.mdb`;
  return withFile(file, readLmdbFrom);
}

export async function readLmdbFrom(src: ByteSource): Promise<LmdbContents> {
  const file = src.name;
  {
    let last: unknown;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const meta = await currentMeta(src);
      try {
        const entries = await readTree(src, meta);
        // A commit since we began may have recycled pages we read: read again if so.
        if ((await currentMeta(src)).txnid === meta.txnid) return { entries, txnid: meta.txnid };
      } catch (err) {
        last = err;
        if ((await currentMeta(src)).txnid === meta.txnid) throw err; // not a race: the file is bad
      }
    }
    if (last) throw last;
    throw new ArtifactError('inconsistent', file, `the LMDB store kept changing while it was read (${RETRIES} tries)`);
  }
}
