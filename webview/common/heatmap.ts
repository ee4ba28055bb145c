// A tensor plane as a heatmap: one canvas pixel per cell (scaled up, pixelated), so what is
// drawn is exactly what the host computed. Drag a rectangle to zoom in (the host re-reads that
// window at full detail), double-click to zoom out; hovering reads the value under the cursor.
import type { HeatmapColormap, PlaneData } from '../../src/protocol/tensors';
import { colormapRgba, colormapTable } from './colormaps';
import { el } from './dom';

export interface HeatmapView {
  colormap: HeatmapColormap;
  /** Rows of the plane across (time along x for a [batch, T, D] latent). */
  transpose: boolean;
  rowLabel: string;
  colLabel: string;
}

export interface ZoomWindow { r0: number; r1: number; c0: number; c1: number }

const NAN_RGB = [128, 128, 128];

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
}

/** Colour scale limits: symmetric around 0 for the diverging map, so 0 is always white. */
export function colourRange(plane: Pick<PlaneData, 'min' | 'max'>, colormap: HeatmapColormap): [number, number] {
  if (colormap !== 'diverging') return [plane.min, plane.max];
  const m = Math.max(Math.abs(plane.min), Math.abs(plane.max)) || 1;
  return [-m, m];
}

/** RGBA pixels of a plane: width = outCols (outRows when transposed). */
export function renderPlane(plane: PlaneData, view: Pick<HeatmapView, 'colormap' | 'transpose'>): ImageData {
  const { outRows, outCols, values } = plane;
  const width = view.transpose ? outRows : outCols, height = view.transpose ? outCols : outRows;
  const image = new ImageData(width, height);
  const table = colormapTable(view.colormap === 'diverging' ? 'difference' : view.colormap);
  const [lo, hi] = colourRange(plane, view.colormap);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      const v = values[r * outCols + c];
      const p = 4 * (view.transpose ? c * width + r : r * width + c);
      if (Number.isNaN(v)) {
        image.data.set(NAN_RGB, p);
      } else {
        const k = 3 * Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
        image.data[p] = table[k]; image.data[p + 1] = table[k + 1]; image.data[p + 2] = table[k + 2];
      }
      image.data[p + 3] = 255;
    }
  }
  return image;
}

export class Heatmap {
  readonly root: HTMLElement;
  readonly canvas = el('canvas', { class: 'heatmap-canvas', attrs: { 'data-testid': 'heatmap' } });
  private readonly selection = el('div', { class: 'heatmap-selection', attrs: { hidden: '' } });
  private readonly readout = el('div', { class: 'heatmap-readout', attrs: { 'data-testid': 'heatmap-readout', 'aria-live': 'polite' } }, '\u00a0');
  private readonly xAxis = el('div', { class: 'heatmap-axis x' });
  private readonly yAxis = el('div', { class: 'heatmap-axis y' });
  private readonly legend = el('div', { class: 'heatmap-legend' });
  private plane: PlaneData | undefined;
  private view: HeatmapView | undefined;
  private dragFrom: { x: number; y: number } | undefined;

