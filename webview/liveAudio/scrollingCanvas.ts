// A picture that scrolls left one column at a time without being copied. New columns are
// drawn where they belong and a CSS transform moves the picture; two layouts:
// - wrapped (a view small enough that twice it is at most WRAP_BYTES): one canvas twice the
//   view's width holds every column twice, at its slot (column mod width) and a width on, so
//   the view is always one run of it. Without a GPU each canvas is a layer whose commit costs
//   every frame, drawn or not: one canvas instead of two tiles (with the panel's static
//   canvases shown as images) took the page from 1.15× a bare page's CPU to 1.10×, in one run.
// - tiled: narrow canvases (tiles) each hold a block of consecutive columns, side by side in
//   one strip. Without a GPU, Chromium copies a changed canvas whole to the compositor each
//   frame (64 lanes × 1,300 columns is a 14 MB copy, over 50 ms): only the newest tile changes.
//   Tiles are as wide as a copy of about TILE_BYTES allows. Each tile also holds the next
//   block's first column, under that block's tile: scaled by a fraction, a tile's edge falls
//   inside a device pixel, which then shows the same column from both sides instead of a seam.
// Copying the whole canvas onto itself every frame instead made the page repaint all of it.

/** Columns per tile at least. */
export const TILE = 128;
/** A tile's bytes (4 a pixel), about, where that makes it wider than TILE: few rows, few tiles. */
export const TILE_BYTES = 2 << 20;
/** The wrapped canvas's bytes at most (twice the view). */
export const WRAP_BYTES = 4 << 20;

/** Whether a view `width` × `height` is drawn on one wrapped canvas rather than on tiles. */
export function wrapped(width: number, height: number): boolean {
  return 2 * width * height * 4 <= WRAP_BYTES;
}

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

const mod = (a: number, n: number) => ((a % n) + n) % n;

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
  /** Wrapped: one canvas holds every column twice (see the top). */
  private wrap = false;
  /** Wrapped: the newest column whose slots were cleared or drawn since the last clear (older pictures stay in slots ahead of it). */
  private clean = -1;

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
    this.wrap = wrapped(this.width, this.height);
    // Enough tiles to cover the view at any offset.
    this.tile = this.wrap ? this.width : tileColumns(this.width, this.height);
    const count = this.wrap ? 1 : Math.ceil(this.width / this.tile) + 1;
    this.tiles = Array.from({ length: count }, () => {
      const c = document.createElement('canvas');
      c.width = this.wrap ? 2 * this.width : this.tile + 1;
      c.height = this.height;
      c.style.width = `${(c.width / this.width) * 100}%`;
      c.hidden = !this.wrap;
      return c;
    });
    this.contexts = this.tiles.map((c) => c.getContext('2d')!);
    this.strip.replaceChildren(...this.tiles);
    this.transform = '';
    this.blocks = this.tiles.map(() => -1);
    this.placed = this.tiles.map(() => NaN);
    this.newest = -1;
    this.clean = -1;
    this.origin = NaN;
  }

  get columns(): number {
    return this.width;
  }

  get rows(): number {
    return this.height;
  }

  clear(): void {
    if (this.wrap) {
      this.contexts[0].clearRect(0, 0, this.tiles[0].width, this.height);
      this.newest = this.clean = -1;
      this.place();
      return;
    }
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
    if (this.wrap) return this.putWrapped(image, first, skip);
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
    if (this.wrap) this.clearThrough(column);
    this.newest = column;
    this.place();
  }

  /** Wrapped: clears the slots of the columns after the clean one up to `column` (they hold the picture a width before). */
  private clearThrough(column: number): void {
    const w = this.width, from = Math.max(this.clean + 1, column - w + 1);
    if (from > column) return;
    this.eachRun(from, column - from + 1, (x, run) => {
      this.contexts[0].clearRect(x, 0, run, this.height);
      this.contexts[0].clearRect(x + w, 0, run, this.height);
    });
    this.clean = column;
  }

  /** Calls `f(x, run, j)` for each run of `count` columns from `first` that is one run of slots: x its first slot, j its offset in the columns. */
  private eachRun(first: number, count: number, f: (x: number, run: number, j: number) => void): void {
    for (let j = 0; j < count;) {
      const x = mod(first + j, this.width), run = Math.min(count - j, this.width - x);
      f(x, run, j);
      j += run;
    }
  }

  private putWrapped(image: ImageData, first: number, skip: number): void {
    const w = this.width, ctx = this.contexts[0];
    // Of more than a view's worth, the newest count.
    const over = Math.max(0, image.width - skip - w);
    first += over;
    skip += over;
    const count = image.width - skip, last = first + count - 1;
    if (count <= 0) return;
    this.clearThrough(last);
    this.eachRun(first, count, (x, run, j) => {
      ctx.putImageData(image, x - skip - j, 0, skip + j, 0, run, image.height);
      ctx.putImageData(image, x + w - skip - j, 0, skip + j, 0, run, image.height);
    });
    this.newest = Math.max(this.newest, last);
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
    if (this.wrap) return this.setTransform(mod(first, this.width));
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
    this.setTransform(first - this.origin * tile);
  }

  /** Moves the strip left by `columns`. */
  private setTransform(columns: number): void {
    const transform = `translateX(${(-columns / this.width) * 100}%)`;
    if (transform !== this.transform) this.strip.style.transform = this.transform = transform;
  }

  /** The view as one canvas: for export. */
  snapshot(): HTMLCanvasElement {
    const out = document.createElement('canvas');
    out.width = this.width;
    out.height = this.height;
    const ctx = out.getContext('2d')!;
    const tile = this.tile, first = this.newest - this.width + 1;
    if (this.wrap) {
      ctx.drawImage(this.tiles[0], -mod(first, this.width), 0);
      return out;
    }
    this.tiles.forEach((c, i) => { if (this.blocks[i] >= 0) ctx.drawImage(c, this.blocks[i] * tile - first, 0); });
    return out;
  }
}
