// Embedding Timeline panel: every space side by side on one WebGL canvas, over a step slider.
// Only the current step's points are held here; the host sends steps as typed arrays, and they
// go to the GPU as they came. Axes, lasso and hover are ours; hover text is textContent, never
// HTML: metadata is file text.
import { nearestIndexOf } from '../../src/domain/nearest';
import { categoryCount, fieldLength, NO_COLOUR, textAt, unpackTexts, type AxisBounds, type CodeArray, type EmbeddingsHostToWebview, type EmbeddingsState, type EmbeddingsWebviewToHost, type FieldColumn, type SpaceData, type TimelineStep } from '../../src/protocol/embeddings';
import { colormapTable } from '../common/colormaps';
import { el, themeVar } from '../common/dom';
import { connectToHost, readBoot } from '../common/host';
import { densityBins, extentOf, followRows, GridIndex, niceTicks, pointsInPolygon, tickText, transitionStarts, zoomRange, type Range } from './geometry';
import { ScatterGl, type LayerColour, type LayerSpace } from './scatterGl';
import { colourFieldOf, MAX_LEGEND, numberRange, TAB10 } from './colouring';

const host = connectToHost<EmbeddingsHostToWebview, EmbeddingsWebviewToHost, EmbeddingsState>();
const boot = readBoot<EmbeddingsState>();
let state: EmbeddingsState = { align: true, follow: true, trail: 0, dir: '', animate: true, density: false, ...boot, ...host.getState() };
const save = () => host.setState(state);
save();

const SPEEDS = [0.5, 1, 2, 4];
/** How long points take to move to their new places. */
const TRANSITION_MS = 350;
/** Points a lasso can select (the trail asks for the first 200). */
const MAX_SELECTED = 5000;
/** Selected rows a trail follows (another space may hold several rows per sample, up to twice as many). */
const TRAIL_ROWS = 200;
const DENSITY_CELL = 3;

let steps: TimelineStep[] = [];
let current: { step: number; align: boolean; spaces: SpaceData[] } | undefined;
/** The fixed axes of each alignment mode: the host measures and sends both, one after the other. */
const bounds = new Map<boolean, Record<string, AxisBounds>>();
let trail: Extract<EmbeddingsHostToWebview, { type: 'trail' }> | undefined;
let playing: number | undefined;
let speed = 1;
let warnings: string[] = [];
let pending: number | undefined;

// ---- page
const app = document.getElementById('app')!;
const titleEl = el('h1', { attrs: { 'data-testid': 'title' } });
const stepLabel = el('span', { class: 'badge', attrs: { 'data-testid': 'step-label', 'aria-live': 'polite' } });
const slider = el('input', { attrs: { type: 'range', min: '0', max: '0', value: '0', 'aria-label': 'Step', 'data-testid': 'slider' } });
const button = (label: string, testid: string, onClick: () => void, tip: string) => el('button', { class: 'secondary icon', title: tip, attrs: { 'data-testid': testid, 'aria-label': tip }, onClick }, label);
const playButton = button('▶', 'play', () => togglePlay(), 'Play / pause (Space)');
const speedSelect = el('select', { attrs: { 'aria-label': 'Speed', 'data-testid': 'speed' } }, ...SPEEDS.map((s) => el('option', { attrs: { value: String(s), ...(s === 1 ? { selected: '' } : {}) } }, `${s}×`)));
const colorSelect = el('select', { attrs: { 'aria-label': 'Colour by', 'data-testid': 'color-by' } });
const trailSelect = el('select', { attrs: { 'aria-label': 'Trail', 'data-testid': 'trail' } }, ...[0, 5, 10, 20].map((k) => el('option', { attrs: { value: String(k) } }, k === 0 ? 'no trail' : `trail ${k} steps`)));
const check = (label: string, testid: string, checked: boolean, onChange: (v: boolean) => void, tip?: string) => {
  const input = el('input', { attrs: { type: 'checkbox', 'data-testid': testid } });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return { input, label: el('label', { class: 'check', ...(tip ? { title: tip } : {}) }, input, label) };
};
const follow = check('Follow latest', 'follow', state.follow, (v) => { state = { ...state, follow: v }; save(); if (v) go(steps.length - 1); });
const align = check('Align steps', 'align', state.align, (v) => { state = { ...state, align: v }; save(); trail = undefined; request(); });
const animate = check('Animate', 'animate', state.animate !== false, (v) => { state = { ...state, animate: v }; save(); }, 'Points move from where they were at the last step shown (rows matched by their identity)');
const density = check('Density', 'density', !!state.density, (v) => { state = { ...state, density: v }; save(); draw(); }, 'How many points fall in each place, on a log scale, instead of the points');
const glCanvas = el('canvas', { class: 'scatter-layer', attrs: { 'data-testid': 'scatter-canvas' } });
const axesCanvas = el('canvas', { class: 'scatter-layer scatter-axes', attrs: { 'data-testid': 'scatter-axes' } });
const plot = el('div', { class: 'plot scatter', attrs: { 'data-testid': 'plot', role: 'img' } }, glCanvas, axesCanvas);
const legend = el('div', { class: 'scatter-legend', attrs: { 'data-testid': 'legend' } });
const image = el('img', { class: 'step-image', attrs: { alt: '', 'data-testid': 'step-image' } });
const empty = el('p', { class: 'empty', attrs: { 'data-testid': 'empty' } });
const tooltip = el('div', { class: 'tooltip', attrs: { role: 'tooltip', 'data-testid': 'tooltip' } });
const selectionInfo = el('span', { class: 'state', attrs: { 'data-testid': 'selection' } });
const warningList = el('ul', { class: 'warnings', attrs: { 'data-testid': 'warnings' } });

