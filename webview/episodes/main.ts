// Episode Replay panel: before and after grids of one step side by side (changed cells
// outlined, the selection tinted, the target on request), the action, reward and similarity
// as text, a scrubber with play and keyboard, reward/similarity over the episode (click to
// jump), and the run's episodes as a sortable, filterable table whose checked rows overlay
// their cumulative reward. Steps come from the host one at a time.
import uPlot from 'uplot';
import {
  DEFAULT_EPISODE_REPLAY, type ColourScheme, type CurveData, type EpisodeHostToWebview, type EpisodeInfo, type EpisodeListItem,
  type EpisodeReplayState, type EpisodeSortKey, type EpisodeWebviewToHost, type GridData, type StepView,
} from '../../src/protocol/episodes';
import { axisColours, el, themeVar } from '../common/dom';
import { wholeNumberTicks } from '../common/axes';
import { connectToHost, readBoot } from '../common/host';
import { cellAt, drawGrid, SCHEME_LABEL } from './grid';
import { parseFilter, sortEpisodes } from './list';
import { RunFilesView } from './runFiles';

const host = connectToHost<EpisodeHostToWebview, EpisodeWebviewToHost, EpisodeReplayState>();
const boot = readBoot<EpisodeReplayState>();
let state: EpisodeReplayState = { run: '', ...DEFAULT_EPISODE_REPLAY, ...boot, ...host.getState() };
const save = () => host.setState(state);
save();

const SPEEDS = [1, 2, 4, 8, 16, 30];
const CACHE = 256;
let info: EpisodeInfo | undefined;
let episodes: EpisodeListItem[] = [];
let index = state.step ?? 0;
let shown: StepView | undefined;
const cache = new Map<number, StepView>();
let playTimer: number | undefined;
let chart: uPlot | undefined;
interface GridPane { figure: HTMLElement; canvas: HTMLCanvasElement; caption: HTMLElement; grid?: GridData }
/** One canvas per pane (before, after, target), kept from step to step. */
const gridPanes = new Map<string, GridPane>();
let overlayChart: uPlot | undefined;
const runFiles = new RunFilesView();

// ---- page
const app = document.getElementById('app')!;
const titleEl = el('h1', { attrs: { 'data-testid': 'title' } }, 'Episode replay');
const statusEl = el('span', { class: 'pill', attrs: { 'data-testid': 'status' } });
const taskEl = el('span', { class: 'state', attrs: { 'data-testid': 'task' } });
/** Which files the episode comes from (logs and images are paired by episode number). */
const filesEl = el('p', { class: 'path', attrs: { 'data-testid': 'episode-files' } });
const schemeSelect = el('select', { attrs: { 'aria-label': 'Colour scheme', 'data-testid': 'scheme' } },
  ...(Object.keys(SCHEME_LABEL) as ColourScheme[]).map((s) => el('option', { attrs: { value: s } }, SCHEME_LABEL[s])));
