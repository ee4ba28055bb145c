// A picture that scrolls left one column at a time without being copied: narrow canvases
// (tiles) each hold a block of consecutive columns, side by side in one strip that a CSS
// transform moves; new columns are drawn where they belong. Two reasons for the tiles:
// - copying the whole canvas onto itself every frame made the page repaint all of it;
// - without a GPU, Chromium copies a changed canvas whole to the compositor each frame
//   (64 lanes × 1,300 columns is a 14 MB copy, over 50 ms): only the newest tile changes.
// Tiles are as wide as a copy of about TILE_BYTES allows: at 8 lanes one is the whole view.
// Each tile also holds the next block's first column, under that block's tile: scaled by a
// fraction, a tile's edge falls inside a device pixel, which then shows the same column from
// both sides instead of a seam. (Measured and not kept: one canvas twice the view's width,
// each column drawn at column mod width and a width on, cost the page 1.09× these tiles; the
// lanes and the spectrogram on one such canvas, 1.23×.)

/** Columns per tile at least. */
export const TILE = 128;
/** A tile's bytes (4 a pixel), about, where that makes it wider than TILE: few rows, few tiles. */
export const TILE_BYTES = 2 << 20;

/**
 * Columns per tile for a view `width` × `height`. Each tile is a compositor layer, and every
 * frame's commit costs per layer (8 lanes on 128-column tiles were 11 canvases; on 2, the
 * page's CPU fell from 1.22–1.44× a bare page's to 1.14–1.26×), while a wide tile of many rows
 * is a big copy.
 */
export function tileColumns(width: number, height: number): number {
  return Math.min(Math.max(TILE, Math.floor(TILE_BYTES / (4 * height))), width);
}
/** Blocks the view moves on before the tiles are placed afresh from a new origin. */
export const REBASE = 256;

export class ScrollingCanvas {
  /** The box to put in the page: fills its parent, clips the tiles. Its `snapshot()` gives the picture (for tests). */
  readonly element: HTMLDivElement & { snapshot(): HTMLCanvasElement };
  private readonly strip: HTMLDivElement;
  private tiles: HTMLCanvasElement[] = [];
  /** Each tile's context (looked up once: a lookup per put was 0.03 ms a frame). */
  private contexts: CanvasRenderingContext2D[] = [];
  /** The strip's transform as last set: a frame may place it more than once, and an unchanged one is not set again. */
  private transform = '';
  /** Which block of columns each tile holds (-1: none). */
  private blocks: number[] = [];
  private width = 1;
  private height = 1;
  /** Columns per block (a tile is one wider). */
  private tile = 1;
  private newest = -1;
  /** The block at the strip's origin: tiles are placed relative to it, and it moves only when the view has gone far from it. */
  private origin = NaN;
  /** The block each tile was last placed for (NaN: not placed), so a frame restyles only the tiles that changed. */
  private placed: number[] = [];

  constructor(className: string, testId: string) {
    this.element = Object.assign(document.createElement('div'), { snapshot: () => this.snapshot() });
    this.element.className = `scrolling-canvas ${className}`;
    this.element.dataset.testid = testId;
    this.strip = document.createElement('div');
    this.element.append(this.strip);
  }

  /** Columns of the view (canvas pixels across) and rows; the picture is cleared. */
  resize(width: number, height: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    // Enough tiles to cover the view at any offset.
    this.tile = tileColumns(this.width, this.height);
    const count = Math.ceil(this.width / this.tile) + 1;
    this.tiles = Array.from({ length: count }, () => {
      const c = document.createElement('canvas');
      c.width = this.tile + 1;
      c.height = this.height;
      c.style.width = `${(c.width / this.width) * 100}%`;
      c.hidden = true;
      return c;
    });
    this.contexts = this.tiles.map((c) => c.getContext('2d')!);
    this.strip.replaceChildren(...this.tiles);
    this.transform = '';
    this.blocks = this.tiles.map(() => -1);
    this.placed = this.tiles.map(() => NaN);
    this.newest = -1;
    this.origin = NaN;
  }

  get columns(): number {
    return this.width;
  }

