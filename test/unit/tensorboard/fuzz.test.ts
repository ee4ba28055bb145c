// Event files damaged every way a disk, a crash or a hostile writer can: bit flips, cuts,
// garbage spliced in, huge lengths. The framing and the protobuf decoder either read what is
// sound, skip a record whose data fails its CRC, or throw one ArtifactError naming the file:
// never another exception, never a hang.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ArtifactError } from '../../../src/domain/artifacts/errors';
import { MemorySource } from '../../../src/domain/artifacts/source';
import { decodeEvent, scanSimpleScalars } from '../../../src/domain/tensorboard/events';
import { ChunkCrc, maskedCrc, RecordReader } from '../../../src/domain/tensorboard/records';
import { ScalarRun } from '../../../src/domain/tensorboard/scalars';
import { realProducer, tempDir } from '../helpers';

const FILE = readFileSync(realProducer('lightning', 'lightning_logs', 'version_1', 'events.out.tfevents.1796152331.vm.17058.1'));

/** A small seeded PRNG (mulberry32), so a failure repeats. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const kind = Math.floor(r() * 4);
  if (kind === 0) { for (let k = 0; k < 1 + r() * 8; k++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8); return out; }
  if (kind === 1) return out.subarray(0, Math.floor(r() * out.length));
  if (kind === 2) {
    const at = Math.floor(r() * out.length), junk = Uint8Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256));
    return Uint8Array.from([...out.subarray(0, at), ...junk, ...out.subarray(at)]);
  }
  // A record whose length and its CRC agree but whose length is absurd.
  const at = Math.floor(r() * 40) * 16;
  const head = new Uint8Array(12);
  new DataView(head.buffer).setBigUint64(0, BigInt(2 ** 40 + Math.floor(r() * 1e6)), true);
  new DataView(head.buffer).setUint32(8, maskedCrc(head.subarray(0, 8)), true);
  return Uint8Array.from([...out.subarray(0, at), ...head, ...out.subarray(at)]);
}

test('framing and protobuf under 400 random damages: records or one typed error, never a crash', async () => {
  const r = rng(20261202);
  let typed = 0, skipped = 0, read = 0;
  for (let i = 0; i < 400; i++) {
    const bytes = mutate(FILE, r);
    const reader = new RecordReader('damaged.tfevents');
    try {
      for (let guard = 0; guard < 10_000; guard++) {
        const batch = await reader.read(new MemorySource('damaged.tfevents', bytes));
        for (const rec of batch.records) {
          scanSimpleScalars(rec, () => {}); // returns false on what it does not know; never throws
          try {
            decodeEvent(rec, 'damaged.tfevents');
            read++;
          } catch (err) {
            expect(err).toBeInstanceOf(ArtifactError);
            expect((err as Error).message).toMatch(/^damaged\.tfevents: /);
          }
        }
        if (batch.records.length === 0 || batch.partial) break;
      }
      skipped += reader.skipped;
    } catch (err) {
      expect(err).toBeInstanceOf(ArtifactError);
      expect((err as Error).message).toMatch(/^damaged\.tfevents: record at byte \d+/);
      typed++;
    }
  }
  // The damages were felt both ways, and the sound records around them were still read.
  expect(typed).toBeGreaterThan(10);
  expect(skipped).toBeGreaterThan(10);
  expect(read).toBeGreaterThan(100_000);
});

test('random bytes as an Event: decoded or refused with a typed error', () => {
  const r = rng(7);
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256));
    try {
      const ev = decodeEvent(bytes, 'random.pb');
      expect(Array.isArray(ev.values)).toBe(true);
    } catch (err) {
      expect(err).toBeInstanceOf(ArtifactError);
    }
  }
});

test('a damaged file in a run: the run says which file and why, and keeps what it read', async () => {
  const dir = tempDir();
  const bad = Uint8Array.from(FILE);
  bad[2] ^= 0xff; // record 0's length fails its CRC
  writeFileSync(join(dir, 'events.out.tfevents.1.bad'), bad);
  writeFileSync(join(dir, 'events.out.tfevents.2.good'), FILE);
  const run = new ScalarRun(dir);
  await run.update();
  const files = run.eventFiles;
  expect(files.find((f) => f.path.endsWith('.bad'))!.error).toMatch(/events\.out\.tfevents\.1\.bad: record at byte 0: its length fails its CRC/);
  expect(run.get('train/loss')!.steps.length).toBe(200);
});

test('the fast path for simple scalars reads exactly what the full decoder reads, on every real record', async () => {
  const { readdirSync } = await import('node:fs');
  const files: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(join(d, e.name)); else if (e.name.startsWith('events.out.tfevents.')) files.push(join(d, e.name)); } };
  walk(realProducer('lightning'));
  walk(realProducer('acestep'));
  let fast = 0, slow = 0;
  for (const f of files) {
    const bytes = readFileSync(f);
    const batch = await new RecordReader(f).read(new MemorySource(f, bytes));
    for (const rec of batch.records) {
      const got: [string, number, number, number][] = [];
      const ok = scanSimpleScalars(rec, (r, a, b, value, step, wall) => got.push([new TextDecoder().decode(r.subarray(a, b)), value, step, wall]));
      const ev = decodeEvent(rec, f);
      if (ok) {
        fast++;
        expect(got).toEqual(ev.values.map((v) => [v.tag, v.scalar, ev.step, ev.wallTime]));
      } else {
        slow++;
        expect(got).toEqual([]);
      }
    }
  }
  expect(fast).toBeGreaterThan(2000);
  expect(slow).toBeGreaterThan(10);
});

test('the CRC of a record by its difference from the last one of its length is its exact CRC', () => {
  const r = rng(7);
  for (let round = 0; round < 40; round++) {
    // A chunk of records of a few lengths, each a sparse change of a template (as scalar events
    // are), some wholly random; lengths around the word size and the delta path's limit too.
    const lengths = [1, 3, 4, 5, 7, 8, 31, 45, 46, 255, 256, 257].filter(() => r() < 0.6);
    const records: [number, number][] = [];
    const chunk = new Uint8Array(64 << 10);
    let at = 0;
    const templates = new Map(lengths.map((n) => [n, Uint8Array.from({ length: n }, () => Math.floor(r() * 256))]));
    while (lengths.length && at < chunk.length - 300) {
      const n = lengths[Math.floor(r() * lengths.length)];
      const rec = Uint8Array.from(templates.get(n)!);
      if (r() < 0.1) for (let i = 0; i < n; i++) rec[i] = Math.floor(r() * 256);
      else for (let k = Math.floor(r() * 6); k > 0; k--) rec[Math.floor(r() * n)] = Math.floor(r() * 256);
      chunk.set(rec, at);
      records.push([at, at + n]);
      at += n + Math.floor(r() * 3);
    }
    const crc = new ChunkCrc();
    crc.reset(chunk);
    for (const [start, end] of records) expect(crc.masked(start, end)).toBe(maskedCrc(chunk, start, end));
  }
});