app.replaceChildren(
  el('header', { class: 'page-header' }, titleEl, stepLabel,
    el('span', { class: 'tabs' },
      el('button', { class: 'secondary', attrs: { 'data-testid': 'export' }, onClick: () => exportPng() }, 'Export PNG'),
      el('button', { attrs: { 'data-testid': 'create-animation' }, onClick: () => host.post({ type: 'createAnimation' }) }, 'Create Animation'))),
  el('div', { class: 'controls' },
    button('⇤', 'first', () => go(0), 'First step (Home)'),
    button('‹', 'prev', () => go(index() - 1), 'Previous step (←)'),
    playButton,
    button('›', 'next', () => go(index() + 1), 'Next step (→)'),
    button('⇥', 'last', () => go(steps.length - 1), 'Last step (End)'),
    slider, speedSelect, follow.label, align.label, animate.label, density.label,
    el('label', { class: 'check' }, 'Colour by ', colorSelect), trailSelect, selectionInfo),
  plot, legend, image, empty, tooltip, warningList,
);
trailSelect.value = String(state.trail);

let layer: ScatterGl | undefined;
try {
  layer = new ScatterGl(glCanvas, colormapTable('viridis'));
} catch (err) {
  warnings.push(`The points cannot be drawn: ${(err as Error).message}`);
}

// ---- stepping
function index(): number {
  const i = steps.findIndex((s) => s.step === state.step);
  return i < 0 ? steps.length - 1 : i;
}

/** Moves to step number `i` of the list; the user moving away from the end stops following. */
function go(i: number, byUser = true): void {
  if (steps.length === 0) return;
  const k = Math.max(0, Math.min(steps.length - 1, i));
  if (byUser && state.follow && k !== steps.length - 1) { state.follow = false; follow.input.checked = false; }
  state = { ...state, step: steps[k].step };
  save();
  slider.value = String(k);
  request();
}

function request(): void {
  if (steps.length === 0) return;
  const s = steps[index()];
  stepLabel.textContent = `step ${s.step} · ${index() + 1}/${steps.length}`;
  if (!s.npz) {
    showImage(s);
    return;
  }
  if (current?.step === s.step && current.align === state.align) return draw();
  pending = s.step;
  host.post({ type: 'requestStep', step: s.step, align: state.align });
}

function togglePlay(): void {
  if (playing !== undefined) {
    clearInterval(playing);
    playing = undefined;
    playButton.textContent = '▶';
    return;
  }
  if (index() >= steps.length - 1) go(0);
  playButton.textContent = '||';
  playing = window.setInterval(() => {
    if (index() >= steps.length - 1) return togglePlay();
    go(index() + 1);
  }, 500 / speed);
}

slider.addEventListener('input', () => go(Number(slider.value)));
speedSelect.addEventListener('change', () => {
  speed = Number(speedSelect.value);
  if (playing !== undefined) { togglePlay(); togglePlay(); }
});
colorSelect.addEventListener('change', () => { state = { ...state, colorBy: colorSelect.value || undefined }; save(); hiddenCategories.clear(); draw(); });
trailSelect.addEventListener('change', () => { state = { ...state, trail: Number(trailSelect.value) }; save(); trail = undefined; requestTrail(); draw(); });
window.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLSelectElement || (e.target instanceof HTMLInputElement && e.target.type !== 'range' && e.target.type !== 'checkbox')) return;
  const k = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
  if (k) { e.preventDefault(); go(index() + k); }
  else if (e.key === 'Home') go(0);
  else if (e.key === 'End') go(steps.length - 1);
  else if (e.key === ' ' && !(e.target instanceof HTMLButtonElement)) { e.preventDefault(); togglePlay(); }
});

// ---- drawing
function showImage(s: TimelineStep): void {
  plot.hidden = true;
  legend.hidden = true;
  if (s.image) {
    image.hidden = false;
    empty.hidden = true;
    image.src = s.image;
    image.alt = `snapshot image of step ${s.step}`;
  } else {
    image.hidden = true;
    empty.hidden = false;
    empty.textContent = `Step ${s.step} has no projections and no image.`;
  }
}

function fieldNames(spaces: SpaceData[]): string[] {
  const names = new Set<string>();
  for (const s of spaces) for (const f of s.fields) names.add(f.name);
  return [...names];
}

function updateColorChoices(spaces: SpaceData[]): void {
  const names = fieldNames(spaces);
  // "auto": each space by its own most useful field (a field one space lacks never greys it).
  const auto = spaces.map((s) => `${s.name}: ${colourFieldOf(s, undefined) ?? 'none'}`).join(', ');
  const want = ['', NO_COLOUR, ...names].join('\n');
  if ([...colorSelect.options].map((o) => o.value).join('\n') !== want) {
    colorSelect.replaceChildren(el('option', { attrs: { value: '' } }, 'auto'), el('option', { attrs: { value: NO_COLOUR } }, 'none'), ...names.map((n) => el('option', { attrs: { value: n } }, n)));
  }
  colorSelect.options[0].title = auto;
  colorSelect.title = state.colorBy === undefined ? `auto: ${auto}` : '';
  colorSelect.value = state.colorBy === NO_COLOUR || (state.colorBy && names.includes(state.colorBy)) ? state.colorBy : '';
}

/** What one space shows this frame. */
interface SpaceView {
  space: SpaceData;
  range: Range;
  rect: { left: number; top: number; width: number; height: number };
  field?: FieldColumn;
  colour: LayerColour;
}
let views: SpaceView[] = [];
/** Ranges the user zoomed to, by space name (kept across steps; double-click resets). */
const zooms = new Map<string, Range>();
/** Category codes of the legend's field switched off. */
const hiddenCategories = new Set<number>();
/** Why the selection lost rows at the last step change (empty: it lost none, or a new selection was made since). */
let selectionNote = '';
/** A transition's starts, by space, for the step shown. */
let starts = new Map<string, { x: Float32Array; y: Float32Array }>();
/** Rows of the step shown that started from a place in the step before. */
let transitionRows = 0;
/** A transition running (t from 0 to 1); `frame` is 0 until its first animation frame is asked for. */
let transition: { t: number; frame: number } | undefined;

