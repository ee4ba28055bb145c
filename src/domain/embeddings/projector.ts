// PyTorch's SummaryWriter.add_embedding output, as TensorBoard's projector reads it: one folder
// per step named by the zero-padded step (00100/), one folder per tag in it (default/) with
// tensors.tsv (one point per line, tab-separated floats) and metadata.tsv (one label per line,
// or a header line and columns when there are several). The points are high-dimensional: the
// timeline shows their first two principal components (the projector computes PCA too).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError } from '../artifacts/errors';
import { categoryColumn, narrowNumbers, type FieldColumn } from '../../protocol/embeddings';

/** A projector step folder: digits only, as add_embedding names them (f"{global_step:05}"). */
export const PROJECTOR_STEP = /^\d{1,12}$/;
const MAX_TSV = 256 << 20;
const MAX_POINTS = 2_000_000;

/** The step folders of a projector log directory: [step, folder], in step order. */
export async function listProjectorSteps(dir: string): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory() || !PROJECTOR_STEP.test(e.name)) continue;
    const folder = join(dir, e.name);
    const tags = await readdir(folder, { withFileTypes: true }).catch(() => []);
    if (tags.some((t) => t.isDirectory())) {
      for (const t of tags) if (t.isDirectory() && (await stat(join(folder, t.name, 'tensors.tsv')).catch(() => undefined))) { out.push([Number(e.name), folder]); break; }
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

export interface ProjectorSpace {
  name: string;
  /** x,y interleaved: the first two principal components of the tensors. */
  points: Float32Array;
  dims: number;
  fields: FieldColumn[];
  /** The metadata line of each point (for matching rows across steps), when there is metadata. */
  labels?: string[];
}

async function readText(path: string, what: string): Promise<string> {
  const size = (await stat(path)).size;
  if (size > MAX_TSV) throw new ArtifactError('too_large', path, `${what} is ${size} bytes (limit ${MAX_TSV})`);
  return readFile(path, 'utf8');
}

/** One step folder's tags, each a space. */
export async function readProjectorStep(folder: string): Promise<ProjectorSpace[]> {
  const tags = (await readdir(folder, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const out: ProjectorSpace[] = [];
  for (const tag of tags) {
    const tensors = join(folder, tag, 'tensors.tsv');
    if (!(await stat(tensors).catch(() => undefined))) continue;
    const { data, rows, dims } = parseTensors(await readText(tensors, 'tensors.tsv'), tensors);
    const metaPath = join(folder, tag, 'metadata.tsv');
    const meta = (await stat(metaPath).catch(() => undefined)) ? await readText(metaPath, 'metadata.tsv') : undefined;
    const { fields, labels } = meta === undefined ? { fields: [], labels: undefined } : parseMetadata(meta, rows, metaPath);
    out.push({ name: tag, points: pca2(data, rows, dims), dims, fields, labels });
  }
  return out;
}

function parseTensors(text: string, file: string): { data: Float64Array; rows: number; dims: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > MAX_POINTS) throw new ArtifactError('too_large', file, `${lines.length} points (limit ${MAX_POINTS})`);
  const dims = lines.length ? lines[0].split('\t').length : 0;
  const data = new Float64Array(lines.length * dims);
  lines.forEach((line, i) => {
    const cells = line.split('\t');
    if (cells.length !== dims) throw new ArtifactError('inconsistent', file, `line ${i + 1} has ${cells.length} values, the first has ${dims}`);
    for (let k = 0; k < dims; k++) {
      const v = Number(cells[k]);
      if (cells[k].trim() === '' || Number.isNaN(v) && !/^\s*nan\s*$/i.test(cells[k])) throw new ArtifactError('inconsistent', file, `line ${i + 1}, value ${k + 1} is not a number: ${JSON.stringify(cells[k].slice(0, 40))}`);
      data[i * dims + k] = v;
    }
  });
  return { data, rows: lines.length, dims };
}

/**
 * metadata.tsv: one column without a header (torch writes labels one per line), or a header
 * line naming several columns. A column of numbers is a number field, else a category field.
 */
function parseMetadata(text: string, rows: number, file: string): { fields: FieldColumn[]; labels: string[] } {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const multi = lines.length > 0 && lines[0].includes('\t');
  const header = multi ? lines[0].split('\t') : ['label'];
  const body = multi ? lines.slice(1) : lines;
  if (body.length !== rows) throw new ArtifactError('inconsistent', file, `${body.length} metadata lines for ${rows} points`);
  const cells = body.map((l) => (multi ? l.split('\t') : [l]));
  const fields = header.map((name, c): FieldColumn => {
    const col = cells.map((r) => r[c] ?? '');
    if (col.every((v) => v.trim() !== '' && Number.isFinite(Number(v)))) return { name, kind: 'number', values: narrowNumbers(Float64Array.from(col, Number)) };
    return categoryColumn(name, col);
  });
  return { fields, labels: body };
}

/** The first two principal components (power iteration on XᵀX without forming it), x,y interleaved. */
export function pca2(data: Float64Array, rows: number, dims: number): Float32Array {
  const out = new Float32Array(rows * 2);
  if (rows === 0 || dims === 0) return out;
  const mean = new Float64Array(dims);
  for (let i = 0; i < rows; i++) for (let k = 0; k < dims; k++) mean[k] += data[i * dims + k] / rows;
  const x = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) for (let k = 0; k < dims; k++) x[i * dims + k] = data[i * dims + k] - mean[k];
  const components: Float64Array[] = [];
  for (let c = 0; c < Math.min(2, dims); c++) {
    // A fixed start, so the same data gives the same axes every time.
    let v = Float64Array.from({ length: dims }, (_, k) => 1 / Math.sqrt(dims) + (k === c ? 0.5 : 0));
    for (let it = 0; it < 200; it++) {
      const xv = new Float64Array(rows);
      for (let i = 0; i < rows; i++) { let s = 0; for (let k = 0; k < dims; k++) s += x[i * dims + k] * v[k]; xv[i] = s; }
      const next = new Float64Array(dims);
      for (let i = 0; i < rows; i++) { const s = xv[i]; if (s) for (let k = 0; k < dims; k++) next[k] += x[i * dims + k] * s; }
      const size = norm2(next);
      // Deflate twice (Gram–Schmidt loses orthogonality when little is left).
      for (let pass = 0; pass < 2; pass++) for (const p of components) { let d = 0; for (let k = 0; k < dims; k++) d += next[k] * p[k]; for (let k = 0; k < dims; k++) next[k] -= d * p[k]; }
      const norm = norm2(next);
      // Nothing left but rounding: the data has no variance in another direction.
      if (!norm || norm < 1e-9 * size) { v = new Float64Array(dims); break; }
      let delta = 0;
      for (let k = 0; k < dims; k++) { next[k] /= norm; delta += Math.abs(next[k] - v[k]); }
      v = next;
      if (delta < 1e-10) break;
    }
    components.push(v);
  }
  for (let i = 0; i < rows; i++) {
    components.forEach((v, c) => { let s = 0; for (let k = 0; k < dims; k++) s += x[i * dims + k] * v[k]; out[i * 2 + c] = s; });
  }
  return out;
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
