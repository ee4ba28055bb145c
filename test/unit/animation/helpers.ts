import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '../../../src/domain/animation/pngEncode';
import { blank, type Raster } from '../../../src/domain/animation/raster';

/** Frame k: white, with a coloured square that moves right by 10 px per frame. */
export function movingSquare(k: number, width = 120, height = 60): Raster {
  const r = blank(width, height);
  const colours: [number, number, number][] = [[220, 30, 30], [30, 160, 60], [40, 80, 220], [240, 180, 20]];
  const c = colours[k % colours.length];
  for (let y = 20; y < 40; y++) for (let x = 10 + k * 10; x < 30 + k * 10; x++) {
    const i = (y * width + x) * 4;
    r.data[i] = c[0]; r.data[i + 1] = c[1]; r.data[i + 2] = c[2];
  }
  return r;
}

export function writeFrames(dir: string, steps: number[], make: (k: number) => Raster = movingSquare, name = (s: number) => `viz_step_${s}_pacmap.png`): string[] {
  mkdirSync(dir, { recursive: true });
  return steps.map((s, k) => {
    const p = join(dir, name(s));
    writeFileSync(p, encodePng(make(k)));
    return p;
  });
}
