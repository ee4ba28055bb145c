import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { rowEdges } from '../../../src/domain/audio/stft';
import { columnOfBucket, lastBucketOf, LiveSpectrogram, paintBuckets } from '../../../webview/liveAudio/liveSpectrogram';
import { FramePacer, parseChannels, QualityGovernor, qualityAt, WaveHistory } from '../../../webview/liveAudio/model';

const RATE = 16000;
const sine = (n: number, hz: number, from = 0) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * (from + i)) / RATE));
const params = { window: 1024, hop: 256, sampleRate: RATE, scale: 'linear' as const, rows: 64 };

describe('LiveSpectrogram', () => {
  test('a sine in chunks of any size gives the same columns as in one piece, its level in the sine\'s row', () => {
    const signal = sine(16000, 1000);
    const whole = new LiveSpectrogram(params).push(0, signal, 1000);
    expect([whole.first, whole.count]).toEqual([4, 59]); // column j ends at 256·j; the first whole window ends at 1024
    const edges = rowEdges('linear', 64, RATE);
    const row = [...edges].findIndex((e, r) => e <= 1000 && 1000 < edges[r + 1]);
    const col = whole.levels.subarray(10 * 64, 11 * 64);
    expect(col.indexOf(Math.max(...col))).toBe(row);
    expect(col[row]).toBeGreaterThan(-8); // a full-scale sine, in dB re. sine amplitude (minus scalloping)
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 20 }), (cuts) => {
      const live = new LiveSpectrogram(params);
      const levels: number[] = [];
      let at = 0, next = 4;
      for (const c of [...cuts, 16000]) {
        const n = Math.min(c, 16000 - at);
        if (n <= 0) break;
        const got = live.push(at, signal.subarray(at, at + n), 1000);
        if (got.count > 0) {
          expect(got.first).toBe(next);
          next = got.first + got.count;
        }
        levels.push(...got.levels);
        at += n;
      }
      expect(levels).toEqual([...whole.levels]);
    }), { numRuns: 40 });
  });

  test('a gap in the stream leaves NaN columns where samples are missing, then picks up again', () => {
    const live = new LiveSpectrogram(params);
    live.push(0, sine(4096, 1000), 1000); // columns 4…16
    const after = live.push(8192, sine(4096, 1000, 8192), 1000); // samples 4096…8191 never came
    expect([after.first, after.count]).toEqual([17, 48 - 16]);
    const column = (j: number) => after.levels.subarray((j - 17) * 64, (j - 16) * 64);
    expect(Number.isNaN(column(17)[0]) && Number.isNaN(column(35)[0])).toBe(true); // window [8192-1024+…) not whole until 36
    expect(Number.isNaN(column(36)[0])).toBe(false);
    // a long silence is capped to the newest columns
    expect(live.push(1 << 20, sine(512, 1000), 100).count).toBe(100);
  });
});

describe('the spectrogram at the lanes\' resolution', () => {
  test('a bucket shows the column whose span holds its middle; lastBucketOf is the last bucket of a column', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4000 }), fc.constantFrom(256, 512, 1024, 2048, 4096), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e7 }), (bucket, window, windowsPerHop, column) => {
      const hop = window / windowsPerHop;
      const b = lastBucketOf(column, bucket, window, hop); // (negative: before the stream's first bucket)
      const middle = (b + 0.5) * bucket;
      expect(columnOfBucket(b, bucket, window, hop)).toBeLessThanOrEqual(column);
      expect(columnOfBucket(b + 1, bucket, window, hop)).toBeGreaterThan(column);
      // Column j's window ends at j·hop: the bucket's middle is within half a hop of the window's centre.
      const j = columnOfBucket(b, bucket, window, hop);
      expect(Math.abs(middle - (j * hop - window / 2))).toBeLessThanOrEqual(hop / 2);
    }));
  });

  test('paintBuckets colours each bucket from its column, top row first; columns not kept and NaN levels stay transparent', () => {
    const rows = 3, columns = 4, lastColumn = 9; // kept: columns 6–9
    const levels = new Float32Array(columns * rows).fill(NaN);
    levels.set([0, -50, -100], 0 * rows); // column 6, bottom row first
    levels.set([-100, NaN, 0], 3 * rows); // column 9
    const table = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3)); // grey ramp
    const bucket = 100, window = 400, hop = 200;
    // bucket b shows column floor(((b + 0.5)·100 + 200 + 100) / 200): buckets 9–10 → 6, 15–16 → 9, 17 → 10 (not made)
    const pixels = new Uint32Array(9 * rows).fill(7);
    paintBuckets(pixels, 9, 9, bucket, window, hop, { levels, columns, rows, lastColumn }, table, [-100, 0]);
    const grey = (v: number) => new Uint32Array(Uint8Array.from([v, v, v, 255]).buffer)[0];
    const at = (x: number) => [0, 1, 2].map((y) => pixels[y * 9 + x]);
    expect(at(0)).toEqual([grey(0), grey(Math.round(50 * (255 / 100))), grey(255)]); // column 6: its top row is its last level (-100 dB)
    expect(at(1)).toEqual(at(0));
    expect(at(2)).toEqual([0, 0, 0]); // column 7: all NaN
    expect(at(6)).toEqual([grey(255), 0, grey(0)]);
    expect(at(7)).toEqual(at(6));
    expect(at(8)).toEqual([0, 0, 0]); // column 10: not made yet
  });
});

