// Scalars panel: a card per tag (uPlot), grouped by tag prefix, every selected run overlaid in
// a colour it keeps. Smoothing is TensorBoard's debiased EMA over every point; each card draws
// its visible x range decimated to min/max per pixel column, so spikes stay. A run list with a
// regex filter picks runs; an hparams table compares them. New points arrive as the host polls.
import uPlot from 'uplot';
import {
  DEFAULT_SCALARS, type ScalarRunInfo, type ScalarsHostToWebview, type ScalarsState, type ScalarsWebviewToHost, type ScalarsXAxis,
} from '../../src/protocol/scalars';
import { axisColours, el, themeVar } from '../common/dom';
import { wholeNumberTicks } from '../common/axes';
import { connectToHost, readBoot } from '../common/host';
import { histogramCard, textCard } from './mediaCards';
import {
  applyData, assignColours, buildCardTable, colourIndex, colourOf, compareCells, extent, hparamsRow, metricColumns, nearestIndex,
  parseRegex, seriesCsv, tagGroup, type CardLine, type RunData,
} from './model';

const host = connectToHost<ScalarsHostToWebview, ScalarsWebviewToHost, ScalarsState>();
const boot = readBoot<ScalarsState>();
let state: ScalarsState = { ...DEFAULT_SCALARS, roots: [], ...boot, ...host.getState() };
let runs: ScalarRunInfo[] = [];
let scanning = true;
const data = new Map<string, RunData>();
/** The run's current step (the step clock), marked on its charts. */
const currentStep = new Map<string, number>();

function save(): void {
  host.setState(state);
  host.post({ type: 'state', state });
}

