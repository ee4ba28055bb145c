// Issues 6 and 21: stepping the Embedding Timeline webview in headless Chromium, 3 spaces × N
// points a step, side by side with the candidates for drawing them:
// - Run Reel's panel (its own WebGL2 layer): from the step's message reaching the page (its
//   first part, for a step posted in parts as the host posts it) to the draw issued (main
//   thread), and to the frame after it (on screen);
// - Plotly's scattergl (what the panel used before), the same points and subplots, timed alike;
// - the floor: the same points as bare GL_POINTS, one buffer upload and one draw call.
// "On screen" is, for each, two frames after a fence says the GPU has run every command so far:
// two frames alone come back long before software GL has rasterised a large draw (21 ms for
// 3 M points whose fence took 1.3 s), which let the next step's making overlap the GPU's work.
// At 1 M points a space it also records the longest main-thread task while stepping, hovering
// and lasso-selecting. Data is made in the page, so no time includes VS Code's own copies of a
// message (the e2e suite measures those in real VS Code).
// RUNREEL_BENCH_PROFILE=1 prints where the panel's main thread spent its time;
// RUNREEL_BENCH_TRACE=1, where every thread of the browser did (the GPU process's included), ours and the floor's.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { partsScript, WebviewPage } from '../test/unit/webview/page';
import { probeRenderer } from './gpu';
import { profilePage, tracePage } from './profile';

const POINTS = Number(process.argv[2] ?? 100_000);
const WITH_PLOTLY = process.argv[3] !== 'no-plotly';
/** Draw calls made no-ops: the page's own work (uploads included) without its waits on the GPU process. */
const NO_DRAW = !!process.env.RUNREEL_BENCH_NO_DRAW || process.argv[4] === 'no-draw';
const STEPS = 16;
const VIEWPORT = { width: 1600, height: 800 };
/** The GPU where Chromium reports a hardware WebGL renderer (RUNREEL_BENCH_GPU=0: SwiftShader anyway). */
let webgl: 'hardware' | true = true;

interface Timing { issued: number; frame: number }
type PageGlobals = { __hide?: string; __onScreen(gl: WebGL2RenderingContext): Promise<void>; __waiters: Set<[number, () => void]>; __whenDrawn(n: number): Promise<void>; __parts: { splitMessage(m: unknown): unknown[] }; __timings: Timing[]; __tasks: [number, number][]; __making: [number, number][]; __makeStep(step: number): unknown; __postStep(): void; __prepareStep(step: number): void };

/** Made in the page: a seeded walk, so every point moves a little each step, as in training. */
function installStepMaker(points: number): void {
  const w = window as unknown as PageGlobals;
  // Category names packed as the host packs them (UTF-8, each name's end): ASCII, so bytes are characters.
  const pack = (names: string[]) => {
    const ends = new Uint32Array(names.length);
    let at = 0;
    names.forEach((t, i) => { at += t.length; ends[i] = at; });
    return { utf8: new TextEncoder().encode(names.join('')), ends };
  };
  const labels = pack(Array.from({ length: 10 }, (_, k) => `class ${k}`));
  // A per-row id, as ACE-Step's sample_id: as many categories as points, so the host holds
  // its names back (holdBackNames) and sends the codes with their count.
  const noNames = pack([]);
  // On screen (see the top): the GPU's fence, then two frames.
  w.__onScreen = async (gl) => {
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!;
    gl.flush();
    while (gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED) await new Promise((r) => setTimeout(r, 5));
    gl.deleteSync(sync);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  };
  w.__makeStep = (step: number) => {
    let seed = 1;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
    const spaces = ['latent', 'lora', 'prompt'].map((name, s) => {
      const x = new Float32Array(points), y = new Float32Array(points);
      // Codes in the narrowest type, as the host sends them (src/protocol/embeddings.ts narrowCodes).
      const codes = new Uint8Array(points), loss = new Float64Array(points), ids = new Uint32Array(points);
      for (let i = 0; i < points; i++) {
        const c = i % 10;
        x[i] = Math.cos(c) * 10 + rand() * 4 + step * 0.01 * s;
        y[i] = Math.sin(c) * 10 + rand() * 4 - step * 0.01;
        codes[i] = c;
        loss[i] = rand();
        ids[i] = i;
      }
      return { name, x, y, ids, fields: [{ name: 'label', kind: 'category', codes, categories: labels }, { name: 'sample_id', kind: 'category', codes: ids, categories: noNames, held: points }, { name: 'loss', kind: 'number', values: loss }] };
    });
    return { type: 'stepData', step, align: false, spaces, warnings: [] };
  };
}

