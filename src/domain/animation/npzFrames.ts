// Frames rendered from snapshots' 2-D projections when the producer wrote no PNGs (its
// renderer was missing): one panel per space, every step aligned to the previous one,
// axes fixed for the whole run, points coloured by a metadata field.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../artifacts/errors';
import { withNpz } from '../artifacts/npz';
import { throwIfAborted } from './abort';
import { applyAlignment, procrustes2d } from './procrustes';
import { Extent } from '../embeddings/timeline';
import type { Frame } from './frames';
import { encodePng } from './pngEncode';
import { blank, drawLabel, type Raster } from './raster';

export const TAB10: [number, number, number][] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
const VIRIDIS: [number, number, number][] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

interface SpaceStep {
  points: Float32Array; // aligned x,y interleaved
  values: (string | number | null)[];
}

export interface RenderOptions {
  colorBy: string;
  width?: number;
  height?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

function viridis(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
  return [0, 1, 2].map((c) => Math.round(VIRIDIS[i][c] * (1 - f) + VIRIDIS[i + 1][c] * f)) as [number, number, number];
}

/** Reads each snapshot's spaces (projections + the colour field), aligning step to step. */
async function loadSteps(frames: Frame[], colorBy: string, signal: AbortSignal | undefined, warnings: string[]): Promise<Map<string, SpaceStep[]>> {
  const spaces = new Map<string, SpaceStep[]>();
  for (let f = 0; f < frames.length; f++) {
    throwIfAborted(signal);
    await withNpz(frames[f].path, async (npz) => {
      for (const m of npz.members.filter((x) => x.key.endsWith('_projections_2d'))) {
        const space = m.key.slice(0, -'_projections_2d'.length);
        const proj = await npz.read(m.key);
        if (proj.shape.length !== 2 || proj.shape[1] !== 2 || proj.data.kind !== 'number') {
          warnings.push(`${frames[f].path}: ${m.key} is not an N×2 array; skipped`);
          continue;
        }
        let values: (string | number | null)[] = [];
        if (npz.members.some((x) => x.key === `${space}_metadata`)) {
          try {
            const meta = await npz.read(`${space}_metadata`);
            values = Array.from(meta.data.values as ArrayLike<unknown>, (v) => {
              try {
                const o = typeof v === 'string' ? JSON.parse(v) : undefined;
                const x = o?.[colorBy];
                return typeof x === 'number' || typeof x === 'string' ? x : typeof x === 'boolean' ? String(x) : null;
              } catch {
                return null;
              }
            });
          } catch (err) {
            warnings.push(err instanceof ArtifactError ? err.message : String(err));
          }
        }
        const list = spaces.get(space) ?? [];
        const raw = Float32Array.from(proj.data.values as Float32Array);
        const prev = list[list.length - 1];
        const shared = prev ? Math.min(prev.points.length, raw.length) / 2 : 0;
        const points = prev && shared >= 3 ? applyAlignment(raw, procrustes2d(raw, prev.points, shared)) : raw;
        list.push({ points, values });
        spaces.set(space, list);
      }
    });
  }
  return spaces;
}

export async function renderNpzFrames(frames: Frame[], outDir: string, o: RenderOptions): Promise<{ frames: Frame[]; warnings: string[] }> {
  const warnings: string[] = [];
  const spaces = await loadSteps(frames, o.colorBy, o.signal, warnings);
  if (spaces.size === 0) throw new ArtifactError('unsupported', frames[0].path, 'the snapshots hold no *_projections_2d arrays to draw');
  const names = [...spaces.keys()];
  // Fixed axes: the extent over every step of each space.
  const bounds = names.map((s) => {
    const extent = new Extent();
    for (const st of spaces.get(s)!) extent.add(st.points);
    const b = extent.bounds() ?? { x: [-1, 1], y: [-1, 1] }; // no finite point: nothing is drawn
    return { x0: b.x[0], x1: b.x[1], y0: b.y[0], y1: b.y[1] };
  });
  // Colours stable across steps: categories in first-seen order, numbers on one scale.
  const categories = new Map<string, number>();
  let nmin = Infinity, nmax = -Infinity;
  for (const s of names) for (const st of spaces.get(s)!) for (const v of st.values) {
    if (typeof v === 'number') { nmin = Math.min(nmin, v); nmax = Math.max(nmax, v); }
    else if (typeof v === 'string' && !categories.has(v)) categories.set(v, categories.size);
  }
  const colour = (v: string | number | null): [number, number, number] =>
    typeof v === 'number' ? viridis((v - nmin) / (nmax - nmin || 1)) : typeof v === 'string' ? TAB10[categories.get(v)! % TAB10.length] : [120, 120, 120];

  const width = o.width ?? 1800, height = o.height ?? 500;
  const panelW = Math.floor(width / names.length);
  const out: Frame[] = [];
  const steps = Math.max(...names.map((s) => spaces.get(s)!.length));
  for (let f = 0; f < steps; f++) {
    throwIfAborted(o.signal);
    const r = blank(width, height);
    names.forEach((s, k) => {
      const st = spaces.get(s)![Math.min(f, spaces.get(s)!.length - 1)];
      const b = bounds[k];
      const x0 = k * panelW + 30, x1 = (k + 1) * panelW - 20, y0 = 50, y1 = height - 30;
      box(r, x0, y0, x1, y1, [200, 200, 200]);
      title(r, s, x0, 14);
      const rad = Math.max(1, Math.round(height / 250));
      for (let i = 0; i < st.points.length; i += 2) {
        const px = x0 + ((st.points[i] - b.x0) / (b.x1 - b.x0)) * (x1 - x0), py = y1 - ((st.points[i + 1] - b.y0) / (b.y1 - b.y0)) * (y1 - y0);
        disc(r, px, py, rad, colour(st.values[i / 2] ?? null));
      }
    });
    const path = join(outDir, `frame_${String(f).padStart(5, '0')}.png`);
    await writeFile(path, encodePng(r));
    out.push({ step: frames[f].step, path });
    o.onProgress?.(f + 1, steps);
  }
  return { frames: out, warnings };
}

function box(r: Raster, x0: number, y0: number, x1: number, y1: number, c: [number, number, number]): void {
  for (let x = x0; x <= x1; x++) { put(r, x, y0, c); put(r, x, y1, c); }
  for (let y = y0; y <= y1; y++) { put(r, x0, y, c); put(r, x1, y, c); }
}

function disc(r: Raster, cx: number, cy: number, rad: number, c: [number, number, number]): void {
  for (let dy = -rad; dy <= rad; dy++) for (let dx = -rad; dx <= rad; dx++) if (dx * dx + dy * dy <= rad * rad + rad) put(r, Math.round(cx + dx), Math.round(cy + dy), c);
}

function title(r: Raster, text: string, x: number, y: number): void {
  drawLabel(r, text.toLowerCase(), x, y - 2, 2, [60, 60, 60]);
}

function put(r: Raster, x: number, y: number, c: [number, number, number]): void {
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  const i = (y * r.width + x) * 4;
  r.data[i] = c[0]; r.data[i + 1] = c[1]; r.data[i + 2] = c[2];
}
