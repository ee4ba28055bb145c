// Messages between the Embedding Timeline panel (host) and its webview. Point data travels
// as typed arrays (structured-cloned, no JSON), one step at a time.
export const EMBEDDINGS_VIEW_TYPE = 'runreel.embeddings';
export const EMBEDDINGS_EDITOR_TYPE = 'runreel.embeddingsEditor';

export interface TimelineStep {
  step: number;
  /** The step has projections to plot. */
  npz: boolean;
  /** A webview URI of the step's PNG, when there is one. */
  image?: string;
  /** Another when the step's snapshot is written again: the page asks for the step afresh. */
  version?: string;
}

/**
 * Texts packed as UTF-8 in one buffer, text i ending at `ends[i]`: a field of a million distinct
 * names (a per-row id) crosses to the page as two arrays, not a million strings to clone.
 */
export interface PackedTexts { utf8: Uint8Array; ends: Uint32Array }

/** Category codes in the narrowest type that holds them. */
export type CodeArray = Uint8Array | Uint16Array | Uint32Array;
/** Numbers in the narrowest type that holds every one exactly (a float where any is unknown, NaN). */
export type NumberArray = Float64Array | Float32Array | Int32Array | Uint16Array | Uint8Array;

/** A metadata field as columns: numbers, or codes into a table of category names. */
export type FieldColumn =
  | { name: string; kind: 'number'; values: NumberArray }
  /** `held`: how many categories there are when their names stay with the host (see holdBackNames); `categories` is then empty. */
  | { name: string; kind: 'category'; codes: CodeArray; categories: PackedTexts; held?: number };

/** How many categories a field has, whether or not their names came with it. */
export function categoryCount(f: Extract<FieldColumn, { kind: 'category' }>): number {
  return f.held ?? textCount(f.categories);
}

/** Names a step sends with a category field; a field with more (a per-row id) sends codes only. */
export const NAMES_SENT = 4096;
/** Codes one names request may ask for (a hover asks for one). */
export const MAX_NAMES_ASKED = 64;

/**
 * `spaces` with the names of any category field of more than `limit` categories held back:
 * its codes still colour and link points, and the page asks for a name when it shows one.
 * (A million per-row ids are 17 MB of names in a 48 MB step.) Arrays are shared, not copied.
 */
export function holdBackNames(spaces: SpaceData[], limit = NAMES_SENT): SpaceData[] {
  const none: PackedTexts = { utf8: new Uint8Array(0), ends: new Uint32Array(0) };
  return spaces.map((sp) => ({
    ...sp,
    fields: sp.fields.map((f): FieldColumn => (f.kind === 'category' && textCount(f.categories) > limit ? { ...f, categories: none, held: textCount(f.categories) } : f)),
  }));
}

/**
 * A names request's answer: `asked`, the codes that are whole numbers (at most
 * MAX_NAMES_ASKED), and the names of those in range of the space's category field; fields or
 * spaces that do not exist have no names.
 */
export function namesOf(spaces: readonly SpaceData[], space: string, field: string, codes: unknown): { asked: number[]; names: Record<number, string> } {
  const asked = (Array.isArray(codes) ? codes : []).slice(0, MAX_NAMES_ASKED).filter((c): c is number => Number.isInteger(c));
  const f = spaces.find((s) => s.name === space)?.fields.find((x) => x.name === field);
  const names: Record<number, string> = {};
  if (f?.kind === 'category') for (const c of asked) if (c >= 0 && c < textCount(f.categories)) names[c] = textAt(f.categories, c);
  return { asked, names };
}

/** `codes` (each below `count`) in the narrowest type: a step's bytes are what VS Code copies. */
export function narrowCodes(codes: Uint32Array, count: number): CodeArray {
  if (count <= 0x100) return Uint8Array.from(codes);
  if (count <= 0x10000) return Uint16Array.from(codes);
  return codes;
}

/** `values` in the narrowest type that holds each exactly (-0 and NaN keep a float). */
export function narrowNumbers(values: Float64Array): NumberArray {
  let int = true, lo = 0, hi = 0, f32 = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (int && !(Number.isInteger(v) && !Object.is(v, -0))) int = false;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (f32 && Math.fround(v) !== v && !Number.isNaN(v)) f32 = false;
    if (!int && !f32) return values;
  }
  if (int && lo >= 0 && hi <= 0xff) return Uint8Array.from(values);
  if (int && lo >= 0 && hi <= 0xffff) return Uint16Array.from(values);
  if (int && lo >= -(2 ** 31) && hi < 2 ** 31) return Int32Array.from(values);
  return f32 ? Float32Array.from(values) : values;
}

export function packTexts(texts: readonly string[]): PackedTexts {
  const encoder = new TextEncoder();
  const ends = new Uint32Array(texts.length);
  let utf8 = new Uint8Array(64);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const need = at + texts[i].length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (need > utf8.length) { const grown = new Uint8Array(Math.max(need, utf8.length * 2)); grown.set(utf8.subarray(0, at)); utf8 = grown; }
    at += encoder.encodeInto(texts[i], utf8.subarray(at)).written;
    ends[i] = at;
  }
  return { utf8: utf8.slice(0, at), ends };
}

export function textCount(p: PackedTexts): number {
  return p.ends.length;
}

const utf8Decoder = new TextDecoder();