const targetCheck = el('input', { attrs: { type: 'checkbox', 'data-testid': 'show-target' } });
const coordsCheck = el('input', { attrs: { type: 'checkbox', 'data-testid': 'coords' } });
const gridsEl = el('div', { class: 'episode-grids', attrs: { 'data-testid': 'grids' } });
const stepText = el('div', { class: 'episode-step-text', attrs: { 'data-testid': 'step-text' } });
const actionEl = el('span', { class: 'episode-action', attrs: { 'data-testid': 'action' } });
const rewardEl = el('span', { attrs: { 'data-testid': 'reward' } });
const similarityEl = el('span', { attrs: { 'data-testid': 'similarity' } });
const stepLabel = el('span', { class: 'state time', attrs: { 'data-testid': 'step-label' } });
stepText.append(actionEl, rewardEl, similarityEl);
const slider = el('input', { attrs: { type: 'range', min: '0', max: '0', value: '0', 'aria-label': 'Step', 'data-testid': 'scrubber' } });
const playButton = el('button', { attrs: { 'data-testid': 'play', title: 'Play / pause (Space)' }, onClick: () => togglePlay() }, 'Play');
const speedSelect = el('select', { attrs: { 'aria-label': 'Speed', 'data-testid': 'speed' } }, ...SPEEDS.map((s) => el('option', { attrs: { value: String(s) } }, `${s} steps/s`)));
const button = (label: string, title: string, testid: string, action: () => void) => el('button', { class: 'secondary icon', attrs: { title, 'data-testid': testid, 'aria-label': title }, onClick: action }, label);
const keyButton = el('button', { class: 'secondary', attrs: { 'data-testid': 'next-key', title: 'Next step where the reward changes a lot (K)' }, onClick: () => nextKeyMoment() }, 'Next key moment');
const dropButton = el('button', { class: 'secondary', attrs: { 'data-testid': 'first-drop', title: 'First step where similarity to the target falls (D)' }, onClick: () => { if (info?.firstDrop !== undefined) go(info.firstDrop); } }, 'First similarity drop');
const chartEl = el('div', { class: 'episode-chart', attrs: { 'data-testid': 'chart' } });
const filterInput = el('input', { class: 'text episode-filter', attrs: { type: 'search', placeholder: 'Filter: task id, solved, reward>0.5, similarity>=0.9, steps<100', 'aria-label': 'Filter episodes', 'data-testid': 'filter' } });
const filterNote = el('span', { class: 'state', attrs: { 'data-testid': 'filter-note' } });
const tableBody = el('tbody', { attrs: { 'data-testid': 'episode-rows' } });
const overlayEl = el('div', { class: 'episode-chart', attrs: { 'data-testid': 'overlay' } });
const warningList = el('ul', { class: 'warnings', attrs: { 'data-testid': 'warnings' } });
const errorEl = el('div', { class: 'error', attrs: { role: 'alert', 'data-testid': 'error' } });
const tooltip = el('div', { class: 'tooltip', attrs: { role: 'tooltip', 'data-testid': 'tooltip' } });

const COLUMNS: [EpisodeSortKey, string][] = [['episode', 'Episode'], ['task', 'Task'], ['steps', 'Steps'], ['reward', 'Total reward'], ['similarity', 'Final similarity'], ['success', 'Solved']];
const headRow = el('tr', {}, el('th', { attrs: { title: 'Overlay reward curves' } }, 'Overlay'),
  ...COLUMNS.map(([key, label]) => el('th', { class: key === 'task' ? '' : 'num', attrs: { 'data-sort': key, tabindex: '0', role: 'button' } }, label)));
headRow.addEventListener('click', (e) => {
  const key = (e.target as HTMLElement).closest('th')?.dataset.sort as EpisodeSortKey | undefined;
  if (!key) return;
  state = { ...state, sort: { key, descending: state.sort.key === key ? !state.sort.descending : key !== 'episode' && key !== 'task' } };
  save();
  renderList();
});

app.replaceChildren(
  el('header', { class: 'page-header' }, titleEl, statusEl, taskEl,
    el('span', { class: 'episode-options' }, schemeSelect, el('label', { class: 'check' }, targetCheck, 'Target'), el('label', { class: 'check' }, coordsCheck, 'Coordinates'))),
  filesEl,
  errorEl,
  gridsEl, stepText,
  el('div', { class: 'controls' },
    button('|◀', 'First step (Home)', 'first', () => go(0)), button('◀', 'Previous step (←)', 'prev', () => go(index - 1)),
    playButton, button('▶', 'Next step (→)', 'next', () => go(index + 1)), button('▶|', 'Last step (End)', 'last', () => go(Infinity)),
    slider, stepLabel, speedSelect, keyButton, dropButton),
  chartEl,
  el('h2', {}, 'Episodes'),
  el('div', { class: 'controls' }, filterInput, filterNote),
  el('table', { class: 'grid episode-table' }, el('thead', {}, headRow), tableBody),
  overlayEl, runFiles.element, warningList, tooltip,
);

