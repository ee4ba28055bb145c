// Latent Store webview: the store's records grouped by generation, with time left before the
// producer's TTL deletes them, orphans and unreadable records flagged; a record's params and
// LM metadata as text; two latents of one shape compared (per-step cosine and L2, A − B).
import uPlot from 'uplot';
import type {
  LatentComparisonData, LatentRow, LatentStoreHostToWebview, LatentStoreState, LatentStoreWebviewToHost,
} from '../../src/protocol/tensors';
import { formatBytes, formatDuration } from '../../src/domain/format';
import { axisColours, el, showError } from '../common/dom';
import { wholeNumberTicks } from '../common/axes';
import { formatValue, Heatmap } from '../common/heatmap';
import { connectToHost, readBoot } from '../common/host';

const host = connectToHost<LatentStoreHostToWebview, LatentStoreWebviewToHost, LatentStoreState>();
const state: LatentStoreState = { ...readBoot<LatentStoreState>()!, ...host.getState() };
const app = document.getElementById('app')!;
const save = () => host.setState(state);

let rows = new Map<string, LatentRow>();
let generations: string[][] = [];
let ttlHours = 24;
const checked = new Set<string>(state.compare ?? []);
let comparison: LatentComparisonData | undefined;
let restored = false;
let chart: uPlot | undefined;
let zoom: { r0: number; r1: number; c0: number; c1: number } | undefined;
const diffHeatmap = new Heatmap((w) => { zoom = w; compare(); }, () => { zoom = undefined; compare(); });

const summary = el('div');
const status = el('p', { class: 'empty', attrs: { role: 'status' } }, 'Reading the store…');
// Stage and model variant are in each generation's heading (and the record's details).
const COLUMNS = ['', 'Latent', 'Steps', 'Checkpoint', 'Created', 'Time left', 'Shape', 'Status'];
const filterInput = el('input', { class: 'text episode-filter', attrs: { type: 'search', placeholder: 'Filter: stage, variant, caption, id, pinned, expiring, orphan', 'aria-label': 'Filter records', 'data-testid': 'filter' } });
const compareButton = el('button', { attrs: { 'data-testid': 'compare', disabled: '' }, onClick: () => { zoom = undefined; compare(); } }, 'Compare');
const compareHint = el('span', { class: 'muted' }, 'Tick two latents of the same shape to compare them.');
const tbody = el('tbody');
const detail = el('section', { class: 'latent-detail', attrs: { 'data-testid': 'detail', hidden: '' } });
const comparePane = el('section', { class: 'latent-compare', attrs: { 'data-testid': 'comparison', hidden: '' } });

app.replaceChildren(
  summary, status,
  el('div', { class: 'controls' }, filterInput, compareButton, compareHint),
  el('div', { class: 'table-scroll tall' },
    el('table', { class: 'grid latent-table', attrs: { 'data-testid': 'records' } },
      el('thead', {}, el('tr', {}, ...COLUMNS.map((h) => el('th', {}, h)))),
      tbody)),
  detail,
  comparePane,
);
filterInput.addEventListener('input', renderTable);

// ---- time left

/** Time left before deletion, as text, and how urgent it is. */
function timeLeft(row: LatentRow, nowMs: number): { text: string; level: 'pinned' | 'ok' | 'soon' | 'expired' | 'unknown' } {
  if (row.pinned) return { text: 'pinned', level: 'pinned' };
  if (row.expiresAtMs === undefined || row.expiresAtMs === null) return { text: '—', level: 'unknown' };
  const left = row.expiresAtMs - nowMs;
  if (left <= 0) return { text: 'expired', level: 'expired' };
  return { text: formatDuration(left), level: left <= 3600_000 ? 'soon' : 'ok' };
}

function statusOf(row: LatentRow): string {
  if (row.orphan === 'no_tensor') return 'orphaned: tensor file missing';
  if (row.orphan === 'no_record') return 'orphaned: JSON record missing';
  return row.error ?? '';
}

// ---- table