// ---- layout
const titleEl = el('h1', {}, 'Scalars');
const summaryEl = el('span', { class: 'badge', attrs: { 'data-testid': 'summary' } }, '');
const runFilter = el('input', { class: 'text', attrs: { type: 'search', placeholder: 'Filter runs (regex)', 'aria-label': 'Filter runs', 'data-testid': 'run-filter' } });
const runFilterError = el('div', { class: 'error hint', attrs: { 'data-testid': 'run-filter-error' } });
const runListEl = el('div', { class: 'scalar-runs', attrs: { 'data-testid': 'runs', role: 'group', 'aria-label': 'Runs' } });
const tagFilter = el('input', { class: 'text scalar-tag-filter', attrs: { type: 'search', placeholder: 'Filter tags (regex)', 'aria-label': 'Filter tags', 'data-testid': 'tag-filter' } });
const tagFilterError = el('span', { class: 'error', attrs: { 'data-testid': 'tag-filter-error' } });
const smoothing = el('input', { attrs: { type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing', 'data-testid': 'smoothing' } });
const smoothingValue = el('input', { class: 'text scalar-smoothing-value', attrs: { type: 'number', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing weight', 'data-testid': 'smoothing-value' } });
const xSelect = el('select', { attrs: { 'aria-label': 'x axis', 'data-testid': 'x-axis' } },
  el('option', { attrs: { value: 'step' } }, 'Step'), el('option', { attrs: { value: 'relative' } }, 'Relative time'), el('option', { attrs: { value: 'wall' } }, 'Wall time'));
const check = (label: string, testid: string) => {
  const input = el('input', { attrs: { type: 'checkbox', 'data-testid': testid } });
  return { input, label: el('label', { class: 'check' }, input, label) };
};
const logX = check('Log x', 'log-x');
const logY = check('Log y', 'log-y');
const outliers = check('Ignore outliers', 'ignore-outliers');
const allWritten = check('Everything written', 'all-written');
allWritten.label.title = 'Show every point as written, a restarted job\'s repeated steps included, instead of TensorBoard\'s view (the last value written for each step)';
const exportCsv = el('button', { class: 'secondary', attrs: { 'data-testid': 'export-csv' } }, 'Export CSV');
const exportPng = el('button', { class: 'secondary', attrs: { 'data-testid': 'export-png' } }, 'Export PNG');
const messageEl = el('div', { class: 'error', attrs: { 'data-testid': 'message', role: 'status' } });
const emptyEl = el('p', { class: 'empty', attrs: { 'data-testid': 'empty' } });
const cardsEl = el('div', { class: 'scalar-groups', attrs: { 'data-testid': 'cards' } });
const hparamsFilter = el('input', { class: 'text', attrs: { type: 'search', placeholder: 'Filter rows (regex over run and values)', 'aria-label': 'Filter hparams rows', 'data-testid': 'hparams-filter' } });
const hparamsOnly = el('button', { class: 'secondary', attrs: { 'data-testid': 'hparams-only' } }, 'Chart these rows only');
const hparamsTable = el('table', { class: 'grid compact scalar-hparams', attrs: { 'data-testid': 'hparams' } });
const hparamsSection = el('details', { class: 'scalar-hparams-box' }, el('summary', {}, 'Hyperparameters'),
  el('div', { class: 'controls' }, hparamsFilter, hparamsOnly), el('div', { class: 'table-scroll' }, hparamsTable));
hparamsSection.addEventListener('toggle', () => { if (hparamsSection.open) renderHparams(); });
const tooltip = el('div', { class: 'tooltip scalar-tooltip', attrs: { 'data-testid': 'tooltip', role: 'tooltip' } });

document.body.append(
  el('div', { class: 'scalars' },
    el('aside', { class: 'scalar-side' }, el('h2', {}, 'Runs'), runFilter, runFilterError,
      el('div', { class: 'controls' }, el('button', { class: 'link', attrs: { 'data-testid': 'select-all' }, onClick: () => selectVisible(true) }, 'All shown'), el('button', { class: 'link', attrs: { 'data-testid': 'select-none' }, onClick: () => selectVisible(false) }, 'None')),
      runListEl),
    el('main', { class: 'scalar-main' },
      el('div', { class: 'page-header' }, titleEl, summaryEl),
      el('div', { class: 'controls' }, tagFilter, tagFilterError, el('label', { class: 'check' }, 'Smoothing', smoothing), smoothingValue, xSelect),
      el('div', { class: 'controls' }, logX.label, logY.label, outliers.label, allWritten.label, exportCsv, exportPng),
      messageEl, hparamsSection, emptyEl, cardsEl)),
  tooltip);

function syncControls(): void {
  runFilter.value = state.runFilter;
  tagFilter.value = state.tagFilter;
  smoothing.value = String(state.smoothing);
  smoothingValue.value = String(state.smoothing);
  xSelect.value = state.x;
  logX.input.checked = state.logX;
  logY.input.checked = state.logY;
  outliers.input.checked = state.ignoreOutliers;
  allWritten.input.checked = state.showAllWritten;
  hparamsFilter.value = state.hparamsFilter;
  logX.input.disabled = state.x === 'wall';
}

// ---- the run list
function selectVisible(on: boolean): void {
  const { re } = parseRegex(state.runFilter);
  const shown = runs.filter((r) => !re || re.test(r.label)).map((r) => r.dir);
  setSelected(on ? [...new Set([...state.selected, ...shown])] : state.selected.filter((d) => !shown.includes(d)));
}

function setSelected(dirs: string[]): void {
  state = { ...state, selected: dirs, colours: assignColours(dirs, state.colours, state.selected) };
  for (const d of [...data.keys()]) if (!dirs.includes(d)) data.delete(d);
  save();
  host.post({ type: 'select', runs: dirs });
  renderRuns();
  renderAll();
}

const labelOf = (dir: string) => runs.find((r) => r.dir === dir)?.label ?? dir;
const colourFor = (dir: string) => colourOf(colourIndex(state.colours, dir) ?? 0);

function renderRuns(): void {
  const { re, error } = parseRegex(state.runFilter);
  runFilterError.textContent = error ?? '';
  const groups = new Map<string, ScalarRunInfo[]>();
  for (const r of runs) {
    if (re && !re.test(r.label) && !state.selected.includes(r.dir)) continue;
    (groups.get(r.group) ?? groups.set(r.group, []).get(r.group)!).push(r);
  }
  const nodes: HTMLElement[] = [];
  for (const [group, members] of groups) {
    const rows = members.map((r) => {
      const input = el('input', { attrs: { type: 'checkbox', 'data-run': r.dir } });
      input.checked = state.selected.includes(r.dir);
      input.addEventListener('change', () => setSelected(input.checked ? [...state.selected, r.dir] : state.selected.filter((d) => d !== r.dir)));
      const swatch = el('span', { class: 'swatch' });
      if (input.checked) swatch.style.background = colourFor(r.dir);
      const name = group ? r.label.slice(group.length + 1) : r.label;
      const d = data.get(r.dir);
      const notes = [...(d?.error ? [d.error] : []), ...(d?.notes ?? []), ...restartNotes(r.dir)];
      return el('div', { class: 'scalar-run', attrs: { 'data-testid': 'run', 'data-label': r.label } },
        el('label', { class: 'check', title: r.dir }, input, swatch, name),
        ...notes.map((n) => el('div', { class: 'hint warning-text' }, n)),
        mediaLine(r.dir, d));
    });
    nodes.push(group ? el('details', { class: 'scalar-run-group', attrs: { open: '' } }, el('summary', {}, `${group} (${members.length})`), ...rows) : el('div', {}, ...rows));
  }
  runListEl.replaceChildren(...nodes, ...(runs.length === 0 ? [el('p', { class: 'empty' }, scanning ? 'Looking for runs…' : 'No runs with TensorBoard event files or a metrics.csv here.')] : []));
}

/** What else the run's event files hold, with a way to see the images. */
function mediaLine(dir: string, d: RunData | undefined): HTMLElement | null {
  if (!d?.media.length) return null;
  const count = (kind: string, one: string, many: string) => { const n = d.media.filter((m) => m.kind === kind).length; return n ? `${n} ${n === 1 ? one : many}` : ''; };
  const text = [count('image', 'image tag', 'image tags'), count('audio', 'audio tag', 'audio tags'), count('histogram', 'histogram', 'histograms'), count('text', 'text tag', 'text tags')].filter(Boolean).join(' · ');
  const has = (kind: string) => d.media.some((m) => m.kind === kind);
  return el('div', { class: 'hint muted', attrs: { 'data-testid': 'run-media' } }, `Also: ${text}`,
    ...(has('image') ? [' ', el('button', { class: 'link', attrs: { 'data-testid': 'open-images' }, onClick: () => host.post({ type: 'openImages', run: dir }) }, 'Open Images')] : []),
    ...(has('audio') ? [' ', el('button', { class: 'link', attrs: { 'data-testid': 'open-audio' }, onClick: () => host.post({ type: 'openAudio', run: dir }) }, 'Open Audio')] : []));
}

function restartNotes(dir: string): string[] {
  const d = data.get(dir);
  if (!d) return [];
  const steps: number[] = [];
  for (const t of d.tags.values()) steps.push(...t.restartSteps());
  if (steps.length === 0) return [];
  const [lo, hi] = [Math.min(...steps), Math.max(...steps)];
  return [`Restarted: the steps go back to ${lo === hi ? lo : `${lo}–${hi}`} (${state.showAllWritten ? 'every point written is shown; the parts after a restart are dashed' : 'where two files have a step, the later file\'s value is shown, as TensorBoard does; "Everything written" shows both'})`];
}

// ---- cards
interface Card {
  tag: string;
  element: HTMLElement;
  plotBox: HTMLElement;
  info: HTMLElement;
  plot?: uPlot;
  lines: CardLine[];
  /** The zoomed x window; undefined = all of it. */
  window?: { min: number; max: number };
  dirty: boolean;
  visible: boolean;
}
const cards = new Map<string, Card>();
const observer = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const card = [...cards.values()].find((c) => c.element === e.target);
    if (!card) continue;
    card.visible = e.isIntersecting;
    if (card.visible && card.dirty) drawCard(card);
  }
}, { rootMargin: '200px' });

function visibleTags(): string[] {
  const { re, error } = parseRegex(state.tagFilter);
  tagFilterError.textContent = error ?? '';
  const tags = new Set<string>();
  for (const dir of state.selected) for (const t of data.get(dir)?.tags.keys() ?? []) tags.add(t);
  return [...tags].filter((t) => !re || re.test(t)).sort();
}

function renderAll(): void {
  const tags = visibleTags();
  const groups = new Map<string, string[]>();
  for (const t of tags) (groups.get(tagGroup(t)) ?? groups.set(tagGroup(t), []).get(tagGroup(t))!).push(t);
  for (const [tag, card] of cards) if (!tags.includes(tag)) { card.plot?.destroy(); observer.unobserve(card.element); cards.delete(tag); }
  const sections: HTMLElement[] = [];
  for (const [group, members] of [...groups].sort((a, b) => (a[0] === '' ? 1 : b[0] === '' ? -1 : a[0].localeCompare(b[0])))) {
    sections.push(groupSection(group, group || 'Other', members.map((tag) => cardFor(tag).element)));
  }
  cardsEl.replaceChildren(...sections, ...mediaSections());
  renderSummary(tags.length);
  emptyEl.textContent = state.selected.length === 0 ? 'Pick runs on the left to chart their scalars.' : tags.length === 0 ? (data.size < state.selected.length ? 'Reading…' : 'No scalar tags match.') : '';
  emptyEl.hidden = emptyEl.textContent === '';
  for (const card of cards.values()) { card.dirty = true; if (card.visible) drawCard(card); }
  renderHparams();
}

/** Histograms over steps and text summaries of the charted runs, one card per run and tag. */
function mediaSections(): HTMLElement[] {
  const { re } = parseRegex(state.tagFilter);
  const keep = (tag: string) => !re || re.test(tag);
  const hist: HTMLElement[] = [], texts: HTMLElement[] = [];
  for (const dir of state.selected) {
    const d = data.get(dir);
    if (!d) continue;
    for (const h of d.histograms) if (keep(h.tag) && h.histograms.length) hist.push(histogramCard(h, labelOf(dir), colourFor(dir)));
    for (const t of d.texts) if (keep(t.tag)) texts.push(textCard(t, labelOf(dir)));
  }
  return [...(hist.length ? [groupSection('#histograms', 'Histograms', hist)] : []), ...(texts.length ? [groupSection('#text', 'Text', texts)] : [])];
}

/** A foldable group of cards; whether it is folded is kept in the state. */
function groupSection(group: string, title: string, cards: HTMLElement[]): HTMLElement {
  const section = el('details', { class: 'scalar-group', attrs: { 'data-group': group } }, el('summary', {}, `${title} (${cards.length})`), el('div', { class: 'scalar-cards' }, ...cards));
  section.open = !state.collapsed.includes(group);
  section.addEventListener('toggle', () => {
    state = { ...state, collapsed: section.open ? state.collapsed.filter((g) => g !== group) : [...new Set([...state.collapsed, group])] };
    save();
  });
  return section;
}

/** "2 runs · 9 tags · 1,382 points": what the panel holds. */
function renderSummary(tagCount: number): void {
  const points = [...data.values()].reduce((n, d) => n + [...d.tags.values()].reduce((k, t) => k + t.length, 0), 0);
  summaryEl.textContent = `${state.selected.length} run${state.selected.length === 1 ? '' : 's'} · ${tagCount} tag${tagCount === 1 ? '' : 's'} · ${points.toLocaleString()} points`;
}

function cardFor(tag: string): Card {
  const existing = cards.get(tag);
  if (existing) return existing;
  const plotBox = el('div', { class: 'scalar-plot' });
  const info = el('div', { class: 'hint muted scalar-card-info', attrs: { 'data-testid': 'card-info' } });
  const element = el('figure', { class: 'scalar-card', attrs: { 'data-testid': 'card', 'data-tag': tag } }, el('figcaption', { title: tag }, tag), plotBox, info);
  const card: Card = { tag, element, plotBox, info, lines: [], dirty: true, visible: false };
  cards.set(tag, card);
  observer.observe(element);
  return card;
}

/** The lines of a card; with `drawable` false, also the segments left with no point to draw. */
function linesOf(tag: string, drawable = true): CardLine[] {
  const o = { x: state.x, allWritten: state.showAllWritten, smoothing: state.smoothing, logX: state.logX && state.x !== 'wall' };
  const out: CardLine[] = [];
  for (const dir of state.selected) {
    const t = data.get(dir)?.tags.get(tag);
    if (t) for (const segment of t.segments(o, drawable)) out.push({ run: dir, segment });
  }
  return out;
}

const CARD_HEIGHT = 210;

function drawCard(card: Card): void {
  card.dirty = false;
  card.lines = linesOf(card.tag);
  const width = Math.max(240, Math.floor(card.plotBox.clientWidth || 380));
  const full = extent(card.lines);
  const win = card.window ?? full;
  const table = win ? buildCardTable(card.lines, win.min, win.max, width, { logY: state.logY, ignoreOutliers: state.ignoreOutliers }) : undefined;
  const all = linesOf(card.tag, false);
  const dropped = all.reduce((n, l) => n + l.segment.omitted, 0);
  // TensorBoard's view keeps one point per step: what it leaves out is said, never hidden.
  let repeated = 0;
  if (!state.showAllWritten) for (const dir of state.selected) { const t = data.get(dir)?.tags.get(card.tag); if (t) repeated += t.length - all.filter((l) => l.run === dir).reduce((n, l) => n + l.segment.xs.length + l.segment.omitted, 0); }
  card.info.textContent = [
    win ? '' : 'No points to show on this axis',
    dropped ? `${dropped.toLocaleString()} point${dropped === 1 ? '' : 's'} not shown (${state.x === 'step' ? 'step ≤ 0 on a log x axis' : 'no wall time, or x ≤ 0 on a log x axis'})` : '',
    table?.offLogY ? `${table.offLogY.toLocaleString()} value${table.offLogY === 1 ? '' : 's'} ≤ 0 not shown on a log y axis` : '',
    repeated ? `${repeated.toLocaleString()} point${repeated === 1 ? '' : 's'} at steps written again not shown (the last value of a step is; "Everything written" shows all)` : '',
    card.window ? 'Zoomed: double-click to reset' : '',
  ].filter(Boolean).join(' · ');
  if (!win || !table) { card.plot?.destroy(); card.plot = undefined; return; }
  const shape = `${state.x}|${state.logX}|${state.logY}|${state.smoothing > 0}|${card.lines.map((l) => `${l.run}:${l.segment.part}`).join(',')}|${width}|${document.body.className}`;
  if (!card.plot || card.plot.root.dataset.shape !== shape) {
    card.plot?.destroy();
    card.plot = makePlot(card, width);
    card.plot.root.dataset.shape = shape;
  }
  const u = card.plot;
  u.batch(() => {
    u.setData(table.data as uPlot.AlignedData, false);
    u.setScale('x', { min: win.min, max: win.max });
    // (A log scale over 0 never ends its ticks: an empty card gets 1–10 there.)
    u.setScale('y', table.y ?? (state.logY ? { min: 1, max: 10 } : { min: 0, max: 1 }));
  });
  u.root.dataset.points = String(table.points);
}

const smoothedShown = () => state.smoothing > 0;

function makePlot(card: Card, width: number): uPlot {
  const { fg, grid } = axisColours();
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
  const series: uPlot.Series[] = [{ label: state.x }];
  for (const l of card.lines) {
    const colour = colourFor(l.run);
    const dash = l.segment.part > 0 ? [6, 4] : undefined;
    series.push({ label: labelOf(l.run), stroke: smoothedShown() ? withAlpha(colour, 0.28) : colour, width: 1, spanGaps: true, dash, points: { show: false } });
    series.push({ label: `${labelOf(l.run)} (smoothed)`, stroke: colour, width: 1.6, spanGaps: true, dash, points: { show: false }, show: smoothedShown() });
  }
  let down: { x: number; y: number } | undefined;
  const u = new uPlot({
    width, height: CARD_HEIGHT, legend: { show: false },
    cursor: { sync: { key: 'runreel-scalars' }, drag: { x: true, y: false, setScale: false }, bind: { dblclick: () => () => null }, points: { show: false } },
    scales: {
      x: { time: state.x === 'wall', distr: state.logX && state.x !== 'wall' ? 3 : 1 },
      y: { distr: state.logY ? 3 : 1 },
    },
    axes: [{ ...axis, size: 30, ...(state.x === 'step' && !state.logX ? wholeNumberTicks() : { values: state.x === 'relative' ? (_u: uPlot, splits: number[]) => splits.map(formatDuration) : undefined }) }, { ...axis, size: 56, values: (_u, splits) => splits.map(formatTick) }],
    series,
    hooks: {
      setSelect: [(self) => {
        if (self.select.width < 4) return;
        // A drag zooms: the new window is drawn from every point, not from the decimated table.
        const [a, b] = [self.posToVal(self.select.left, 'x'), self.posToVal(self.select.left + self.select.width, 'x')];
        self.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        card.window = { min: Math.min(a, b), max: Math.max(a, b) };
        drawCard(card);
      }],
      setCursor: [(self) => showTooltip(card, self)],
      draw: [(self) => drawMarkers(card, self)],
    },
  }, [[]], card.plotBox);
  // A click waits a moment: the first click of a double-click (reset zoom) sets no step.
  let clickTimer: ReturnType<typeof setTimeout> | undefined;
  u.over.addEventListener('dblclick', () => { clearTimeout(clickTimer); card.window = undefined; drawCard(card); });
  u.over.addEventListener('mouseleave', () => tooltip.classList.remove('shown'));
  u.over.addEventListener('mousedown', (e) => { down = { x: e.clientX, y: e.clientY }; });
  u.over.addEventListener('mouseup', (e) => {
    if (down && Math.abs(e.clientX - down.x) < 4 && Math.abs(e.clientY - down.y) < 4 && e.detail < 2) {
      clearTimeout(clickTimer);
      clickTimer = setTimeout(() => clickStep(card, u, e), 250);
    }
    down = undefined;
  });
  return u;
}

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const formatTick = (v: number | null) => (v === null ? '' : Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4))));
function formatDuration(v: number): string {
  if (!Number.isFinite(v)) return '';
  const s = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  if (s < 120) return `${sign}${Number(s.toPrecision(3))} s`;
  if (s < 7200) return `${sign}${Number((s / 60).toPrecision(3))} min`;
  return `${sign}${Number((s / 3600).toPrecision(3))} h`;
}
const formatValue = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));
function formatX(v: number): string {
  if (state.x === 'wall') return new Date(v * 1000).toLocaleString();
  if (state.x === 'relative') return formatDuration(v);
  return `step ${v.toLocaleString()}`;
}