schemeSelect.value = state.scheme;
targetCheck.checked = state.showTarget;
coordsCheck.checked = state.coords;
speedSelect.value = String(state.speed);
filterInput.value = state.filter;
schemeSelect.addEventListener('change', () => { state = { ...state, scheme: schemeSelect.value as ColourScheme }; save(); drawStep(); });
targetCheck.addEventListener('change', () => { state = { ...state, showTarget: targetCheck.checked }; save(); drawStep(); });
coordsCheck.addEventListener('change', () => { state = { ...state, coords: coordsCheck.checked }; save(); drawStep(); });
speedSelect.addEventListener('change', () => { state = { ...state, speed: Number(speedSelect.value) }; save(); if (playTimer !== undefined) { stopPlay(); togglePlay(); } });
slider.addEventListener('input', () => go(Number(slider.value)));
filterInput.addEventListener('input', () => { state = { ...state, filter: filterInput.value }; save(); renderList(); });

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'range' && (t as HTMLInputElement).type !== 'checkbox') return;
  if (t.tagName === 'SELECT') return;
  const keys: Record<string, () => void> = {
    ArrowRight: () => go(index + 1), ArrowLeft: () => go(index - 1), Home: () => go(0), End: () => go(Infinity),
    ' ': () => togglePlay(), k: () => nextKeyMoment(), d: () => { if (info?.firstDrop !== undefined) go(info.firstDrop); },
  };
  const action = keys[e.key];
  if (!action) return;
  e.preventDefault();
  action();
});

// ---- stepping
function stepCount(): number {
  return info?.stepCount ?? 0;
}

function go(target: number): void {
  const count = stepCount();
  if (count === 0) return;
  index = Math.max(0, Math.min(count - 1, Number.isFinite(target) ? Math.round(target) : count - 1));
  state = { ...state, step: index };
  save();
  slider.value = String(index);
  updateLabel();
  const cached = cache.get(index);
  if (cached) show(cached);
  else host.post({ type: 'step', index });
  chart?.redraw(false, false);
}

function nextKeyMoment(): void {
  const next = info?.keyMoments.find((k) => k > index) ?? info?.keyMoments[0];
  if (next !== undefined) go(next);
}

function togglePlay(): void {
  if (playTimer !== undefined) return stopPlay();
  if (index >= stepCount() - 1) go(0);
  playButton.textContent = 'Pause';
  playTimer = window.setInterval(() => {
    if (index >= stepCount() - 1) return stopPlay();
    go(index + 1);
  }, 1000 / state.speed);
}

function stopPlay(): void {
  window.clearInterval(playTimer);
  playTimer = undefined;
  playButton.textContent = 'Play';
}

function updateLabel(): void {
  const count = stepCount();
  const stepNum = info?.stepNums[index];
  stepLabel.textContent = count ? `step ${index + 1} of ${count}${stepNum !== undefined && stepNum !== index ? ` (step_num ${stepNum})` : ''}${info?.indexing ? ' · reading log…' : ''}` : 'no steps';
}

function show(view: StepView): void {
  shown = view;
  drawStep();
}

const fmt = (v: number | undefined, digits = 4) => (v === undefined ? '—' : Number(v.toFixed(digits)).toString());