/** Records main-thread tasks over 50 ms from now on. */
async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as PageGlobals;
    w.__tasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__tasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: false });
  });
}

/** The longest task that was not the bench making a step's data (the host's work, not the page's). */
function longestTask(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as PageGlobals;
    const making = (start: number, end: number) => w.__making.some(([a, b]) => start < b && end > a);
    return Math.max(0, ...w.__tasks.filter(([start, d]) => !making(start, start + d)).map(([, d]) => d));
  });
}

async function runReel(): Promise<{ view: WebviewPage; steps: Timing[]; longest: number; hover: number; lasso: number; drawChunks: number }> {
  const view = await WebviewPage.open('embeddings', { boot: { dir: 'bench', align: false, follow: true, trail: 0, animate: false }, viewport: VIEWPORT, webgl });
  await view.page.addInitScript(installStepMaker, POINTS);
  // Diagnosis: RUNREEL_BENCH_HIDE=selector hides a part of the page while stepping, to see what it costs.
  if (process.env.RUNREEL_BENCH_HIDE) await view.page.addInitScript((h) => { (window as unknown as PageGlobals).__hide = h; }, process.env.RUNREEL_BENCH_HIDE);
  await view.page.addInitScript({ content: partsScript() });
  // NO_DRAW tells the page's own work from its waits on the GPU process (which rasterises every
  // point in software here).
  if (NO_DRAW) await view.page.addInitScript(() => { WebGL2RenderingContext.prototype.drawArrays = () => {}; });
  await view.page.addInitScript(() => {
    const w = window as unknown as PageGlobals;
    const timings: Timing[] = (w.__timings = []);
    w.__waiters = new Set();
    w.__whenDrawn = (n) => (timings.length >= n ? Promise.resolve() : new Promise((resolve) => w.__waiters.add([n, resolve])));
    let arrived = 0;
    // Registered before the page's own listener: the moment a step arrives.
    // A large step comes in parts, as the host sends it: from the first part (its copy included).
    window.addEventListener('message', (e) => {
      const now = performance.now();
      const type = (e.data as { type?: string }).type;
      if (type === 'stepData' || type === 'partsBegin') arrived = now;
    });
    window.addEventListener('DOMContentLoaded', () => {
      if (w.__hide) document.querySelectorAll<HTMLElement>(w.__hide).forEach((e) => { e.style.visibility = 'hidden'; });
      const plot = document.querySelector('[data-testid=plot]')!;
      let issued = 0, start = 0;
      plot.addEventListener('runreel-draw-issued', () => {
        if (!arrived) return;
        start = arrived;
        arrived = 0;
        issued = performance.now() - start;
      });
      // Drawn: the step's last points issued (a draw spread over frames ends later); on screen a frame after.
      plot.addEventListener('runreel-drawn', () => {
        if (!start) return;
        const from = start;
        start = 0;
        void w.__onScreen(document.querySelector<HTMLCanvasElement>('[data-testid=scatter-canvas]')!.getContext('webgl2')!).then(() => {
          timings.push({ issued, frame: performance.now() - from });
          for (const waiter of [...w.__waiters]) if (timings.length >= waiter[0]) { w.__waiters.delete(waiter); waiter[1](); }
        });
      });
    });
    // Made in a task of its own, then posted (the post's copy of the message counts: a webview's
    // outer frame posts to the page on its main thread).
    let made: unknown[] = [];
    w.__making = [];
    w.__prepareStep = (step: number) => {
      const start = performance.now();
      made = w.__parts.splitMessage(w.__makeStep(step));
      w.__making.push([start, performance.now()]);
    };
    // One post per part, as the host makes them: each arrives as a task of its own.
    w.__postStep = () => { for (const m of made) window.postMessage(m, '*'); made = []; };
  });
  view.onMessage(async (m) => {
    if (m.type === 'ready') {
      await view.post({ type: 'steps', title: 'bench', warnings: [], steps: Array.from({ length: STEPS }, (_, k) => ({ step: k * 100, npz: true })) });
      // As the host does: each space's bounds over the whole run, so the axes stay put.
      const b = { x: [-12, 16] as [number, number], y: [-16, 16] as [number, number] };
      await view.post({ type: 'bounds', align: false, bounds: { latent: b, lora: b, prompt: b } });
    }
    else if (m.type === 'requestStep') {
      await view.page.evaluate((s) => (window as unknown as PageGlobals).__prepareStep(s), m.step as number);
      await view.page.evaluate(() => (window as unknown as PageGlobals).__postStep());
    }
  });
  await view.load();
  const timings = () => view.page.evaluate(() => (window as unknown as PageGlobals).__timings);
  // One call that the page answers when the step is on screen: polling from here would run on
  // the page's main thread, which software GL shares two cores with.
  const drawn = async (n: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`the webview did not draw: ${view.errors().join('; ')}`)), 180_000); });
    try {
      await Promise.race([view.page.evaluate((k) => (window as unknown as PageGlobals).__whenDrawn(k), n), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  await drawn(1); // the first draw builds the WebGL scene: not a step change
  await watchLongTasks(view.page);
  const stopProfile = await profilePage(view.page, 'step', () => STEPS - 1);
  await view.page.locator('[data-testid=slider]').focus();
  if (process.env.RUNREEL_BENCH_TRACE) console.error('---- ours');
  await tracePage(view.page, 'step', () => STEPS - 1, async () => {
    for (let k = 1; k < STEPS; k++) {
      await view.page.keyboard.press('ArrowLeft');
      await drawn(k + 1);
    }
  });
  await stopProfile();
  await view.page.evaluate(() => { const h = (window as unknown as PageGlobals).__hide; if (h) document.querySelectorAll<HTMLElement>(h).forEach((e) => { e.style.visibility = ''; }); });
  const drawChunks = Number(await view.page.locator('[data-testid=plot]').getAttribute('data-draw-chunks'));
  // Hover and a lasso over the first space, as a user does.
  const info = JSON.parse((await view.page.locator('[data-testid=plot]').getAttribute('data-spaces'))!)[0];
  const box = (await view.page.locator('[data-testid=scatter-axes]').boundingBox())!;
  const [l, t] = [box.x + info.rect.left, box.y + info.rect.top];
  let t0 = Date.now();
  for (let i = 0; i < 10; i++) await view.page.mouse.move(l + info.rect.width * (0.3 + i * 0.04), t + info.rect.height * 0.5);
  await view.page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
  const hover = (Date.now() - t0) / 10;
  t0 = Date.now();
  await view.page.mouse.move(l + 10, t + 10);
  await view.page.mouse.down();
  for (const [x, y] of [[0.5, 0.05], [0.5, 0.5], [0.05, 0.5]]) await view.page.mouse.move(l + info.rect.width * x, t + info.rect.height * y, { steps: 4 });
  await view.page.mouse.up();
  await view.page.waitForFunction(() => /selected/.test(document.querySelector('[data-testid=selection]')!.textContent ?? ''), undefined, { timeout: 60_000 });
  const lasso = Date.now() - t0;
  const longest = await longestTask(view.page);
  const steps = (await timings()).slice(1);
  const errors = view.errors();
  if (errors.length) throw new Error(errors.join('\n'));
  return { view, steps, longest, hover, lasso, drawChunks };
}

/** The same points through Plotly's scattergl, three subplots, one trace per label chunk. */
async function plotly(page: Page): Promise<Timing[]> {
  await page.goto('about:blank');
  await page.addScriptTag({ path: join(__dirname, '..', '..', 'node_modules', 'plotly.js-strict-dist-min', 'plotly-strict.min.js') });
  await page.evaluate(installStepMaker, POINTS);
  return page.evaluate(async (steps) => {
    const w = window as unknown as PageGlobals & { Plotly: { react(...a: unknown[]): Promise<unknown> } };
    const div = document.createElement('div');
    div.style.cssText = 'width:1560px;height:620px';
    document.body.append(div);
    const out: Timing[] = [];
    for (let k = 0; k < steps; k++) {
      const m = w.__makeStep(k * 100) as { spaces: { x: Float32Array; y: Float32Array; fields: { codes?: Uint32Array }[] }[] };
      const t0 = performance.now();
      const data: unknown[] = [];
      const layout: Record<string, unknown> = { showlegend: false, margin: { l: 40, r: 20, t: 36, b: 30 } };
      m.spaces.forEach((s, i) => {
        const ax = i === 0 ? '' : String(i + 1);
        layout[`xaxis${ax}`] = { domain: [i / 3 + 0.02, (i + 1) / 3 - 0.02] };
        layout[`yaxis${ax}`] = { anchor: `x${ax}` };
        // Chunks under Plotly's 100,000-point clustering threshold, as the panel cut them.
        for (let start = 0; start < s.x.length; start += 65_536) {
          const end = Math.min(s.x.length, start + 65_536);
          data.push({ type: 'scattergl', mode: 'markers', xaxis: `x${ax}`, yaxis: `y${ax}`, x: s.x.subarray(start, end), y: s.y.subarray(start, end), marker: { size: 5, color: Array.from(s.fields[0].codes!.subarray(start, end), (c) => ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'][c]) } });
        }
      });
      await w.Plotly.react(div, data, layout, { displaylogo: false });
      const issued = performance.now() - t0;
      // On screen, as for the others: a pixel read back from each of its WebGL canvases waits for the GPU.
      for (const c of Array.from(div.querySelectorAll("canvas"))) c.getContext('webgl')?.readPixels(0, 0, 1, 1, WebGLRenderingContext.RGBA, WebGLRenderingContext.UNSIGNED_BYTE, new Uint8Array(4));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      out.push({ issued, frame: performance.now() - t0 });
    }
    return out.slice(1);
  }, STEPS);
}

/**
 * The floor under any WebGL scatter on this browser: the same number of points as bare
 * GL_POINTS (one buffer upload, one draw call, the plot's canvas size), timed the same way.
 */
async function bareWebGl(page: Page): Promise<number[]> {
  await page.goto('about:blank');
  await page.evaluate(installStepMaker, POINTS);
  if (process.env.RUNREEL_BENCH_TRACE) console.error('---- bare WebGL');
  return tracePage(page, 'step', () => STEPS - 1, () => page.evaluate(async (steps) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1500;
    canvas.height = 600;
    document.body.append(canvas);
    // The panel's context attributes: no multisampling, which would only add work; opaque.
    const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: true, alpha: false })!;
    const shader = (type: number, src: string) => { const s = gl.createShader(type)!; gl.shaderSource(s, src); gl.compileShader(s); return s; };
    const program = gl.createProgram()!;
    gl.attachShader(program, shader(gl.VERTEX_SHADER, '#version 300 es\nin vec2 p; void main() { gl_Position = vec4(p, 0., 1.); gl_PointSize = 5.; }'));
    gl.attachShader(program, shader(gl.FRAGMENT_SHADER, '#version 300 es\nprecision mediump float; out vec4 o; void main() { if (length(gl_PointCoord - .5) > .5) discard; o = vec4(.1, .4, .7, 1.); }'));
    gl.linkProgram(program);
    gl.useProgram(program);
    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    const out: number[] = [];
    for (let k = 0; k < steps; k++) {
      // The panel's points for this step, all three spaces, scaled into the canvas.
      const spaces = ((window as unknown as PageGlobals).__makeStep(k * 100) as { spaces: { x: Float32Array; y: Float32Array }[] }).spaces;
      const n = spaces.reduce((m, s) => m + s.x.length, 0);
      const xy = new Float32Array(n * 2);
      let j = 0;
      for (const s of spaces) for (let i = 0; i < s.x.length; i++) { xy[j++] = s.x[i] / 16; xy[j++] = s.y[i] / 16; }
      const t0 = performance.now();
      gl.bufferData(gl.ARRAY_BUFFER, xy, gl.DYNAMIC_DRAW);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.drawArrays(gl.POINTS, 0, xy.length / 2);
      await (window as unknown as PageGlobals).__onScreen(gl);
      out.push(performance.now() - t0);
    }
    return out.slice(1);
  }, STEPS));
}

async function main(): Promise<void> {
  const probe = await probeRenderer();
  if (!probe.software) webgl = 'hardware';
  const renderer = probe.software ? 'SwiftShader (software WebGL)' : probe.renderer;
  const ours = await runReel();
  const floor = await bareWebGl(ours.view.page);
  const candidate = WITH_PLOTLY ? await plotly(ours.view.page) : [];
  await ours.view.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify({
    points: POINTS, spaces: 3, n: ours.steps.length, renderer, hardware: !probe.software,
    issued_median_ms: median(ours.steps.map((t) => t.issued)), issued_max_ms: Math.max(...ours.steps.map((t) => t.issued)),
    frame_median_ms: median(ours.steps.map((t) => t.frame)), frame_max_ms: Math.max(...ours.steps.map((t) => t.frame)),
    longest_task_ms: ours.longest, hover_ms: ours.hover, lasso_ms: ours.lasso, draw_chunks: ours.drawChunks,
    bare_webgl_frame_median_ms: median(floor),
    ...(candidate.length ? { plotly_issued_median_ms: median(candidate.map((t) => t.issued)), plotly_frame_median_ms: median(candidate.map((t) => t.frame)) } : {}),
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
