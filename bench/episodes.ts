// Issue 8: opening and stepping a 2,000-step episode on 30×30 grids. For each log layout the
// producer writes (JaxARC's StructuredLogger: full states, indent=2, gzipped by default; the
// same uncompressed; a compact {"grid"} layout), through the real replay session:
//   first step shown = 'ready' → the first step view posted (what the user waits for);
//   indexed          = the whole log scanned (the chart complete);
//   step change      = a 'step' request → its view posted, for 200 random steps;
// and in headless Chromium the webview's draw of a step (3 grids of 30×30) from the message.
// Prints JSON.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { EpisodeReplaySession } from '../src/domain/episodes/replaySession';
import { DEFAULT_EPISODE_REPLAY, type EpisodeHostToWebview, type StepView } from '../src/protocol/episodes';
import { WebviewPage } from '../test/unit/webview/page';

const [run, ...episodes] = process.argv.slice(2);

async function measure(episode: string) {
  let resolveFirst!: () => void, resolveIndexed!: () => void;
  const first = new Promise<void>((r) => (resolveFirst = r));
  const indexed = new Promise<void>((r) => (resolveIndexed = r));
  let waiting: ((v: StepView) => void) | undefined;
  const views: StepView[] = [];
  let peakRss = 0;
  const session = new EpisodeReplaySession(run, {
    post: (m: EpisodeHostToWebview) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (m.type === 'step') { resolveFirst(); views.push(m.view); waiting?.(m.view); }
      if (m.type === 'episode' && !m.info.indexing && m.info.stepCount > 0) resolveIndexed();
    },
    imageUri: (p) => p,
    warn: () => {},
  }, { episode: join(run, episode) });
  const t0 = performance.now();
  await session.handle({ type: 'ready' });
  await first;
  const firstMs = performance.now() - t0;
  await indexed;
  const indexedMs = performance.now() - t0;
  const times: number[] = [];
  for (let k = 0; k < 200; k++) {
    const index = Math.floor(Math.random() * 2000);
    const got = new Promise<StepView>((r) => (waiting = r));
    const s = performance.now();
    await session.handle({ type: 'step', index });
    const v = await got;
    if (v.index !== index) throw new Error(`asked for ${index}, got ${v.index}`);
    times.push(performance.now() - s);
  }
  await session.dispose();
  times.sort((a, b) => a - b);
  return { first_ms: firstMs, indexed_ms: indexedMs, step_median_ms: times[100], step_max_ms: times[199], peak_rss_mb: peakRss / 1048576, views: views.slice(-3) };
}

async function webviewDraw(views: StepView[]) {
  const page = await WebviewPage.open('episodes', { styles: ['uplot.css'], webgl: false, boot: { ...DEFAULT_EPISODE_REPLAY, run, showTarget: true } });
  await page.load();
  const info = { path: 'x', title: 'bench', episodeNum: 0, taskId: '', totalReward: 0, finalSimilarity: 0, success: false, stepCount: 2000, mode: 'grids', stepNums: [], rewards: Array(2000).fill(0), similarity: Array(2000).fill(0), keyMoments: [], indexing: false, warnings: [] };
  await page.post({ type: 'episode', info });
  const result = await page.page.evaluate((vs) => {
    const times: number[] = [];
    // Ten draws to warm up (canvases made, code compiled), then 200 timed.
    for (let k = -10; k < 200; k++) {
      const view = { ...vs[(k + 10) % vs.length], index: 0 };
      const t = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'step', view } }));
      if (k >= 0) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { median: times[100], max: times[199] };
  }, views);
  await page.close();
  return result;
}

(async () => {
  const out: Record<string, unknown> = {};
  let views: StepView[] = [];
  for (const episode of episodes) {
    const r = await measure(episode);
    views = r.views;
    const dir = join(run, episode);
    const { readdirSync } = await import('node:fs');
    const file = join(dir, readdirSync(dir)[0]);
    out[episode] = { ...r, views: undefined, bytes: statSync(file).size };
  }
  out.webview = await webviewDraw(views);
  console.log(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