// Per-array work done once: a column as floats for the GPU, a space's extent, its hover index.
const floats = new WeakMap<object, Float32Array>();
const extents = new WeakMap<SpaceData, Range>();
const indexes = new WeakMap<SpaceData, GridIndex>();
const numberRanges = new WeakMap<SpaceData[], Map<string, [number, number]>>();
const asFloats = (key: object, make: () => Float32Array) => floats.get(key) ?? floats.set(key, make()).get(key)!;
const bytes = new WeakMap<CodeArray, Uint8Array>();
/** Category codes as bytes for the GPU (see LayerColour: 240 and over keep their colour). */
function asBytes(codes: CodeArray, count: number): Uint8Array {
  if (codes instanceof Uint8Array && count <= 240) return codes;
  let out = bytes.get(codes);
  if (!out) {
    out = new Uint8Array(codes.length);
    for (let i = 0; i < codes.length; i++) { const c = codes[i]; out[i] = c < 240 ? c : 240 + (c % 10); }
    bytes.set(codes, out);
  }
  return out;
}

function layoutRects(n: number): SpaceView['rect'][] {
  const w = plot.clientWidth, h = plot.clientHeight;
  const left = 48, right = 12, top = 30, bottom = 28, gap = 36;
  const width = Math.max(40, (w - left - right - gap * (n - 1)) / Math.max(1, n));
  return Array.from({ length: n }, (_, k) => ({ left: left + k * (width + gap), top, width, height: Math.max(40, h - top - bottom) }));
}

function colourOf(space: SpaceData, field: FieldColumn | undefined, range: [number, number]): LayerColour {
  if (field?.kind === 'category') {
    let hidden = 0;
    for (const c of hiddenCategories) if (c < 31) hidden |= 1 << c;
    return { kind: 'category', codes: asBytes(field.codes, categoryCount(field)), hidden: categoryCount(field) <= MAX_LEGEND ? hidden : 0 };
  }
  if (field?.kind === 'number') return { kind: 'number', values: field.values instanceof Float32Array ? field.values : asFloats(field.values, () => Float32Array.from(field.values)), min: range[0], max: range[1] };
  return { kind: 'none' };
}

/**
 * The selection's rows in `space`: the rows picked, in the space they were picked in; in
 * another, the rows of the same samples where both spaces say which (a per-layer space has
 * several rows per sample), else the same row numbers.
 */
function selectedIn(space: SpaceData, selected: readonly number[] = state.selected ?? []): number[] {
  const from = current?.spaces.find((s) => s.name === state.selectedSpace);
  if (!from || from === space || !from.links || !space.links) return selected.filter((i) => i < space.x.length);
  const samples = new Set<number>();
  for (const i of selected) if (i < from.links.length) samples.add(from.links[i]);
  const out: number[] = [];
  for (let j = 0; j < space.links.length; j++) if (samples.has(space.links[j])) out.push(j);
  return out;
}

/** Made once per space and selection (a new selection is a new array). */
let selectionMasks = new Map<SpaceData, { of?: number[]; in?: string; rows: number[]; mask: Uint8Array }>();
function selectionOf(space: SpaceData): { rows: number[]; mask: Uint8Array } {
  const known = selectionMasks.get(space);
  if (known && known.of === state.selected && known.in === state.selectedSpace) return known;
  const rows = selectedIn(space);
  const mask = new Uint8Array(space.x.length);
  for (const i of rows) mask[i] = 255;
  const made = { of: state.selected, in: state.selectedSpace, rows, mask };
  selectionMasks.set(space, made);
  return made;
}

/** Segments made once per trail message and space: the same array each draw, so it is uploaded once. */
const trailSegmentsMade = new WeakMap<object, Float32Array>();

function trailSegments(name: string): Float32Array | undefined {
  const t = trail?.step === current?.step && state.trail > 0 ? trail!.spaces.find((s) => s.name === name) : undefined;
  if (!t) return undefined;
  const made = trailSegmentsMade.get(t);
  if (made) return made;
  // Rows followed in this space (another space's selection may be several rows per sample).
  const m = t.steps.length ? t.x.length / t.steps.length : 0, out: number[] = [];
  for (let p = 0; p < m; p++) {
    for (let s = 1; s < t.steps.length; s++) {
      const a = (s - 1) * m + p, b = s * m + p;
      if ([t.x[a], t.y[a], t.x[b], t.y[b]].every(Number.isFinite)) out.push(t.x[a], t.y[a], t.x[b], t.y[b]);
    }
  }
  const segments = Float32Array.from(out);
  trailSegmentsMade.set(t, segments);
  return segments;
}

/** The last density made for each space, kept while its view and hidden categories stay. */
const densities = new WeakMap<SpaceData, { key: string; density: NonNullable<LayerSpace['density']> }>();

/** A density of the space's visible points, on cells of DENSITY_CELL CSS pixels. */
function densityOf(v: SpaceView, hidden: Extract<LayerColour, { kind: 'category' }> | undefined): LayerSpace['density'] {
  const width = Math.max(1, Math.round(v.rect.width / DENSITY_CELL)), height = Math.max(1, Math.round(v.rect.height / DENSITY_CELL));
  const key = JSON.stringify([v.range, width, height, hidden?.hidden ?? 0]);
  const known = densities.get(v.space);
  if (known?.key === key) return known.density;
  const density = { bins: densityBins(v.space.x, v.space.y, v.range, width, height, hidden && ((i) => ((hidden.hidden >> hidden.codes[i]) & 1) === 1)), width, height };
  densities.set(v.space, { key, density });
  return density;
}