function matches(row: LatentRow, words: string[], nowMs: number): boolean {
  const level = timeLeft(row, nowMs).level;
  const hay = [row.id, row.stage, row.variant, row.caption, row.dtype, row.pinned ? 'pinned' : '', level === 'soon' ? 'expiring' : '', level === 'expired' ? 'expired' : '', row.orphan ? 'orphan' : '', row.isCheckpoint ? 'checkpoint' : 'final']
    .filter(Boolean).join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

function generationTitle(ids: string[]): string {
  const members = ids.map((id) => rows.get(id)).filter((r): r is LatentRow => !!r);
  const first = members[0];
  if (!first?.stage) return 'Unmatched file';
  const ckpts = members.filter((r) => r.isCheckpoint).length, finals = members.length - ckpts;
  const parts = [first.stage, first.variant, [ckpts && `${ckpts} checkpoint${ckpts > 1 ? 's' : ''}`, finals && `${finals} final${finals > 1 ? 's' : ''}`].filter(Boolean).join(' + ')];
  return `${parts.filter(Boolean).join(' · ')}${first.caption ? ` — ${first.caption}` : ''}`;
}

function renderTable(): void {
  const nowMs = Date.now();
  const words = filterInput.value.toLowerCase().split(/\s+/).filter(Boolean);
  const body: HTMLTableRowElement[] = [];
  for (const ids of generations) {
    const shown = ids.filter((id) => rows.has(id) && matches(rows.get(id)!, words, nowMs));
    if (shown.length === 0) continue;
    if (ids.length > 1 || rows.get(ids[0])?.stage) body.push(el('tr', { class: 'generation' }, el('td', { attrs: { colspan: String(COLUMNS.length) } }, generationTitle(ids))));
    for (const id of shown) body.push(recordRow(rows.get(id)!, nowMs));
  }
  tbody.replaceChildren(...body);
  if (body.length === 0) tbody.append(el('tr', {}, el('td', { class: 'empty', attrs: { colspan: String(COLUMNS.length) } }, rows.size ? 'No record matches the filter.' : 'The store is empty.')));
  updateCompareButton();
}

function recordRow(r: LatentRow, nowMs: number): HTMLTableRowElement {
  const left = timeLeft(r, nowMs);
  const box = el('input', { attrs: { type: 'checkbox', 'aria-label': `Compare ${r.id}` } });
  box.checked = checked.has(r.id);
  box.disabled = !r.tensorPath;
  box.addEventListener('click', (e) => e.stopPropagation());
  box.addEventListener('change', () => {
    if (box.checked) checked.add(r.id); else checked.delete(r.id);
    // At most two: the oldest tick goes.
    while (checked.size > 2) checked.delete(checked.values().next().value!);
    for (const other of tbody.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) other.checked = checked.has(other.closest('tr')!.getAttribute('data-id')!);
    updateCompareButton();
  });
  const problem = statusOf(r);
  const badge = left.level === 'soon' ? el('span', { class: 'pill stopped', title: 'Expires within the hour' }, `⚠ ${left.text}`)
    : left.level === 'expired' ? el('span', { class: 'pill error', title: 'Past its TTL: the producer deletes it at its next cleanup' }, left.text)
    : left.level === 'pinned' ? el('span', { class: 'pill' }, 'pinned')
    : left.text;
  const tr = el('tr', { class: r.id === state.selected ? 'selected' : undefined, attrs: { 'data-id': r.id, tabindex: '0' } },
    el('td', {}, box),
    el('td', { class: 'mono', title: r.id }, r.id.slice(0, 8)),
    el('td', { class: 'num' }, r.totalSteps !== undefined ? String(r.totalSteps) : ''),
    el('td', { class: 'num' }, r.isCheckpoint ? `step ${r.checkpointStep ?? '?'}` : r.stage ? 'final' : ''),
    el('td', { attrs: { 'data-testid': 'created' }, title: r.createdAtMs ? new Date(r.createdAtMs).toString() : '' }, r.createdAtMs ? new Date(r.createdAtMs).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : ''),
    el('td', { attrs: { 'data-testid': 'time-left' } }, badge),
    el('td', { class: 'mono' }, r.shape ? `[${r.shape.join(', ')}] ${r.dtype ?? ''}` : ''),
    el('td', { class: problem ? 'warning-text' : undefined }, problem ? `⚠ ${problem}` : ''),
  );
  tr.addEventListener('click', () => select(r.id));
  tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') select(r.id); });
  return tr;
}

function updateCompareButton(): void {
  const [a, b] = [...checked].map((id) => rows.get(id));
  const differ = a?.shape && b?.shape && a.shape.join() !== b.shape.join();
  compareButton.toggleAttribute('disabled', checked.size !== 2);
  compareHint.textContent = checked.size < 2 ? 'Tick two latents of the same shape to compare them.'
    : differ ? `Shapes differ: [${a.shape!.join(', ')}] and [${b.shape!.join(', ')}]` : '';
}

// ---- one record

function select(id: string): void {
  state.selected = id;
  save();
  for (const tr of tbody.querySelectorAll('tr[data-id]')) tr.classList.toggle('selected', tr.getAttribute('data-id') === id);
  renderDetail();
}

function renderDetail(): void {
  const r = state.selected ? rows.get(state.selected) : undefined;
  detail.hidden = !r;
  if (!r) return;
  const text = (label: string, value: string | undefined, testid: string) => el('div', {},
    el('h3', {}, label),
    value ? el('pre', { class: 'sample-text json', attrs: { 'data-testid': testid } }, value) : el('p', { class: 'empty' }, 'None.'));
  detail.replaceChildren(
    el('h2', {}, 'Latent ', el('span', { class: 'mono', attrs: { 'data-testid': 'latent-id' } }, r.id)),
    el('div', { class: 'controls' },
      el('button', { attrs: { 'data-testid': 'copy-id' }, title: 'The string the producer takes as src_latent_id', onClick: () => host.post({ type: 'copyId', id: r.id }) }, 'Copy Latent ID'),
      el('button', { class: 'secondary', attrs: { 'data-testid': 'inspect', ...(r.tensorPath ? {} : { disabled: '' }) }, onClick: () => r.tensorPath && host.post({ type: 'inspect', path: r.tensorPath }) }, 'Open in Inspector'),
      el('button', { class: 'secondary', onClick: () => host.post({ type: 'reveal', path: (r.tensorPath ?? r.recordPath)! }) }, 'Reveal'),
      el('span', { class: 'muted', attrs: { 'data-testid': 'record-facts' } }, [r.stage, r.variant, r.tensorBytes !== undefined ? formatBytes(r.tensorBytes) : undefined, r.createdAtMs ? `created ${new Date(r.createdAtMs).toLocaleString()}` : undefined].filter(Boolean).join(' · ')),
    ),
    ...(statusOf(r) ? [el('p', { class: 'banner', attrs: { role: 'alert' } }, statusOf(r))] : []),
    el('div', { class: 'latent-texts' }, text('Params', r.paramsText, 'params'), text('LM metadata', r.lmText, 'lm')),
  );
}

// ---- comparison

function compare(): void {
  const [a, b] = [...checked];
  if (!a || !b) return;
  state.compare = [a, b];
  save();
  comparePane.hidden = false;
  comparePane.replaceChildren(el('h2', {}, 'Comparison'), el('p', { class: 'empty', attrs: { role: 'status' } }, 'Comparing…'));
  const across = Math.min(2048, Math.max(256, Math.round(app.clientWidth * (window.devicePixelRatio || 1))));
  host.post({ type: 'compare', a, b, window: { lead: [], ...zoom, maxRows: across, maxCols: 512 } });
}

function renderComparison(c: LatentComparisonData): void {
  comparison = c;
  const o = c.overall;
  const leadNote = c.shape.length > 2 ? ` (batch item ${c.diff.lead.join(', ')})` : '';
  const chartBox = el('div', { class: 'episode-chart', attrs: { 'data-testid': 'compare-chart' } });
  comparePane.replaceChildren(
    el('h2', {}, 'Comparison'),
    el('p', { class: 'path' }, `A ${c.a} vs B ${c.b} · shape [${c.shape.join(', ')}]${leadNote}`),
    el('div', { class: 'stats-grid', attrs: { 'data-testid': 'compare-overall' } },
      ...[['cosine', o.cosine], ['L2 distance', o.l2], ['max |A − B|', o.maxAbsDiff], ['mean |A − B|', o.meanAbsDiff]].map(([label, v]) =>
        el('div', { class: 'stat', attrs: { 'data-stat': String(label) } }, el('span', { class: 'stat-label' }, String(label)), el('span', { class: 'stat-value' }, formatValue(v as number))))),
    el('h3', {}, 'Per step: cosine similarity and L2 distance of the channel vectors'),
    chartBox,
    el('h3', {}, 'Difference A − B'),
    diffHeatmap.root,
    el('p', { class: 'muted hint' }, 'Drag across the heatmap to zoom in; double-click to zoom out.'),
  );
  const threeD = c.shape.length >= 2;
  diffHeatmap.show(c.diff, { colormap: 'diverging', transpose: true, rowLabel: threeD ? 'step' : 'row', colLabel: threeD ? 'channel' : 'col' });
  chart?.destroy();
  const { fg, grid } = axisColours();
  chart = new uPlot({
    width: Math.max(300, chartBox.clientWidth || 800), height: 190,
    scales: { x: { time: false }, cos: { range: (_u, lo, hi) => [Math.min(lo, 0), Math.max(hi, 1)] } },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, label: 'step', labelSize: 18, ...wholeNumberTicks() },
      { scale: 'cos', stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 50, label: 'cosine', labelSize: 18 },
      { scale: 'l2', side: 1, stroke: fg, grid: { show: false }, ticks: { stroke: grid }, size: 56, label: 'L2', labelSize: 18 },
    ],
    series: [{}, { label: 'cosine', scale: 'cos', stroke: '#4e9fe0', width: 1.5 }, { label: 'L2', scale: 'l2', stroke: '#e0894e', width: 1.5 }],
  }, [Array.from(c.steps), Array.from(c.cosine, (v) => (Number.isNaN(v) ? null : v)), Array.from(c.l2)] as uPlot.AlignedData, chartBox);
}

