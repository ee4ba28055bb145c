import { fork } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { resolveFfmpeg } from '../../../src/domain/animation/ffmpeg';
import { readWavFrames, readWavInfoFrom } from '../../../src/domain/artifacts/wav';
import { MemorySource } from '../../../src/domain/artifacts/source';
import { bucketExtremes, captureRingSpan, LiveRingTap, stoppedAfterMs } from '../../../src/domain/audio/liveRing';
import { LiveStream } from '../../../src/domain/audio/liveStream';
import type { LiveAudioHostToWebview, LiveFrame } from '../../../src/protocol/audio';
import { artifactError, fmt, tempDir } from '../helpers';

// The fixture: 2 channels, capacity 1000, 5 writes of 256 at 8 kHz; sample n of channel c is n + 0.25 + c·1e5.
const value = (n: number, c: number) => n + 0.25 + c * 100000;

function ringCopy(): { file: string; setSequence(seq: number): void } {
  const file = join(tempDir(), 'ring');
  copyFileSync(fmt('ring', 'ring.bin'), file);
  return {
    file,
    setSequence(seq) {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(seq));
      const fd = openSync(file, 'r+');
      writeSync(fd, b, 0, 8, 40);
      closeSync(fd);
    },
  };
}

describe('LiveRingTap on the producer fixture', () => {
  test('a fresh view gets its history as min/max buckets aligned to the bucket size, plus raw spectrogram samples', async () => {
    const tap = new LiveRingTap(fmt('ring', 'ring.bin'));
    const f = await tap.next({ channels: [1, 0], spectrumChannel: 1, bucket: 10, history: 600, maxFrameSamples: 1 << 20 });
    expect([f.written, f.start, f.end, f.fresh, f.overrun, f.skipped]).toEqual([1280, 680, 1280, true, 0, 0]);
    expect(f.min.map((m) => m.length)).toEqual([60, 60]);
    for (let k = 0; k < 60; k++) {
      expect([f.min[0][k], f.max[0][k]]).toEqual([value(680 + 10 * k, 1), value(689 + 10 * k, 1)]);
      expect([f.min[1][k], f.max[1][k]]).toEqual([value(680 + 10 * k, 0), value(689 + 10 * k, 0)]);
    }
    expect(f.spectrum!.length).toBe(600);
    expect([f.spectrum![0], f.spectrum![599]]).toEqual([Math.fround(value(680, 1)), Math.fround(value(1279, 1))]);
  });

  test('history is limited to what the ring still holds intact, rounded up to a bucket', async () => {
    const f = await new LiveRingTap(fmt('ring', 'ring.bin')).next({ channels: [0], bucket: 10, history: 5000, maxFrameSamples: 1 << 20 });
    // The writer may be rewriting the block after sample 1280, i.e. samples 536…791 of the ring's last lap.
    expect([f.start, f.end]).toEqual([540, 1280]);
  });

  test('then only what is new; idle time, overrun, skipping and restarts', async () => {
    const ring = ringCopy();
    let now = 1000;
    const tap = new LiveRingTap(ring.file, () => now);
    const req = { channels: [0], spectrumChannel: 0, bucket: 16, history: 320, maxFrameSamples: 1 << 20 };
    const first = await tap.next(req);
    expect([first.start, first.end, first.idleMs]).toEqual([960, 1280, 0]);
    now += 700;
    const idle = await tap.next(req);
    expect([idle.start, idle.end, idle.min[0].length, idle.spectrum!.length, idle.fresh, idle.idleMs]).toEqual([1280, 1280, 0, 0, false, 700]);

    ring.setSequence(6); // one block: 256 new samples, all read
    const one = await tap.next(req);
    expect([one.start, one.end, one.overrun, one.idleMs]).toEqual([1280, 1536, 0, 0]);
    // (only the sequence moved: those positions still hold the ring's previous lap)
    expect([one.min[0].length, one.min[0][0]]).toEqual([16, value(280, 0)]);

    ring.setSequence(12); // 1536 new samples in a ring of 1000: the oldest were overwritten unseen
    const behind = await tap.next(req);
    // intact from 12·256 + 256 − 1000 = 2328, rounded up to 2336
    expect([behind.start, behind.end, behind.overrun, behind.skipped, behind.fresh]).toEqual([2336, 3072, 2336 - 1536, 0, false]);

    ring.setSequence(13);
    const capped = await tap.next({ ...req, maxFrameSamples: 100 });
    // at most 96 samples (whole buckets) a frame: the rest is skipped, not an overrun
    expect([capped.start, capped.end, capped.skipped, capped.overrun, capped.fresh]).toEqual([3328 - 96, 3328, 3328 - 96 - 3072, 0, false]);

    const otherBucket = await tap.next({ ...req, bucket: 8 });
    expect(otherBucket.fresh).toBe(true);
    // The channels are checked once per request, not per frame: the same array changed in place is a new request.
    const lanes = [0];
    expect((await tap.next({ ...req, bucket: 8, channels: lanes })).fresh).toBe(false);
    lanes.push(1);
    const more = await tap.next({ ...req, bucket: 8, channels: lanes });
    expect([more.fresh, more.min.length]).toEqual([true, 2]);
    lanes.push(5);
    expect((await artifactError(() => tap.next({ ...req, bucket: 8, channels: lanes }))).message).toContain('channel 5 does not exist (the buffer has 2)');
    lanes.pop();

    ring.setSequence(4); // the writer restarted
    const restarted = await tap.next({ ...req, bucket: 8 });
    expect([restarted.fresh, restarted.overrun, restarted.end]).toEqual([true, 0, 1024]);
  });

  test('a writer that replaces the file or removes it is noticed within a fifth of a second (the path is not looked up every frame)', async () => {
    const ring = ringCopy();
    const tap = new LiveRingTap(ring.file);
    const req = { channels: [0], bucket: 16, history: 320, maxFrameSamples: 1 << 20 };
    expect(tap.next(req).end).toBe(1280);
    // A new writer's file under the same name, two writes in.
    const next = join(tempDir(), 'ring.new');
    copyFileSync(ring.file, next);
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(2));
    const fd = openSync(next, 'r+');
    writeSync(fd, b, 0, 8, 40);
    closeSync(fd);
    renameSync(next, ring.file);
    await new Promise((r) => setTimeout(r, 250));
    const replaced = tap.next(req);
    expect([replaced.fresh, replaced.end]).toEqual([true, 512]);
    rmSync(ring.file);
    await new Promise((r) => setTimeout(r, 250));
    expect((await artifactError(() => tap.next(req))).code).toBe('not_found');
  });

  test('hostile requests and files fail with a message naming the problem', async () => {
    const tap = new LiveRingTap(fmt('ring', 'ring.bin'));
    expect((await artifactError(() => tap.next({ channels: [2], bucket: 1, history: 10, maxFrameSamples: 10 }))).message).toContain('channel 2 does not exist (the buffer has 2)');
    expect((await artifactError(() => tap.next({ channels: [0], bucket: 0, history: 10, maxFrameSamples: 10 }))).message).toContain('bucket of 0 samples');
    const gone = await artifactError(() => new LiveRingTap(join(tempDir(), 'nothing')).next({ channels: [0], bucket: 1, history: 10, maxFrameSamples: 10 }));
    expect(gone.code).toBe('not_found');
    const bytes = readFileSync(fmt('ring', 'ring.bin'));
    const half = await artifactError(() => new LiveRingTap('half').nextFrom(new MemorySource('half', bytes.subarray(0, 2000)), { channels: [0], bucket: 1, history: 10, maxFrameSamples: 10 }));
    expect(half).toMatchObject({ code: 'truncated', message: expect.stringContaining('needs 4096 bytes, file has 2000') });
  });
});

