import { fork } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RingBufferReader, readRingHeader } from '../../../src/domain/artifacts/ringBuffer';
import { fmt, tempDir } from '../helpers';

const value = (n: number, c: number) => n + 0.25 + c * 100000;

describe('the fixture written by the producer (2 ch, capacity 1000, 5 writes of 256)', () => {
  test('header', async () => {
    expect(await readRingHeader(fmt('ring', 'ring.bin'))).toEqual({ version: 1, sampleRate: 8000, channels: 2, capacity: 1000, writeSequence: 5, samplesPerWrite: 256 });
  });

  test('the newest samples, across the wrap-around, oldest first', async () => {
    const r = await new RingBufferReader(fmt('ring', 'ring.bin')).read(600);
    expect([r.firstSample, r.tornSamples]).toEqual([680, 0]);
    for (const c of [0, 1]) {
      expect(Array.from(r.data[c])).toEqual(Array.from({ length: 600 }, (_, i) => value(680 + i, c)));
    }
  });

  test('at most capacity − samples_per_write come back (the oldest block may be mid-rewrite); one channel only', async () => {
    const r = await new RingBufferReader(fmt('ring', 'ring.bin')).read(5000, [1]);
    expect([r.channels, r.data.length, r.data[0].length, r.firstSample, r.data[0][743]]).toEqual([[1], 1, 744, 536, value(1279, 1)]);
    expect(r.data[0][0]).toBe(value(536, 1));
  });
});

test('overrun, stall and resync between reads', async () => {
  const dir = tempDir();
  const file = join(dir, 'ring');
  copyFileSync(fmt('ring', 'ring.bin'), file);
  const reader = new RingBufferReader(file);
  const setSeq = (seq: number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(BigInt(seq));
    const fd = require('node:fs').openSync(file, 'r+');
    require('node:fs').writeSync(fd, buf, 0, 8, 40);
    require('node:fs').closeSync(fd);
  };
  const first = await reader.read(10);
  expect([first.overrunSamples, first.stalled, first.resynced]).toEqual([0, false, false]);
  expect((await reader.read(10)).stalled).toBe(true);
  setSeq(10); // 5 writes (1280 samples) later: 280 were overwritten unseen
  expect((await reader.read(10)).overrunSamples).toBe(280);
  setSeq(2); // the writer restarted
  const again = await reader.read(10);
  expect([again.resynced, again.overrunSamples]).toEqual([true, 0]);
});

test('reads stay consistent while another process writes as fast as it can', async () => {
  const dir = tempDir();
  const file = join(dir, 'live_ring');
  const writer = fork(join(__dirname, 'ringWriter.mjs'), [file, '3', '4096', '128', '2'], { stdio: 'ignore' });
  await new Promise<void>((resolve) => writer.once('message', () => resolve()));
  const reader = new RingBufferReader(file);
  let reads = 0, overruns = 0, torn = 0, lastFirst = -1;
  const deadline = Date.now() + 1500;
  while (Date.now() < deadline) {
    const r = await reader.read(4096);
    reads++;
    overruns += r.overrunSamples;
    torn += r.tornSamples;
    for (let c = 0; c < 3; c++) {
      const d = r.data[c];
      for (let i = 0; i < d.length; i++) {
        if (d[i] !== value(r.firstSample + i, c)) throw new Error(`read ${reads}: channel ${c} sample ${r.firstSample + i} is ${d[i]}`);
      }
    }
    expect(r.firstSample).toBeGreaterThanOrEqual(lastFirst);
    lastFirst = r.firstSample;
  }
  writer.kill();
  expect(reads).toBeGreaterThan(20);
  // With a writer this fast some data is overwritten between reads; it must be reported.
  expect(overruns + torn).toBeGreaterThan(0);
});

test.each([
  ['capacity 0', (b: Buffer) => b.writeBigUInt64LE(0n, 32), 'bad_header', 'ring buffer capacity is 0'],
  ['0 channels', (b: Buffer) => b.writeBigUInt64LE(0n, 24), 'bad_header', 'ring buffer has 0 channels (1–1024 allowed)'],
  ['version 2', (b: Buffer) => b.writeBigUInt64LE(2n, 8), 'unsupported', 'ring buffer version 2 (version 1 is supported)'],
  ['wrong magic', (b: Buffer) => b.write('AUDITAB?', 0, 'latin1'), 'bad_magic', 'not an audio ring buffer (no AUDITAB! magic)'],
  ['capacity larger than the file', (b: Buffer) => b.writeBigUInt64LE(1n << 40n, 32), 'truncated', 'needs'],
])('%s', async (_, mutate, code, message) => {
  const dir = tempDir();
  const file = join(dir, 'r');
  const bytes = Buffer.from(require('node:fs').readFileSync(fmt('ring', 'ring.bin')));
  mutate(bytes);
  writeFileSync(file, bytes);
  await expect(readRingHeader(file)).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
});