function drawStep(): void {
  const view = shown;
  if (!view) return;
  const operation = view.operationName ?? (view.operation !== undefined ? `operation ${view.operation}` : 'no action logged');
  actionEl.textContent = `${view.operation !== undefined ? `Op ${view.operation}: ` : ''}${operation}${view.params ? ` ${view.params}` : ''}${view.selectionBox ? ` · box ${JSON.stringify(view.selectionBox)}` : ''}`;
  rewardEl.textContent = `reward ${fmt(view.reward)}`;
  similarityEl.textContent = `similarity ${fmt(view.similarity)}${view.success ? ' · solved' : ''}`;
  const border = themeVar('--vscode-editorWidget-border', '#555');
  const foreground = themeVar('--vscode-foreground', '#ccc');
  const panelWidth = Math.max(200, gridsEl.clientWidth || 800);
  const panes = (view.before ? 1 : 0) + (view.after ? 1 : 0) + (state.showTarget && view.target ? 1 : 0);
  const maxWidth = Math.max(120, Math.floor(panelWidth / Math.max(1, panes)) - 24);
  const maxHeight = Math.max(160, Math.min(420, window.innerHeight * 0.45));
  const keys: string[] = [];
  const grid = (label: string, testid: string, data: GridData, extra: { changed?: readonly number[]; selection?: GridData }) => {
    const pane = gridPane(testid, label);
    pane.grid = data;
    drawGrid(pane.canvas, data, { scheme: state.scheme, coords: state.coords, maxWidth, maxHeight, border, foreground, ...extra });
    pane.canvas.setAttribute('aria-label', `${label} grid, ${data.height} × ${data.width}`);
    pane.caption.textContent = `${label} · ${data.height}×${data.width}${testid === 'after' ? ` · ${view.changed.length} changed` : ''}`;
    keys.push(testid);
  };
  if (view.before) grid('Before', 'before', view.before, { selection: view.selection });
  if (view.after) grid('After', 'after', view.after, { changed: view.changed });
  if (state.showTarget && view.target) grid('Target', 'target', view.target, {});
  const figures = keys.map((k) => gridPanes.get(k)!.figure);
  if (!view.before && !view.after) {
    if (view.image) {
      // SVG step images only ever go through <img>, where their scripts cannot run.
      const img = el('img', { class: 'step-image', attrs: { src: view.image.src, alt: `step ${view.stepNum}`, 'data-testid': 'step-image' } });
      figures.push(el('figure', {}, img, el('figcaption', {}, `step ${view.stepNum} image${view.gridShape ? ` · grid ${view.gridShape[0]}×${view.gridShape[1]}` : ''}`)));
    } else {
      figures.push(el('p', { class: 'empty' }, view.gridShape ? `This log keeps reduced states (grid ${view.gridShape[0]}×${view.gridShape[1]}) and there is no step image.` : 'This step has no grids and no image.'));
    }
  }
  // Canvases are kept from step to step; the children change only when the set of panes does.
  if (figures.length !== gridsEl.children.length || figures.some((f, i) => gridsEl.children[i] !== f)) gridsEl.replaceChildren(...figures);
  gridsEl.dataset.step = String(view.index);
}

function gridPane(testid: string, label: string): GridPane {
  let pane = gridPanes.get(testid);
  if (pane) return pane;
  const canvas = el('canvas', { class: 'episode-grid', attrs: { 'data-testid': testid } });
  const caption = el('figcaption');
  pane = { figure: el('figure', {}, canvas, caption), canvas, caption };
  const p = pane;
  canvas.addEventListener('mousemove', (e) => { if (p.grid) hover(canvas, p.grid, label, e); });
  canvas.addEventListener('mouseleave', () => tooltip.classList.remove('shown'));
  gridPanes.set(testid, pane);
  return pane;
}

function hover(canvas: HTMLCanvasElement, grid: GridData, label: string, e: MouseEvent): void {
  const at = cellAt(canvas, e.offsetX, e.offsetY);
  if (!at) return tooltip.classList.remove('shown');
  const v = grid.cells[at.row * grid.width + at.col];
  tooltip.textContent = `${label} (row ${at.row}, col ${at.col}) = ${v < 0 ? 'padding' : v}`;
  tooltip.style.left = `${e.clientX + 12}px`;
  tooltip.style.top = `${e.clientY + 12}px`;
  tooltip.classList.add('shown');
}

// ---- charts
/** Step index; reward; similarity; reward again at key moments only (drawn as markers). */
function chartData(info: EpisodeInfo): uPlot.AlignedData {
  const key = new Set(info.keyMoments);
  return [info.rewards.map((_, i) => i), info.rewards, info.similarity, info.rewards.map((r, i) => (key.has(i) ? r : null))] as uPlot.AlignedData;
}

