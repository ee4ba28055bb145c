// Frames rendered from snapshots' 2-D projections when the producer wrote no PNGs (its
// renderer was missing): one panel per space in the same place in every frame, every step
// aligned to the previous one over the rows they share by identity, axes fixed for the whole
// run, points coloured by a metadata field (each space's most useful one unless chosen).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../artifacts/errors';
import { throwIfAborted } from './abort';
import { applyAlignment } from './procrustes';
import { Extent } from '../embeddings/timeline';
import { alignByIdentity, readSnapshot } from '../embeddings/snapshot';
import { autoColourField, fieldLength, unpackTexts } from '../../protocol/embeddings';
import type { Frame } from './frames';
import { encodePng } from './pngEncode';
import { blank, drawLabel, type Raster } from './raster';

export const TAB10: [number, number, number][] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
const VIRIDIS: [number, number, number][] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

interface SpaceStep {
  points: Float32Array; // aligned x,y interleaved
  keys?: string[];
  values: (string | number | null)[];
}

export interface RenderOptions {
  /** A metadata field; undefined: each space's most useful field (autoColourField). */
  colorBy?: string;
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

/**
 * Each snapshot's spaces (projections + the colour field), aligning step to step, indexed by
 * frame: a space a snapshot does not project (yet) is undefined in that frame.
 */
async function loadSteps(frames: Frame[], colorBy: string | undefined, signal: AbortSignal | undefined, warnings: string[]): Promise<Map<string, (SpaceStep | undefined)[]>> {
  const spaces = new Map<string, (SpaceStep | undefined)[]>();
  const last = new Map<string, SpaceStep>();
  for (let f = 0; f < frames.length; f++) {
    throwIfAborted(signal);
    for (const sp of await readSnapshot(frames[f].path, warnings)) {
      const list = spaces.get(sp.name) ?? spaces.set(sp.name, new Array(frames.length).fill(undefined)).get(sp.name)!;
      if (!sp.points) continue;
      const name = colorBy ?? autoColourField(sp.fields);
      const field = sp.fields.find((x) => x.name === name && fieldLength(x) === sp.points!.length / 2);
      const names = field?.kind === 'category' ? unpackTexts(field.categories) : [];
      const values: (string | number | null)[] = !field ? [] : field.kind === 'number'
        ? Array.from(field.values, (v) => (Number.isFinite(v) ? v : null))
        : Array.from(field.codes, (c) => names[c] || null);
      const prev = last.get(sp.name);
      const alignment = prev ? alignByIdentity(sp.points, sp.keys, prev.points, prev.keys) : undefined;
      const step: SpaceStep = { points: alignment ? applyAlignment(sp.points, alignment) : sp.points, keys: sp.keys, values };
      list[f] = step;
      last.set(sp.name, step);
    }
  }
  return spaces;
}

export async function renderNpzFrames(frames: Frame[], outDir: string, o: RenderOptions): Promise<{ frames: Frame[]; warnings: string[] }> {
  const warnings: string[] = [];
  const spaces = await loadSteps(frames, o.colorBy, o.signal, warnings);
  const names = [...spaces.keys()].filter((s) => spaces.get(s)!.some(Boolean));
  if (names.length === 0) throw new ArtifactError('unsupported', frames[0].path, 'no snapshot has a usable *_projections_2d array to draw');
  // Fixed axes: the extent over every step of each space.
  const bounds = names.map((s) => {
    const extent = new Extent();
    for (const st of spaces.get(s)!) if (st) extent.add(st.points);
    const b = extent.bounds() ?? { x: [-1, 1], y: [-1, 1] }; // no finite point: nothing is drawn
    return { x0: b.x[0], x1: b.x[1], y0: b.y[0], y1: b.y[1] };
  });
  // Colours stable across steps: categories in first-seen order, numbers on one scale.
  const categories = new Map<string, number>();
  let nmin = Infinity, nmax = -Infinity;
  for (const s of names) for (const st of spaces.get(s)!) for (const v of st?.values ?? []) {
    if (typeof v === 'number') { nmin = Math.min(nmin, v); nmax = Math.max(nmax, v); }
    else if (typeof v === 'string' && !categories.has(v)) categories.set(v, categories.size);
  }
  const colour = (v: string | number | null): [number, number, number] =>
    typeof v === 'number' ? viridis((v - nmin) / (nmax - nmin || 1)) : typeof v === 'string' ? TAB10[categories.get(v)! % TAB10.length] : [120, 120, 120];

  const width = o.width ?? 1800, height = o.height ?? 500;
  const panelW = Math.floor(width / names.length);
  const out: Frame[] = [];
  const steps = frames.length;
  for (let f = 0; f < steps; f++) {
    throwIfAborted(o.signal);
    const r = blank(width, height);
    names.forEach((s, k) => {
      const st = spaces.get(s)![f];
      const b = bounds[k];
      const x0 = k * panelW + 30, x1 = (k + 1) * panelW - 20, y0 = 50, y1 = height - 30;
      box(r, x0, y0, x1, y1, [200, 200, 200]);
      title(r, s, x0, 14);
      if (!st) {
        drawLabel(r, 'not projected', x0 + 10, Math.round((y0 + y1) / 2), 2, [150, 150, 150]);
        return;
      }
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
