// A picture that scrolls left one column at a time without being copied: two canvases, each
// the width of the view, take turns holding consecutive blocks of columns, side by side in one
// strip that a CSS transform moves. New columns are drawn where they belong. Copying the whole
// canvas every frame (drawImage onto itself) made the page repaint all of it 60 times a
// second, which in software rendering cost about twice as much CPU as drawing the new columns.
// The halves share one layer (the strip), so their seam never falls between device pixels.

export class ScrollingCanvas {
  /** The box to put in the page: fills its parent, clips the two halves. */
  readonly element: HTMLDivElement;
  private readonly strip: HTMLDivElement;
  private readonly halves: [HTMLCanvasElement, HTMLCanvasElement];
  /** Which block of columns each half holds (-1: none). */
  private readonly blocks = [-1, -1];
  private width = 1;
  private newest = -1;

  constructor(className: string, testId: string) {
    this.element = document.createElement('div');
    this.element.className = `scrolling-canvas ${className}`;
    this.element.dataset.testid = testId;
    this.strip = document.createElement('div');
    this.halves = [document.createElement('canvas'), document.createElement('canvas')];
    this.strip.append(...this.halves);
    this.element.append(this.strip);
  }

  /** Columns of the view (canvas pixels across) and rows; the picture is cleared. */
  resize(width: number, height: number): void {
    this.width = Math.max(1, width);
    for (const c of this.halves) { c.width = this.width; c.height = Math.max(1, height); }
    this.clear();
  }

  get columns(): number {
    return this.width;
  }

  get rows(): number {
    return this.halves[0].height;
  }

  clear(): void {
    for (const c of this.halves) c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
    this.blocks[0] = this.blocks[1] = -1;
    this.newest = -1;
  }

  /** The newest column drawn (columns count up from 0 since the last clear); -1 before any. */
  get newestColumn(): number {
    return this.newest;
  }

  /**
   * Where to draw column `column` (at or after the newest minus the width): the context of
   * the half that holds it and the x there. Moving on to a new block clears the half that
   * held the block two before.
   */
  at(column: number): { ctx: CanvasRenderingContext2D; x: number } {
    const block = Math.floor(column / this.width), half = block & 1;
    const canvas = this.halves[half], ctx = canvas.getContext('2d')!;
    if (this.blocks[half] !== block) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      this.blocks[half] = block;
    }
    if (column > this.newest) this.newest = column;
    return { ctx, x: column - block * this.width };
  }

  /** Moves the strip so the newest column is the view's right edge. */
  place(): void {
    const first = this.newest - this.width + 1; // the view's left edge, in columns
    const base = Math.max(0, Math.floor(first / this.width)); // the block at the strip's left half
    for (let half = 0; half < 2; half++) {
      const left = this.blocks[half] === base ? '0' : this.blocks[half] === base + 1 ? '50%' : '';
      const canvas = this.halves[half];
      if (canvas.style.left !== left) canvas.style.left = left;
      canvas.hidden = left === '';
    }
    this.strip.style.transform = `translateX(${(-(first - base * this.width) / (2 * this.width)) * 100}%)`;
  }

  /** The view as one canvas: for export. */
  snapshot(): HTMLCanvasElement {
    const out = document.createElement('canvas');
    out.width = this.width;
    out.height = this.rows;
    const ctx = out.getContext('2d')!;
    const first = this.newest - this.width + 1;
    for (let half = 0; half < 2; half++) {
      const block = this.blocks[half];
      if (block >= 0) ctx.drawImage(this.halves[half], block * this.width - first, 0);
    }
    return out;
  }
}