function buildChart(): void {
  chart?.destroy();
  chart = undefined;
  if (!info || info.stepCount === 0) return;
  const { fg, grid } = axisColours();
  const cursor = themeVar('--vscode-editorCursor-foreground', '#e5c07b');
  chart = new uPlot({
    width: Math.max(300, chartEl.clientWidth || 800), height: 170,
    legend: { show: true, live: false },
    scales: { x: { time: false }, sim: { range: [0, 1] } },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, label: 'step index', labelSize: 18, ...wholeNumberTicks() },
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 50, label: 'reward', labelSize: 18 },
      { scale: 'sim', side: 1, stroke: fg, grid: { show: false }, ticks: { stroke: grid }, size: 44, label: 'similarity', labelSize: 18 },
    ],
    series: [{},
      { label: 'reward', stroke: '#4e9fe0', width: 1.5, points: { show: (u) => u.data[0].length < 200, size: 4 } },
      { label: 'similarity', scale: 'sim', stroke: '#3fb27f', width: 1.5, spanGaps: true, points: { show: false } },
      { label: 'key moment', stroke: '#e0894e', width: 0, points: { show: true, size: 7, fill: '#e0894e' }, paths: () => null }],
    cursor: { drag: { x: false, y: false } },
    hooks: {
      draw: [(u) => {
        // The current step as a vertical line.
        const x = Math.round(u.valToPos(index, 'x', true));
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = cursor;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
      }],
    },
  }, chartData(info), chartEl);
  chart.over.addEventListener('click', (e) => go(chart!.posToIdx(e.offsetX)));
  chart.over.style.cursor = 'pointer';
}

const OVERLAY_COLOURS = ['#4e9fe0', '#e0894e', '#3fb27f', '#c678dd', '#e5c07b', '#56b6c2', '#e06c75', '#98c379'];

function drawOverlay(items: CurveData[]): void {
  overlayChart?.destroy();
  overlayChart = undefined;
  overlayEl.replaceChildren();
  if (items.length === 0) return;
  overlayEl.append(el('div', { class: 'track-label' }, 'Cumulative reward of the checked episodes'));
  const { fg, grid } = axisColours();
  const length = Math.max(...items.map((c) => c.cumulative.length));
  const xs = Array.from({ length }, (_, i) => i);
  overlayChart = new uPlot({
    width: Math.max(300, overlayEl.clientWidth || 800), height: 200,
    scales: { x: { time: false } },
    axes: [{ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, ...wholeNumberTicks() }, { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 50 }],
    series: [{}, ...items.map((c, k) => ({ label: c.label, stroke: OVERLAY_COLOURS[k % OVERLAY_COLOURS.length], width: 1.5 }))],
  }, [xs, ...items.map((c) => xs.map((i) => c.cumulative[i] ?? null))] as uPlot.AlignedData, overlayEl);
}

// ---- the run's episodes
function renderList(): void {
  const filter = parseFilter(state.filter);
  const rows = sortEpisodes(episodes.filter(filter.test), state.sort.key, state.sort.descending);
  filterNote.textContent = `${rows.length} of ${episodes.length} episodes${filter.problems.length ? ` · not understood: ${filter.problems.join(' ')}` : ''}`;
  for (const th of headRow.querySelectorAll<HTMLElement>('th[data-sort]')) {
    th.dataset.sorted = th.dataset.sort === state.sort.key ? (state.sort.descending ? 'desc' : 'asc') : '';
    th.setAttribute('aria-sort', th.dataset.sorted === 'asc' ? 'ascending' : th.dataset.sorted === 'desc' ? 'descending' : 'none');
  }
  tableBody.replaceChildren(...rows.map((item) => {
    const check = el('input', { attrs: { type: 'checkbox', 'aria-label': `Overlay episode ${item.episodeNum}` } });
    check.checked = state.overlay.includes(item.path);
    check.addEventListener('click', (e) => e.stopPropagation());
    check.addEventListener('change', () => {
      state = { ...state, overlay: check.checked ? [...state.overlay, item.path] : state.overlay.filter((p) => p !== item.path) };
      save();
      host.post({ type: 'overlay', paths: state.overlay });
    });
    const row = el('tr', { class: item.path === state.episode ? 'selected' : '', attrs: { 'data-path': item.path, 'data-episode': String(item.episodeNum), title: item.warning ?? item.path } },
      el('td', {}, check),
      el('td', { class: 'num' }, String(item.episodeNum)),
      el('td', {}, item.taskId ?? (item.warning ? `⚠ ${item.warning}` : '')),
      el('td', { class: 'num' }, item.steps === undefined ? '—' : String(item.steps)),
      el('td', { class: 'num' }, fmt(item.totalReward, 3)),
      el('td', { class: 'num' }, fmt(item.finalSimilarity, 3)),
      el('td', { class: 'num' }, item.success === undefined ? '—' : item.success ? '✓' : '✗'));
    row.addEventListener('click', () => openEpisode(item.path));
    return row;
  }));
}