test('LiveStream: a read with nothing new sends no frame (but one every 250 ms); frames it held back for the view are counted', async () => {
  const ring = ringCopy();
  const frames: LiveFrame[] = [];
  let acking = true;
  const stream = new LiveStream(ring.file, (m: LiveAudioHostToWebview) => {
    if (m.type !== 'frame') throw new Error(`unexpected ${m.type}`);
    frames.push(m);
    if (acking) stream.ack(m.id, m.seq);
  });
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    stream.subscribe({ id: 1, channels: [0], spectrumChannel: 0, bucket: 16, history: 320 });
    await wait(600);
    // The writer has not moved: the first frame, then one every 250 ms, of some 36 reads.
    expect(stream.framesRead).toBeGreaterThan(15);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.length).toBeLessThanOrEqual(4);
    expect(frames.slice(1).every((f) => f.start === f.end && !f.stopped)).toBe(true);
    // A write is sent at the next read.
    const until = async (what: () => boolean) => { for (const end = Date.now() + 5000; !what();) { if (Date.now() > end) throw new Error('timed out'); await wait(5); } };
    const withEnd = (end: number) => () => frames.some((f) => f.end === end);
    const before = frames.length;
    ring.setSequence(6);
    await until(withEnd(1536));
    expect(frames.slice(before).filter((f) => f.end > f.start).map((f) => [f.start, f.end])).toEqual([[1280, 1536]]);
    // A view that draws nothing: two frames in flight, then the host waits, and says for how long.
    acking = false;
    ring.setSequence(7);
    await until(withEnd(1792));
    ring.setSequence(8);
    await until(withEnd(2048));
    const waitFrom = performance.now();
    const sent = frames.length;
    await wait(300);
    expect(frames.length).toBe(sent); // nothing while both are unacknowledged, not even the 250 ms one
    acking = true;
    const waited = performance.now() - waitFrom;
    stream.ack(1, frames.at(-1)!.seq);
    ring.setSequence(9);
    await until(withEnd(2304));
    const resumed = frames.slice(sent).find((f) => f.end === 2304)!;
    expect(resumed.held).toBeGreaterThanOrEqual(10); // ~300 ms at 60 frames a second
    expect(resumed.held).toBeLessThanOrEqual(Math.ceil(waited / 16.67));
    expect(frames.slice(0, sent).every((f) => f.held === 0)).toBe(true);
  } finally {
    stream.dispose();
  }
});

