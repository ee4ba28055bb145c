import { fork } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RingBufferReader, readRingHeader } from '../../../src/domain/artifacts/ringBuffer';
import { fmt, realProducer, tempDir } from '../helpers';

const value = (n: number, c: number) => n + 0.25 + c * 100000;

describe('the fixture written by the producer (2 ch, capacity 1000, 5 writes of 256)', () => {
  test('header', async () => {
    expect(await readRingHeader(fmt('ring', 'ring.bin'))).toEqual({ version: 1, sampleRate: 8000, channels: 2, capacity: 1000, writeSequence: 5, samplesPerWrite: 256, samplesPerWriteInHeader: true });
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

// audiotab's own RingBufferWriter (FORMATS.md): samples-per-write left 0, a fixed 1024 stride,
// planar f64; channel c carries 0.5·sin(2π·440(c+1)·n/48000) at stream sample n.
describe.each([
  ['48k_1ch_4s', 1, 192000, 281],
  ['48k_8ch_2s', 8, 96000, 140],
])('the real audiotab writer: %s', (name, channels, capacity, writes) => {
  const file = realProducer('audiotab', name, 'audiotab_ringbuf');
  const tone = (n: number, c: number) => 0.5 * Math.sin((2 * Math.PI * 440 * (c + 1) * n) / 48000);

  test('header: 0 samples per write is the writer\'s 1024 stride', async () => {
    expect(await readRingHeader(file)).toEqual({ version: 1, sampleRate: 48000, channels, capacity, writeSequence: writes, samplesPerWrite: 1024, samplesPerWriteInHeader: false });
  });

  test('the newest samples are the stream\'s last ones, in order, on every channel', async () => {
    const r = await new RingBufferReader(file).read(2000);
    const written = writes * 1024;
    expect([r.firstSample, r.data.length, r.tornSamples]).toEqual([written - 2000, channels, 0]);
    for (let c = 0; c < channels; c++) {
      let worst = 0;
      r.data[c].forEach((v, i) => { worst = Math.max(worst, Math.abs(v - tone(written - 2000 + i, c))); });
      expect(worst).toBeLessThan(1e-9);
    }
  });

  test('a full read crosses the wrap (the block split by it included) and stays in order', async () => {
    const r = await new RingBufferReader(file).read(capacity, [channels - 1]);
    const written = writes * 1024;
    expect(r.data[0].length).toBe(capacity - 1024);
    expect(r.firstSample).toBe(written - (capacity - 1024));
    let worst = 0;
    r.data[0].forEach((v, i) => { worst = Math.max(worst, Math.abs(v - tone(r.firstSample + i, channels - 1))); });
    expect(worst).toBeLessThan(1e-9);
  });
});

test('a restart in place (same file, sequence back to 0, old samples kept) is reported as a restart', async () => {
  const file = join(tempDir(), 'audiotab_ringbuf');
  copyFileSync(realProducer('audiotab', '48k_1ch_4s', 'audiotab_ringbuf'), file);
  const reader = new RingBufferReader(file);
  expect((await reader.read(100)).resynced).toBe(false);
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const fd = openSync(file, 'r+');
  const seq = Buffer.alloc(8);
  seq.writeBigUInt64LE(3n);
  writeSync(fd, seq, 0, 8, 40);
  closeSync(fd);
  const after = await reader.read(100);
  expect([after.resynced, after.firstSample, after.header.writeSequence]).toEqual([true, 3 * 1024 - 100, 3]);
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
