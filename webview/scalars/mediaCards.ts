// Histograms over steps (an offset chart: one ridge per step, oldest at the back) and text
// summaries (a table of step and text) of a run's event files. Text goes in as text.
import type { HistogramSeries, TextSeries } from '../../src/protocol/scalars';
import { axisColours, el, themeVar } from '../common/dom';

const BINS = 60;
const WIDTH = 340, HEIGHT = 210;

/** Counts of a histogram spread over BINS equal bins of [lo, hi], by overlap with each bucket. */
export function rebin(limits: ArrayLike<number>, counts: ArrayLike<number>, min: number, lo: number, hi: number, bins = BINS): Float64Array {
  const out = new Float64Array(bins);
  const width = (hi - lo) / bins || 1;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (!c) continue;
    // Bucket i covers (limits[i−1], limits[i]]; the first starts at the histogram's min.
    let a = i === 0 ? Math.min(min, limits[0]) : limits[i - 1];
    let b = limits[i];
    if (!Number.isFinite(a)) a = b;
    if (!Number.isFinite(b)) b = a;
    a = Math.max(a, lo); b = Math.min(b, hi);
    if (b <= a) { const k = Math.min(bins - 1, Math.max(0, Math.floor((a - lo) / width))); out[k] += c; continue; }
    for (let k = Math.max(0, Math.floor((a - lo) / width)); k < bins && lo + k * width < b; k++) {
      const overlap = Math.min(b, lo + (k + 1) * width) - Math.max(a, lo + k * width);
      if (overlap > 0) out[k] += (c * overlap) / (b - a);
    }
  }
  return out;
}

export function histogramCard(series: HistogramSeries, run: string, colour: string): HTMLElement {
  const canvas = el('canvas', { class: 'histogram-ridges', attrs: { width: String(WIDTH * devicePixelRatio), height: String(HEIGHT * devicePixelRatio), 'data-testid': 'ridges' } });
  canvas.style.width = `${WIDTH}px`;
  canvas.style.height = `${HEIGHT}px`;
  const info = el('div', { class: 'hint muted', attrs: { 'data-testid': 'card-info' } });
  const hs = series.histograms;
  let lo = Infinity, hi = -Infinity;
  for (const h of hs) { if (Number.isFinite(h.min)) lo = Math.min(lo, h.min); if (Number.isFinite(h.max)) hi = Math.max(hi, h.max); }
  info.textContent = `${hs.length === series.total ? `${hs.length} steps` : `${hs.length} of ${series.total} steps, evenly picked`} · values ${fmt(lo)} … ${fmt(hi)}`;
  draw(canvas, hs.map((h) => ({ step: h.step, bins: rebin(h.limits, h.counts, h.min, lo, hi) })), lo, hi, colour);
  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const x = lo + ((e.clientX - r.left - PAD_LEFT) / (r.width - PAD_LEFT - PAD_RIGHT)) * (hi - lo);
    const k = Math.min(hs.length - 1, Math.max(0, Math.round(((e.clientY - r.top - PAD_TOP) / (r.height - PAD_TOP - PAD_BOTTOM - RIDGE)) * (hs.length - 1))));
    const h = hs[k];
    if (!h) return;
    canvas.title = `step ${h.step} · value ${fmt(x)} · ${h.num.toLocaleString()} values, min ${fmt(h.min)}, max ${fmt(h.max)}`;
  });
  return el('figure', { class: 'scalar-card', attrs: { 'data-testid': 'histogram-card', 'data-tag': series.tag, 'data-run': run } },
    el('figcaption', { title: `${series.tag} · ${run}` }, `${series.tag} · ${run}`), canvas, info);
}

const PAD_LEFT = 8, PAD_RIGHT = 44, PAD_TOP = 6, PAD_BOTTOM = 22, RIDGE = 60;

function draw(canvas: HTMLCanvasElement, rows: { step: number; bins: Float64Array }[], lo: number, hi: number, colour: string): void {
  const ctx = canvas.getContext('2d')!;
  const dpr = devicePixelRatio;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = themeVar('--vscode-editor-background', '#1e1e1e');
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  const { fg, grid } = axisColours();
  const plotW = WIDTH - PAD_LEFT - PAD_RIGHT;
  const span = HEIGHT - PAD_TOP - PAD_BOTTOM - RIDGE;
  let peak = 0;
  for (const r of rows) for (const v of r.bins) peak = Math.max(peak, v);
  ctx.font = '10px sans-serif';
  rows.forEach((r, k) => {
    const base = PAD_TOP + RIDGE + (rows.length > 1 ? (k / (rows.length - 1)) * span : span);
    ctx.beginPath();
    ctx.moveTo(PAD_LEFT, base);
    r.bins.forEach((v, i) => ctx.lineTo(PAD_LEFT + ((i + 0.5) / r.bins.length) * plotW, base - (peak ? (v / peak) * RIDGE : 0)));
    ctx.lineTo(PAD_LEFT + plotW, base);
    ctx.closePath();
    // Newer steps in front: each ridge hides what is behind it.
    ctx.globalAlpha = 1;
    ctx.fillStyle = themeVar('--vscode-editor-background', '#1e1e1e');
    ctx.fill();
    ctx.globalAlpha = 0.25 + 0.75 * (rows.length > 1 ? k / (rows.length - 1) : 1);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.2;
    ctx.stroke();
    ctx.globalAlpha = 1;
    if (k === 0 || k === rows.length - 1 || (rows.length > 6 && k === Math.floor(rows.length / 2))) {
      ctx.fillStyle = fg;
      ctx.fillText(String(r.step), PAD_LEFT + plotW + 4, base);
    }
  });
  ctx.strokeStyle = grid;
  ctx.beginPath();
  ctx.moveTo(PAD_LEFT, HEIGHT - PAD_BOTTOM + 2);
  ctx.lineTo(PAD_LEFT + plotW, HEIGHT - PAD_BOTTOM + 2);
  ctx.stroke();
  ctx.fillStyle = fg;
  ctx.fillText(fmt(lo), PAD_LEFT, HEIGHT - 6);
  const hiText = fmt(hi);
  ctx.fillText(hiText, PAD_LEFT + plotW - ctx.measureText(hiText).width, HEIGHT - 6);
}

const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : '—');

export function textCard(series: TextSeries, run: string): HTMLElement {
  const rows = [...series.entries].reverse().map((e) => el('tr', {}, el('td', { class: 'num' }, String(e.step)), el('td', {}, el('div', { class: 'scalar-text' }, e.text))));
  return el('figure', { class: 'scalar-card scalar-text-card', attrs: { 'data-testid': 'text-card', 'data-tag': series.tag, 'data-run': run } },
    el('figcaption', {}, `${series.tag} · ${run}`),
    el('div', { class: 'table-scroll' }, el('table', { class: 'grid compact' }, el('thead', {}, el('tr', {}, el('th', {}, 'Step'), el('th', {}, 'Text'))), el('tbody', {}, ...rows))),
    el('div', { class: 'hint muted' }, series.entries.length < series.total ? `The last ${series.entries.length} of ${series.total}` : `${series.total} entr${series.total === 1 ? 'y' : 'ies'}`));
}