/** A space's fixed axes, if the host sent some: a space may be named `constructor` or `__proto__`. */
function ownBounds(record: Record<string, AxisBounds> | undefined, name: string): AxisBounds | undefined {
  return record && Object.hasOwn(record, name) ? record[name] : undefined;
}

function draw(): void {
  // A step with only a PNG is shown as its image: nothing (a resize, a late answer) draws over it.
  if (!current || (steps.length > 0 && !steps[index()]?.npz)) return;
  const { spaces } = current;
  plot.hidden = false;
  legend.hidden = false;
  image.hidden = true;
  empty.hidden = spaces.length > 0;
  if (spaces.length === 0) empty.textContent = `Step ${current.step} holds no *_projections_2d arrays.`;
  updateColorChoices(spaces);
  const fields = spaces.map((s) => colourFieldOf(s, state.colorBy));
  const ranges = numberRanges.get(spaces) ?? numberRanges.set(spaces, new Map()).get(spaces)!;
  const rects = layoutRects(spaces.length);
  const selected = state.selected ?? [];
  views = spaces.map((space, k) => {
    const name = fields[k];
    const field = space.fields.find((f) => f.name === name && fieldLength(f) === space.x.length);
    const numbers = field?.kind === 'number' ? ranges.get(field.name) ?? ranges.set(field.name, numberRange(spaces, field.name)).get(field.name)! : [0, 1] as [number, number];
    const b = ownBounds(bounds.get(current!.align), space.name);
    const base = b ? { x: b.x, y: b.y } : extents.get(space) ?? extents.set(space, extentOf(space.x, space.y)).get(space)!;
    return { space, range: zooms.get(space.name) ?? base, rect: rects[k], field, colour: colourOf(space, field, numbers) };
  });
  // First: the layer draws the axes under the points.
  drawAxes();
  if (layer) {
    layer.resize();
    layer.lineColour = cssRgba(themeVar('--vscode-foreground', '#888'), 0.55);
    const layerSpaces = views.map((v): LayerSpace => {
      const from = starts.get(v.space.name);
      const hidden = v.colour.kind === 'category' && v.colour.hidden ? v.colour : undefined;
      return {
        x: v.space.x, y: v.space.y, fromX: from?.x, fromY: from?.y, colour: v.colour, range: v.range, rect: v.rect,
        selected: selected.length ? selectionOf(v.space).mask : undefined, trail: trailSegments(v.space.name),
        density: state.density ? densityOf(v, hidden) : undefined,
      };
    });
    // A large step reaches the GPU over several tasks; the step before stays on screen meanwhile.
    if (layer.setSpaces(layerSpaces, present)) present();
  } else present();
  renderLegend();
  describePlot();
  const trailsOff = state.trail > 0 && trail?.step === current.step && trail?.off.length ? ` · no trail in ${trail.off.join(', ')}: its points cannot be matched across steps` : '';
  // Where spaces are linked by sample, a space may hold several rows per sample: say how many.
  const counts = selected.length ? views.map((v) => `${selectionOf(v.space).rows.length} in ${v.space.name}`) : [];
  const linked = selected.length && views.some((v) => selectionOf(v.space).rows.length !== selected.length) ? ` (${counts.join(', ')})` : '';
  const note = selectionNote ? ` · ${selectionNote}` : '';
  selectionInfo.textContent = (selected.length > 0 ? `${selected.length} selected${linked} · double-click to clear` : 'lasso points to select them in every space · wheel zooms') + note + trailsOff;
}

/** Draws what the layer holds, then runs the transition, if any, or says the step is drawn. */
function present(): void {
  if (!current) return;
  const step = current.step;
  // Points that take several frames to draw cannot move smoothly: they appear in place.
  if (transition && !transition.frame && layer && !layer.drawsWhole()) { transition = undefined; starts = new Map(); }
  let atOnce = true;
  if (layer) {
    layer.setTransition(transition ? transition.t : 1);
    atOnce = layer.draw(() => { plot.dataset.drawChunks = String(layer!.chunksLastDrawn); drawn(step); });
    // Until a pass ends, the screen shows what was there before it.
    if (atOnce) plot.dataset.drawChunks = '1';
    else delete plot.dataset.drawnStep;
  }
  plot.dispatchEvent(new CustomEvent('runreel-draw-issued', { detail: { step } }));
  if (transition && layer) { if (!transition.frame) runTransition(); }
  else if (atOnce) drawn(step);
}

/** The step is on screen, its points in their places. */
function drawn(step: number | undefined): void {
  plot.dataset.drawnStep = String(step);
  plot.dispatchEvent(new CustomEvent('runreel-drawn', { detail: { step } }));
}

/** Moves the points from their starts over TRANSITION_MS, one draw call per space a frame. */
function runTransition(): void {
  const t0 = performance.now();
  const step = current?.step;
  const tick = () => {
    if (!transition || !layer || current?.step !== step) return;
    const u = Math.min(1, (performance.now() - t0) / TRANSITION_MS);
    transition.t = u < 0.5 ? 2 * u * u : 1 - (-2 * u + 2) ** 2 / 2;
    layer.setTransition(transition.t);
    layer.draw();
    plot.dispatchEvent(new CustomEvent('runreel-transition-frame'));
    if (u < 1) { transition.frame = requestAnimationFrame(tick); return; }
    transition = undefined;
    starts = new Map();
    drawn(step);
  };
  transition!.frame = requestAnimationFrame(tick);
}

