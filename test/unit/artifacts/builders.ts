// Byte builders for archives whose every field a test controls.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipMember { name: string; data: Uint8Array; method?: number; size?: number; crc?: number; flags?: number }
export function zipBytes(members: ZipMember[], opts: { cdOffsetDelta?: number; dropEnd?: boolean } = {}): Buffer {
  const locals: Buffer[] = [], central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const method = m.method ?? 0;
    const stored = method === 8 ? deflateRawSync(m.data) : Buffer.from(m.data);
    const name = Buffer.from(m.name, 'utf8');
    const crc = m.crc ?? crc32(m.data);
    const size = m.size ?? m.data.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(m.flags ?? 0, 6); lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(crc >>> 0, 14); lh.writeUInt32LE(stored.length, 18); lh.writeUInt32LE(size, 22); lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt16LE(m.flags ?? 0, 8); ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(crc >>> 0, 16); ch.writeUInt32LE(stored.length, 20); ch.writeUInt32LE(size, 24); ch.writeUInt16LE(name.length, 28); ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, stored);
    central.push(ch, name);
    offset += 30 + name.length + stored.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(members.length, 8); end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset + (opts.cdOffsetDelta ?? 0), 16);
  return Buffer.concat([...locals, cd, ...(opts.dropEnd ? [] : [end])]);
}