  constructor(private readonly onZoom: (window: ZoomWindow) => void, private readonly onReset: () => void) {
    const box = el('div', { class: 'heatmap-box' }, this.canvas, this.selection);
    this.root = el('div', { class: 'heatmap' }, el('div', { class: 'heatmap-row' }, this.yAxis, box), this.xAxis, el('div', { class: 'heatmap-footer' }, this.readout, this.legend));
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => { this.readout.textContent = '\u00a0'; });
    this.canvas.addEventListener('mousedown', (e) => { this.dragFrom = this.local(e); });
    window.addEventListener('mousemove', (e) => this.drag(e));
    window.addEventListener('mouseup', (e) => this.drop(e));
    this.canvas.addEventListener('dblclick', () => this.onReset());
  }

  show(plane: PlaneData, view: HeatmapView): void {
    this.plane = plane;
    this.view = view;
    const image = renderPlane(plane, view);
    this.canvas.width = image.width;
    this.canvas.height = image.height;
    this.canvas.getContext('2d')!.putImageData(image, 0, 0);
    // Aspect kept within limits: a 2000 × 8 plane is still readable.
    this.canvas.style.height = `${Math.max(120, Math.min(420, Math.round(640 * image.height / image.width)))}px`;
    const [rowAxis, colAxis] = [`${view.rowLabel} ${plane.r0}–${plane.r1 - 1}`, `${view.colLabel} ${plane.c0}–${plane.c1 - 1}`];
    this.xAxis.textContent = view.transpose ? rowAxis : colAxis;
    this.yAxis.textContent = view.transpose ? colAxis : rowAxis;
    const [lo, hi] = colourRange(plane, view.colormap);
    const bar = el('canvas', { class: 'heatmap-bar' });
    bar.width = 256; bar.height = 1;
    const table = colormapTable(view.colormap === 'diverging' ? 'difference' : view.colormap);
    bar.getContext('2d')!.putImageData(new ImageData(colormapRgba(table), 256, 1), 0, 0);
    const blocks = plane.rowStep > 1 || plane.colStep > 1 ? ` · each cell the mean of ${plane.rowStep} × ${plane.colStep}` : '';
    this.legend.replaceChildren(el('span', {}, formatValue(lo)), bar, el('span', {}, formatValue(hi)), el('span', { class: 'muted' }, blocks));
  }

  /** Canvas pixel under a mouse event (fractional). */
  private local(e: MouseEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.canvas.width, y: ((e.clientY - r.top) / r.height) * this.canvas.height };
  }

  /** The plane cell (output row/col) at a canvas pixel. */
  private cellAt(x: number, y: number): { r: number; c: number } | undefined {
    const p = this.plane;
    if (!p || !this.view) return undefined;
    const [ox, oy] = [Math.floor(x), Math.floor(y)];
    const [r, c] = this.view.transpose ? [ox, oy] : [oy, ox];
    return r >= 0 && c >= 0 && r < p.outRows && c < p.outCols ? { r, c } : undefined;
  }

  private hover(e: MouseEvent): void {
    const { x, y } = this.local(e);
    const cell = this.cellAt(x, y);
    const p = this.plane, v = this.view;
    if (!cell || !p || !v) return;
    const row = p.r0 + cell.r * p.rowStep, col = p.c0 + cell.c * p.colStep;
    const span = (a: number, step: number, end: number) => (step > 1 ? `${a}–${Math.min(a + step, end) - 1}` : String(a));
    const value = p.values[cell.r * p.outCols + cell.c];
    const mean = p.rowStep > 1 || p.colStep > 1 ? 'mean ' : '';
    this.readout.textContent = `${v.rowLabel} ${span(row, p.rowStep, p.r1)} · ${v.colLabel} ${span(col, p.colStep, p.c1)}: ${mean}${Number.isNaN(value) ? 'NaN/Inf' : formatValue(value)}`;
  }

  private drag(e: MouseEvent): void {
    if (!this.dragFrom) return;
    const to = this.local(e);
    const sx = this.canvas.clientWidth / this.canvas.width, sy = this.canvas.clientHeight / this.canvas.height;
    const [x0, x1] = [Math.min(this.dragFrom.x, to.x), Math.max(this.dragFrom.x, to.x)];
    const [y0, y1] = [Math.min(this.dragFrom.y, to.y), Math.max(this.dragFrom.y, to.y)];
    Object.assign(this.selection.style, { left: `${x0 * sx}px`, top: `${y0 * sy}px`, width: `${(x1 - x0) * sx}px`, height: `${(y1 - y0) * sy}px` });
    this.selection.hidden = false;
  }

  private drop(e: MouseEvent): void {
    const from = this.dragFrom;
    this.dragFrom = undefined;
    this.selection.hidden = true;
    const p = this.plane, v = this.view;
    if (!from || !p || !v) return;
    const to = this.local(e);
    const clampX = (x: number) => Math.max(0, Math.min(this.canvas.width, x)), clampY = (y: number) => Math.max(0, Math.min(this.canvas.height, y));
    const [x0, x1] = [clampX(Math.min(from.x, to.x)), clampX(Math.max(from.x, to.x))];
    const [y0, y1] = [clampY(Math.min(from.y, to.y)), clampY(Math.max(from.y, to.y))];
    if (x1 - x0 < 1 && y1 - y0 < 1) return; // a click, not a drag
    const [ra, rb, ca, cb] = v.transpose ? [x0, x1, y0, y1] : [y0, y1, x0, x1];
    const r0 = p.r0 + Math.floor(ra) * p.rowStep, r1 = Math.min(p.r1, p.r0 + Math.ceil(rb) * p.rowStep);
    const c0 = p.c0 + Math.floor(ca) * p.colStep, c1 = Math.min(p.c1, p.c0 + Math.ceil(cb) * p.colStep);
    if (r1 > r0 && c1 > c0) this.onZoom({ r0, r1, c0, c1 });
  }
}
