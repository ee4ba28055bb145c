// The spectrogram's frequency axis: round frequencies at the heights of the rows that show them.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { formatHz, frequencyTicks } from '../../../src/domain/audio/frequencyTicks';
import { rowEdges } from '../../../src/domain/audio/stft';

test('linear: 0 to Nyquist in one 1-2-5 step, the smallest that keeps the gap', () => {
  const ticks = frequencyTicks('linear', 48_000, 180, 16);
  // 24 kHz over 180 px: a 2 kHz step is 15 px (too close), 5 kHz is 37.5 px.
  expect(ticks.map((t) => t.hz)).toEqual([0, 5000, 10_000, 15_000, 20_000]);
  expect(ticks.map((t) => t.label)).toEqual(['0 Hz', '5 kHz', '10 kHz', '15 kHz', '20 kHz']);
  expect(ticks.map((t) => t.at)).toEqual([0, 5 / 24, 10 / 24, 15 / 24, 20 / 24]);
  // The producer's 8 kHz eval audio on a 150 px lane.
  expect(frequencyTicks('linear', 8000, 150, 16).map((t) => t.hz)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]);
});

test('log: powers of ten first, then 2 and 5 times them where they fit', () => {
  expect(frequencyTicks('log', 48_000, 180, 16).map((t) => t.label)).toEqual(['20 Hz', '50 Hz', '100 Hz', '200 Hz', '500 Hz', '1 kHz', '2 kHz', '5 kHz', '10 kHz', '20 kHz']);
  // Squeezed: the decades alone.
  expect(frequencyTicks('log', 48_000, 60, 16).map((t) => t.hz)).toEqual([100, 1000, 10_000]);
});

test('mel: the crowded low end keeps only what fits', () => {
  const ticks = frequencyTicks('mel', 48_000, 180, 16);
  expect(ticks.map((t) => t.hz)).toEqual([100, 500, 1000, 2000, 5000, 10_000, 20_000]);
});

test('no axis for a rate or height that is not there', () => {
  expect(frequencyTicks('log', 0, 180)).toEqual([]);
  expect(frequencyTicks('linear', Number.NaN, 180)).toEqual([]);
  expect(frequencyTicks('mel', 48_000, 0)).toEqual([]);
});

test('formatHz keeps three figures', () => {
  expect([0, 20, 440, 999, 1000, 2500, 22_050].map(formatHz)).toEqual(['0 Hz', '20 Hz', '440 Hz', '999 Hz', '1 kHz', '2.5 kHz', '22.1 kHz']);
});

test('property: every tick is in range, in order, apart by the gap, and at the height of the row that shows its frequency', () => {
  fc.assert(fc.property(
    fc.constantFrom('linear' as const, 'log' as const, 'mel' as const),
    fc.integer({ min: 100, max: 384_000 }), fc.integer({ min: 20, max: 2000 }), fc.integer({ min: 8, max: 40 }),
    (scale, rate, height, gap) => {
      const ticks = frequencyTicks(scale, rate, height, gap);
      const edges = rowEdges(scale, height, rate);
      for (const [i, t] of ticks.entries()) {
        expect(t.at).toBeGreaterThanOrEqual(0);
        expect(t.at).toBeLessThanOrEqual(1 + 1e-12);
        expect(t.hz).toBeLessThanOrEqual(rate / 2);
        if (i > 0) {
          expect(t.hz).toBeGreaterThan(ticks[i - 1].hz);
          expect((t.at - ticks[i - 1].at) * height).toBeGreaterThanOrEqual(gap - 1e-9);
        }
        const row = Math.min(height - 1, Math.floor(t.at * height + 1e-9));
        expect(t.hz).toBeGreaterThanOrEqual(edges[row] * (1 - 1e-9));
        expect(t.hz).toBeLessThanOrEqual(edges[row + 1] * (1 + 1e-9));
      }
    },
  ));
});
