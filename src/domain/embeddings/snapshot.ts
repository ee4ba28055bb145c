// One reader of an embedding snapshot (viz_step_N_embeddings.npz), shared by the timeline
// panel and Create Animation. Per space it holds `{space}_embeddings` (n×d),
// `{space}_metadata` (n JSON strings) and `{space}_projections_2d` (m×2), the last missing
// until the space is first projected and stale (m < n) when the buffer grew after the last
// fit. ACE-Step's buffer rolls (FORMATS.md), so row i is a different sample in each snapshot:
// rows are matched across steps by their metadata, never by index.
import { stat } from 'node:fs/promises';
import { ArtifactError } from '../artifacts/errors';
import { readProjectorStep } from './projector';
import { withNpz, type NpzArchive } from '../artifacts/npz';
import { applyAlignment, procrustes2d, type Alignment } from '../animation/procrustes';
import type { FieldColumn } from '../../protocol/embeddings';
import { metadataColumns, metadataObjects } from './timeline';

const PROJECTION = '_projections_2d';
const METADATA = '_metadata';
const EMBEDDINGS = '_embeddings';

export interface SnapshotSpace {
  name: string;
  /** x,y interleaved, one pair per row; undefined when this step has no usable projection. */
  points?: Float32Array;
  /** Why there are no points at this step (plain text), when there are none. */
  missing?: string;
  fields: FieldColumn[];
  /**
   * Each row's identity across snapshots: its metadata text and which repeat of that text it
   * is (ACE-Step writes a sample's row several times per step). Undefined without metadata.
   */
  keys?: string[];
  /** Which sample each row is, the same in every space (see `linkKeys`); read with the fields, undefined when the metadata does not say. */
  links?: string[];
}

/** Every space an archive names, by any of its three arrays, in name order. */
export function snapshotSpaceNames(npz: NpzArchive): string[] {
  const names = new Set<string>();
  for (const m of npz.members) {
    for (const suffix of [PROJECTION, METADATA, EMBEDDINGS]) if (m.key.endsWith(suffix)) names.add(m.key.slice(0, -suffix.length));
  }
  return [...names].sort();
}

/**
 * Which sample each row is, comparable across the spaces of a snapshot. ACE-Step's trainer logs
 * each step's batch in every space in the same order, all rows with the same `sample_id`, and
 * the LoRA space once per hooked layer (`layer_name`): the k-th row of (step, sample_id) is the
 * same sample in every space, and in each layer. Undefined unless every row names its sample.
 */
export function linkKeys(objects: readonly (Record<string, unknown> | undefined)[]): string[] | undefined {
  // Rows seen so far per layer and sample (maps, not joined texts: a million rows is usual).
  const seen = new Map<string, Map<string, number>>();
  const out = new Array<string>(objects.length);
  for (let i = 0; i < objects.length; i++) {
    const r = objects[i];
    const id = r?.sample_id;
    if (typeof id !== 'string' && typeof id !== 'number') return undefined;
    // The step as JSON holds no raw control character, so the first \u0001 ends it.
    const sample = `${atomText(r!.step)}\u0001${typeof id === 'number' ? 'n' : 's'}${id}`;
    const layer = atomText(r!.layer_name);
    const inLayer = seen.get(layer) ?? seen.set(layer, new Map()).get(layer)!;
    const k = inLayer.get(sample) ?? 0;
    inLayer.set(sample, k + 1);
    out[i] = `${sample}\u0000${k}`;
  }
  return out;
}

/** A metadata value as unambiguous text: its JSON (absent and null alike). */
function atomText(v: unknown): string {
  return typeof v === 'number' ? String(v) : v === undefined || v === null ? 'null' : JSON.stringify(v);
}

/**
 * Row identities from metadata strings: the text itself, and for a repeat of a text (ACE-Step
 * writes a sample's row several times a step) its count before it. A text's first row keeps
 * the text's own string, so maps keyed by it reuse its hash.
 */
export function identityKeys(values: readonly unknown[]): string[] {
  const seen = new Map<string, number>();
  return values.map((v) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v ?? null);
    const k = seen.get(text);
    seen.set(text, (k ?? 0) + 1);
    // Only counted keys start with NUL, so a text that does is counted too.
    return k === undefined && text.charCodeAt(0) !== 0 ? text : `\u0000${k ?? 0}\u0000${text}`;
  });
}

/** A space's metadata as read: the next space whose metadata is the same takes it as it is. */
interface ReadMetadata { crc: number; size: number; values: unknown[]; keys: string[]; links?: string[]; fields: FieldColumn[] }

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  return true;
}

