// Tensor Inspector webview (safetensors, torch checkpoints): the header as tables (tensors filterable by name), and for
// the selected tensor its statistics, histogram and a zoomable heatmap of one 2-D slice.
import type {
  HeatmapColormap, HistogramData, InspectorHeader, InspectorHostToWebview, InspectorState, InspectorWebviewToHost,
  PlaneData, TensorRow, TensorStatsData,
} from '../../src/protocol/tensors';
import { el, showError } from '../common/dom';
import { formatValue, Heatmap, type ZoomWindow } from '../common/heatmap';
import { connectToHost, readBoot } from '../common/host';
import { formatBytes } from '../../src/domain/format';
import { drawHistogram, shapeText } from './histogram';

const host = connectToHost<InspectorHostToWebview, InspectorWebviewToHost, InspectorState>();
const boot = readBoot<InspectorState>();
const state: InspectorState = { ...boot!, ...host.getState() };
const app = document.getElementById('app')!;
/** Rows shown at most; the filter narrows the rest. */
const MAX_ROWS = 2000;

let header: InspectorHeader | undefined;
let stats: { name: string; stats: TensorStatsData; histogram: HistogramData } | undefined;
let zoom: ZoomWindow | undefined;
let planeSeq = 0;
let logHistogram = false;

const save = () => host.setState(state);
const heatmap = new Heatmap((w) => { zoom = w; requestPlane(); }, () => { zoom = undefined; requestPlane(); });

// ---- static layout

const filterInput = el('input', { class: 'text inspector-filter', attrs: { type: 'search', placeholder: 'Filter tensors by name', 'aria-label': 'Filter tensors by name', 'data-testid': 'filter' } });
filterInput.value = state.filter ?? '';
const tableBody = el('tbody');
const tableCount = el('span', { class: 'muted', attrs: { 'data-testid': 'tensor-count' } });
const summary = el('div', { class: 'inspector-summary' });
const metaBox = el('div');
const detail = el('section', { class: 'inspector-detail', attrs: { 'data-testid': 'detail', hidden: '' } });
const status = el('p', { class: 'empty', attrs: { role: 'status' } }, 'Reading the header…');

app.replaceChildren(
  summary,
  status,
  metaBox,
  el('div', { class: 'controls' }, filterInput, tableCount),
  el('div', { class: 'table-scroll' },
    el('table', { class: 'grid inspector-table', attrs: { 'data-testid': 'tensors' } },
      el('thead', {}, el('tr', {}, ...['Name', 'Dtype', 'Shape', 'Elements', 'Size', 'Offset'].map((h, i) => el('th', { class: i >= 3 ? 'num' : undefined }, h)))),
      tableBody)),
  detail,
);

filterInput.addEventListener('input', () => { state.filter = filterInput.value; save(); renderTable(); });

// ---- header

const FORMAT_LABEL: Record<InspectorHeader['format'], string> = { safetensors: 'safetensors', torch: 'torch checkpoint', npy: 'npy', npz: 'npz' };

