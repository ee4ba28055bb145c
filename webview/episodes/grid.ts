// ARC grids on canvas: the producer's colour schemes, cell borders, changed cells outlined,
// the selection mask tinted and outlined, row/column numbers on demand.
import type { ColourScheme, GridData } from '../../src/protocol/episodes';

/** Colours 0–9. "default" is JaxARC's ARC_COLOR_PALETTE; the others are ours (the producer names them only). */
export const PALETTES: Record<ColourScheme, readonly string[]> = {
  default: ['#252525', '#0074D9', '#FF4136', '#37D449', '#FFDC00', '#E6E6E6', '#F012BE', '#FF871E', '#54D2EB', '#8D1D2C'],
  // Okabe–Ito hues, told apart with the common forms of colour blindness.
  colorblind: ['#1A1A1A', '#0072B2', '#D55E00', '#009E73', '#F0E442', '#BBBBBB', '#CC79A7', '#E69F00', '#56B4E9', '#882255'],
  high_contrast: ['#000000', '#0000FF', '#FF0000', '#00FF00', '#FFFF00', '#808080', '#FF00FF', '#FF8000', '#00FFFF', '#800000'],
};

export const SCHEME_LABEL: Record<ColourScheme, string> = { default: 'ARC colours', colorblind: 'Colour-blind', high_contrast: 'High contrast' };

export function cellColour(value: number, scheme: ColourScheme): string | undefined {
  if (value < 0) return undefined; // padding: the panel's background shows through
  const p = PALETTES[scheme];
  if (value < p.length) return p[value];
  const g = 60 + ((value * 47) % 160); // values beyond ARC's ten: distinct greys
  return `rgb(${g},${g},${g})`;
}

export interface GridLook {
  scheme: ColourScheme;
  coords: boolean;
  /** Largest cell size in CSS pixels; the grid also fits `maxWidth` × `maxHeight`. */
  maxWidth: number;
  maxHeight: number;
  border: string;
  foreground: string;
  changed?: readonly number[];
  selection?: GridData;
}

const MARGIN = 18;

/** Draws `grid`; the canvas's data-* attributes say where cell (0, 0) is and how big cells are. */
export function drawGrid(canvas: HTMLCanvasElement, grid: GridData, look: GridLook): void {
  const margin = look.coords ? MARGIN : 0;
  const cell = Math.max(2, Math.min(48, Math.floor(Math.min((look.maxWidth - margin) / grid.width, (look.maxHeight - margin) / grid.height))));
  const width = margin + cell * grid.width, height = margin + cell * grid.height;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  Object.assign(canvas.dataset, { cell: String(cell), originX: String(margin), originY: String(margin), rows: String(grid.height), cols: String(grid.width) });
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.translate(margin, margin);
  for (let y = 0; y < grid.height; y++) {
    for (let x = 0; x < grid.width; x++) {
      const colour = cellColour(grid.cells[y * grid.width + x], look.scheme);
      if (!colour) continue;
      ctx.fillStyle = colour;
      ctx.fillRect(x * cell, y * cell, cell, cell);
    }
  }
  if (cell >= 6) {
    ctx.strokeStyle = look.border;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let y = 0; y <= grid.height; y++) { ctx.moveTo(0, y * cell + 0.5); ctx.lineTo(grid.width * cell, y * cell + 0.5); }
    for (let x = 0; x <= grid.width; x++) { ctx.moveTo(x * cell + 0.5, 0); ctx.lineTo(x * cell + 0.5, grid.height * cell); }
    ctx.stroke();
  }
  const sel = look.selection;
  if (sel && sel.width === grid.width && sel.height === grid.height) drawSelection(ctx, sel, cell);
  if (look.changed?.length) {
    // Black then white rings read on every palette colour.
    const inset = Math.max(1, Math.floor(cell / 8));
    for (const [colour, w, d] of [['#000', 3, inset], ['#fff', 1.5, inset]] as const) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = w;
      ctx.beginPath();
      for (const k of look.changed) {
        const x = k % grid.width, y = Math.floor(k / grid.width);
        ctx.rect(x * cell + d, y * cell + d, cell - 2 * d, cell - 2 * d);
      }
      ctx.stroke();
    }
  }
  ctx.translate(-margin, -margin);
  if (look.coords) drawCoords(ctx, grid, cell, look.foreground);
}

function drawSelection(ctx: CanvasRenderingContext2D, sel: GridData, cell: number): void {
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < sel.width && y < sel.height && sel.cells[y * sel.width + x] > 0;
  ctx.fillStyle = 'rgba(255,255,255,0.3)';
  for (let y = 0; y < sel.height; y++) for (let x = 0; x < sel.width; x++) if (on(x, y)) ctx.fillRect(x * cell, y * cell, cell, cell);
  // The mask's outline: edges between a selected cell and one that is not.
  ctx.beginPath();
  for (let y = 0; y < sel.height; y++) {
    for (let x = 0; x < sel.width; x++) {
      if (!on(x, y)) continue;
      const x0 = x * cell, y0 = y * cell;
      if (!on(x, y - 1)) { ctx.moveTo(x0, y0); ctx.lineTo(x0 + cell, y0); }
      if (!on(x, y + 1)) { ctx.moveTo(x0, y0 + cell); ctx.lineTo(x0 + cell, y0 + cell); }
      if (!on(x - 1, y)) { ctx.moveTo(x0, y0); ctx.lineTo(x0, y0 + cell); }
      if (!on(x + 1, y)) { ctx.moveTo(x0 + cell, y0); ctx.lineTo(x0 + cell, y0 + cell); }
    }
  }
  ctx.lineWidth = 2;
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = '#000';
  ctx.stroke();
  ctx.lineDashOffset = 3.5;
  ctx.strokeStyle = '#fff';
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineDashOffset = 0;
}

function drawCoords(ctx: CanvasRenderingContext2D, grid: GridData, cell: number, colour: string): void {
  ctx.fillStyle = colour;
  ctx.font = `${Math.min(11, Math.max(8, cell - 2))}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const every = cell >= 14 ? 1 : cell >= 7 ? 2 : 5;
  for (let x = 0; x < grid.width; x += every) ctx.fillText(String(x), MARGIN + x * cell + cell / 2, MARGIN / 2);
  ctx.textAlign = 'right';
  for (let y = 0; y < grid.height; y += every) ctx.fillText(String(y), MARGIN - 3, MARGIN + y * cell + cell / 2);
}

/** The cell under a mouse position on a canvas drawn by drawGrid, if any. */
export function cellAt(canvas: HTMLCanvasElement, offsetX: number, offsetY: number): { row: number; col: number } | undefined {
  const cell = Number(canvas.dataset.cell), ox = Number(canvas.dataset.originX), oy = Number(canvas.dataset.originY);
  const col = Math.floor((offsetX - ox) / cell), row = Math.floor((offsetY - oy) / cell);
  if (!(cell > 0) || col < 0 || row < 0 || col >= Number(canvas.dataset.cols) || row >= Number(canvas.dataset.rows)) return undefined;
  return { row, col };
}
