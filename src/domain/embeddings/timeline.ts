// The embedding timeline's data: which steps a snapshot folder has, one step's spaces as
// typed arrays with metadata columns, and the geometry of the whole run (each step aligned
// to the one before, axis bounds over every step) gathered in one pass that keeps only the
// previous step's points.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { applyAlignment, type Alignment } from '../animation/procrustes';
import { STEP_SNAPSHOT } from '../runs/discover';
import { categoryColumn, narrowNumbers, type AxisBounds, type FieldColumn, type SpaceData } from '../../protocol/embeddings';
import { listProjectorSteps } from './projector';
import { alignByIdentity, readSnapshot } from './snapshot';

/** Categories beyond this are still shown in hover text, but coloured by code, without a legend. */
export const MAX_LEGEND_CATEGORIES = 24;

export interface SnapshotStep {
  step: number;
  /** The step's points: a viz_step_N_embeddings.npz, or a projector step folder (NNNNN/). */
  snapshot?: string;
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
    if (name.endsWith('.npz')) entry.snapshot = join(dir, name);
    else if (name.endsWith('.png')) entry.png = join(dir, name);
    else continue;
    byStep.set(step, entry);
  }
  // PyTorch's projector folders (NNNNN/<tag>/tensors.tsv): a step where no npz gives one.
  for (const [step, folder] of await listProjectorSteps(dir)) {
    const entry = byStep.get(step) ?? { step };
    entry.snapshot ??= folder;
    byStep.set(step, entry);
  }
  return [...byStep.values()].filter((s) => s.snapshot || s.png).sort((a, b) => a.step - b.step);
}

/** Each point's metadata object; undefined where its JSON does not parse to an object. */
export function metadataObjects(values: readonly unknown[]): (Record<string, unknown> | undefined)[] {
  return values.map((v) => {
    if (typeof v !== 'string') return undefined;
    try {
      const o = JSON.parse(v) as unknown;
      return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  });
}

/**
 * Metadata columns from the per-point JSON strings: a field is a number column when every
 * present value is a number, else a category column (strings, booleans, nested values as
 * their JSON text). A point whose JSON does not parse has no values.
 */
export function metadataColumns(values: readonly unknown[], objects = metadataObjects(values)): FieldColumn[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) for (const k of Object.keys(o ?? {})) if (!seen.has(k)) { seen.add(k); names.push(k); }
  return names.map((name): FieldColumn => {
    const numeric = objects.every((o) => o?.[name] === undefined || o[name] === null || typeof o[name] === 'number');
    if (numeric) return { name, kind: 'number', values: narrowNumbers(Float64Array.from(objects, (o) => (typeof o?.[name] === 'number' ? (o[name] as number) : NaN))) };
    return categoryColumn(name, objects.map((o) => {
      const v = o?.[name];
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    }));
  });
}

/**
 * One step's spaces, every space the snapshot names (so panels keep their places when a space
 * is not projected yet): a space without usable points comes with a note saying why.
 */
export async function readStep(snapshot: string, alignments?: Map<string, Alignment | undefined>, rowIds?: RowIds): Promise<{ spaces: SpaceData[]; warnings: string[] }> {
  const warnings: string[] = [];
  const spaces = (await readSnapshot(snapshot, warnings)).map((sp): SpaceData => {
    const alignment = alignments?.get(sp.name);
    const points = sp.points && alignment ? applyAlignment(sp.points, alignment) : sp.points ?? new Float32Array(0);
    const n = points.length / 2;
    const x = new Float32Array(n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) { x[i] = points[2 * i]; y[i] = points[2 * i + 1]; }
    const ids = sp.points && sp.keys?.length === n ? rowIds?.idsOf(ROWS, sp.keys) : undefined;
    const links = sp.points && sp.links?.length === n ? rowIds?.idsOf(LINKS, sp.links) : undefined;
    return { name: sp.name, x, y, fields: sp.points ? sp.fields : [], ...(ids ? { ids } : {}), ...(links ? { links } : {}), ...(sp.missing ? { note: sp.missing } : {}) };
  });
  shareEqualColumns(spaces);
  return { spaces, warnings };
}

/**
 * Columns equal to an earlier space's become that space's arrays: the spaces of a step often
 * share a sample id field, its ids and its links, and an array posted twice in one message
 * crosses to the page once.
 */
export function shareEqualColumns(spaces: SpaceData[]): void {
  const seen: ArrayBufferView[] = [];
  const same = <T extends ArrayBufferView>(a: T): T => {
    for (const b of seen) if (b.constructor === a.constructor && b.byteLength === a.byteLength && bytesEqual(a, b)) return b as T;
    seen.push(a);
    return a;
  };
  for (const sp of spaces) {
    if (sp.ids) sp.ids = same(sp.ids);
    if (sp.links) sp.links = same(sp.links);
    sp.fields = sp.fields.map((f): FieldColumn => f.kind === 'number'
      ? { ...f, values: same(f.values) }
      : { ...f, codes: same(f.codes), categories: { utf8: same(f.categories.utf8), ends: same(f.categories.ends) } });
  }
}

function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** RowIds' names: rows (a row's identity, in any space) and the samples rows are linked by. */
const ROWS = 'rows';
const LINKS = 'links';

/**
 * A number per row identity, the same in every step of a run, so the page can move a row
 * from where it was (a transition) with typed arrays alone. One numbering for every space: a
 * row's number is only ever compared with rows of its own space, and spaces with the same
 * metadata (the same keys) are numbered once. Bounded: past `limit` identities, rows get no
 * ids (and no transitions).
 */
