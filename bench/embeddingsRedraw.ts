// Issue 6: stepping the Embedding Timeline webview in headless Chromium, 3 spaces × N points
// a step. For each step change: from the step's message reaching the page to Plotly having
// issued the draw (main thread), and to the frame after it (on screen). Data is made in the
// page and posted there, so neither includes VS Code's message transfer.
// RUNREEL_BENCH_PROFILE=1 prints where the page's main thread spent its time.
import { WebviewPage } from '../test/unit/webview/page';
import { profilePage } from './profile';

const POINTS = Number(process.argv[2] ?? 100_000);
const STEPS = 12;

interface Timing { issued: number; frame: number }
type PageGlobals = { __timings: Timing[]; __postStep(step: number): void; Plotly: { react(...a: unknown[]): Promise<unknown> } };

async function main(): Promise<void> {
  const view = await WebviewPage.open('embeddings', { libraries: ['plotly.min.js'], inlineStyles: true, boot: { dir: 'bench', align: false, follow: true, trail: 0 }, viewport: { width: 1600, height: 800 } });
  await view.page.addInitScript(({ points }) => {
    const w = window as unknown as PageGlobals;
    const timings: Timing[] = (w.__timings = []);
    let arrived = 0;
    // Registered before the page's own listener: the moment a step arrives.
    window.addEventListener('message', (e) => { if ((e.data as { type?: string }).type === 'stepData') arrived = performance.now(); });
    window.addEventListener('DOMContentLoaded', () => {
      if (!w.Plotly) return;
      const react = w.Plotly.react;
      w.Plotly.react = (...args) => react(...args).then((r) => {
        const issued = performance.now() - arrived;
        requestAnimationFrame(() => requestAnimationFrame(() => timings.push({ issued, frame: performance.now() - arrived })));
        return r;
      });
    });
    w.__postStep = (step: number) => {
      // A seeded walk, so every point moves a little each step, as in training.
      let seed = 1;
      const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
      const spaces = ['latent', 'lora', 'prompt'].map((name, s) => {
        const x = new Float32Array(points), y = new Float32Array(points);
        const codes = new Uint32Array(points), loss = new Float64Array(points);
        for (let i = 0; i < points; i++) {
          const c = i % 10;
          x[i] = Math.cos(c) * 10 + rand() * 4 + step * 0.01 * s;
          y[i] = Math.sin(c) * 10 + rand() * 4 - step * 0.01;
          codes[i] = c;
          loss[i] = rand();
        }
        return { name, x, y, fields: [{ name: 'label', kind: 'category', codes, categories: Array.from({ length: 10 }, (_, k) => `class ${k}`) }, { name: 'loss', kind: 'number', values: loss }] };
      });
      window.postMessage({ type: 'stepData', step, align: false, spaces, warnings: [] }, '*');
    };
  }, { points: POINTS });
  view.onMessage(async (m) => {
    if (m.type === 'ready') await view.post({ type: 'steps', title: 'bench', warnings: [], steps: Array.from({ length: STEPS }, (_, k) => ({ step: k * 100, npz: true })) });
    else if (m.type === 'requestStep') await view.page.evaluate((s) => (window as unknown as PageGlobals).__postStep(s), m.step as number);
  });
  await view.load();
  const timings = () => view.page.evaluate(() => (window as unknown as PageGlobals).__timings);
  const drawn = async (n: number) => {
    for (const end = Date.now() + 120_000; (await timings()).length < n;) {
      if (Date.now() > end) throw new Error(`the webview did not draw: ${view.errors().join('; ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await drawn(1); // the first draw builds the WebGL scene: not a step change
  const stopProfile = await profilePage(view.page, 'step', () => STEPS - 1);
  await view.page.locator('[data-testid=slider]').focus();
  for (let k = 1; k < STEPS; k++) {
    await view.page.keyboard.press('ArrowLeft');
    await drawn(k + 1);
  }
  await stopProfile();
  const steps = (await timings()).slice(1);
  const errors = view.errors();
  await view.page.goto('about:blank');
  const floor = await bareWebGl(view.page, 3 * POINTS);
  await view.close();
  if (errors.length) throw new Error(errors.join('\n'));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify({
    points: POINTS, spaces: 3, n: steps.length,
    issued_median_ms: median(steps.map((t) => t.issued)), issued_max_ms: Math.max(...steps.map((t) => t.issued)),
    frame_median_ms: median(steps.map((t) => t.frame)), frame_max_ms: Math.max(...steps.map((t) => t.frame)),
    bare_webgl_frame_median_ms: median(floor),
  }));
}

/**
 * The floor under any WebGL scatter on this browser: the same number of points as bare
 * GL_POINTS (one buffer upload, one draw call, the plot's canvas size), timed the same way.
 */
async function bareWebGl(page: import('playwright-core').Page, points: number): Promise<number[]> {
  return page.evaluate(async (n) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1500;
    canvas.height = 600;
    document.body.append(canvas);
    const gl = canvas.getContext('webgl2')!;
    const shader = (type: number, src: string) => { const s = gl.createShader(type)!; gl.shaderSource(s, src); gl.compileShader(s); return s; };
    const program = gl.createProgram()!;
    gl.attachShader(program, shader(gl.VERTEX_SHADER, '#version 300 es\nin vec2 p; void main() { gl_Position = vec4(p, 0., 1.); gl_PointSize = 5.; }'));
    gl.attachShader(program, shader(gl.FRAGMENT_SHADER, '#version 300 es\nprecision mediump float; out vec4 o; void main() { if (length(gl_PointCoord - .5) > .5) discard; o = vec4(.1, .4, .7, 1.); }'));
    gl.linkProgram(program);
    gl.useProgram(program);
    gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    const times: number[] = [];
    for (let k = 0; k < 8; k++) {
      const xy = new Float32Array(n * 2);
      for (let i = 0; i < xy.length; i++) xy[i] = Math.random() * 2 - 1;
      const t0 = performance.now();
      gl.bufferData(gl.ARRAY_BUFFER, xy, gl.DYNAMIC_DRAW);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.drawArrays(gl.POINTS, 0, n);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      times.push(performance.now() - t0);
    }
    return times.slice(1);
  }, points);
}

main().catch((e) => { console.error(e); process.exit(1); });
