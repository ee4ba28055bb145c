// Embedding Timeline panel: one WebGL scatter per space, side by side, over a step slider.
// Only the current step's points are held here; the host sends steps as typed arrays.
// Hover text is ours (textContent), never Plotly's HTML-like labels: metadata is file text.
import { nearestIndexOf } from '../../src/domain/nearest';
import { fieldLength, NO_COLOUR, type AxisBounds, type EmbeddingsHostToWebview, type EmbeddingsState, type EmbeddingsWebviewToHost, type SpaceData, type TimelineStep } from '../../src/protocol/embeddings';
import { el, themeVar } from '../common/dom';
import { connectToHost, readBoot } from '../common/host';
import { colourFieldOf, pointOf, stepTraces, type TraceSource } from './traces';

// The global from dist/webview/plotly.min.js, loaded before this bundle.
interface PlotlyEvent { points: { curveNumber: number; pointIndex?: number; pointNumber?: number }[]; event?: MouseEvent }
interface PlotDiv extends HTMLDivElement { on(event: string, handler: (e: PlotlyEvent) => void): void }
declare const Plotly: {
  react(div: HTMLElement, data: unknown[], layout: unknown, config: unknown): Promise<unknown>;
  toImage(div: HTMLElement, options: { format: 'png'; width: number; height: number; scale?: number }): Promise<string>;
  Plots: { resize(div: HTMLElement): void };
};

const host = connectToHost<EmbeddingsHostToWebview, EmbeddingsWebviewToHost, EmbeddingsState>();
const boot = readBoot<EmbeddingsState>();
let state: EmbeddingsState = { align: true, follow: true, trail: 0, dir: '', ...boot, ...host.getState() };
const save = () => host.setState(state);
save();

const SPEEDS = [0.5, 1, 2, 4];

let steps: TimelineStep[] = [];
let current: { step: number; align: boolean; spaces: SpaceData[] } | undefined;
let bounds: { align: boolean; bounds: Record<string, AxisBounds> } | undefined;
let trail: Extract<EmbeddingsHostToWebview, { type: 'trail' }> | undefined;
/** Where each plotted trace's points come from. */
let sources: TraceSource[] = [];
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
const check = (label: string, testid: string, checked: boolean, onChange: (v: boolean) => void) => {
  const input = el('input', { attrs: { type: 'checkbox', 'data-testid': testid } });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return { input, label: el('label', { class: 'check' }, input, label) };
};
const follow = check('Follow latest', 'follow', state.follow, (v) => { state = { ...state, follow: v }; save(); if (v) go(steps.length - 1); });
const align = check('Align steps', 'align', state.align, (v) => { state = { ...state, align: v }; save(); bounds = undefined; trail = undefined; request(); });
const plot = el('div', { class: 'plot', attrs: { 'data-testid': 'plot' } }) as PlotDiv;
const image = el('img', { class: 'step-image', attrs: { alt: '', 'data-testid': 'step-image' } });
const empty = el('p', { class: 'empty', attrs: { 'data-testid': 'empty' } });
const tooltip = el('div', { class: 'tooltip', attrs: { role: 'tooltip', 'data-testid': 'tooltip' } });
const selectionInfo = el('span', { class: 'state', attrs: { 'data-testid': 'selection' } });
const warningList = el('ul', { class: 'warnings', attrs: { 'data-testid': 'warnings' } });

app.replaceChildren(
  el('header', { class: 'page-header' }, titleEl, stepLabel,
    el('span', { class: 'tabs' },
      el('button', { class: 'secondary', attrs: { 'data-testid': 'export' }, onClick: () => void exportPng() }, 'Export PNG'),
      el('button', { attrs: { 'data-testid': 'create-animation' }, onClick: () => host.post({ type: 'createAnimation' }) }, 'Create Animation'))),
  el('div', { class: 'controls' },
    button('⇤', 'first', () => go(0), 'First step (Home)'),
    button('‹', 'prev', () => go(index() - 1), 'Previous step (←)'),
    playButton,
    button('›', 'next', () => go(index() + 1), 'Next step (→)'),
    button('⇥', 'last', () => go(steps.length - 1), 'Last step (End)'),
    slider, speedSelect, follow.label, align.label,
    el('label', { class: 'check' }, 'Colour by ', colorSelect), trailSelect, selectionInfo),
  plot, image, empty, tooltip, warningList,
);
trailSelect.value = String(state.trail);

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
colorSelect.addEventListener('change', () => { state = { ...state, colorBy: colorSelect.value || undefined }; save(); draw(); });
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

