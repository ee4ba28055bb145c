// Hostile and broken inputs, one row each, with the error code every reader must give.
// The bytes are built here so each row says exactly what is wrong with its file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { readEpisodeLog } from '../../../src/domain/artifacts/episodes';
import { readLatentRecord } from '../../../src/domain/artifacts/latents';
import { readNpy } from '../../../src/domain/artifacts/npy';
import { withNpz } from '../../../src/domain/artifacts/npz';
import { readPng } from '../../../src/domain/artifacts/png';
import { readRingHeader } from '../../../src/domain/artifacts/ringBuffer';
import { readSafetensorsHeader } from '../../../src/domain/artifacts/safetensors';
import { readWavInfo } from '../../../src/domain/artifacts/wav';
import { inspectFile } from '../../../src/domain/artifacts/inspect';
import { artifactError, tempDir } from '../helpers';
import { zipBytes } from './builders';

// ---- builders

function npyBytes(header: string, data: Uint8Array = new Uint8Array(), version = 1): Buffer {
  const h = Buffer.from(header, 'latin1');
  const pre = version === 1 ? Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]) : Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  return Buffer.concat([pre, h, data]);
}
const f4Header = (shape: string) => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }\n`;

function safetensorsBytes(header: string | Buffer, data: Uint8Array = new Uint8Array(), declaredLength?: bigint): Buffer {
  const h = typeof header === 'string' ? Buffer.from(header, 'utf8') : header;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(declaredLength ?? BigInt(h.length));
  return Buffer.concat([len, h, data]);
}

function wavBytes(o: { tag?: number; channels?: number; bits?: number; align?: number; data?: boolean; riff?: string } = {}): Buffer {
  const channels = o.channels ?? 1, bits = o.bits ?? 16;
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1'); fmt.writeUInt32LE(16, 4); fmt.writeUInt16LE(o.tag ?? 1, 8); fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(8000, 12); fmt.writeUInt32LE(8000 * 2, 16); fmt.writeUInt16LE(o.align ?? (channels * bits) / 8, 20); fmt.writeUInt16LE(bits, 22);
  const data = o.data === false ? Buffer.alloc(0) : Buffer.concat([Buffer.from('data', 'latin1'), Buffer.from([4, 0, 0, 0, 1, 0, 2, 0])]);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), fmt, data]);
  const head = Buffer.alloc(8);
  head.write(o.riff ?? 'RIFF', 0, 'latin1'); head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function pngChunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(body.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}
function pngBytes(o: { w?: number; h?: number; depth?: number; color?: number; idat?: Buffer; end?: boolean; badCrc?: boolean } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(o.w ?? 2); ihdr.writeUInt32BE(o.h ?? 2, 4); ihdr[8] = o.depth ?? 8; ihdr[9] = o.color ?? 0;
  const chunks = [pngChunk('IHDR', ihdr), pngChunk('IDAT', o.idat ?? deflateSync(Buffer.from([0, 1, 2, 0, 3, 4]))), ...(o.end === false ? [] : [pngChunk('IEND', Buffer.alloc(0))])];
  if (o.badCrc) chunks[1][chunks[1].length - 1] ^= 0xff;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

function ringBytes(fields: Partial<Record<'version' | 'rate' | 'channels' | 'capacity' | 'seq' | 'spw', bigint>>, size?: number): Buffer {
  const f = { version: 1n, rate: 48000n, channels: 1n, capacity: 16n, seq: 0n, spw: 4n, ...fields };
  const b = Buffer.alloc(size ?? 4096 + 16 * 8);
  b.write('AUDITAB!', 0, 'latin1');
  [f.version, f.rate, f.channels, f.capacity, f.seq, f.spw].forEach((v, i) => b.writeBigUInt64LE(v, 8 + i * 8));
  return b;
}

// A pickle that numpy never writes: protocol 2, GLOBAL os.system, REDUCE.
const picklePrefix = npyBytes(`{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n`);
const pickle = (...parts: (string | number[])[]) => Buffer.concat([picklePrefix, ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))]);

const episode = (o: unknown) => Buffer.from(JSON.stringify(o));
const latent = '{"id":"a","shape":[1],"dtype":"float32","model_variant":"m","stage_type":"generate","is_checkpoint":false,"checkpoint_step":null,"total_steps":1,"params":{},"lm_metadata":null,"batch_size":1,"created_at":1,"pinned":false}';

type Reader = (path: string) => Promise<unknown>;
const npz: Reader = (p) => withNpz(p, async (z) => { for (const m of z.members) await z.read(m.key); });
const ep: Reader = (p) => readEpisodeLog(p, join(p, '..'), { maxBytes: 1 << 20 });

const TABLE: [string, string, Buffer, Reader, string][] = [
  // zip / npz
  ['zip bomb: member inflates far past its declared size', 'bomb.npz', zipBytes([{ name: 'a.npy', data: new Uint8Array(8 << 20), method: 8, size: 1000 }]), npz, 'too_large'],
  ['zip member declares 1 TiB uncompressed', 'huge.npz', zipBytes([{ name: 'a.npy', data: new Uint8Array(10), size: 0xfffffff0 }]), (p) => withNpz(p, async (z) => { await z.read('a', { maxBytes: 1 << 20 }); }), 'too_large'],
  ['zip entry named ../evil.npy', 'dotdot.npz', zipBytes([{ name: '../evil.npy', data: new Uint8Array(4) }]), npz, 'unsafe_path'],
  ['zip entry with an absolute name', 'abs.npz', zipBytes([{ name: '/etc/passwd.npy', data: new Uint8Array(4) }]), npz, 'unsafe_path'],
  ['zip entry named a\\..\\..\\x', 'backslash.npz', zipBytes([{ name: 'a\\..\\..\\x.npy', data: new Uint8Array(4) }]), npz, 'unsafe_path'],
  ['zip directory offset beyond the file', 'cdoff.npz', zipBytes([{ name: 'a.npy', data: new Uint8Array(4) }], { cdOffsetDelta: 1 << 20 }), npz, 'truncated'],
  ['zip cut off before its end record', 'cut.npz', zipBytes([{ name: 'a.npy', data: new Uint8Array(4) }], { dropEnd: true }), npz, 'truncated'],
  ['not a zip at all', 'text.npz', Buffer.from('this is not an archive, just text that goes on for a while'), npz, 'bad_magic'],
  ['zip member fails its CRC', 'crc.npz', zipBytes([{ name: 'a.npy', data: npyBytes(f4Header('(1,)'), new Uint8Array(4)), crc: 1234 }]), npz, 'inconsistent'],
  ['encrypted zip member', 'enc.npz', zipBytes([{ name: 'a.npy', data: new Uint8Array(4), flags: 1 }]), npz, 'unsupported'],
  ['zip member compressed with bzip2', 'bz.npz', zipBytes([{ name: 'a.npy', data: new Uint8Array(4), method: 12 }]), npz, 'unsupported'],
  // npy
  ['npy header longer than the file', 'h.npy', Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x60, 0xea, 0x7b]), readNpy, 'truncated'],
  ['npy (v2) header claiming 4 GiB', 'h4g.npy', Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0xff, 0x7b]), readNpy, 'too_large'],
  ['npy header cut short', 'hs.npy', npyBytes(f4Header('(3,)')).subarray(0, 30), readNpy, 'truncated'],
  ['npy claiming 2^60 elements', 'big.npy', npyBytes(f4Header('(1152921504606846976,)'), new Uint8Array(16)), readNpy, 'too_large'],
  ['npy claiming 2^40 × 2^40 elements', 'overflow.npy', npyBytes(f4Header('(1099511627776, 1099511627776)')), readNpy, 'too_large'],
  ['npy negative dimension', 'neg.npy', npyBytes(f4Header('(-1,)')), readNpy, 'bad_header'],
  ['npy structured dtype', 'struct.npy', npyBytes(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n`), readNpy, 'unsupported'],
  ['npy format version 9', 'v9.npy', Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 9, 0, 0, 0]), readNpy, 'unsupported'],
  ['npy data shorter than the header says', 'short.npy', npyBytes(f4Header('(100,)'), new Uint8Array(8)), readNpy, 'truncated'],
  ['npy header that is not a dict', 'nodict.npy', npyBytes('[1, 2, 3]\n'), readNpy, 'bad_header'],
  ['npy with no magic', 'nomagic.npy', Buffer.from('NUMPY? no. just bytes here'), readNpy, 'bad_magic'],
  // pickles in object arrays
  ['pickle calling os.system', 'os.npy', pickle([0x80, 2], 'cos\nsystem\n', 'X', [4, 0, 0, 0], 'echo', [0x85, 0x52, 0x2e]), readNpy, 'pickle_rejected'],
  ['pickle reaching builtins.eval through STACK_GLOBAL', 'eval.npy', pickle([0x80, 4, 0x8c, 8], 'builtins', [0x8c, 4], 'eval', [0x93, 0x2e]), readNpy, 'pickle_rejected'],
  ['pickle building an object with NEWOBJ', 'newobj.npy', pickle([0x80, 2, 0x29, 0x29, 0x81, 0x2e]), readNpy, 'pickle_rejected'],
  ['pickle with persistent ids', 'persid.npy', pickle([0x80, 2], 'P1\n', [0x2e]), readNpy, 'pickle_rejected'],
  ['pickle cut off inside a string', 'cutpickle.npy', pickle([0x80, 3, 0x58, 0xff, 0, 0, 0], 'abc'), readNpy, 'truncated'],
  ['pickle with an unknown opcode', 'opcode.npy', pickle([0x80, 3, 0xff]), readNpy, 'inconsistent'],
  ['pickle of a plain int, not an array', 'notarray.npy', pickle([0x80, 3, 0x4b, 7, 0x2e]), readNpy, 'pickle_rejected'],
  // safetensors
  ['safetensors header length 2^64-1', 'max.safetensors', safetensorsBytes('{}', new Uint8Array(), 0xffffffffffffffffn), readSafetensorsHeader, 'too_large'],
  ['safetensors header longer than the file', 'long.safetensors', safetensorsBytes('{}', new Uint8Array(), 5000n), readSafetensorsHeader, 'truncated'],
  ['safetensors duplicate tensor names', 'dup.safetensors', safetensorsBytes('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), readSafetensorsHeader, 'bad_json'],
  ['safetensors overlapping offsets', 'overlap.safetensors', safetensorsBytes('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', new Uint8Array(3)), readSafetensorsHeader, 'inconsistent'],
  ['safetensors gap between tensors', 'gap.safetensors', safetensorsBytes('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}', new Uint8Array(3)), readSafetensorsHeader, 'inconsistent'],
  ['safetensors extra bytes after the data', 'extra.safetensors', safetensorsBytes('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(9)), readSafetensorsHeader, 'inconsistent'],
  ['safetensors data shorter than the offsets', 'shortdata.safetensors', safetensorsBytes('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', new Uint8Array(3)), readSafetensorsHeader, 'truncated'],
  ['safetensors shape and offsets disagree', 'shape.safetensors', safetensorsBytes('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)), readSafetensorsHeader, 'inconsistent'],
  ['safetensors unknown dtype', 'q8.safetensors', safetensorsBytes('{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), readSafetensorsHeader, 'bad_header'], // not a safetensors dtype: the reference refuses the header
  ['safetensors offset beyond safe integers', 'unsafe.safetensors', safetensorsBytes('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1e300]}}'), readSafetensorsHeader, 'bad_header'],
  ['safetensors header that is a list', 'list.safetensors', safetensorsBytes('[1,2,3]'), readSafetensorsHeader, 'bad_header'],
  ['safetensors header that is not UTF-8', 'latin.safetensors', safetensorsBytes(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), readSafetensorsHeader, 'bad_header'],
  ['safetensors __metadata__ value that is not a string', 'meta.safetensors', safetensorsBytes('{"__metadata__":{"__proto__":5}}'), readSafetensorsHeader, 'bad_header'],
  ['safetensors nested 100 deep', 'deep.safetensors', safetensorsBytes(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`), readSafetensorsHeader, 'too_deep'],
  // wav
  ['WAV with 0 channels', 'zero.wav', wavBytes({ channels: 0, align: 2 }), readWavInfo, 'bad_header'],
  ['WAV without a data chunk', 'nodata.wav', wavBytes({ data: false }), readWavInfo, 'truncated'],
  ['WAV block align that contradicts its format', 'align.wav', wavBytes({ align: 7 }), readWavInfo, 'inconsistent'],
  ['WAV of 12-bit PCM whose block align is not whole bytes', 'b12.wav', wavBytes({ bits: 12, align: 1 }), readWavInfo, 'inconsistent'],
  ['WAV holding MP3', 'mp3.wav', wavBytes({ tag: 0x55 }), readWavInfo, 'unsupported'],
  ['WAV that is not RIFF or RIFX', 'riff.wav', wavBytes({ riff: 'XIFF' }), readWavInfo, 'bad_magic'],
  // png
  ['PNG claiming 65535×65535', 'huge.png', pngBytes({ w: 65535, h: 65535 }), readPng, 'too_large'],
  ['PNG chunk with a bad CRC', 'crc.png', pngBytes({ badCrc: true }), readPng, 'inconsistent'],
  ['PNG cut off before IEND', 'cut.png', pngBytes({ end: false }), readPng, 'truncated'],
  ['PNG whose data inflates past its dimensions', 'bomb.png', pngBytes({ idat: deflateSync(Buffer.alloc(1 << 20)) }), readPng, 'inconsistent'],
  ['PNG with RGB at 4 bits', 'depth.png', pngBytes({ color: 2, depth: 4 }), readPng, 'bad_header'],
  ['PNG with 0 width', 'zerow.png', pngBytes({ w: 0 }), readPng, 'bad_header'],
  // ring buffer
  ['ring buffer with capacity 0', 'cap0.ring', ringBytes({ capacity: 0n }), readRingHeader, 'bad_header'],
  ['ring buffer writing more per write than it holds', 'spw.ring', ringBytes({ spw: 17n }), readRingHeader, 'bad_header'],
  ['ring buffer claiming 2^40 samples', 'cap.ring', ringBytes({ capacity: 1n << 40n }), readRingHeader, 'truncated'],
  ['ring buffer whose geometry overflows', 'cap50.ring', ringBytes({ capacity: 1n << 50n }), readRingHeader, 'too_large'],
  ['ring buffer with 2^63 channels', 'ch.ring', ringBytes({ channels: 1n << 63n }), readRingHeader, 'bad_header'],
  ['ring buffer shorter than its header', 'short.ring', ringBytes({}, 100), readRingHeader, 'truncated'],
  // episode logs
  ['gzip bomb episode log', 'episode_0001_20250101_000000.json.gz', gzipSync(Buffer.alloc(8 << 20, 0x20)), ep, 'too_large'],
  ['episode log nested 10^5 deep', 'episode_0002_20250101_000000.json', Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)), ep, 'too_deep'],
  ['episode log cut off mid-write', 'episode_0003_20250101_000000.json', Buffer.from('{"episode_num": 3, "steps": [{"step_num": 0'), ep, 'truncated'],
  ['episode log that is a list', 'episode_0004_20250101_000000.json', episode([1, 2]), ep, 'inconsistent'],
  ['episode log without steps', 'episode_0005_20250101_000000.json', episode({ episode_num: 5 }), ep, 'inconsistent'],
  ['episode log with a ragged grid', 'episode_0006_20250101_000000.json', episode({ steps: [{ after_state: { grid: [[1, 2], [3]] } }] }), ep, 'inconsistent'],
  ['episode log with a 5000×1 grid', 'episode_0007_20250101_000000.json', episode({ steps: [{ after_state: { grid: Array.from({ length: 5000 }, () => [0]) } }] }), ep, 'too_large'],
  ['episode log with a damaged gzip stream', 'episode_0008_20250101_000000.json.gz', gzipSync(Buffer.from('{"steps": []}')).subarray(0, 15), ep, 'truncated'],
  // latent records
  ['latent record with a duplicate key', '0b1e8d8c-2b43-4c59-9d0a-8f1f5b0b7a11.json', Buffer.from(latent.replace('"pinned":false', '"pinned":false,"pinned":true')), readLatentRecord, 'bad_json'],
  ['latent record missing created_at', '1b1e8d8c-2b43-4c59-9d0a-8f1f5b0b7a11.json', Buffer.from(latent.replace('"created_at":1,', '')), readLatentRecord, 'inconsistent'],
  ['empty latent record', '2b1e8d8c-2b43-4c59-9d0a-8f1f5b0b7a11.json', Buffer.alloc(0), readLatentRecord, 'truncated'],
  // anything
  ['a file of an unknown kind', 'notes.txt', Buffer.from('hello'), inspectFile, 'unsupported'],
];

describe('hostile inputs', () => {
  test('the table has at least 30 rows', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(30);
  });

  test.each(TABLE)('%s → %s', async (_title, name, bytes, read, code) => {
    const dir = tempDir();
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const started = Date.now();
    let error: unknown;
    try {
      await read(file);
    } catch (err) {
      error = err;
    }
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeDefined();
    expect((error as Error).name).toBe('ArtifactError');
    expect((error as { code: string }).code).toBe(code);
    // The message names the file.
    expect((error as Error).message).toContain(name);
  });

  test('a tensor named __proto__ is plain data, and nothing is polluted', async () => {
    const dir = tempDir();
    const file = join(dir, 'proto.safetensors');
    writeFileSync(file, safetensorsBytes('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"constructor":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', new Uint8Array([7, 8])));
    const h = await readSafetensorsHeader(file);
    expect(h.tensors.map((t) => t.name)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });

  test.each(['constructor', '__proto__', 'toString'])('a dtype named %s is not a safetensors dtype, and says so', async (dtype) => {
    const file = join(tempDir(), 'odd_dtype.safetensors');
    writeFileSync(file, safetensorsBytes(`{"a":{"dtype":"${dtype}","shape":[1],"data_offsets":[0,1]}}`, new Uint8Array(1)));
    const err = await artifactError(() => readSafetensorsHeader(file));
    expect([err.code, err.message]).toEqual(['bad_header', `${file}: tensor "a": dtype "${dtype}" is not a safetensors dtype`]);
  });
});