test('parseChannels', () => {
  expect(parseChannels('0-3, 6', 8)).toEqual({ channels: [0, 1, 2, 3, 6] });
  expect(parseChannels('2,2,1', 8)).toEqual({ channels: [2, 1] });
  expect(parseChannels('0-8', 8)).toEqual({ error: 'channel 8 does not exist (the buffer has 8: 0-7)' });
  expect(parseChannels('x', 8)).toEqual({ error: '"x" is not a channel or a range like 0-7' });
  expect(parseChannels('5-2', 8)).toEqual({ error: '5-2: the range runs backwards' });
  expect(parseChannels(' ', 8)).toMatchObject({ error: expect.stringContaining('no channels') });
  expect(parseChannels('0-99999999', 1 << 30)).toMatchObject({ error: expect.stringContaining('at most 64') });
});

test('WaveHistory scrolls by whole buckets, leaves NaN for gaps, and starts over when fresh', () => {
  const h = new WaveHistory(1, 4, 10);
  const f = (...v: number[]) => [Float32Array.from(v)];
  h.append(100, f(1, 2), f(11, 12), true);
  expect([...h.min[0]]).toEqual([NaN, NaN, 1, 2]);
  expect([h.end, h.sampleAt(2)]).toEqual([120, 100]);
  h.append(120, f(3), f(13), false);
  expect([...h.min[0]]).toEqual([NaN, 1, 2, 3]);
  h.append(140, f(5), f(15), false); // samples 130…139 missing
  expect([...h.min[0], ...h.max[0]]).toEqual([2, 3, NaN, 5, 12, 13, NaN, 15]);
  h.append(150, f(6, 7, 8, 9, 10), f(0, 0, 0, 0, 0), false); // more than fits
  expect([...h.min[0]]).toEqual([7, 8, 9, 10]);
  h.append(0, f(1), f(1), true);
  expect([...h.min[0], h.end]).toEqual([NaN, NaN, NaN, 1, 10]);
});

test('FramePacer: frames missed are those the host held back; the rate is over the last second', () => {
  const p = new FramePacer();
  for (const t of [0, 16, 33, 50]) p.drawn(t);
  p.drawn(100, 2); // the host waited two frame times for the view
  expect([p.dropped, p.drawnCount]).toEqual([2, 5]);
  expect(p.fps).toBe(40); // 4 intervals over 100 ms
  p.pause();
  p.drawn(5000);
  expect(p.fps).toBe(0); // one frame since the pause: no rate yet
  p.drawn(5020);
  expect(p.fps).toBe(50);
  expect(p.dropped).toBe(2);
});

test('the quality ladder: fewer windows first, then smaller FFTs, never below 256', () => {
  expect([0, 1, 2, 3, 4].map((l) => qualityAt(2048, l))).toEqual([
    { window: 2048, hop: 512, level: 0 }, { window: 2048, hop: 1024, level: 1 }, { window: 2048, hop: 2048, level: 2 },
    { window: 1024, hop: 1024, level: 3 }, { window: 512, hop: 512, level: 4 },
  ]);
  expect(qualityAt(256, 10)).toEqual({ window: 256, hop: 256, level: 2 });
  const g = new QualityGovernor(4, () => 2048);
  expect(g.record(1)).toBe(false);
  expect(g.record(50)).toBe(true); // one long frame pulls the average over budget
  expect(g.level).toBe(1);
  for (let i = 0; i < 200 && g.level > 0; i++) g.record(0.1);
  expect(g.level).toBe(0);
});
