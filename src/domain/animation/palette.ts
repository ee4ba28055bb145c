// Palettes for plot frames. Plots are mostly a few exact colours (background, grid, text,
// one colour per class) plus anti-aliased blends between them, so the palette keeps the
// most frequent colours exactly and spends the rest on quantised blends; pixels then map
// to their exact nearest palette colour (gifenc's own mapping bins pixels to RGB565 first,
// which caps quality near 45 dB).
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

/** Exact nearest-colour lookup with a cache of every colour seen (open addressing). */
export class ColorMapper {
  private keys: Int32Array;
  private values: Uint8Array;
  private used = 0;
  private shift: number;
  private readonly pr: Int32Array;
  private readonly pg: Int32Array;
  private readonly pb: Int32Array;

  constructor(palette: number[][], capacityBits = 15) {
    this.keys = new Int32Array(1 << capacityBits).fill(-1);
    this.values = new Uint8Array(1 << capacityBits);
    this.shift = 32 - capacityBits;
    this.pr = Int32Array.from(palette, (c) => c[0]);
    this.pg = Int32Array.from(palette, (c) => c[1]);
    this.pb = Int32Array.from(palette, (c) => c[2]);
  }

  private nearest(rgb: number): number {
    const r = rgb >> 16, g = (rgb >> 8) & 255, b = rgb & 255;
    let best = 0, bestD = Infinity;
    for (let i = 0; i < this.pr.length; i++) {
      const dr = r - this.pr[i], dg = g - this.pg[i], db = b - this.pb[i];
      const d = dr * dr * 2 + dg * dg * 4 + db * db * 3; // rough perceptual weights
      if (d < bestD) { bestD = d; best = i; if (d === 0) break; }
    }
    return best;
  }

  map(rgb: number): number {
    const mask = this.keys.length - 1;
    let h = Math.imul(rgb, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = this.keys[h];
      if (k === rgb) return this.values[h];
      if (k === -1) break;
      h = (h + 1) & mask;
    }
    const v = this.nearest(rgb);
    if (this.used * 2 > this.keys.length) this.grow();
    this.insert(rgb, v);
    return v;
  }

  private insert(rgb: number, v: number): void {
    const mask = this.keys.length - 1;
    let h = Math.imul(rgb, 0x9e3779b1) >>> this.shift;
    while (this.keys[h] !== -1) h = (h + 1) & mask;
    this.keys[h] = rgb;
    this.values[h] = v;
    this.used++;
  }

  private grow(): void {
    const oldK = this.keys, oldV = this.values;
    this.keys = new Int32Array(oldK.length * 2).fill(-1);
    this.values = new Uint8Array(oldK.length * 2);
    this.shift--;
    this.used = 0;
    for (let i = 0; i < oldK.length; i++) if (oldK[i] !== -1) this.insert(oldK[i], oldV[i]);
  }
}
