// Tick marks for a spectrogram's frequency axis, on the scale its rows use (rowEdges).
import { frequencyScale, type FrequencyScale } from './stft';

export interface FrequencyTick {
  hz: number;
  label: string;
  /** Height on the axis: 0 at the lowest frequency shown (the bottom), 1 at Nyquist (the top). */
  at: number;
}

/** 1, 2, 5, 10, 20, 50… Hz up to 1 MHz. */
const ROUND = Array.from({ length: 7 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

export function formatHz(hz: number): string {
  return hz >= 1000 ? `${Number((hz / 1000).toPrecision(3))} kHz` : `${Number(hz.toPrecision(3))} Hz`;
}

/**
 * Round frequencies for an axis `heightPx` high, at least `gapPx` apart. Linear: multiples of
 * the smallest 1-2-5 step that keeps the gap. Log and mel: powers of ten first, then 2 and 5
 * times them where they fit (on a log scale they are close together at the top, on mel at the bottom).
 */
export function frequencyTicks(scale: FrequencyScale, sampleRate: number, heightPx: number, gapPx = 16, minHz = 20): FrequencyTick[] {
  if (!(sampleRate > 0) || !(heightPx > 0)) return [];
  const { lowest, nyquist, position } = frequencyScale(scale, sampleRate, minHz);
  const tick = (hz: number): FrequencyTick => ({ hz, label: formatHz(hz), at: position(hz) });
  if (scale === 'linear') {
    const step = ROUND.find((s) => (s / nyquist) * heightPx >= gapPx);
    if (step === undefined) return [tick(0)];
    return Array.from({ length: Math.floor(nyquist / step) + 1 }, (_, k) => tick(k * step));
  }
  const inRange = (hz: number) => hz >= lowest && hz <= nyquist;
  const candidates = [...ROUND.filter((hz) => hz === 10 ** Math.round(Math.log10(hz))), ...ROUND.filter((hz) => hz !== 10 ** Math.round(Math.log10(hz)))].filter(inRange);
  const kept: FrequencyTick[] = [];
  for (const hz of candidates) {
    const t = tick(hz);
    if (kept.every((k) => Math.abs(k.at - t.at) * heightPx >= gapPx)) kept.push(t);
  }
  return kept.sort((a, b) => a.hz - b.hz);
}