let colourProbe: CanvasRenderingContext2D | undefined;
function cssRgba(colour: string, alpha: number): [number, number, number, number] {
  const probe = (colourProbe ??= document.createElement('canvas').getContext('2d')!);
  probe.fillStyle = colour;
  const hex = probe.fillStyle;
  if (hex.startsWith('#')) return [parseInt(hex.slice(1, 3), 16) / 255, parseInt(hex.slice(3, 5), 16) / 255, parseInt(hex.slice(5, 7), 16) / 255, alpha];
  const m = /rgba?\(([^)]+)\)/.exec(hex)?.[1].split(',').map(Number) ?? [128, 128, 128];
  return [m[0] / 255, m[1] / 255, m[2] / 255, alpha];
}

/** What the axes show now: they are drawn again only when this changes (a step with fixed bounds leaves them). */
let axesKey = '';
/**
 * The axes, drawn here and handed to the layer, which draws them under the points: the page
 * then has one canvas over the plot, not two (each costs the compositor a full-size quad every
 * frame). Without WebGL2 they go on the axes canvas, which otherwise stays empty (it takes the
 * pointer; a lasso is drawn on a canvas of its own while it lasts).
 */
const axesImage = document.createElement('canvas');

function drawAxes(): void {
  const dpr = window.devicePixelRatio || 1;
  const w = plot.clientWidth, h = plot.clientHeight;
  const fg = themeVar('--vscode-foreground', '#888');
  const grid = themeVar('--vscode-editorWidget-border', themeVar('--vscode-panel-border', 'rgba(128,128,128,0.35)'));
  const font = themeVar('--vscode-font-family', 'sans-serif');
  const background = themeVar('--vscode-editor-background', '#ffffff');
  const key = JSON.stringify([w, h, dpr, fg, grid, font, background, views.map((v) => [v.range, v.rect, v.space.name, v.space.note])]);
  if (key === axesKey) return;
  axesKey = key;
  const target = layer ? axesImage : axesCanvas;
  if (target.width !== Math.round(w * dpr) || target.height !== Math.round(h * dpr)) { target.width = Math.round(w * dpr); target.height = Math.round(h * dpr); }
  const ctx = target.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  plot.dataset.ink = fg;
  for (const v of views) {
    const { rect: r, range } = v;
    const sx = r.width / (range.x[1] - range.x[0]), sy = r.height / (range.y[1] - range.y[0]);
    ctx.strokeStyle = grid;
    ctx.fillStyle = fg;
    ctx.lineWidth = 1;
    ctx.font = `11px ${font}`;
    const xt = niceTicks(range.x[0], range.x[1], Math.max(2, Math.floor(r.width / 80)));
    const yt = niceTicks(range.y[0], range.y[1], Math.max(2, Math.floor(r.height / 50)));
    ctx.beginPath();
    for (const t of xt) { const px = Math.round(r.left + (t - range.x[0]) * sx) + 0.5; ctx.moveTo(px, r.top); ctx.lineTo(px, r.top + r.height); }
    for (const t of yt) { const py = Math.round(r.top + r.height - (t - range.y[0]) * sy) + 0.5; ctx.moveTo(r.left, py); ctx.lineTo(r.left + r.width, py); }
    ctx.stroke();
    ctx.strokeRect(r.left + 0.5, r.top + 0.5, r.width - 1, r.height - 1);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xt) ctx.fillText(tickText(t, xt[1] - xt[0]), r.left + (t - range.x[0]) * sx, r.top + r.height + 4);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt) ctx.fillText(tickText(t, yt[1] - yt[0]), r.left - 4, r.top + r.height - (t - range.y[0]) * sy);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.font = `13px ${font}`;
    const title = v.space.note ? `${v.space.name} — ${v.space.note}` : v.space.name;
    ctx.fillText(title.length > 80 ? `${title.slice(0, 79)}…` : title, r.left + r.width / 2, r.top - 8, r.width);
  }
  if (layer) {
    layer.background = cssRgba(background, 1).slice(0, 3) as [number, number, number];
    layer.setBackdrop(axesImage);
  }
}

/** The lasso being drawn, on a canvas over the plot while it lasts. */
let lassoCanvas: HTMLCanvasElement | undefined;

function drawLasso(path: number[] | undefined): void {
  if (!path) { lassoCanvas?.remove(); lassoCanvas = undefined; return; }
  const dpr = window.devicePixelRatio || 1, w = plot.clientWidth, h = plot.clientHeight;
  if (!lassoCanvas) {
    lassoCanvas = el('canvas', { class: 'scatter-layer scatter-lasso', attrs: { 'data-testid': 'lasso' } });
    lassoCanvas.width = Math.round(w * dpr);
    lassoCanvas.height = Math.round(h * dpr);
    plot.append(lassoCanvas);
  }
  const ctx = lassoCanvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  if (path.length < 4) return;
  ctx.strokeStyle = themeVar('--vscode-focusBorder', themeVar('--vscode-foreground', '#888'));
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(path[0], path[1]);
  for (let i = 2; i < path.length; i += 2) ctx.lineTo(path[i], path[i + 1]);
  ctx.closePath();
  ctx.stroke();
}

/** The legend of the first space coloured by categories (clicking one hides it), or a colour bar. */
let legendKey = '';

/** A category field's names when the legend lists them, else only how many there are. */
function legendNames(f: Extract<FieldColumn, { kind: 'category' }>): string[] | number {
  return categoryCount(f) <= MAX_LEGEND ? unpackTexts(f.categories) : categoryCount(f);
}

