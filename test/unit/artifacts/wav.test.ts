import { describe, expect, test } from 'vitest';
import { FileSource } from '../../../src/domain/artifacts/source';
import { readWavFrames, readWavInfo, readWavPeaks } from '../../../src/domain/artifacts/wav';
import { fmt } from '../helpers';

const RATE = 8000, N = 400;
const sig = (n: number) => 0.5 * Math.sin((2 * Math.PI * 440 * n) / RATE);

async function decode(name: string) {
  const info = await readWavInfo(fmt('wav', name));
  const src = await FileSource.open(fmt('wav', name));
  const chans = await readWavFrames(src, info);
  await src.close();
  return { info, chans };
}

describe.each([
  ['pcm8.wav', 8, 127, 128],
  ['pcm16.wav', 16, 32767, 32768],
  ['pcm24.wav', 24, 8388607, 8388608],
  ['pcm32.wav', 32, 2147483647, 2147483648],
  ['extensible24.wav', 24, 8388607, 8388608],
  ['rf64.wav', 16, 32767, 32768],
  ['odd_chunk_data_first.wav', 16, 32767, 32768],
])('%s', (name, bits, full, scale) => {
  test('header and decoded samples', async () => {
    const { info, chans } = await decode(name);
    expect(info).toMatchObject({ encoding: 'pcm', channels: 2, sampleRate: RATE, bitsPerSample: bits, frames: N, warnings: [] });
    expect(info.container).toBe(name === 'rf64.wav' ? 'RF64' : 'RIFF');
    for (const n of [0, 1, 7, 100, 399]) {
      expect(chans[0][n]).toBeCloseTo(Math.round(sig(n) * full) / scale, 6);
      expect(chans[1][n]).toBeCloseTo(-Math.round(sig(n) * full) / scale, 6);
    }
  });
});

test.each(['float32.wav', 'float64.wav'])('%s decodes exactly', async (name) => {
  const { info, chans } = await decode(name);
  expect(info).toMatchObject({ encoding: 'float', formatTag: 3, frames: N });
  for (const n of [0, 5, 399]) expect(chans[0][n]).toBeCloseTo(Math.fround(sig(n)), 6);
});

test('a data size past the end of the file is clamped with a warning', async () => {
  const info = await readWavInfo(fmt('wav', 'data_size_lies.wav'));
  expect(info.frames).toBe(N);
  expect(info.warnings).toEqual([`data chunk says ${N * 4 + 4000} bytes, file has ${N * 4}; reading ${N * 4}`]);
});

test('peaks: min/max per bucket match the decoded samples', async () => {
  const { info, chans } = await decode('pcm16.wav');
  const src = await FileSource.open(fmt('wav', 'pcm16.wav'));
  const peaks = await readWavPeaks(src, info, 10, 0, N, 37); // odd block size crosses bucket edges
  await src.close();
  for (let b = 0; b < 10; b++) {
    const slice = chans[0].subarray(b * 40, (b + 1) * 40);
    expect(peaks.min[0][b]).toBe(Math.min(...slice));
    expect(peaks.max[0][b]).toBe(Math.max(...slice));
  }
});