function openEpisode(path: string): void {
  if (path === state.episode) return;
  stopPlay();
  state = { ...state, episode: path, step: 0 };
  save();
  cache.clear();
  shown = undefined;
  index = 0;
  host.post({ type: 'openEpisode', path, step: 0 });
  renderList();
}

// ---- messages
host.onMessage((m) => {
  switch (m.type) {
    case 'episodes':
      episodes = m.items;
      renderList();
      return;
    case 'episode': {
      const changedEpisode = info?.path !== m.info.path;
      if (changedEpisode) { cache.clear(); shown = undefined; }
      const grew = !changedEpisode && info !== undefined && info.stepCount !== m.info.stepCount;
      info = m.info;
      state = { ...state, episode: m.info.path };
      save();
      titleEl.textContent = `${m.info.title}${m.info.taskId ? ` · ${m.info.taskId}` : ''}`;
      taskEl.textContent = `${m.info.stepCount} steps · total reward ${fmt(m.info.totalReward, 3)} · final similarity ${fmt(m.info.finalSimilarity, 3)}${m.info.configHash ? ` · config ${m.info.configHash}` : ''}`;
      statusEl.textContent = m.info.indexing ? 'Reading log…' : m.info.success === undefined ? 'Outcome not logged' : m.info.success ? 'Solved' : 'Not solved';
      statusEl.className = `pill ${m.info.indexing || m.info.success === undefined ? '' : m.info.success ? 'live' : 'stopped'}`;
      filesEl.textContent = m.info.files.join('  ·  ');
      filesEl.title = m.info.files.join('\n');
      slider.max = String(Math.max(0, m.info.stepCount - 1));
      keyButton.disabled = m.info.keyMoments.length === 0;
      dropButton.disabled = m.info.firstDrop === undefined;
      warningList.replaceChildren(...m.info.warnings.map((w) => el('li', {}, w)));
      errorEl.textContent = '';
      if (changedEpisode || !grew || !chart) buildChart();
      else chart.setData(chartData(m.info));
      renderList();
      if (changedEpisode) index = m.step ?? state.step ?? 0;
      // While the log is still being read, a step beyond what is indexed waits for it.
      const reachable = m.info.stepCount > 0 && (index < m.info.stepCount || !m.info.indexing);
      if (reachable && (!shown || shown.index !== index)) go(index);
      slider.value = String(index);
      updateLabel();
      return;
    }
    case 'step':
      cache.set(m.view.index, m.view);
      if (cache.size > CACHE) cache.delete(cache.keys().next().value!);
      if (m.view.index === index) show(m.view);
      return;
    case 'curves':
      drawOverlay(m.items);
      return;
    case 'runFiles':
      runFiles.show(m.files);
      return;
    case 'error':
      errorEl.textContent = m.message;
      return;
  }
});

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => { drawStep(); buildChart(); runFiles.render(); if (overlayChart) overlayChart.setSize({ width: Math.max(300, overlayEl.clientWidth), height: 200 }); }, 100);
});
new MutationObserver(() => { drawStep(); buildChart(); runFiles.render(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

host.post({ type: 'ready', episode: state.episode, step: state.step });
if (state.overlay.length) host.post({ type: 'overlay', paths: state.overlay });
