// Palettes for plot frames. Plots are mostly a few exact colours (background, grid, text,
// one colour per class) plus anti-aliased blends between them, so the palette keeps the
// most frequent colours exactly and spends the rest on quantised blends; pixels then map
// to their exact nearest palette colour (FrameCoder; gifenc's own mapping bins pixels to
// RGB565 first, which caps quality near 45 dB).
import { quantize } from 'gifenc';

/** Builds up to `size` colours from RGBA samples. */
export function buildPalette(samples: Uint8Array, size: number): number[][] {
  const counts = new Map<number, number>();
  for (let i = 0; i < samples.length; i += 4) {
    const c = (samples[i] << 16) | (samples[i + 1] << 8) | samples[i + 2];
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const byCount = [...counts].sort((a, b) => b[1] - a[1]);
  if (byCount.length <= size) return byCount.map(([c]) => [c >> 16, (c >> 8) & 255, c & 255]);
  const exact = byCount.slice(0, Math.floor(size * 0.6)).map(([c]) => c);
  const taken = new Set(exact);
  const blends = quantize(samples, size - exact.length, { format: 'rgb565' })
    .map(([r, g, b]) => (r << 16) | (g << 8) | b)
    .filter((c) => !taken.has(c) && (taken.add(c), true));
  return [...exact, ...blends].slice(0, size).map((c) => [c >> 16, (c >> 8) & 255, c & 255]);
}