/** Text `i` ('' past the end). */
export function textAt(p: PackedTexts, i: number): string {
  if (!(i >= 0 && i < p.ends.length)) return '';
  return utf8Decoder.decode(p.utf8.subarray(i === 0 ? 0 : p.ends[i - 1], p.ends[i]));
}

export function unpackTexts(p: PackedTexts): string[] {
  return Array.from(p.ends, (_, i) => textAt(p, i));
}

/** A category column of `texts`: each distinct text a category, in order of first appearance. */
export function categoryColumn(name: string, texts: readonly string[]): FieldColumn {
  const categories: string[] = [];
  const index = new Map<string, number>();
  const codes = Uint32Array.from(texts, (text) => {
    let code = index.get(text);
    if (code === undefined) { code = categories.length; categories.push(text); index.set(text, code); }
    return code;
  });
  return { name, kind: 'category', codes: narrowCodes(codes, categories.length), categories: packTexts(categories) };
}

/** How many points a column describes. */
export function fieldLength(f: FieldColumn): number {
  return f.kind === 'number' ? f.values.length : f.codes.length;
}

export interface SpaceData {
  name: string;
  /** Point i is (x[i], y[i]); NaN for a point without a finite position. */
  x: Float32Array;
  y: Float32Array;
  fields: FieldColumn[];
  /** Row identities as numbers the same in every step of the run (absent: rows cannot be matched). */
  ids?: Uint32Array;
  /** Which sample each row is, as numbers shared by every space of the run (absent: rows are linked by row number). */
  links?: Uint32Array;
  /** Why the space has no points at this step (not projected yet, stale projection). */
  note?: string;
}

export interface AxisBounds {
  x: [number, number];
  y: [number, number];
}

export interface EmbeddingsState {
  dir: string;
  step?: number;
  colorBy?: string;
  align: boolean;
  follow: boolean;
  /** Steps of history drawn behind selected points (0: none). */
  trail: number;
  selected?: number[];
  /** The space whose rows `selected` numbers (absent: every space's). */
  selectedSpace?: string;
  /** Points move from their last place between steps. */
  animate?: boolean;
  /** A density of the points instead of the points. */
  density?: boolean;
}

export type EmbeddingsHostToWebview =
  | { type: 'steps'; title: string; steps: TimelineStep[]; warnings: string[] }
  | { type: 'stepData'; step: number; align: boolean; spaces: SpaceData[]; warnings: string[] }
  | { type: 'bounds'; align: boolean; bounds: Record<string, AxisBounds> }
  /** `off`: spaces whose rows have no identity across steps, so they get no trail. */
  | { type: 'trail'; step: number; spaces: { name: string; steps: number[]; x: Float32Array; y: Float32Array }[]; off: string[] }
  /** The run's step clock moved (a click on a scalar chart, "Go to Step…"): show the nearest step. */
  | { type: 'goToStep'; step: number }
  /**
   * Names of a held-back category field's codes (holdBackNames), as asked for; an asked code
   * without a name has none. `failed`: the host could not read the step (so no code has a name
   * for now), and why.
   */
  | { type: 'names'; step: number; space: string; field: string; asked: number[]; names: Record<number, string>; failed?: string }
  | { type: 'error'; message: string };

export type EmbeddingsWebviewToHost =
  | { type: 'ready' }
  | { type: 'requestStep'; step: number; align: boolean }
  /** `rows`: the rows of each space to follow (the selection's rows there). */
  | { type: 'requestTrail'; step: number; rows: Record<string, number[]>; length: number; align: boolean }
  /** Names of `codes` of a field whose names were held back (at most MAX_NAMES_ASKED). */
  | { type: 'requestNames'; step: number; align: boolean; space: string; field: string; codes: number[] }
  | { type: 'exportPng'; dataUrl: string; step: number }
  | { type: 'createAnimation' };

/** Category fields with more values than this are not picked to colour by automatically. */
const AUTO_MAX_CATEGORIES = 24;
/** Preferred, in order, when several fields could colour a space. */
const PREFERRED = ['label', 'class', 'category', 'layer_name', 'prompt_text', 'step', 'epoch'];

/**
 * The field a space is coloured by when the user has not chosen one: the first of PREFERRED
 * (then any) that tells points apart (2+ categories, up to AUTO_MAX_CATEGORIES, not an id;
 * or a number with 2+ distinct finite values). Undefined when no field does.
 */
export function autoColourField(fields: readonly FieldColumn[]): string | undefined {
  const useful = (f: FieldColumn) => {
    if (f.kind === 'category') return categoryCount(f) >= 2 && categoryCount(f) <= AUTO_MAX_CATEGORIES && !/(^|_)(id|uuid|path)$/i.test(f.name);
    const values = f.values;
    let first: number | undefined;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (first === undefined) first = v;
      else if (v !== first) return true;
    }
    return false;
  };
  // In order of preference, the first useful one: a number field (a scan of every row) is only
  // looked at when no field before it will do.
  const rank = (f: FieldColumn) => { const i = PREFERRED.indexOf(f.name); return i < 0 ? PREFERRED.length : i; };
  return [...fields].sort((a, b) => rank(a) - rank(b)).find(useful)?.name;
}

/** The colour-by value that means "no colour field". */
export const NO_COLOUR = '\u0000none';
