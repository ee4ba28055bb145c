// The embedding timeline's data: which steps a snapshot folder has, one step's spaces as
// typed arrays with metadata columns, and the geometry of the whole run (each step aligned
// to the one before, axis bounds over every step) gathered in one pass that keeps only the
// previous step's points.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../artifacts/errors';
import { withNpz, type NpzArchive } from '../artifacts/npz';
import { applyAlignment, procrustes2d, type Alignment } from '../animation/procrustes';
import { STEP_SNAPSHOT } from '../runs/discover';
import { fieldLength, type AxisBounds, type FieldColumn, type SpaceData } from '../../protocol/embeddings';

const PROJECTION_SUFFIX = '_projections_2d';
/** Categories beyond this are still shown in hover text, but coloured by code, without a legend. */
export const MAX_LEGEND_CATEGORIES = 24;

export interface SnapshotStep {
  step: number;
  npz?: string;
  png?: string;
}

/** The folder's step snapshots in step order (numeric: 1000 after 950). */
export async function listSnapshotSteps(dir: string): Promise<SnapshotStep[]> {
  const byStep = new Map<number, SnapshotStep>();
  for (const name of await readdir(dir)) {
    const m = STEP_SNAPSHOT.exec(name);
    if (!m) continue;
    const step = Number(m[1]);
    const entry = byStep.get(step) ?? { step };
    if (name.endsWith('.npz')) entry.npz = join(dir, name);
    else if (name.endsWith('.png')) entry.png = join(dir, name);
    else continue;
    byStep.set(step, entry);
  }
  return [...byStep.values()].filter((s) => s.npz || s.png).sort((a, b) => a.step - b.step);
}

/** The spaces an npz holds: every `{space}_projections_2d`. */
export function spaceNames(npz: NpzArchive): string[] {
  return npz.members.filter((m) => m.key.endsWith(PROJECTION_SUFFIX)).map((m) => m.key.slice(0, -PROJECTION_SUFFIX.length));
}

async function readProjection(npz: NpzArchive, space: string): Promise<Float32Array> {
  const key = space + PROJECTION_SUFFIX;
  const a = await npz.read(key);
  if (a.shape.length !== 2 || a.shape[1] !== 2 || a.data.kind !== 'number') {
    throw new ArtifactError('unsupported', npz.file, `${key} is ${a.shape.join('×')} ${a.data.kind}, not an N×2 array of numbers`);
  }
  return Float32Array.from(a.data.values);
}

/** Every space's projection (x,y interleaved); a space that fails to read becomes a warning. */
async function readProjections(npz: NpzArchive, warnings: string[]): Promise<{ name: string; points: Float32Array }[]> {
  const out: { name: string; points: Float32Array }[] = [];
  for (const name of spaceNames(npz)) {
    try {
      out.push({ name, points: await readProjection(npz, name) });
    } catch (err) {
      warnings.push(err instanceof ArtifactError ? err.message : `${npz.file}: ${String(err)}`);
    }
  }
  return out;
}

/**
 * Metadata columns from the per-point JSON strings: a field is a number column when every
 * present value is a number, else a category column (strings, booleans, nested values as
 * their JSON text). A point whose JSON does not parse has no values.
 */
export function metadataColumns(values: readonly unknown[]): FieldColumn[] {
  const n = values.length;
  const objects = values.map((v) => {
    if (typeof v !== 'string') return undefined;
    try {
      const o = JSON.parse(v) as unknown;
      return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  });
  const names: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) for (const k of Object.keys(o ?? {})) if (!seen.has(k)) { seen.add(k); names.push(k); }
  return names.map((name): FieldColumn => {
    const numeric = objects.every((o) => o?.[name] === undefined || o[name] === null || typeof o[name] === 'number');
    if (numeric) return { name, kind: 'number', values: Float64Array.from(objects, (o) => (typeof o?.[name] === 'number' ? (o[name] as number) : NaN)) };
    const categories: string[] = [];
    const index = new Map<string, number>();
    const codes = new Uint32Array(n);
    objects.forEach((o, i) => {
      const v = o?.[name];
      const text = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      let code = index.get(text);
      if (code === undefined) { code = categories.length; categories.push(text); index.set(text, code); }
      codes[i] = code;
    });
    return { name, kind: 'category', codes, categories };
  });
}

/** One step's spaces. Spaces that fail to read become warnings; the rest still load. */
export async function readStep(npzPath: string, alignments?: Map<string, Alignment | undefined>): Promise<{ spaces: SpaceData[]; warnings: string[] }> {
  const warnings: string[] = [];
  const spaces = await withNpz(npzPath, async (npz) => {
    const out: SpaceData[] = [];
    for (const { name, points: raw } of await readProjections(npz, warnings)) {
      const alignment = alignments?.get(name);
      const points = alignment ? applyAlignment(raw, alignment) : raw;
      let fields: FieldColumn[] = [];
      if (npz.members.some((m) => m.key === `${name}_metadata`)) {
        try {
          const meta = await npz.read(`${name}_metadata`);
          fields = metadataColumns(meta.data.values as ArrayLike<unknown> as unknown[]);
          if (fields.length > 0 && fieldLength(fields[0]) !== points.length / 2) {
            warnings.push(`${npzPath}: ${name}_metadata has a different number of points than ${name}${PROJECTION_SUFFIX}; metadata not shown`);
            fields = [];
          }
        } catch (err) {
          warnings.push(err instanceof ArtifactError ? err.message : `${npzPath}: ${String(err)}`);
        }
      }
      const n = points.length / 2;
      const x = new Float32Array(n), y = new Float32Array(n);
      for (let i = 0; i < n; i++) { x[i] = points[2 * i]; y[i] = points[2 * i + 1]; }
      out.push({ name, x, y, fields });
    }
    return out;
  });
  return { spaces, warnings };
}