export class RowIds {
  private readonly byKind = new Map<string, Map<string, number>>();
  /** The last keys numbered of each kind and their ids: spaces sharing a keys array share them. */
  private readonly last = new Map<string, { keys: readonly string[]; ids: Uint32Array }>();

  constructor(private readonly limit = 4_000_000) {}

  idsOf(kind: string, keys: readonly string[]): Uint32Array | undefined {
    const last = this.last.get(kind);
    if (last?.keys === keys) return last.ids;
    const known = this.byKind.get(kind) ?? this.byKind.set(kind, new Map()).get(kind)!;
    const out = new Uint32Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      let id = known.get(keys[i]);
      if (id === undefined) {
        if (known.size >= this.limit) return undefined;
        id = known.size;
        known.set(keys[i], id);
      }
      out[i] = id;
    }
    this.last.set(kind, { keys, ids: out });
    return out;
  }
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
 * (aligned) step over the rows they share by identity, and the extent of every space raw and
 * aligned. Steps can be added as training writes them; memory is one step's points.
 */
export class TimelineGeometry {
  private readonly alignments = new Map<number, Map<string, Alignment | undefined>>();
  private readonly raw = new Map<string, Extent>();
  private readonly aligned = new Map<string, Extent>();
  private previous = new Map<string, { points: Float32Array; keys?: string[] }>();
  private lastStep = -Infinity;
  private readonly unidentified = new Set<string>();
  readonly warnings: string[] = [];

  alignmentsOf(step: number): Map<string, Alignment | undefined> | undefined {
    return this.alignments.get(step);
  }

  /** Adds the next step (steps must come in increasing order; an older one means start again). */
  async add(step: number, snapshot: string): Promise<void> {
    if (step <= this.lastStep) throw new Error(`step ${step} is not after ${this.lastStep}`);
    const forStep = new Map<string, Alignment | undefined>();
    for (const { name, points, keys } of await readSnapshot(snapshot, this.warnings, { fields: false })) {
      if (!points) continue;
      if (!keys && !this.unidentified.has(name)) {
        this.unidentified.add(name);
        this.warnings.push(`${name}: the snapshots have no per-point metadata, so steps are not aligned and trails are off (rows cannot be matched across steps)`);
      }
      (this.raw.get(name) ?? this.raw.set(name, new Extent()).get(name)!).add(points);
      const prev = this.previous.get(name);
      const alignment = prev ? alignByIdentity(points, keys, prev.points, prev.keys) : undefined;
      const aligned = alignment ? applyAlignment(points, alignment) : points;
      (this.aligned.get(name) ?? this.aligned.set(name, new Extent()).get(name)!).add(aligned);
      this.previous.set(name, { points: aligned, keys });
      forStep.set(name, alignment);
    }
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
    const out: [string, AxisBounds][] = [];
    for (const [name, extent] of align ? this.aligned : this.raw) {
      const b = extent.bounds();
      if (b) out.push([name, b]);
    }
    // Own properties even for a space named __proto__ (an assignment would set the prototype).
    return Object.fromEntries(out);
  }
}

export interface Trail { name: string; steps: number[]; x: Float32Array; y: Float32Array }

/**
 * Where rows `rows[space]` of step `at` are in each space over `steps` (a trail), found by
 * their identity in each step; NaN where a step does not hold the row. Spaces without
 * identities have no trail: `off` names them. A trail's x and y hold, per step, one value per
 * row it follows.
 */
export async function readTrail(steps: SnapshotStep[], at: SnapshotStep, rows: Readonly<Record<string, readonly number[]>>, geometry: TimelineGeometry | undefined): Promise<{ spaces: Trail[]; off: string[] }> {
  const wanted = new Map<string, string[]>();
  const off: string[] = [];
  if (at.snapshot) {
    for (const sp of await readSnapshot(at.snapshot, [], { fields: false })) {
      const picked = Object.hasOwn(rows, sp.name) ? rows[sp.name] : undefined;
      if (!sp.keys) off.push(sp.name);
      else if (picked) wanted.set(sp.name, picked.map((i) => sp.keys![i]));
    }
  }
  const bySpace = new Map<string, { steps: number[]; x: number[]; y: number[] }>();
  for (const s of steps) {
    if (!s.snapshot) continue;
    const alignments = geometry?.alignmentsOf(s.step);
    // Failures are dropped here: the step's own load reports them.
    for (const { name, points, keys } of await readSnapshot(s.snapshot, [], { fields: false })) {
      const want = wanted.get(name);
      if (!want) continue;
      const t = bySpace.get(name) ?? bySpace.set(name, { steps: [], x: [], y: [] }).get(name)!;
      t.steps.push(s.step);
      const a = alignments?.get(name);
      const p = points && a ? applyAlignment(points, a) : points;
      const where = new Map<string, number>();
      keys?.forEach((k, j) => where.set(k, j));
      for (const k of want) {
        const j = k === undefined || !p ? undefined : where.get(k);
        t.x.push(j === undefined ? NaN : p![2 * j]);
        t.y.push(j === undefined ? NaN : p![2 * j + 1]);
      }
    }
  }
  return { spaces: [...bySpace].map(([name, t]) => ({ name, steps: t.steps, x: Float32Array.from(t.x), y: Float32Array.from(t.y) })), off };
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