function renderLegend(): void {
  const key = JSON.stringify([state.density, [...hiddenCategories], views.map((v) => [v.field?.name, v.field?.kind === 'category' ? legendNames(v.field) : null, v.colour.kind === 'number' ? [v.colour.min, v.colour.max] : null])]);
  if (key === legendKey) return;
  legendKey = key;
  if (state.density) {
    legend.replaceChildren(el('span', { class: 'colour-scale', attrs: { 'data-testid': 'colour-bar' } }, 'points per place, log scale: few ', viridisBar(), ' many'));
    return;
  }
  const withCategories = views.find((v) => v.field?.kind === 'category' && categoryCount(v.field) <= MAX_LEGEND);
  const withNumbers = views.filter((v) => v.colour.kind === 'number');
  const items: HTMLElement[] = [];
  if (withCategories?.field?.kind === 'category') {
    const f = withCategories.field;
    items.push(el('span', { class: 'muted' }, `${f.name}:`));
    unpackTexts(f.categories).forEach((cat, c) => {
      const item = el('button', { class: `legend-item${hiddenCategories.has(c) ? ' off' : ''}`, title: 'Show or hide these points', attrs: { 'data-testid': 'legend-item', 'data-hidden': String(hiddenCategories.has(c)) }, onClick: () => { if (!hiddenCategories.delete(c)) hiddenCategories.add(c); draw(); } },
        el('span', { class: 'swatch' }), cat === '' ? '(none)' : cat.slice(0, 60));
      (item.firstChild as HTMLElement).style.background = TAB10[c % TAB10.length];
      items.push(item);
    });
  }
  for (const name of new Set(withNumbers.map((v) => v.field!.name))) {
    const c = withNumbers.find((v) => v.field!.name === name)!.colour as Extract<LayerColour, { kind: 'number' }>;
    items.push(el('span', { class: 'colour-scale', attrs: { 'data-testid': 'colour-bar' } }, `${name}: ${Number(c.min.toPrecision(4))} `, viridisBar(), ` ${Number(c.max.toPrecision(4))}`));
  }
  legend.replaceChildren(...items);
}

function viridisBar(): HTMLElement {
  const bar = el('span', { class: 'colour-bar' });
  const table = colormapTable('viridis');
  bar.style.background = `linear-gradient(to right, ${[0, 64, 128, 192, 255].map((i) => `rgb(${table[3 * i]},${table[3 * i + 1]},${table[3 * i + 2]})`).join(', ')})`;
  return bar;
}

/** What the plot shows, for screen readers and tests: each space's name, points, range and place. */
function describePlot(): void {
  const info = views.map((v) => ({ name: v.space.name, points: v.space.x.length, selected: state.selected?.length ? selectionOf(v.space).rows.length : 0, x: v.range.x, y: v.range.y, rect: v.rect, colour: v.colour.kind === 'none' ? null : v.field?.name ?? null }));
  plot.dataset.step = String(current?.step);
  plot.dataset.spaces = JSON.stringify(info);
  plot.dataset.density = String(!!state.density);
  plot.dataset.transitionRows = String(transitionRows);
  plot.dataset.trailSegments = views.map((v) => (trailSegments(v.space.name)?.length ?? 0) / 4).join(',');
  plot.setAttribute('aria-label', info.map((s) => `${s.name}: ${s.points} points`).join('; '));
}

// ---- hover, lasso, zoom
function viewAt(px: number, py: number): number {
  return views.findIndex((v) => px >= v.rect.left && px <= v.rect.left + v.rect.width && py >= v.rect.top && py <= v.rect.top + v.rect.height);
}

function toData(v: SpaceView, px: number, py: number): [number, number] {
  return [v.range.x[0] + ((px - v.rect.left) / v.rect.width) * (v.range.x[1] - v.range.x[0]), v.range.y[0] + ((v.rect.top + v.rect.height - py) / v.rect.height) * (v.range.y[1] - v.range.y[0])];
}

// Names of fields the host held back (a per-row id), asked for as points are hovered.
const heldNames = new Map<string, string>();
const askedNames = new Set<string>();
/** Names the host could not read, and when they may be asked for again. */
const failedNames = new Map<string, number>();
/** A failed name is asked again on a hover this long after the failure (not at once: the reply redraws the tooltip). */
const NAME_RETRY_MS = 1500;
const nameKey = (step: number, space: string, field: string, code: number) => `${step}\u0000${space}\u0000${field}\u0000${code}`;

/** A held-back category's name: known, "…" while the host is asked for it, "—" for a while after the host could not read it. */
function heldName(space: SpaceData, f: Extract<FieldColumn, { kind: 'category' }>, code: number): string {
  const step = current?.step ?? 0, key = nameKey(step, space.name, f.name, code);
  const known = heldNames.get(key);
  if (known !== undefined) return known;
  if (askedNames.has(key)) return '…';
  if (performance.now() < (failedNames.get(key) ?? -Infinity)) return '—';
  askedNames.add(key);
  host.post({ type: 'requestNames', step, align: current?.align ?? state.align, space: space.name, field: f.name, codes: [code] });
  return '…';
}

/** The point the tooltip shows, so a name that arrives later fills it in. */
let hovered: { space: SpaceData; i: number } | undefined;

/** The hover text: plain lines, shown with textContent. */
function describe(space: SpaceData, i: number): string {
  const lines = [`${space.name} · point ${i} · step ${current?.step}`];
  for (const f of space.fields) {
    if (fieldLength(f) <= i) continue;
    const v = f.kind === 'number' ? f.values[i] : f.held !== undefined ? heldName(space, f, f.codes[i]) : textAt(f.categories, f.codes[i]);
    if (f.kind === 'number' ? Number.isNaN(v as number) : v === '') continue;
    lines.push(`${f.name}: ${typeof v === 'number' ? Number(v.toPrecision(6)) : String(v).slice(0, 300)}`);
  }
  return lines.join('\n');
}