async function readSpace(npz: NpzArchive, name: string, options: { fields: boolean }, warnings: string[], read: ReadMetadata[]): Promise<SnapshotSpace> {
  const has = (suffix: string) => npz.members.some((m) => m.key === name + suffix);
  let keys: string[] | undefined;
  let links: string[] | undefined;
  let fields: FieldColumn[] = [];
  // Metadata that cannot be read leaves the points, shown without fields or row identities.
  const meta = has(METADATA) ? await npz.read(name + METADATA).catch((err: unknown) => {
    if (!(err instanceof ArtifactError)) throw err;
    warnings.push(`${err.message}; ${name}'s points are shown without their metadata`);
    return undefined;
  }) : undefined;
  if (meta) {
    const values = Array.from(meta.data.values as ArrayLike<unknown>);
    // Spaces of one snapshot often have the same metadata (ACE-Step's latent, lora and prompt
    // rows are the same samples): parsed once, a million rows' keys and fields are shared.
    const { crc, size } = npz.member(name + METADATA).entry;
    const same = read.find((r) => r.crc === crc && r.size === size && sameValues(r.values, values));
    if (same) {
      keys = same.keys;
      links = same.links;
      fields = same.fields;
    } else {
      keys = identityKeys(values);
      // Fields and links both parse every row's JSON: only for a step to show.
      if (options.fields) {
        const objects = metadataObjects(values);
        links = linkKeys(objects);
        fields = metadataColumns(values, objects);
      }
      read.push({ crc, size, values, keys, links, fields });
    }
  }
  if (!has(PROJECTION)) return { name, fields, keys, missing: 'not projected yet at this step' };
  const a = await npz.read(name + PROJECTION);
  if (a.shape.length !== 2 || a.shape[1] !== 2 || a.data.kind !== 'number') {
    throw new ArtifactError('unsupported', npz.file, `${name}${PROJECTION} is ${a.shape.join('×')} ${a.data.kind}, not an N×2 array of numbers`);
  }
  const rows = a.shape[0];
  if (keys && rows !== keys.length) {
    // A projection fitted before the buffer grew: its rows are not the metadata's rows.
    return { name, fields, keys, missing: `projection is stale (${rows} of ${keys.length} rows projected); not shown at this step` };
  }
  return { name, points: Float32Array.from(a.data.values as ArrayLike<number>), fields, keys, ...(links ? { links } : {}) };
}

/**
 * A snapshot's spaces; one that fails to read becomes a warning and a space with `missing`.
 * `path` is a viz_step_N_embeddings.npz or a projector step folder (PyTorch's add_embedding).
 */
export async function readSnapshot(path: string, warnings: string[], options = { fields: true }): Promise<SnapshotSpace[]> {
  if ((await stat(path).catch(() => undefined))?.isDirectory()) {
    return (await readProjectorStep(path)).map((sp) => ({
      name: sp.name, points: sp.points, fields: options.fields ? sp.fields : [], keys: sp.labels ? identityKeys(sp.labels) : undefined,
    }));
  }
  const npzPath = path;
  return withNpz(npzPath, async (npz) => {
    const out: SnapshotSpace[] = [];
    const read: ReadMetadata[] = [];
    for (const name of snapshotSpaceNames(npz)) {
      try {
        out.push(await readSpace(npz, name, options, warnings, read));
      } catch (err) {
        warnings.push(err instanceof ArtifactError ? err.message : `${npzPath}: ${String(err)}`);
        out.push({ name, fields: [], missing: 'cannot be read (see warnings)' });
      }
    }
    return out;
  });
}

/** Pairs (i in a, j in b) of rows with the same identity. */
export function matchRows(a: readonly string[], b: readonly string[]): [number, number][] {
  const where = new Map<string, number>();
  b.forEach((k, j) => where.set(k, j));
  const pairs: [number, number][] = [];
  a.forEach((k, i) => {
    const j = where.get(k);
    if (j !== undefined) pairs.push([i, j]);
  });
  return pairs;
}

/**
 * The alignment of `points` onto the previous step's aligned points over the rows both
 * have (by identity), or undefined when fewer than 3 rows match or either has no identities.
 */
export function alignByIdentity(points: Float32Array, keys: readonly string[] | undefined, prev: Float32Array, prevKeys: readonly string[] | undefined): Alignment | undefined {
  if (!keys || !prevKeys) return undefined;
  const pairs = matchRows(keys, prevKeys);
  if (pairs.length < 3) return undefined;
  const moving = new Float32Array(pairs.length * 2), fixed = new Float32Array(pairs.length * 2);
  pairs.forEach(([i, j], k) => {
    moving[2 * k] = points[2 * i]; moving[2 * k + 1] = points[2 * i + 1];
    fixed[2 * k] = prev[2 * j]; fixed[2 * k + 1] = prev[2 * j + 1];
  });
  return procrustes2d(moving, fixed, pairs.length);
}

export { applyAlignment };
