// Plotly traces for one step: pure (no DOM), so the shaping is unit-tested in Node.
// Speed matters here: 3 spaces × 100,000 points are rebuilt on every step.
import { autoColourField, fieldLength, NO_COLOUR, type SpaceData } from '../../src/protocol/embeddings';

export const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** More categories than this are coloured without a legend entry each. */
export const MAX_LEGEND = 24;
/**
 * Points per trace. Plotly builds a quadtree for every scattergl trace of 100,000 points or
 * more (its TOO_MANY_POINTS), which costs more than the rest of a redraw; under it, none.
 */
export const CHUNK = 65_536;

/** Where trace point j comes from: point `indices[j]`, or `offset + j` without indices. */
export interface TraceSource {
  space: number;
  indices?: Uint32Array;
  offset: number;
  /** A trail line: no points to hover or select. */
  line?: boolean;
}

export interface TraceOptions {
  /** A field name, NO_COLOUR, or undefined: each space's own most useful field (autoColourField). */
  colorBy?: string;
  selected: ReadonlySet<number>;
  /** Text colour, for the colour bar. */
  foreground: string;
  /** Escapes file text for Plotly's HTML-like label parser. */
  text(s: string): string;
}

export interface SpaceTraces {
  data: Record<string, unknown>[];
  sources: TraceSource[];
  legend: boolean;
}

/** Point indices per category code, by one counting pass (codes ≥ `count` are dropped). */
export function splitByCategory(codes: Uint32Array, count: number): Uint32Array[] {
  const sizes = new Uint32Array(count);
  for (let i = 0; i < codes.length; i++) if (codes[i] < count) sizes[codes[i]]++;
  const out = Array.from(sizes, (n) => new Uint32Array(n));
  const fill = new Uint32Array(count);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < count) out[c][fill[c]++] = i;
  }
  return out;
}

function gather(values: Float32Array, indices: Uint32Array): Float32Array {
  const out = new Float32Array(indices.length);
  for (let j = 0; j < indices.length; j++) out[j] = values[indices[j]];
  return out;
}

/** Global colour scale of a number field over every space of the step. */
export function numberRange(spaces: readonly SpaceData[], name: string): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const s of spaces) {
    for (const f of s.fields) {
      if (f.name !== name || f.kind !== 'number') continue;
      for (const v of f.values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** The marker traces of every space of a step, space k on axes x{k+1}/y{k+1}. */
export function stepTraces(spaces: readonly SpaceData[], options: TraceOptions): SpaceTraces[] {
  // One colour scale per field for the whole step, measured once (a pass over every point).
  const ranges = new Map<string, [number, number]>();
  const fields = spaces.map((space) => colourFieldOf(space, options.colorBy));
  // One legend per category field (on its first space), one colour bar per number field (its last).
  return spaces.map((_, k) => {
    const colorBy = fields[k];
    const range = colorBy ? ranges.get(colorBy) ?? ranges.set(colorBy, numberRange(spaces, colorBy)).get(colorBy)! : ([0, 1] as [number, number]);
    const guide = { legend: fields.indexOf(colorBy) === k, scale: fields.lastIndexOf(colorBy) === k };
    return spaceTraces(spaces, k, { ...options, colorBy }, range, guide);
  });
}

/** The field space is coloured by under the user's choice (see TraceOptions.colorBy). */
export function colourFieldOf(space: SpaceData, choice: string | undefined): string | undefined {
  if (choice === NO_COLOUR) return undefined;
  // A chosen field this space lacks falls back to the space's own best, never to grey.
  return choice !== undefined && space.fields.some((f) => f.name === choice) ? choice : autoColourField(space.fields);
}

function spaceTraces(spaces: readonly SpaceData[], k: number, options: TraceOptions, [cmin, cmax]: [number, number], guide: { legend: boolean; scale: boolean }): SpaceTraces {
  const space = spaces[k];
  const ax = k === 0 ? '' : String(k + 1);
  const n = space.x.length;
  const field = space.fields.find((f) => f.name === options.colorBy && fieldLength(f) === n);
  const common = { type: 'scattergl', mode: 'markers', xaxis: `x${ax}`, yaxis: `y${ax}`, hoverinfo: 'none', selected: { marker: { opacity: 1 } }, unselected: { marker: { opacity: 0.12 } } };
  const data: Record<string, unknown>[] = [];
  const sources: TraceSource[] = [];
  const push = (trace: Record<string, unknown>, source: TraceSource, length: number) => {
    if (options.selected.size > 0) trace.selectedpoints = selectedIn(options.selected, source, length);
    data.push({ ...common, ...trace });
    sources.push(source);
  };
  // One space cut into traces under CHUNK points, each with `style(start, end)`.
  const chunked = (style: (start: number, end: number) => Record<string, unknown>) => {
    for (let start = 0; start < n || start === 0; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      push({ name: options.text(space.name), showlegend: false, x: space.x.subarray(start, end), y: space.y.subarray(start, end), ...style(start, end) }, { space: k, offset: start }, end - start);
      if (end >= n) break;
    }
  };
  if (field?.kind === 'category' && field.categories.length <= MAX_LEGEND) {
    splitByCategory(field.codes, field.categories.length).forEach((all, c) => {
      const cat = field.categories[c];
      for (let start = 0; start < all.length; start += CHUNK) {
        const indices = all.subarray(start, Math.min(all.length, start + CHUNK));
        push({
          name: cat === '' ? '(none)' : options.text(cat.slice(0, 60)), legendgroup: `${options.colorBy}:${c}`, showlegend: guide.legend && start === 0,
          x: gather(space.x, indices), y: gather(space.y, indices), marker: { size: 5, color: TAB10[c % TAB10.length] },
        }, { space: k, indices, offset: 0 }, indices.length);
      }
    });
    return { data, sources, legend: true };
  }
  if (field?.kind === 'category') {
    const colours = Array.from(field.codes, (c) => TAB10[c % TAB10.length]);
    chunked((s, e) => ({ marker: { size: 5, color: colours.slice(s, e) } }));
  } else if (field?.kind === 'number') {
    chunked((s, e) => ({
      marker: {
        size: 5, color: field.values.subarray(s, e), colorscale: 'Viridis', cmin, cmax,
        // One colour bar per field, on the first trace of the last space coloured by it.
        showscale: guide.scale && s === 0,
        colorbar: { title: { text: options.text(field.name) }, thickness: 12, outlinewidth: 0, tickfont: { color: options.foreground } },
      },
    }));
  } else {
    chunked(() => ({ marker: { size: 5, color: TAB10[0] } }));
  }
  return { data, sources, legend: false };
}

function selectedIn(selected: ReadonlySet<number>, source: TraceSource, length: number): number[] {
  const out: number[] = [];
  if (source.indices) source.indices.forEach((p, j) => { if (selected.has(p)) out.push(j); });
  else for (const p of selected) if (p >= source.offset && p < source.offset + length) out.push(p - source.offset);
  return out;
}

/** The point of the space that trace point j shows, or undefined for a line. */
export function pointOf(source: TraceSource | undefined, j: number): number | undefined {
  if (!source || source.line) return undefined;
  return source.indices ? source.indices[j] : source.offset + j;
}