function hover(e: PointerEvent): void {
  const box = axesCanvas.getBoundingClientRect();
  const px = e.clientX - box.left, py = e.clientY - box.top;
  const k = viewAt(px, py);
  const v = views[k];
  if (!v || v.space.x.length === 0) { tooltip.classList.remove('shown'); return; }
  const index = indexes.get(v.space) ?? indexes.set(v.space, new GridIndex(v.space.x, v.space.y)).get(v.space)!;
  const [dx, dy] = toData(v, px, py);
  const kx = v.rect.width / (v.range.x[1] - v.range.x[0]), ky = v.rect.height / (v.range.y[1] - v.range.y[0]);
  const c = v.colour;
  const i = index.nearest(dx, dy, kx, ky, 8, c.kind === 'category' && c.hidden ? (j) => ((c.hidden >> c.codes[j]) & 1) === 1 : undefined);
  if (i < 0) { tooltip.classList.remove('shown'); hovered = undefined; return; }
  hovered = { space: v.space, i };
  tooltip.textContent = describe(v.space, i);
  tooltip.style.left = `${e.clientX + 14}px`;
  tooltip.style.top = `${e.clientY + 14}px`;
  tooltip.classList.add('shown');
}

let lasso: { space: number; path: number[] } | undefined;
let pan: { space: number; x: number; y: number; range: Range } | undefined;
axesCanvas.addEventListener('pointerdown', (e) => {
  if (e.button !== 0) return;
  const box = axesCanvas.getBoundingClientRect();
  const px = e.clientX - box.left, py = e.clientY - box.top;
  const k = viewAt(px, py);
  if (k < 0) return;
  axesCanvas.setPointerCapture(e.pointerId);
  if (e.shiftKey) pan = { space: k, x: px, y: py, range: views[k].range };
  else lasso = { space: k, path: [px, py] };
});
axesCanvas.addEventListener('pointermove', (e) => {
  const box = axesCanvas.getBoundingClientRect();
  const px = e.clientX - box.left, py = e.clientY - box.top;
  if (lasso) {
    const n = lasso.path.length;
    if (Math.hypot(px - lasso.path[n - 2], py - lasso.path[n - 1]) > 2) { lasso.path.push(px, py); drawLasso(lasso.path); }
    return;
  }
  if (pan) {
    const v = views[pan.space];
    const dx = ((px - pan.x) / v.rect.width) * (pan.range.x[1] - pan.range.x[0]), dy = ((py - pan.y) / v.rect.height) * (pan.range.y[1] - pan.range.y[0]);
    zooms.set(v.space.name, { x: [pan.range.x[0] - dx, pan.range.x[1] - dx], y: [pan.range.y[0] + dy, pan.range.y[1] + dy] });
    draw();
    return;
  }
  hover(e);
});
axesCanvas.addEventListener('pointerup', () => {
  const done = lasso;
  lasso = undefined;
  pan = undefined;
  drawLasso(undefined);
  if (!done || done.path.length < 6) return;
  const v = views[done.space];
  const polygon: number[] = [];
  for (let i = 0; i < done.path.length; i += 2) polygon.push(...toData(v, done.path[i], done.path[i + 1]));
  const c = v.colour;
  const picked = pointsInPolygon(v.space.x, v.space.y, polygon).filter((i) => !(c.kind === 'category' && c.hidden && ((c.hidden >> c.codes[i]) & 1) === 1));
  state = { ...state, selected: picked.slice(0, MAX_SELECTED), selectedSpace: v.space.name };
  selectionNote = '';
  save();
  trail = undefined;
  requestTrail();
  draw();
});
axesCanvas.addEventListener('pointerleave', () => tooltip.classList.remove('shown'));
axesCanvas.addEventListener('dblclick', () => {
  zooms.clear();
  state = { ...state, selected: [] };
  selectionNote = '';
  save();
  trail = undefined;
  draw();
});
axesCanvas.addEventListener('wheel', (e) => {
  const box = axesCanvas.getBoundingClientRect();
  const px = e.clientX - box.left, py = e.clientY - box.top;
  const v = views[viewAt(px, py)];
  if (!v) return;
  e.preventDefault();
  const [cx, cy] = toData(v, px, py);
  zooms.set(v.space.name, zoomRange(v.range, cx, cy, Math.exp(e.deltaY / 500)));
  draw();
}, { passive: false });