/** Every run's value at the cursor: the point of each line nearest the cursor's x. */
function showTooltip(card: Card, u: uPlot): void {
  const left = u.cursor.left ?? -1;
  if (left < 0 || !card.lines.length) { tooltip.classList.remove('shown'); return; }
  const x = u.posToVal(left, 'x');
  const rows: HTMLElement[] = [];
  let xLabel = '';
  for (const l of card.lines) {
    const i = nearestIndex(l.segment.xs, x);
    if (i < 0) continue;
    if (!xLabel) xLabel = formatX(l.segment.xs[i]);
    const s = l.segment;
    const text = `${labelOf(l.run)}${l.segment.part ? ` (after restart ${l.segment.part})` : ''}: ${formatValue(s.ys[i])}${smoothedShown() ? ` · smoothed ${formatValue(s.smooth[i])}` : ''}${state.x !== 'step' ? ` · step ${s.steps[i]}` : ''}`;
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = colourFor(l.run);
    rows.push(el('div', { attrs: { 'data-run': l.run } }, swatch, text));
  }
  tooltip.replaceChildren(el('strong', {}, `${card.tag} · ${xLabel}`), ...rows);
  const box = u.over.getBoundingClientRect();
  tooltip.style.left = `${Math.min(window.innerWidth - 300, box.left + left + 14)}px`;
  tooltip.style.top = `${box.top + (u.cursor.top ?? 0) + 14}px`;
  tooltip.classList.add('shown');
}