  get rows(): number {
    return this.height;
  }

  clear(): void {
    this.tiles.forEach((c, i) => {
      if (this.blocks[i] >= 0) this.contexts[i].clearRect(0, 0, c.width, c.height);
      this.blocks[i] = -1;
      c.hidden = true;
    });
    this.placed.fill(NaN);
    this.newest = -1;
    this.origin = NaN;
  }

  /** The newest column drawn (columns count up from 0 since the last clear); -1 before any. */
  get newestColumn(): number {
    return this.newest;
  }

  /**
   * Where to draw column `column` (at or after the newest minus the width): the context of
   * the tile that holds it, the x there, and how many columns from x on the tile holds. Moving
   * on to a new block clears the tile that held the block a strip's length before.
   */
  private at(column: number): { ctx: CanvasRenderingContext2D; x: number; room: number } {
    const tile = this.tile;
    const block = Math.floor(column / tile), slot = block % this.tiles.length;
    const canvas = this.tiles[slot], ctx = this.contexts[slot];
    if (this.blocks[slot] !== block) {
      if (this.blocks[slot] >= 0) ctx.clearRect(0, 0, canvas.width, canvas.height);
      this.blocks[slot] = block;
    }
    if (column > this.newest) this.newest = column;
    const x = column - block * tile;
    return { ctx, x, room: tile - x };
  }

  /**
   * Puts `image`'s columns from `skip` on (one canvas column each) at columns `first`… (at or
   * after the newest minus the width), a put per tile they span, and scrolls the newest into view.
   */
  put(image: ImageData, first: number, skip = 0): void {
    for (let j = skip; j < image.width;) {
      const column = first + j - skip;
      const at = this.at(column);
      const run = Math.min(image.width - j, at.room);
      this.newest = Math.max(this.newest, column + run - 1);
      at.ctx.putImageData(image, at.x - j, 0, j, 0, run, image.height);
      if (at.x === 0) {
        // The block's first column, also at the end of the tile before (see the top).
        const block = Math.floor(column / this.tile), before = (block - 1) % this.tiles.length;
        if (block > 0 && this.blocks[before] === block - 1) this.contexts[before].putImageData(image, this.tile - j, 0, j, 0, 1, image.height);
      }
      j += run;
    }
    this.place();
  }

  /** Scrolls the view on so that `column` is its right edge, drawn or not (columns not drawn are blank). */
  scrollTo(column: number): void {
    if (column <= this.newest) return;
    this.newest = column;
    this.place();
  }

  /**
   * Moves the strip so the newest column is the view's right edge. Tiles keep their places
   * between frames (restyling every tile at each new block cost a style and layout pass); the
   * origin moves, and all are placed again, only every REBASE blocks, to keep offsets small.
   */
  place(): void {
    const tile = this.tile;
    const first = this.newest - this.width + 1; // the view's left edge, in columns
    const firstBlock = Math.floor(first / tile);
    if (!(firstBlock >= this.origin && firstBlock < this.origin + REBASE)) {
      this.origin = firstBlock;
      this.placed.fill(NaN);
    }
    this.tiles.forEach((c, i) => {
      const b = this.blocks[i];
      const shown = b >= firstBlock && b * tile <= this.newest;
      if (c.hidden === shown) c.hidden = !shown;
      if (shown && this.placed[i] !== b) {
        this.placed[i] = b;
        c.style.left = `${(((b - this.origin) * tile) / this.width) * 100}%`;
      }
    });
    const transform = `translateX(${(-(first - this.origin * tile) / this.width) * 100}%)`;
    if (transform !== this.transform) this.strip.style.transform = this.transform = transform;
  }

  /** The view as one canvas: for export. */
  snapshot(): HTMLCanvasElement {
    const out = document.createElement('canvas');
    out.width = this.width;
    out.height = this.height;
    const ctx = out.getContext('2d')!;
    const tile = this.tile, first = this.newest - this.width + 1;
    this.tiles.forEach((c, i) => { if (this.blocks[i] >= 0) ctx.drawImage(c, this.blocks[i] * tile - first, 0); });
    return out;
  }
}