function renderHeader(h: InspectorHeader): void {
  status.hidden = true;
  const name = h.file.split(/[\\/]/).pop() ?? h.file;
  const tensorBytes = h.totals.reduce((s, t) => s + t.bytes, 0);
  summary.replaceChildren(
    el('header', { class: 'page-header' },
      el('h1', { attrs: { 'data-testid': 'file-name' } }, name),
      el('span', { class: 'badge' }, `${h.tensors.length} tensor${h.tensors.length === 1 ? '' : 's'}`),
      el('span', { class: 'badge', attrs: { 'data-testid': 'format' } }, FORMAT_LABEL[h.format]),
      el('span', { class: 'badge' }, formatBytes(h.fileBytes)),
    ),
    el('p', { class: 'path', title: h.file }, `${h.file} · ${h.format === 'torch' ? 'pickle' : 'header'} ${h.format === 'npz' ? '—' : formatBytes(h.headerBytes)} · data ${formatBytes(tensorBytes)}`),
    ...(h.notes.length ? [el('ul', { class: 'warnings', attrs: { 'data-testid': 'notes' } }, ...h.notes.slice(0, 50).map((n) => el('li', {}, n)))] : []),
  );
  const totals = el('table', { class: 'grid compact', attrs: { 'data-testid': 'totals' } },
    el('thead', {}, el('tr', {}, el('th', {}, 'Dtype'), el('th', { class: 'num' }, 'Tensors'), el('th', { class: 'num' }, 'Elements'), el('th', { class: 'num' }, 'Size'))),
    el('tbody', {}, ...h.totals.map((t) => el('tr', {}, el('td', {}, t.dtype), el('td', { class: 'num' }, String(t.tensors)), el('td', { class: 'num' }, t.count.toLocaleString('en-US')), el('td', { class: 'num' }, formatBytes(t.bytes))))));
  const meta = h.metadata.length
    ? el('table', { class: 'grid compact', attrs: { 'data-testid': 'metadata' } },
        el('tbody', {}, ...h.metadata.map(([k, v]) => el('tr', {}, el('th', { attrs: { scope: 'row' } }, k), el('td', { class: 'meta-value' }, v)))))
    : el('p', { class: 'empty' }, h.format === 'safetensors' ? 'No __metadata__.' : 'Nothing but tensors.');
  metaBox.replaceChildren(el('div', { class: 'inspector-top' },
    el('details', { class: 'inspector-box', attrs: { open: '' } }, el('summary', {}, 'Totals by dtype'), totals),
    el('details', { class: 'inspector-box', attrs: h.metadata.length ? { open: '' } : {} }, el('summary', {}, `${h.format === 'torch' ? 'Checkpoint contents' : h.format === 'safetensors' ? 'Metadata' : 'Header'} (${h.metadata.length})`), meta),
  ));
  renderTable();
}

function matches(t: TensorRow, words: string[]): boolean {
  const name = t.name.toLowerCase();
  return words.every((w) => name.includes(w));
}