/** A click on a chart: the nearest run's nearest point becomes that run's current step. */
function clickStep(card: Card, u: uPlot, e: MouseEvent): void {
  const box = u.over.getBoundingClientRect();
  const px = e.clientX - box.left, py = e.clientY - box.top;
  const x = u.posToVal(px, 'x');
  let best: { run: string; step: number; d: number } | undefined;
  for (const l of card.lines) {
    const i = nearestIndex(l.segment.xs, x);
    if (i < 0) continue;
    const y = smoothedShown() ? l.segment.smooth[i] : l.segment.ys[i];
    const d = Math.hypot(u.valToPos(l.segment.xs[i], 'x') - px, Number.isFinite(y) ? u.valToPos(y, 'y') - py : 1e6);
    if (!best || d < best.d) best = { run: l.run, step: l.segment.steps[i], d };
  }
  if (!best) return;
  currentStep.set(best.run, best.step);
  host.post({ type: 'step', run: best.run, step: best.step });
  redrawMarkers();
}

function redrawMarkers(): void {
  for (const c of cards.values()) c.plot?.redraw(false, false);
}

/** The current step of each run, as a dashed line in its colour (on the step axis). */
function drawMarkers(card: Card, u: uPlot): void {
  const ctx = u.ctx;
  const dpr = devicePixelRatio || 1;
  const marks: { x: number; colour: string }[] = [];
  for (const [run, step] of currentStep) {
    if (!state.selected.includes(run)) continue;
    let x: number | undefined = step;
    if (state.x !== 'step') {
      const l = card.lines.find((k) => k.run === run);
      const i = l ? nearestIndex(l.segment.steps, step) : -1;
      x = i >= 0 && l ? l.segment.xs[i] : undefined;
    }
    if (x !== undefined && x >= u.scales.x.min! && x <= u.scales.x.max!) marks.push({ x: u.valToPos(x, 'x', true), colour: colourFor(run) });
  }
  card.element.dataset.marks = String(marks.length);
  if (!marks.length) return;
  ctx.save();
  ctx.setLineDash([4 * dpr, 3 * dpr]);
  ctx.lineWidth = dpr;
  for (const m of marks) {
    ctx.strokeStyle = m.colour;
    ctx.beginPath();
    ctx.moveTo(m.x, u.bbox.top);
    ctx.lineTo(m.x, u.bbox.top + u.bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}

// ---- hparams table
function renderHparams(): void {
  const loaded = state.selected.map((d) => data.get(d)).filter((d): d is RunData => !!d);
  const keys = [...new Set(loaded.flatMap((d) => d.hparams.map(([k]) => k)))].sort();
  const metrics = metricColumns(loaded);
  hparamsSection.hidden = loaded.length === 0 || (keys.length === 0 && metrics.length === 0);
  // The table reads every run's metrics: only while it is open.
  if (!hparamsSection.open) return;
  const rows = loaded.map((d) => hparamsRow(d, metrics));
  const { re, error } = parseRegex(state.hparamsFilter);
  const cellsOf = (r: (typeof rows)[number]) => [labelOf(r.run), ...keys.map((k) => String(r.values.get(k) ?? '')), ...metrics.map((m) => String(r.metrics.get(m)?.last ?? ''))].join(' ');
  const shown = rows.filter((r) => !re || re.test(cellsOf(r)));
  const { key, descending } = state.hparamsSort;
  const valueFor = (r: (typeof rows)[number]) => (key === 'run' ? labelOf(r.run) : key.startsWith('metric:') ? r.metrics.get(key.slice(7))?.last : r.values.get(key.slice(3)));
  shown.sort((a, b) => (descending ? -1 : 1) * compareCells(valueFor(a), valueFor(b)));
  const th = (label: string, k: string) => {
    const cell = el('th', { attrs: { 'data-sort': k, scope: 'col' } }, label);
    if (k === key) cell.dataset.sorted = descending ? 'desc' : 'asc';
    cell.addEventListener('click', () => { state = { ...state, hparamsSort: { key: k, descending: k === key ? !descending : false } }; save(); renderHparams(); });
    return cell;
  };
  const fmt = (v: unknown) => (v === undefined ? '—' : v === null ? 'null' : typeof v === 'number' ? formatValue(v) : String(v));
  hparamsTable.replaceChildren(
    el('thead', {}, el('tr', {}, th('Run', 'run'), ...keys.map((k) => th(k, `hp:${k}`)), ...metrics.map((m) => th(`${m} (last · best)`, `metric:${m}`)))),
    el('tbody', {}, ...shown.map((r) => el('tr', { attrs: { 'data-run': r.run } },
      el('td', { class: 'mono' }, labelOf(r.run)),
      ...keys.map((k) => el('td', { class: typeof r.values.get(k) === 'number' ? 'num' : '' }, fmt(r.values.get(k)))),
      ...metrics.map((m) => { const v = r.metrics.get(m); return el('td', { class: 'num' }, v ? `${fmt(v.last)} · ${fmt(v.best)}` : '—'); })))),
  );
  hparamsOnly.disabled = !!error || shown.length === rows.length;
  hparamsOnly.onclick = () => setSelected(shown.map((r) => r.run));
  if (error) hparamsTable.append(el('caption', { class: 'error' }, error));
}

// ---- exports
function exportName(): string {
  return `scalars-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
}

exportCsv.addEventListener('click', () => {
  // Every point of each card's visible x range (its zoom window), not the decimated lines.
  const body = [...cards.values()].map((card) => {
    const lines = card.lines.length ? card.lines : linesOf(card.tag);
    const w = card.window ?? { min: -Infinity, max: Infinity };
    return seriesCsv(lines.map((l) => ({ label: labelOf(l.run), tag: card.tag, segment: l.segment })), w.min, w.max).split('\n').slice(1).join('\n');
  }).join('');
  const xName = state.x === 'step' ? 'x_step' : state.x === 'wall' ? 'x_wall_time' : 'x_relative_seconds';
  host.post({ type: 'exportCsv', name: exportName(), text: `run,tag,step,${xName},value,smoothed\n${body}` });
});

exportPng.addEventListener('click', () => {
  const shown = [...cards.values()].filter((c) => c.plot && c.element.offsetParent !== null);
  if (!shown.length) return;
  const dpr = devicePixelRatio || 1;
  const cols = Math.max(1, Math.min(3, shown.length));
  const w = shown[0].plot!.ctx.canvas.width, h = shown[0].plot!.ctx.canvas.height;
  const caption = Math.round(22 * dpr);
  const out = document.createElement('canvas');
  out.width = cols * w;
  out.height = Math.ceil(shown.length / cols) * (h + caption);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = themeVar('--vscode-editor-background', '#1e1e1e');
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = themeVar('--vscode-foreground', '#cccccc');
  ctx.font = `${Math.round(13 * dpr)}px sans-serif`;
  shown.forEach((c, i) => {
    const x = (i % cols) * w, y = Math.floor(i / cols) * (h + caption);
    ctx.fillText(c.tag, x + 8 * dpr, y + 16 * dpr);
    ctx.drawImage(c.plot!.ctx.canvas, x, y + caption);
  });
  host.post({ type: 'exportPng', name: exportName(), dataUrl: out.toDataURL('image/png') });
});

// ---- controls
const redrawAll = () => { save(); for (const c of cards.values()) { c.dirty = true; if (c.visible) drawCard(c); } renderRuns(); };
let filterTimer: ReturnType<typeof setTimeout> | undefined;
runFilter.addEventListener('input', () => { state = { ...state, runFilter: runFilter.value }; save(); renderRuns(); });
tagFilter.addEventListener('input', () => { clearTimeout(filterTimer); filterTimer = setTimeout(() => { state = { ...state, tagFilter: tagFilter.value }; save(); renderAll(); }, 150); });
const setSmoothing = (v: number) => {
  if (!Number.isFinite(v)) return;
  state = { ...state, smoothing: Math.min(0.99, Math.max(0, v)) };
  smoothing.value = String(state.smoothing);
  smoothingValue.value = String(state.smoothing);
  redrawAll();
};
smoothing.addEventListener('input', () => setSmoothing(Number(smoothing.value)));
smoothingValue.addEventListener('change', () => setSmoothing(Number(smoothingValue.value)));
xSelect.addEventListener('change', () => {
  state = { ...state, x: xSelect.value as ScalarsXAxis };
  for (const c of cards.values()) c.window = undefined;
  logX.input.disabled = state.x === 'wall';
  redrawAll();
});
logX.input.addEventListener('change', () => { state = { ...state, logX: logX.input.checked }; for (const c of cards.values()) c.window = undefined; redrawAll(); });
logY.input.addEventListener('change', () => { state = { ...state, logY: logY.input.checked }; redrawAll(); });
outliers.input.addEventListener('change', () => { state = { ...state, ignoreOutliers: outliers.input.checked }; redrawAll(); });
allWritten.input.addEventListener('change', () => { state = { ...state, showAllWritten: allWritten.input.checked }; redrawAll(); });
hparamsFilter.addEventListener('input', () => { state = { ...state, hparamsFilter: hparamsFilter.value }; save(); renderHparams(); });
new ResizeObserver(() => { for (const c of cards.values()) { c.dirty = true; if (c.visible) drawCard(c); } }).observe(cardsEl);
// A theme change: the charts take their colours as values, so they are rebuilt.
new MutationObserver(() => { redrawAll(); renderAll(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- messages
/** Redraws touched cards once per frame however many data messages arrive. */
let pendingTags = new Set<string>();
let frame = 0;
function scheduleCards(tags: Set<string>): void {
  for (const t of tags) pendingTags.add(t);
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    const tags = pendingTags;
    pendingTags = new Set();
    const known = visibleTags();
    if (known.some((t) => !cards.has(t))) return renderAll();
    for (const t of tags) { const c = cards.get(t); if (c) { c.dirty = true; if (c.visible) drawCard(c); } }
    renderHparams();
    renderSummary(known.length);
  });
}

let renderFrame = 0, runsFrame = 0;
function scheduleRuns(): void {
  if (runsFrame) return;
  runsFrame = requestAnimationFrame(() => { runsFrame = 0; renderRuns(); });
}
function scheduleRenderAll(): void {
  if (renderFrame) return;
  renderFrame = requestAnimationFrame(() => { renderFrame = 0; renderAll(); });
}

host.onMessage((m) => {
  switch (m.type) {
    case 'runs':
      runs = m.runs;
      scanning = m.scanning;
      renderRuns();
      return;
    case 'addRuns': {
      const add = m.runs.filter((d) => !state.selected.includes(d));
      if (add.length) setSelected([...state.selected, ...add]);
      return;
    }
    case 'data': {
      if (!state.selected.includes(m.run)) return;
      const run = data.get(m.run) ?? data.set(m.run, { dir: m.run, tags: new Map(), hparams: [], notes: [], media: [], histograms: [], texts: [] }).get(m.run)!;
      const hadNotes = run.notes.join('\n') + JSON.stringify(run.media);
      const touched = applyData(run, m);
      // Many runs arrive at once when the panel opens: one layout for all of them, next frame.
      if (m.reset || m.histograms || m.texts) scheduleRenderAll();
      else scheduleCards(touched);
      if (m.reset || hadNotes !== run.notes.join('\n') + JSON.stringify(run.media) || [...touched].some((t) => run.tags.get(t)!.restartSteps().length)) scheduleRuns();
      return;
    }
    case 'unavailable': {
      const run = data.get(m.run);
      if (run) run.error = m.message;
      else data.set(m.run, { dir: m.run, tags: new Map(), hparams: [], notes: [], media: [], histograms: [], texts: [], error: m.message });
      renderRuns();
      return;
    }
    case 'step':
      currentStep.set(m.run, m.step);
      redrawMarkers();
      return;
    case 'error':
      messageEl.textContent = m.message;
      return;
  }
});

syncControls();
state = { ...state, colours: assignColours(state.selected, state.colours, state.selected) };
renderRuns();
renderAll();
host.post({ type: 'ready' });
host.post({ type: 'select', runs: state.selected });