// ---- messages

host.onMessage((m) => {
  switch (m.type) {
    case 'store': {
      status.hidden = true;
      rows = new Map(m.rows.map((r) => [r.id, r]));
      generations = m.generations;
      ttlHours = m.ttlHours;
      for (const id of [...checked]) if (!rows.get(id)?.tensorPath) checked.delete(id);
      const all = m.rows;
      const soon = all.filter((r) => timeLeft(r, Date.now()).level === 'soon').length;
      summary.replaceChildren(
        el('header', { class: 'page-header' },
          el('h1', {}, 'Latent store'),
          el('span', { class: 'badge', attrs: { 'data-testid': 'record-count' } }, `${all.length} latent${all.length === 1 ? '' : 's'}`),
          ...(all.some((r) => r.pinned) ? [el('span', { class: 'badge' }, `${all.filter((r) => r.pinned).length} pinned`)] : []),
          ...(soon ? [el('span', { class: 'pill stopped', attrs: { 'data-testid': 'expiring-badge' } }, `⚠ ${soon} expiring within the hour`)] : []),
          ...(all.some((r) => r.orphan) ? [el('span', { class: 'pill error' }, `${all.filter((r) => r.orphan).length} orphaned`)] : []),
        ),
        el('p', { class: 'path', title: m.dir }, `${m.dir} · unpinned latents are deleted ${ttlHours} h after creation (runreel.latentTtlHours)`),
      );
      renderTable();
      renderDetail();
      if (comparison && !(rows.has(comparison.a) && rows.has(comparison.b))) { comparePane.hidden = true; comparison = undefined; }
      // After a reload, the comparison that was open.
      if (!comparison && !restored && checked.size === 2) compare();
      restored = true;
      return;
    }
    case 'select':
      select(m.id);
      tbody.querySelector(`tr[data-id="${CSS.escape(m.id)}"]`)?.scrollIntoView({ block: 'center' });
      return;
    case 'comparison':
      renderComparison(m.comparison);
      return;
    case 'compareError':
      comparePane.hidden = false;
      comparePane.replaceChildren(el('h2', {}, 'Comparison'), el('p', { class: 'error', attrs: { role: 'alert' } }, m.message));
      return;
    case 'error':
      showError(status, m.message);
      return;
  }
});

// Time left counts down without the host.
setInterval(renderTable, 30_000);
host.post({ type: 'ready' });
