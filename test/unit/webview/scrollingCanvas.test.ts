/// <reference lib="dom" />
// The Live Audio panel's scrolling picture, rendered by Chromium: after any sequence of puts,
// what the page shows (a screenshot, not the model) is the newest columns in order, right-aligned,
// including after the tiles have been placed afresh from a new origin, and blank where the view
// was scrolled on past what was drawn; with narrow tiles (many rows) and with one tile the
// view's width (few rows).
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChromium } from '../../../scripts/lib/e2eEnv.mjs';
import { decodePng } from '../../../src/domain/artifacts/png';
import { REBASE, TILE, tileColumns } from '../../../webview/liveAudio/scrollingCanvas';

const ROOT = join(__dirname, '..', '..', '..');
const WIDTH = 600;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
});

/** A page with a view WIDTH × `height` and `__put(count)`, which draws the next `count` columns (each its number as a colour). */
async function openView(height: number): Promise<void> {
  const bundle = esbuild.buildSync({ entryPoints: [join(ROOT, 'webview', 'liveAudio', 'scrollingCanvas.ts')], bundle: true, format: 'iife', globalName: 'scrolling', write: false, target: 'es2022' });
  await page?.close();
  page = await browser.newPage({ viewport: { width: 800, height: 100 }, deviceScaleFactor: 1 });
  await page.setContent(`<div id="host" style="position:absolute;left:0;top:0;width:${WIDTH}px;height:${height}px"></div>`);
  await page.addStyleTag({ path: join(ROOT, 'media', 'webview.css') });
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
  await page.evaluate(({ width, height }) => {
    const view = new (window as unknown as { scrolling: { ScrollingCanvas: new (c: string, t: string) => { element: HTMLElement; resize(w: number, h: number): void; put(i: ImageData, first: number, skip?: number): void; scrollTo(c: number): void; newestColumn: number } } }).scrolling.ScrollingCanvas('probe', 'probe');
    view.element.style.cssText = 'position:absolute;inset:0;background:#000';
    document.getElementById('host')!.append(view.element);
    view.resize(width, height);
    // Column c's colour: its number in red, green and blue's low 7 bits; blue's top bit set (so the black background is "nothing drawn").
    const colour = (c: number) => (0xff000000 | ((0x80 | ((c >> 16) & 0x7f)) << 16) | (((c >> 8) & 0xff) << 8) | (c & 0xff)) >>> 0;
    Object.assign(window, {
      __put: (count: number) => {
        const first = view.newestColumn + 1;
        const image = new ImageData(count, height);
        const pixels = new Uint32Array(image.data.buffer);
        for (let j = 0; j < count; j++) for (let y = 0; y < height; y++) pixels[y * count + j] = colour(first + j);
        view.put(image, first);
        return view.newestColumn;
      },
      __scroll: (by: number) => { view.scrollTo(view.newestColumn + by); return view.newestColumn; },
    });
  }, { width: WIDTH, height });
}

/** The column numbers the page shows across the view (-1 where nothing is drawn). */
async function shown(): Promise<number[]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // One row of pixels across the view is enough (every row of a column has its colour).
  const png = decodePng(await page.screenshot({ clip: { x: 0, y: 1, width: WIDTH, height: 1 } }), 'probe.png');
  const row = 0;
  return Array.from({ length: png.width }, (_, x) => {
    const at = (row * png.width + x) * 4;
    const [r, g, b] = [png.data[at], png.data[at + 1], png.data[at + 2]];
    return b >= 128 ? ((b & 0x7f) << 16) | (g << 8) | r : -1;
  });
}

describe.each([
  // Narrow tiles (TILE columns: rows × 4 bytes × TILE is over TILE_BYTES) and one tile the view's width.
  { rows: 4200, tile: TILE, tiles: Math.ceil(WIDTH / TILE) + 1 },
  { rows: 4, tile: WIDTH, tiles: 2 },
])('$rows rows: tiles of $tile columns', ({ rows, tile, tiles }) => {
  const put = (n: number) => page.evaluate((k) => (window as unknown as { __put(n: number): number }).__put(k), n);
  /** The view shows columns up to `newest`, and nothing in the `gaps` ([first, last] never drawn). */
  const check = async (newest: number, gaps: [number, number][] = []) => {
    const expected = Array.from({ length: WIDTH }, (_, x) => newest - WIDTH + 1 + x).map((c) => (c < 0 || gaps.some(([a, b]) => c >= a && c <= b) ? -1 : c & 0x7fffff));
    expect(await shown(), `after column ${newest}`).toEqual(expected);
  };

  test('the newest columns show in order at the right edge, through many blocks and a new origin', async () => {
    expect(tileColumns(WIDTH, rows)).toBe(tile);
    await openView(rows);
    expect(await page.locator('.probe canvas').count()).toBe(tiles);
    // Batches of varied sizes: a frame's few columns, a block's worth (128), more than the view.
    const sizes = [1, 3, 7, 27, 128, 129, 250, 5, 64, 1, 2, 700];
    let newest = -1;
    for (let i = 0; i < 40; i++) {
      newest = await put(sizes[i % sizes.length]);
      await check(newest);
    }
    // On in big strides to just before the tiles are placed from a new origin (REBASE blocks), then across it a frame's few columns at a time.
    while (newest < REBASE * tile - 1500) newest = await put(1000);
    await check(newest);
    for (let i = 0; newest < REBASE * tile + 1500; i++) {
      newest = await put(sizes[i % 4] * 5);
      await check(newest);
    }
  });

  test('scrolled on past what was drawn, the view is blank there until those columns are drawn', async () => {
    await openView(rows);
    const scroll = (n: number) => page.evaluate((k) => (window as unknown as { __scroll(n: number): number }).__scroll(k), n);
    let drawn = await put(WIDTH * 2 + 13);
    const gaps: [number, number][] = [];
    for (const [ahead, then] of [[37, 20], [250, 250], [WIDTH + 5, 3], [1, 1], [2, 700]]) {
      const newest = await scroll(ahead);
      gaps.push([drawn + 1, newest]);
      await check(newest, gaps);
      drawn = await put(then);
      await check(drawn, gaps);
    }
  });
});
