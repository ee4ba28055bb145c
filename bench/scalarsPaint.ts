// Issue 20: the Scalars panel's first paint in headless Chromium, RUNS runs × TAGS tags of
// POINTS points each (the issue: 20 × 12 × 20,000). Data is made in the page and posted
// there, so VS Code's message transfer is not counted. Measured: from the first data message
// to the frame after every card in view has drawn, and the page's longest main-thread task.
import { WebviewPage } from '../test/unit/webview/page';
import { profilePage } from './profile';

const [RUNS, TAGS, POINTS] = [Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 12), Number(process.argv[4] ?? 20_000)];
type PageGlobals = { __post(): void; __t0: number; __tasks: number[] };

async function main(): Promise<void> {
  const dirs = Array.from({ length: RUNS }, (_, r) => `/bench/run_${String(r).padStart(2, '0')}`);
  const view = await WebviewPage.open('scalars', { styles: ['uplot.css'], webgl: false, viewport: { width: 1600, height: 1000 }, boot: { roots: ['/bench'], selected: dirs, colours: {}, runFilter: '', tagFilter: '', smoothing: 0.6, x: 'step', logX: false, logY: false, ignoreOutliers: false, showAllWritten: false, collapsed: [], hparamsSort: { key: 'run', descending: false }, hparamsFilter: '' } });
  await view.page.addInitScript(({ dirs, tags, points }) => {
    const w = window as unknown as PageGlobals;
    w.__tasks = [];
    // Registered before the page's own listener: the moment the first data message arrives
    // (the sender's serialisation is not the page's work; in VS Code it is another process's).
    window.addEventListener('message', (e) => { if ((e.data as { type?: string }).type === 'data' && !w.__t0) w.__t0 = performance.now(); });
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__tasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
    w.__post = () => {
      const made = dirs.map((dir, r) => ({
        type: 'data', run: dir, reset: true, hparams: [['lr', 0.001 * (r + 1)]], notes: [],
        chunks: Array.from({ length: tags }, (_, t) => {
          const steps = new Float64Array(points), values = new Float64Array(points), wallTimes = new Float64Array(points);
          let seed = r * 100 + t + 1;
          for (let i = 0; i < points; i++) {
            seed = (seed * 1103515245 + 12345) >>> 0;
            steps[i] = i; wallTimes[i] = 1.8e9 + i;
            values[i] = Math.exp(-i / (points / 3)) * (1 + t) + 0.05 * (seed / 4294967296);
          }
          return { tag: `${t % 2 ? 'train' : 'val'}/metric_${t}`, source: 'events', from: 0, steps, values, wallTimes };
        }),
      }));
      w.__t0 = 0;
      for (const m of made) window.postMessage(m, '*');
    };
  }, { dirs, tags: TAGS, points: POINTS });
  view.onMessage(async (m) => {
    if (m.type === 'ready') await view.post({ type: 'runs', scanning: false, runs: dirs.map((d) => ({ dir: d, label: d.slice(7), group: '' })) });
  });
  await view.load();
  await view.page.waitForSelector('[data-testid=summary]');
  const stopProfile = await profilePage(view.page, 'paint', () => 1);
  const result = await view.page.evaluate(async ({ runs, tags, points }) => {
    const w = window as unknown as PageGlobals;
    w.__tasks.length = 0;
    w.__post();
    const inView = () => Array.from(document.querySelectorAll('[data-testid=card]')).filter((c) => { const b = c.getBoundingClientRect(); return b.top < innerHeight && b.bottom > 0; });
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const cards = inView();
      if (document.querySelector('[data-testid=summary]')!.textContent!.startsWith(`${runs} runs · ${tags} tags · ${(runs * tags * points).toLocaleString()} points`)
        && cards.length > 0 && cards.every((c) => c.querySelector('.uplot')?.getAttribute('data-points'))) break;
      if (w.__t0 && performance.now() - w.__t0 > 60_000) throw new Error('cards did not draw in 60 s');
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return { first_paint_ms: performance.now() - w.__t0, cards_in_view: inView().length, longest_task_ms: Math.max(0, ...w.__tasks), tasks_ms: w.__tasks.reduce((a, b) => a + b, 0) };
  }, { runs: RUNS, tags: TAGS, points: POINTS });
  await stopProfile();
  const errors = view.errors();
  await view.close();
  if (errors.length) throw new Error(errors.join('\n'));
  console.log(JSON.stringify({ runs: RUNS, tags: TAGS, points: POINTS, ...result }));
}
void main();