/** Plotly parses a few HTML-like tags in names; file text goes in with them escaped, as text. */
function plotlyText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function draw(): void {
  if (!current) return;
  const { spaces } = current;
  plot.hidden = false;
  image.hidden = true;
  empty.hidden = spaces.length > 0;
  if (spaces.length === 0) empty.textContent = `Step ${current.step} holds no *_projections_2d arrays.`;
  updateColorChoices(spaces);
  const fg = themeVar('--vscode-foreground', '#444');
  const grid = themeVar('--vscode-editorWidget-border', themeVar('--vscode-panel-border', '#8884'));
  const data: unknown[] = [];
  sources = [];
  const selected = new Set(state.selected ?? []);
  const layout: Record<string, unknown> = {
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: fg, family: themeVar('--vscode-font-family', 'sans-serif'), size: 12 },
    margin: { l: 40, r: 20, t: 36, b: 30 }, dragmode: 'lasso', hovermode: 'closest', uirevision: 'keep',
    legend: { orientation: 'h', y: -0.08, itemclick: 'toggle' }, showlegend: false, annotations: [],
  };
  const n = spaces.length;
  const traces = stepTraces(spaces, { colorBy: state.colorBy, selected, foreground: fg, text: plotlyText });
  spaces.forEach((space, k) => {
    const ax = k === 0 ? '' : String(k + 1);
    const b = bounds?.align === current!.align ? bounds.bounds[space.name] : undefined;
    const domain = [k / n + (k > 0 ? 0.02 : 0), (k + 1) / n - (k < n - 1 ? 0.02 : 0)];
    layout[`xaxis${ax}`] = { domain, range: b?.x, autorange: !b, gridcolor: grid, zerolinecolor: grid, linecolor: grid };
    layout[`yaxis${ax}`] = { anchor: `x${ax}`, range: b?.y, autorange: !b, gridcolor: grid, zerolinecolor: grid, linecolor: grid };
    (layout.annotations as unknown[]).push({ text: plotlyText(space.note ? `${space.name} — ${space.note}` : space.name), xref: 'paper', yref: 'paper', x: (domain[0] + domain[1]) / 2, y: 1.06, showarrow: false, font: { size: 14 } });
    data.push(...traces[k].data);
    sources.push(...traces[k].sources);
    if (traces[k].legend) layout.showlegend = true;
    const t = trail?.step === current!.step && state.trail > 0 ? trail.spaces.find((s) => s.name === space.name) : undefined;
    if (t) {
      // One polyline per selected point through its last positions, NaN-separated.
      const xs: number[] = [], ys: number[] = [];
      const m = trail!.indices.length;
      for (let p = 0; p < m; p++) {
        for (let s = 0; s < t.steps.length; s++) { xs.push(t.x[s * m + p]); ys.push(t.y[s * m + p]); }
        xs.push(NaN); ys.push(NaN);
      }
      data.push({ type: 'scattergl', mode: 'lines', xaxis: `x${ax}`, yaxis: `y${ax}`, x: xs, y: ys, hoverinfo: 'none', showlegend: false, line: { width: 1.5, color: fg }, opacity: 0.5 });
      sources.push({ space: k, offset: 0, line: true });
    }
  });
  void Plotly.react(plot, data, layout, { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage'], doubleClickDelay: 300 })
    .then(() => plot.dispatchEvent(new CustomEvent('runreel-drawn', { detail: { step: current?.step } })));
  const trailsOff = state.trail > 0 && trail?.step === current?.step && trail?.off.length ? ` · no trail in ${trail.off.join(', ')}: its points cannot be matched across steps` : '';
  selectionInfo.textContent = (selected.size > 0 ? `${selected.size} selected · double-click to clear` : 'lasso points to select them in every space') + trailsOff;
}

function hitOf(curve: number, j: number): { space: SpaceData; index: number } | undefined {
  const index = pointOf(sources[curve], j);
  const space = current?.spaces[sources[curve]?.space ?? -1];
  return index === undefined || !space ? undefined : { space, index };
}

/** The hover text: plain lines, shown with textContent. */
function describe(space: SpaceData, i: number): string {
  const lines = [`${space.name} · point ${i} · step ${current?.step}`];
  for (const f of space.fields) {
    if (fieldLength(f) <= i) continue;
    const v = f.kind === 'number' ? f.values[i] : f.categories[f.codes[i]];
    if (f.kind === 'number' ? Number.isNaN(v as number) : v === '') continue;
    lines.push(`${f.name}: ${typeof v === 'number' ? Number(v.toPrecision(6)) : String(v).slice(0, 300)}`);
  }
  return lines.join('\n');
}

// VS Code switches theme by changing the body's class and CSS variables; plotly takes its
// colours as values, so redraw with the new ones.
new MutationObserver(() => draw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

plot.addEventListener('mousemove', (e) => { tooltip.style.left = `${e.clientX + 14}px`; tooltip.style.top = `${e.clientY + 14}px`; });
function wirePlotEvents(): void {
  plot.on('plotly_hover', (e) => {
    const p = e.points[0];
    const hit = p && hitOf(p.curveNumber, p.pointIndex ?? p.pointNumber ?? 0);
    if (!hit) return;
    tooltip.textContent = describe(hit.space, hit.index);
    tooltip.classList.add('shown');
  });
  plot.on('plotly_unhover', () => tooltip.classList.remove('shown'));
  plot.on('plotly_selected', (e) => {
    if (!e?.points) return;
    const picked = new Set<number>();
    for (const p of e.points) { const hit = hitOf(p.curveNumber, p.pointIndex ?? p.pointNumber ?? 0); if (hit) picked.add(hit.index); }
    state = { ...state, selected: [...picked].slice(0, 5000) };
    save();
    trail = undefined;
    requestTrail();
    draw();
  });
  plot.on('plotly_deselect', () => { state = { ...state, selected: [] }; save(); trail = undefined; draw(); });
}

function requestTrail(): void {
  if (!current || state.trail === 0 || !state.selected?.length) return;
  host.post({ type: 'requestTrail', step: current.step, indices: state.selected.slice(0, 200), length: state.trail, align: state.align });
}

async function exportPng(): Promise<void> {
  if (plot.hidden || !current) return;
  const dataUrl = await Plotly.toImage(plot, { format: 'png', width: Math.max(600, plot.clientWidth), height: Math.max(300, plot.clientHeight), scale: 2 });
  host.post({ type: 'exportPng', dataUrl, step: current.step });
}

// ---- messages
let wired = false;
host.onMessage((m) => {
  switch (m.type) {
    case 'steps': {
      const wasAtEnd = index() >= steps.length - 1;
      titleEl.textContent = m.title;
      steps = m.steps;
      warnings = m.warnings;
      slider.max = String(Math.max(0, steps.length - 1));
      empty.hidden = steps.length > 0;
      if (steps.length === 0) { empty.textContent = 'No step snapshots (viz_step_N_embeddings.npz or viz_step_N_pacmap.png) in this folder yet.'; plot.hidden = true; image.hidden = true; }
      const keep = steps.some((s) => s.step === state.step);
      if (state.follow && (wasAtEnd || !keep)) go(steps.length - 1, false);
      else if (!keep) go(steps.length - 1, false);
      else { slider.value = String(index()); request(); }
      renderWarnings();
      return;
    }
    case 'stepData':
      if (m.step !== pending && m.step !== state.step) return; // a late answer for a step left behind
      current = { step: m.step, align: m.align, spaces: m.spaces };
      warnings = [...new Set([...warnings, ...m.warnings])];
      renderWarnings();
      draw();
      if (!wired) { wirePlotEvents(); wired = true; }
      requestTrail();
      return;
    case 'goToStep': {
      if (steps.length === 0) return;
      go(nearestIndexOf(steps.map((s) => s.step), m.step));
      return;
    }
    case 'bounds':
      bounds = { align: m.align, bounds: m.bounds };
      if (current && m.align === current.align) draw();
      return;
    case 'trail':
      trail = m;
      draw();
      return;
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
host.post({ type: 'ready' });