/** The extent of x,y-interleaved points, skipping non-finite ones. */
export class Extent {
  x0 = Infinity; x1 = -Infinity; y0 = Infinity; y1 = -Infinity;
  add(points: Float32Array): void {
    for (let i = 0; i < points.length; i += 2) {
      const x = points[i], y = points[i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < this.x0) this.x0 = x;
      if (x > this.x1) this.x1 = x;
      if (y < this.y0) this.y0 = y;
      if (y > this.y1) this.y1 = y;
    }
  }
  /** With 5% padding, so points on the edge stay visible. */
  bounds(): AxisBounds | undefined {
    if (this.x0 > this.x1) return undefined;
    const px = (this.x1 - this.x0) * 0.05 || 1, py = (this.y1 - this.y0) * 0.05 || 1;
    return { x: [this.x0 - px, this.x1 + px], y: [this.y0 - py, this.y1 + py] };
  }
}

/**
 * The run's geometry, built step by step: the alignment of each step onto the previous
 * (aligned) step over the points they share, and the extent of every space raw and
 * aligned. Steps can be added as training writes them; memory is one step's points.
 */
export class TimelineGeometry {
  private readonly alignments = new Map<number, Map<string, Alignment | undefined>>();
  private readonly raw = new Map<string, Extent>();
  private readonly aligned = new Map<string, Extent>();
  private previous = new Map<string, Float32Array>();
  private lastStep = -Infinity;
  readonly warnings: string[] = [];

  alignmentsOf(step: number): Map<string, Alignment | undefined> | undefined {
    return this.alignments.get(step);
  }

  /** Adds the next step (steps must come in increasing order; an older one means start again). */
  async add(step: number, npzPath: string): Promise<void> {
    if (step <= this.lastStep) throw new Error(`step ${step} is not after ${this.lastStep}`);
    const forStep = new Map<string, Alignment | undefined>();
    await withNpz(npzPath, async (npz) => {
      for (const { name, points } of await readProjections(npz, this.warnings)) {
        (this.raw.get(name) ?? this.raw.set(name, new Extent()).get(name)!).add(points);
        const prev = this.previous.get(name);
        const shared = prev ? Math.min(prev.length, points.length) / 2 : 0;
        const alignment = prev && shared >= 3 ? procrustes2d(points, prev, shared) : undefined;
        const aligned = alignment ? applyAlignment(points, alignment) : points;
        (this.aligned.get(name) ?? this.aligned.set(name, new Extent()).get(name)!).add(aligned);
        this.previous.set(name, aligned);
        forStep.set(name, alignment);
      }
    });
    this.alignments.set(step, forStep);
    this.lastStep = step;
  }

  /** A step without an npz (image only) still counts as measured. */
  skip(step: number): void {
    this.alignments.set(step, new Map());
    this.lastStep = Math.max(this.lastStep, step);
  }

  get last(): number {
    return this.lastStep;
  }

  bounds(align: boolean): Record<string, AxisBounds> {
    const out: Record<string, AxisBounds> = {};
    for (const [name, extent] of align ? this.aligned : this.raw) {
      const b = extent.bounds();
      if (b) out[name] = b;
    }
    return out;
  }
}

/** Positions of `indices` in each space over `steps` (a trail), NaN where a point is missing. */
export async function readTrail(steps: SnapshotStep[], indices: number[], geometry: TimelineGeometry | undefined): Promise<{ name: string; steps: number[]; x: Float32Array; y: Float32Array }[]> {
  const bySpace = new Map<string, { steps: number[]; x: number[]; y: number[] }>();
  for (const s of steps) {
    if (!s.npz) continue;
    const alignments = geometry?.alignmentsOf(s.step);
    await withNpz(s.npz, async (npz) => {
      // Failures are dropped here: the step's own load reports them.
      for (const { name, points } of await readProjections(npz, [])) {
        const a = alignments?.get(name);
        const p = a ? applyAlignment(points, a) : points;
        const t = bySpace.get(name) ?? bySpace.set(name, { steps: [], x: [], y: [] }).get(name)!;
        t.steps.push(s.step);
        for (const i of indices) { t.x.push(2 * i + 1 < p.length ? p[2 * i] : NaN); t.y.push(2 * i + 1 < p.length ? p[2 * i + 1] : NaN); }
      }
    });
  }
  return [...bySpace].map(([name, t]) => ({ name, steps: t.steps, x: Float32Array.from(t.x), y: Float32Array.from(t.y) }));
}

/**
 * The snapshot folder for a path the user pointed at: the folder itself when it has step
 * snapshots, else its `viz_snapshots`, else the first child folder (by name) that has them.
 */
export async function findSnapshotDir(path: string): Promise<string | undefined> {
  const has = async (dir: string) => (await listSnapshotSteps(dir).catch(() => [])).length > 0;
  if (await has(path)) return path;
  if (await has(join(path, 'viz_snapshots'))) return join(path, 'viz_snapshots');
  const children = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const c of children.filter((d) => d.isDirectory()).map((d) => d.name).sort()) if (await has(join(path, c))) return join(path, c);
  return undefined;
}