test('bucketExtremes: a bucket of NaN is a gap, not a spike', () => {
  const min = new Float32Array(2), max = new Float32Array(2);
  bucketExtremes(Float64Array.from([1, -2, NaN, NaN]), 2, min, max);
  expect([...min, ...max]).toEqual([-2, NaN, 1, NaN]);
});

test('a writer stops counting as live after 1 s, or four of its writes when slower', () => {
  expect(stoppedAfterMs({ sampleRate: 48000, samplesPerWrite: 1024 } as never)).toBe(1000);
  expect(stoppedAfterMs({ sampleRate: 1000, samplesPerWrite: 1000 } as never)).toBe(4000);
});

describe('captureRingSpan', () => {
  test('saves the span as float WAV that our reader and ffmpeg both decode to the ring values', async () => {
    const out = join(tempDir(), 'span.wav');
    await captureRingSpan(fmt('ring', 'ring.bin'), 700, 1200, [1, 0], out);
    const bytes = new Uint8Array(readFileSync(out));
    const info = await readWavInfoFrom(new MemorySource(out, bytes));
    expect([info.encoding, info.bitsPerSample, info.channels, info.sampleRate, info.frames, info.warnings]).toEqual(['float', 32, 2, 8000, 500, []]);
    const [a, b] = await readWavFrames(new MemorySource(out, bytes), info);
    expect([a[0], a[499], b[0], b[499]]).toEqual([value(700, 1), value(1199, 1), value(700, 0), value(1199, 0)]);
    const raw = execFileSync(resolveFfmpeg().path, ['-v', 'error', '-i', out, '-f', 'f32le', '-']);
    const decoded = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    expect(decoded.length).toBe(1000);
    expect([decoded[0], decoded[1], decoded[998], decoded[999]]).toEqual([value(700, 1), value(700, 0), value(1199, 1), value(1199, 0)]);
  });

  test('a span the writer has already overwritten is refused, naming the samples', async () => {
    const err = await artifactError(() => captureRingSpan(fmt('ring', 'ring.bin'), 100, 700, [0], join(tempDir(), 'x.wav')));
    expect(err.message).toContain('samples from 100 were overwritten by the writer before they could be saved');
    const ahead = await artifactError(() => captureRingSpan(fmt('ring', 'ring.bin'), 1000, 2000, [0], join(tempDir(), 'y.wav')));
    expect(ahead.message).toContain('the writer has written 1280');
  });
});

test('a writer process fills a small ring as fast as it can: frames are in order, values exact, losses reported', async () => {
  const file = join(tempDir(), 'live_ring');
  const writer = fork(join(__dirname, '..', 'artifacts', 'ringWriter.mjs'), [file, '3', '4096', '128', '2'], { stdio: 'ignore' });
  await new Promise<void>((resolve) => writer.once('message', () => resolve()));
  try {
    const tap = new LiveRingTap(file);
    const req = { channels: [2, 0], spectrumChannel: 1, bucket: 32, history: 2048, maxFrameSamples: 1 << 20 };
    let frames = 0, lost = 0, expectedStart = -1, samples = 0;
    const deadline = Date.now() + 1200;
    while (Date.now() < deadline) {
      const f = await tap.next(req);
      frames++;
      if (expectedStart >= 0) {
        // every sample since the last frame is either delivered or counted as lost
        expect(f.start).toBe(expectedStart + f.overrun + f.skipped);
        lost += f.overrun + f.skipped;
      }
      expectedStart = f.end;
      samples += f.end - f.start;
      for (let k = 0; k < f.min[0].length; k++) {
        const at = f.start + 32 * k;
        if (f.min[0][k] !== Math.fround(value(at, 2)) || f.max[1][k] !== Math.fround(value(at + 31, 0))) throw new Error(`frame ${frames}: bucket at ${at} is ${f.min[0][k]}…${f.max[1][k]}`);
      }
      for (let i = 0; i < f.spectrum!.length; i++) {
        if (f.spectrum![i] !== Math.fround(value(f.start + i, 1))) throw new Error(`frame ${frames}: spectrum sample ${f.start + i} is ${f.spectrum![i]}`);
      }
    }
    expect(frames).toBeGreaterThan(20);
    expect(samples).toBeGreaterThan(0);
    // The writer outruns a 4096-sample ring between frames: the tap must say so.
    expect(lost).toBeGreaterThan(0);
  } finally {
    writer.kill();
  }
});