// VS Code switches theme by changing the body's class and CSS variables: draw with the new ones.
new MutationObserver(() => draw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
new ResizeObserver(() => draw()).observe(plot);

function requestTrail(): void {
  if (!current || state.trail === 0 || !state.selected?.length) return;
  // The first rows picked, and the same samples' rows in the other spaces.
  const picked = state.selected.slice(0, TRAIL_ROWS);
  const rows = Object.fromEntries(current.spaces.map((s) => [s.name, selectedIn(s, picked).slice(0, 2 * TRAIL_ROWS)]));
  host.post({ type: 'requestTrail', step: current.step, rows, length: state.trail, align: state.align });
}

/** The plot at twice its size: the points (drawn again now, so the buffer is there), axes and legend. */
function exportPng(): void {
  if (plot.hidden || !current || !layer) return;
  if (transition) cancelAnimationFrame(transition.frame);
  transition = undefined;
  starts = new Map();
  draw();
  layer.finish();
  const scale = 2, w = plot.clientWidth, h = plot.clientHeight, legendRows = legend.childElementCount ? 24 : 0;
  const out = document.createElement('canvas');
  out.width = Math.max(600, w) * scale;
  out.height = (Math.max(300, h) + legendRows) * scale;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = themeVar('--vscode-editor-background', '#ffffff');
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(glCanvas, 0, 0, w * scale, h * scale); // the axes are in it
  ctx.scale(scale, scale);
  ctx.font = `12px ${themeVar('--vscode-font-family', 'sans-serif')}`;
  ctx.fillStyle = themeVar('--vscode-foreground', '#444');
  ctx.textBaseline = 'middle';
  let x = 48;
  for (const item of legend.children) {
    const swatch = item.querySelector('.swatch') as HTMLElement | null;
    if (swatch) { ctx.fillStyle = swatch.style.background; ctx.fillRect(x, h + 8, 10, 10); x += 14; ctx.fillStyle = themeVar('--vscode-foreground', '#444'); }
    const text = item.textContent ?? '';
    ctx.fillText(text, x, h + 13);
    x += ctx.measureText(text).width + 12;
  }
  host.post({ type: 'exportPng', dataUrl: out.toDataURL('image/png'), step: current.step });
}

// ---- messages
host.onMessage((m) => {
  switch (m.type) {
    case 'steps': {
      const wasAtEnd = index() >= steps.length - 1;
      titleEl.textContent = m.title;
      // The step shown was written again: asked for afresh (what is on screen stays until it comes).
      const version = (list: TimelineStep[]) => list.find((s) => s.step === current?.step)?.version;
      if (current && version(steps) !== undefined && version(m.steps) !== version(steps)) current = undefined;
      steps = m.steps;
      warnings = [...new Set([...warnings, ...m.warnings])];
      slider.max = String(Math.max(0, steps.length - 1));
      empty.hidden = steps.length > 0;
      if (steps.length === 0) { empty.textContent = 'No step snapshots (viz_step_N_embeddings.npz or viz_step_N_pacmap.png) in this folder yet.'; plot.hidden = true; legend.hidden = true; image.hidden = true; }
      const keep = steps.some((s) => s.step === state.step);
      if (state.follow && (wasAtEnd || !keep)) go(steps.length - 1, false);
      else if (!keep) go(steps.length - 1, false);
      else { slider.value = String(index()); request(); }
      renderWarnings();
      return;
    }
    case 'stepData': {
      if (m.step !== pending && m.step !== state.step) return; // a late answer for a step left behind
      const before = current;
      current = { step: m.step, align: m.align, spaces: m.spaces };
      // Rows with ids may be listed in another order at this step: the selection follows them.
      const picked = (d: { spaces: SpaceData[] } | undefined) => (d?.spaces.find((s) => s.name === state.selectedSpace) ?? d?.spaces[0])?.ids;
      const fromIds = picked(before), toIds = picked(m);
      if (state.selected?.length && fromIds && toIds && before!.step !== m.step) {
        const followed = followRows(state.selected, fromIds, toIds);
        const lost = state.selected.length - followed.length;
        // Rows not written at this step leave the selection: say so, rather than let it shrink or vanish unseen.
        if (lost > 0) selectionNote = followed.length === 0 ? `none of the ${state.selected.length} selected points is at step ${m.step}` : `${lost} of the ${state.selected.length} selected points ${lost === 1 ? 'is' : 'are'} not at step ${m.step}`;
        state = { ...state, selected: followed };
        save();
      }
      // Rows the last step shown also had start where they were there.
      starts = new Map();
      if (state.animate !== false && before && before.step !== m.step && before.align === m.align) {
        for (const s of m.spaces) {
          const prev = before.spaces.find((p) => p.name === s.name);
          const start = s.ids && prev?.ids ? transitionStarts(s.ids, { ids: prev.ids, x: prev.x, y: prev.y }) : undefined;
          if (start) starts.set(s.name, start);
        }
      }
      transitionRows = 0;
      for (const st of starts.values()) for (const v of st.x) if (!Number.isNaN(v)) transitionRows++;
      if (transition) cancelAnimationFrame(transition.frame);
      transition = starts.size ? { t: 0, frame: 0 } : undefined;
      selectionMasks = new Map();
      warnings = [...new Set([...warnings, ...m.warnings])];
      renderWarnings();
      draw();
      requestTrail();
      return;
    }
    case 'goToStep': {
      if (steps.length === 0) return;
      go(nearestIndexOf(steps.map((s) => s.step), m.step));
      return;
    }
    case 'bounds':
      bounds.set(!!m.align, m.bounds);
      if (current && m.align === current.align) draw();
      return;
    case 'trail':
      trail = m;
      draw();
      return;
    case 'names': {
      if (heldNames.size > 10_000) { heldNames.clear(); askedNames.clear(); failedNames.clear(); }
      for (const [code, name] of Object.entries(m.names ?? {})) if (typeof name === 'string') heldNames.set(nameKey(m.step, m.space, m.field, Number(code)), name);
      for (const code of Array.isArray(m.asked) ? m.asked : []) {
        const key = nameKey(m.step, m.space, m.field, code);
        askedNames.delete(key);
        if (heldNames.has(key)) continue;
        // The host could not read the step: unknown for now, asked again later. Else it has no
        // name for the code: unknown, not "…" for ever.
        if (m.failed) failedNames.set(key, performance.now() + NAME_RETRY_MS);
        else heldNames.set(key, '—');
      }
      if (m.failed && !warnings.includes(m.failed)) { warnings = [...warnings, m.failed]; renderWarnings(); }
      if (hovered && tooltip.classList.contains('shown') && current?.step === m.step) tooltip.textContent = describe(hovered.space, hovered.i);
      return;
    }
    case 'error':
      warnings = [...warnings, m.message];
      renderWarnings();
      return;
    default: {
      const unknown: never = m;
      console.warn('runreel: unknown message', unknown);
    }
  }
});

function renderWarnings(): void {
  warningList.replaceChildren(...warnings.slice(0, 20).map((w) => el('li', {}, w)));
}

titleEl.textContent = 'Embedding timeline';
renderWarnings();
host.post({ type: 'ready' });