function renderTable(): void {
  if (!header) return;
  const words = (state.filter ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const shown = header.tensors.filter((t) => matches(t, words));
  tableCount.textContent = `${shown.length} of ${header.tensors.length} tensors${shown.length > MAX_ROWS ? ` (first ${MAX_ROWS} listed; filter to narrow)` : ''}`;
  tableBody.replaceChildren(...shown.slice(0, MAX_ROWS).map((t) => {
    const row = el('tr', { class: t.name === state.selected ? 'selected' : undefined, attrs: { tabindex: '0', 'data-name': t.name } },
      el('td', { class: 'mono' }, t.name), el('td', {}, t.dtype), el('td', { class: 'mono' }, shapeText(t.shape)),
      el('td', { class: 'num' }, t.count.toLocaleString('en-US')), el('td', { class: 'num' }, formatBytes(t.bytes)), el('td', { class: 'num' }, t.offset.toLocaleString('en-US')));
    const pick = () => select(t.name);
    row.addEventListener('click', pick);
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
    return row;
  }));
}

// ---- the selected tensor

function selected(): TensorRow | undefined {
  return header?.tensors.find((t) => t.name === state.selected);
}

function select(name: string): void {
  if (state.selected !== name) {
    state.selected = name;
    state.lead = undefined;
    zoom = undefined;
    save();
  }
  stats = undefined;
  for (const tr of tableBody.querySelectorAll('tr')) tr.classList.toggle('selected', tr.getAttribute('data-name') === name);
  renderDetail();
  host.post({ type: 'stats', name });
  requestPlane();
}

/** Latents are [batch, T, D]: time across reads best. Other tensors keep rows down. */
function defaultTranspose(t: TensorRow): boolean {
  return t.shape.length === 3;
}

const statsBox = el('div', { class: 'stats-grid', attrs: { 'data-testid': 'stats' } });
const progress = el('progress', { class: 'inspector-progress', attrs: { max: '1', value: '0' } });
const histCanvas = el('canvas', { class: 'histogram', attrs: { 'data-testid': 'histogram' } });
const histAxis = el('div', { class: 'histogram-axis' });
const leadBox = el('span', { class: 'lead-indices' });
const colormapSelect = el('select', { attrs: { 'aria-label': 'Colour map', 'data-testid': 'colormap' } },
  ...(['viridis', 'magma', 'diverging'] as const).map((c) => el('option', { attrs: { value: c } }, c === 'diverging' ? 'diverging (0 = white)' : c)));
const transposeBox = el('input', { attrs: { type: 'checkbox', 'data-testid': 'transpose' } });
const planeStatus = el('span', { class: 'muted', attrs: { 'data-testid': 'plane-status' } });
const logBox = el('input', { attrs: { type: 'checkbox' } });
colormapSelect.addEventListener('change', () => { state.colormap = colormapSelect.value as HeatmapColormap; save(); redrawPlane(); });
transposeBox.addEventListener('change', () => { state.transpose = transposeBox.checked; save(); redrawPlane(); });
logBox.addEventListener('change', () => { logHistogram = logBox.checked; paintHistogram(); });

function renderDetail(): void {
  const t = selected();
  detail.hidden = !t;
  if (!t) return;
  colormapSelect.value = state.colormap ?? 'viridis';
  transposeBox.checked = state.transpose ?? defaultTranspose(t);
  const lead = t.shape.length >= 2 ? t.shape.slice(0, -2) : [];
  state.lead = state.lead?.length === lead.length ? state.lead : lead.map(() => 0);
  leadBox.replaceChildren(...lead.map((size, k) => {
    const input = el('input', { class: 'text lead', attrs: { type: 'number', min: '0', max: String(size - 1), value: String(state.lead![k]), 'aria-label': `Index on axis ${k}`, 'data-testid': `lead-${k}` } });
    input.addEventListener('change', () => {
      const v = Math.max(0, Math.min(size - 1, Math.floor(Number(input.value) || 0)));
      input.value = String(v);
      state.lead![k] = v;
      save();
      zoom = undefined;
      requestPlane();
    });
    return el('label', { class: 'check' }, `axis ${k} (${size}):`, input);
  }));
  progress.value = 0;
  progress.hidden = false;
  statsBox.replaceChildren(el('span', { class: 'muted' }, 'Computing statistics…'));
  histCanvas.hidden = true;
  histAxis.textContent = '';
  const scalar = t.shape.length === 0;
  detail.replaceChildren(
    el('div', { class: 'controls' },
      el('h2', { attrs: { 'data-testid': 'detail-name' } }, t.name),
      el('button', { class: 'secondary', attrs: { 'data-testid': 'copy-name' }, title: 'For get_tensor(…) in a script', onClick: () => host.post({ type: 'copy', text: t.name }) }, 'Copy Name')),
    el('p', { class: 'path' }, `${t.dtype} · shape ${shapeText(t.shape)} · ${t.count.toLocaleString('en-US')} elements · ${formatBytes(t.bytes)}`),
    progress,
    statsBox,
    el('div', { class: 'controls' }, el('strong', {}, 'Histogram'), el('label', { class: 'check' }, logBox, 'log counts')),
    histCanvas, histAxis,
    ...(scalar ? [el('p', { class: 'empty' }, 'A scalar has no 2-D slice to show.')] : [
      el('div', { class: 'controls' }, el('strong', {}, 'Slice'), leadBox,
        el('label', { class: 'check', title: 'Show the rows of the slice across (time along x for a [batch, T, D] latent)' }, transposeBox, 'rows across'),
        colormapSelect,
        el('button', { class: 'secondary', attrs: { 'data-testid': 'zoom-out' }, onClick: () => { zoom = undefined; requestPlane(); } }, 'Zoom out'),
        planeStatus),
      heatmap.root,
      el('p', { class: 'muted hint' }, 'Drag across the heatmap to zoom in; double-click to zoom out.'),
    ]),
  );
}

function renderStats(s: TensorStatsData): void {
  progress.hidden = true;
  const cell = (label: string, value: string, warn = false) => el('div', { class: warn ? 'stat warn' : 'stat', attrs: { 'data-stat': label } }, el('span', { class: 'stat-label' }, label), el('span', { class: 'stat-value' }, value));
  const v = (x: number | null) => (x === null ? '—' : formatValue(x));
  statsBox.replaceChildren(
    cell('min', v(s.min)), cell('max', v(s.max)), cell('mean', v(s.mean)), cell('std', v(s.std)),
    cell('NaN', s.nan.toLocaleString('en-US'), s.nan > 0), cell('+Inf', s.posInf.toLocaleString('en-US'), s.posInf > 0),
    cell('−Inf', s.negInf.toLocaleString('en-US'), s.negInf > 0), cell('zeros', s.zeros.toLocaleString('en-US')),
  );
}

function paintHistogram(): void {
  if (!stats) return;
  histCanvas.hidden = false;
  drawHistogram(histCanvas, stats.histogram, logHistogram);
  const h = stats.histogram;
  histAxis.replaceChildren(el('span', {}, formatValue(h.lo)), el('span', { class: 'muted' }, `${h.counts.length} bins · peak ${Math.max(...h.counts).toLocaleString('en-US')}`), el('span', {}, formatValue(h.hi)));
}

// ---- the plane

let lastPlane: PlaneData | undefined;

function requestPlane(): void {
  const t = selected();
  if (!t || t.shape.length === 0) return;
  planeStatus.textContent = 'reading…';
  // Cells up to twice the canvas width keep detail at high-DPI without reading whole GBs.
  const across = Math.min(2048, Math.max(256, Math.round(app.clientWidth * (window.devicePixelRatio || 1))));
  host.post({ type: 'plane', seq: ++planeSeq, name: t.name, window: { lead: state.lead ?? [], ...zoom, maxRows: 512, maxCols: across } });
}

function redrawPlane(): void {
  const t = selected();
  if (!lastPlane || !t) return;
  const threeD = t.shape.length === 3;
  heatmap.show(lastPlane, { colormap: state.colormap ?? 'viridis', transpose: state.transpose ?? defaultTranspose(t), rowLabel: threeD ? 'step' : 'row', colLabel: threeD ? 'channel' : 'col' });
  const p = lastPlane;
  planeStatus.textContent = `rows ${p.r0}–${p.r1 - 1} of ${p.layout.rows}, columns ${p.c0}–${p.c1 - 1} of ${p.layout.cols}${zoom ? ' (zoomed)' : ''}`;
}

// ---- messages

host.onMessage((m) => {
  switch (m.type) {
    case 'header': {
      header = m.header;
      renderHeader(m.header);
      if (state.selected && !selected()) state.selected = undefined;
      if (!state.selected && header.tensors.length === 1) state.selected = header.tensors[0].name;
      if (state.selected) select(state.selected);
      return;
    }
    case 'progress':
      if (m.name === state.selected) progress.value = m.fraction;
      return;
    case 'stats':
      if (m.name !== state.selected) return;
      stats = m;
      renderStats(m.stats);
      paintHistogram();
      return;
    case 'plane':
      if (m.seq !== planeSeq || m.name !== state.selected) return;
      lastPlane = m.plane;
      redrawPlane();
      return;
    case 'error':
      if (m.seq !== undefined && m.seq !== planeSeq) return;
      if (!header) return showError(status, m.message);
      if (m.seq !== undefined) planeStatus.textContent = m.message;
      else if (m.name === state.selected) { progress.hidden = true; statsBox.replaceChildren(el('span', { class: 'error', attrs: { role: 'alert' } }, m.message)); }
      return;
  }
});

host.post({ type: 'ready' });
