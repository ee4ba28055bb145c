// 256-entry RGB tables for the spectrogram colormaps (matplotlib's perceptual maps, as
// d3-scale-chromatic ships them) and a diverging map for prediction-minus-target.
import { interpolateInferno, interpolateMagma, interpolatePlasma, interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';
import type { ColormapName } from '../../src/protocol/audio';

const INTERPOLATORS: Record<ColormapName | 'difference', (t: number) => string> = {
  viridis: interpolateViridis, magma: interpolateMagma, inferno: interpolateInferno, plasma: interpolatePlasma,
  // Red where the prediction is louder, blue where quieter, white where they agree.
  difference: (t) => interpolateRdBu(1 - t),
};

const cache = new Map<string, Uint8Array>();

/** The colormap as 256 × [r, g, b]. */
export function colormapTable(name: ColormapName | 'difference'): Uint8Array {
  let table = cache.get(name);
  if (table) return table;
  table = new Uint8Array(256 * 3);
  const interpolate = INTERPOLATORS[name] ?? INTERPOLATORS.magma;
  for (let i = 0; i < 256; i++) {
    const c = interpolate(i / 255);
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c) ?? /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(c);
    const hex = c.startsWith('#');
    for (let k = 0; k < 3; k++) table[i * 3 + k] = m ? (hex ? parseInt(m[k + 1], 16) : Number(m[k + 1])) : 0;
  }
  cache.set(name, table);
  return table;
}

/** A colour table's 256 entries as opaque RGBA pixels (an ImageData row's bytes). */
export function colormapRgba(table: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) out.set([table[i * 3], table[i * 3 + 1], table[i * 3 + 2], 255], i * 4);
  return out;
}
