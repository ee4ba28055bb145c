// Issue 21: the live panel's CPU against a bare page's, while the real producer (ring_live.py)
// fills a ring buffer in real time. On the real code:
//  1. host: LiveStream reads the ring at up to 60 Hz for SECONDS in a process of its own that
//     loads only the host's code (bench/liveAudioHost.ts, bundled beside this one); its frames
//     are recorded and that process's CPU time over the span is the host's share; then the
//     host's floor, a bare process reading the same channels' new samples at the same rate;
//  2. webview: the page (headless Chromium, no GPU) gets those frames from a worker of the page
//     at the pace they were read, with the same two-frame ack window, as message events (a
//     structured clone, one buffer a frame, as VS Code delivers them); the renderer processes'
//     CPU time (all threads, the replaying worker included, as in the floor) over the replay is its share;
//  3. the floor: bare pages with canvases of the same sizes get the same frames the same way
//     and draw only the new columns; rounds alternate the pages and the median counts;
//  4. one more replay of the panel, traced: its longest main-thread task, rendering included.
// Prints JSON: CPU as a fraction of one core, the floor's, samples lost, the longest task.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LiveStream } from '../src/domain/audio/liveStream';
import { DEFAULT_LIVE_AUDIO, LIVE_FRAME_MS, type LiveAudioHostToWebview, type LiveFrame } from '../src/protocol/audio';
import { startRingWriter, stopRingWriter } from '../test/liveRingWriter';
import type { Page } from 'playwright-core';
import { WebviewPage } from '../test/unit/webview/page';
import { probeRenderer } from './gpu';
import { longestMainTask, profilePage, tracePage } from './profile';

const [rate, channels, lanes] = process.argv.slice(2, 5).map(Number);
const SECONDS = Number(process.argv[5] ?? 10);
/** A frame as the host half recorded it: its arrays still encoded (they go on to the page as they are). */
type RecordedFrame = Pick<LiveFrame, 'seq' | 'start' | 'end' | 'fresh' | 'overrun' | 'skipped' | 'readMs'> & { at: number };

/** Replays of each page; the median counts (the machine's load varies from second to second). */
const ROUNDS = Number(process.env.RUNREEL_BENCH_ROUNDS ?? 3);

/** utime + stime of a process and all its threads, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds per thread name (main thread, worker, compositor, raster…) of processes `pids`. */
function threadSeconds(pids: number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = /\((.*)\)/.exec(stat)![1].replace(/\d+$/, '');
        const f = stat.replace(/^.*\) /, '').split(' ');
        out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
      } catch { /* exited */ }
    }
  }
  return out;
}

/** Chromium's processes of a `type` (renderer, gpu-process) descending from process `root` (this one: Playwright spawns the browser). */
function chromiumProcesses(root: number, type = 'renderer'): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmd.includes(`--type=${type}`)) continue;
      let pid = Number(name);
      for (let depth = 0; depth < 5 && pid > 1; depth++) {
        pid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
        if (pid === root) { found.push(Number(name)); break; }
      }
    } catch { /* exited */ }
  }
  return found;
}

/**
 * Puts `frames` in a worker of the page (out of the page's heap, as a webview's host is) that
 * replays them at the times they were read, two unacknowledged at most: each arrives as a
 * message event whose data the page deserializes, as from VS Code. `__ack(seq)` acknowledges.
 */
async function installReplay(page: Page, frames: RecordedFrame[]): Promise<void> {
  await page.evaluate((frameMs) => {
    const source = `
      // A frame's arrays as views of one buffer, as VS Code delivers the host's (one buffer a frame).
      const count = (v) => Array.isArray(v) ? v.reduce((n, x) => n + count(x), 0) : v && typeof v === 'object' ? ('__f32' in v ? v.__f32.length : Object.values(v).reduce((n, x) => n + count(x), 0)) : 0;
      const reviveInto = (v, all) => Array.isArray(v) ? v.map((x) => reviveInto(x, all)) : v && typeof v === 'object' ? ('__f32' in v ? (() => { const a = all.buffer.subarray(all.at, all.at += v.__f32.length); v.__f32.forEach((x, i) => { a[i] = x === null ? NaN : x; }); return a; })() : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reviveInto(x, all)]))) : v;
      const revive = (frame) => reviveInto(frame, { buffer: new Float32Array(count(frame)), at: 0 });
      let frames = [], acked = 0;
      onmessage = (e) => {
        const m = e.data;
        if (m.type === 'frames') frames.push(...JSON.parse(m.json).map(revive));
        else if (m.type === 'ack') acked = Math.max(acked, m.seq);
        else if (m.type === 'shift') for (const f of frames) { f.start += m.by; f.end += m.by; }
        else if (m.type === 'replay') {
          acked = 0;
          let i = 0, skipped = 0, held = 0;
          const t0 = performance.now(), at0 = frames[0].at;
          const step = () => {
            if (i >= frames.length) { postMessage({ type: 'done', sent: i, skipped }); return; }
            const wait = t0 + frames[i].at - at0 - performance.now();
            if (wait > 0) { setTimeout(step, wait); return; }
            // The page is behind: the host would wait, and say so in its next frame.
            if (frames[i].seq - acked > 2) { skipped++; held++; setTimeout(step, ${frameMs}); return; }
            postMessage({ type: 'frame', frame: { ...frames[i++], held } });
            held = 0;
            step();
          };
          step();
        }
      };`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    let done: (r: { sent: number; skipped: number }) => void = () => {};
    worker.onmessage = (e) => {
      if (e.data.type === 'frame') window.dispatchEvent(new MessageEvent('message', { data: e.data.frame }));
      else done(e.data);
    };
    Object.assign(window, {
      __replayer: worker,
      __ack: (seq: number) => worker.postMessage({ type: 'ack', seq }),
      __shift: (by: number) => worker.postMessage({ type: 'shift', by }),
      __replay: () => new Promise((resolve) => { done = resolve; worker.postMessage({ type: 'replay' }); }),
    });
  }, LIVE_FRAME_MS);
  for (let i = 0; i < frames.length; i += 50) {
    // RUNREEL_BENCH_NO_SPECTRUM=1 (diagnosis): frames without the spectrogram's samples, to see what the spectrogram costs.
    const json = JSON.stringify(frames.slice(i, i + 50), (k, v) => (k === 'spectrum' && process.env.RUNREEL_BENCH_NO_SPECTRUM ? undefined : v));
    await page.evaluate((j) => (window as unknown as { __replayer: Worker }).__replayer.postMessage({ type: 'frames', json: j }), json);
  }
}

/** Runs the page's replay; its renderer processes' CPU (all threads) as a fraction of a core, and what the page says it drew. */
async function measureReplay(page: Page): Promise<{ core: number; gpuProcess: number; threads: Record<string, number>; sent: number; skipped: number; dropped: number; stats: string | null }> {
  const stats = page.getByTestId('stats');
  const has = (await stats.count()) > 0;
  // The page's count of dropped frames runs on between replays: this replay's is the difference.
  const droppedBefore = has ? Number(await stats.getAttribute('data-dropped')) : 0;
  const pids = chromiumProcesses(process.pid);
  const before = pids.reduce((s, p) => s + cpuSeconds(p), 0);
  // The GPU process composites the pages' layers (in software without a GPU): reported beside, not in, the page's share.
  const gpuPids = chromiumProcesses(process.pid, 'gpu-process');
  const gpuBefore = gpuPids.reduce((s, p) => s + cpuSeconds(p), 0);
  const threadsBefore = threadSeconds(pids);
  const wall = performance.now();
  const replay = await page.evaluate(() => (window as unknown as { __replay(): Promise<{ sent: number; skipped: number }> }).__replay());
  const seconds = (performance.now() - wall) / 1000;
  const core = (pids.reduce((s, p) => s + cpuSeconds(p), 0) - before) / seconds;
  const gpuProcess = (gpuPids.reduce((s, p) => s + cpuSeconds(p), 0) - gpuBefore) / seconds;
  const threads = Object.fromEntries([...threadSeconds(pids)].map(([name, sec]) => [name, (sec - (threadsBefore.get(name) ?? 0)) / seconds] as const).filter(([, v]) => v > 0.005).sort((a, b) => b[1] - a[1]));
  return {
    core, gpuProcess, threads, sent: replay.sent, skipped: replay.skipped,
    dropped: has ? Number(await stats.getAttribute('data-dropped')) - droppedBefore : 0, stats: has ? await stats.textContent() : null,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'runreel-bench-live-'));
  const file = join(dir, 'audiotab_ringbuf');
  const writer = await startRingWriter(file, { rate, channels, secondsHeld: 2, spw: 1024 });
  let view: WebviewPage | undefined;
  let other: { page: WebviewPage; subscription: { id: number } } | undefined;
  try {
    // Without a GPU, 2-D canvases composite faster without SwiftShader; with one, on the GPU.
    const gpu = await probeRenderer();
    // The page, to learn the bucket size it asks for at this width.
    const openPanel = async (bundle: string, first?: LiveAudioHostToWebview) => {
      const page = await WebviewPage.open(bundle, { styles: ['uplot.css'], webgl: gpu.software ? false : 'hardware', viewport: { width: 1400, height: Math.max(700, lanes * 46 + 420) }, boot: { ...DEFAULT_LIVE_AUDIO, path: file, channels: `0-${lanes - 1}`, span: 1 } });
      const subscriptions: Record<string, unknown>[] = [];
      page.onMessage((m) => { if (m.type === 'subscribe') subscriptions.push(m); });
      await page.load();
      // The first subscription learns the shape; answer it with one real frame so the page lays out.
      for (const end = Date.now() + 10_000; subscriptions.length < 1;) { if (Date.now() > end) throw new Error('no subscription'); await new Promise((r) => setTimeout(r, 20)); }
      if (!first) {
        const probe: LiveAudioHostToWebview[] = [];
        const probeStream = new LiveStream(file, (m) => probe.push(m));
        probeStream.subscribe(subscriptions[0] as never);
        for (const end = Date.now() + 10_000; probe.length < 1;) { if (Date.now() > end) throw new Error('no frame'); await new Promise((r) => setTimeout(r, 20)); }
        probeStream.dispose();
        first = probe[0];
      }
      await page.post(first);
      for (const end = Date.now() + 10_000; subscriptions.length < 2;) { if (Date.now() > end) throw new Error('no layout'); await new Promise((r) => setTimeout(r, 20)); }
      // The page may subscribe again once its plot has settled: use the last one.
      for (let seen = 0; seen !== subscriptions.length;) { seen = subscriptions.length; await new Promise((r) => setTimeout(r, 500)); }
      return { page, first, subscription: subscriptions.at(-1) as unknown as { id: number } };
    };
    const opened = await openPanel('liveAudio');
    view = opened.page;
    const subscription = opened.subscription;
    // RUNREEL_BENCH_VARIANT_BUNDLE=name (diagnosis): another build of the panel (webview/<name>/main.ts,
    // a copy of webview/liveAudio changed), in the same rounds, so a change is compared in one run.
    const variantBundle = process.env.RUNREEL_BENCH_VARIANT_BUNDLE;
    other = variantBundle ? await openPanel(variantBundle, opened.first) : undefined;
    if (other && JSON.stringify(other.subscription) !== JSON.stringify(subscription)) throw new Error(`the variant asked for ${JSON.stringify(other.subscription)}, the panel for ${JSON.stringify(subscription)}`);

    // Diagnosis: RUNREEL_BENCH_HIDE=selector hides a part of the page to see what it costs.
    if (process.env.RUNREEL_BENCH_HIDE) await view.page.evaluate((sel) => document.querySelectorAll<HTMLElement>(sel).forEach((e) => { e.style.display = 'none'; }), process.env.RUNREEL_BENCH_HIDE);
    // RUNREEL_BENCH_STYLE='[["selector","property","value"],…]' sets inline styles (the page's CSP allows no style sheet) to see what they cost.
    if (process.env.RUNREEL_BENCH_STYLE) await view.page.evaluate((rules) => { for (const [sel, prop, value] of rules) document.querySelectorAll<HTMLElement>(sel).forEach((e) => e.style.setProperty(prop, value, 'important')); }, JSON.parse(process.env.RUNREEL_BENCH_STYLE) as [string, string, string][]);
    // RUNREEL_BENCH_LAYERS=1 (diagnosis): the panel's compositor layers, and how often each repainted during one replay.
    const layers = process.env.RUNREEL_BENCH_LAYERS ? await view.page.context().newCDPSession(view.page) : undefined;
    let layerTree: { layerId: string; paintCount?: number; width: number; height: number; drawsContent: boolean; backendNodeId?: number }[] = [];
    if (layers) {
      layers.on('LayerTree.layerTreeDidChange', (e: { layers?: typeof layerTree }) => { if (e.layers) layerTree = e.layers; });
      await layers.send('DOM.getDocument', { depth: -1 });
      await layers.send('LayerTree.enable');
    }
    // 1. host: in a process of its own, as the extension host is (this one drives the browser too).
    const hostOut = join(dir, 'host.json');
    const child = spawnSync(process.execPath, [join(dirname(process.argv[1]), 'liveAudioHost.cjs'), file, JSON.stringify(subscription), String(SECONDS), hostOut], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`the host half exited with ${child.status}`);
    const { core: hostCore, frames } = JSON.parse(readFileSync(hostOut, 'utf8')) as { core: number; frames: RecordedFrame[] };
    // The host's floor: a bare reader of the same channels' new samples at the same rate, in the same kind of process.
    const bareOut = join(dir, 'bare.json');
    const bareChild = spawnSync(process.execPath, [join(dirname(process.argv[1]), 'liveAudioHost.cjs'), '--bare', file, JSON.stringify(subscription), String(SECONDS), bareOut], { stdio: 'inherit' });
    if (bareChild.status !== 0) throw new Error(`the bare host exited with ${bareChild.status}`);
    const hostFloor = JSON.parse(readFileSync(bareOut, 'utf8')) as { core: number; frames: number };

    // 2. webview: replay those frames at the pace they were read, two unacknowledged at most.
    const acksInPage = () => {
      // Acks are answered in the page, so the harness's round trip to node adds no latency.
      const w = window as unknown as { __ack(seq: number): void; __toHost(m: { type: string; seq?: number }): void };
      const toHost = w.__toHost;
      w.__toHost = (m) => { if (m.type === 'ack') w.__ack(m.seq!); else toHost?.(m); };
    };
    await installReplay(view.page, frames);
    await view.page.evaluate(acksInPage);
    if (other) {
      await installReplay(other.page.page, frames);
      await other.page.page.evaluate(acksInPage);
      await measureReplay(other.page.page);
    }
    // A replay to warm up, so the views have their sizes (the spectrogram's is set by its first
    // columns) and the page's code is compiled; the rounds' frames are moved on past it.
    const shift = frames.at(-1)!.end - frames[0].start;
    await measureReplay(view.page);
    if (layers) {
      const before = new Map(layerTree.map((l) => [l.layerId, l.paintCount ?? 0]));
      await view.page.evaluate((d) => (window as unknown as { __shift(by: number): void }).__shift(d), shift);
      await measureReplay(view.page);
      for (const l of layerTree) {
        const reasons = (await layers.send('LayerTree.compositingReasons', { layerId: l.layerId }).catch(() => ({ compositingReasons: [] }))) as { compositingReasons: string[] };
        const node = l.backendNodeId ? await layers.send('DOM.describeNode', { backendNodeId: l.backendNodeId }).catch(() => undefined) as { node: { nodeName: string; attributes?: string[] } } | undefined : undefined;
        console.error(`layer ${l.layerId} ${l.width}x${l.height} draws=${l.drawsContent} repaints=${(l.paintCount ?? 0) - (before.get(l.layerId) ?? 0)} ${node ? `${node.node.nodeName} ${(node.node.attributes ?? []).join(' ').slice(0, 80)}` : ''} [${reasons.compositingReasons.join(',')}]`);
      }
      await layers.send('LayerTree.disable');
      await layers.detach();
    }
    await view.page.evaluate((d) => (window as unknown as { __shift(by: number): void }).__shift(d), shift);
    const sizes = await view.page.evaluate(() => {
      // Each view's picture (its tiles' columns) and its box on the page.
      const box = (sel: string) => {
        const e = document.querySelector<HTMLElement & { snapshot(): HTMLCanvasElement }>(sel)!, c = e.snapshot(), r = e.getBoundingClientRect();
        return { width: c.width, height: c.height, cssWidth: r.width, cssHeight: r.height };
      };
      return { lanes: box('[data-testid=lanes]'), spectrogram: box('[data-testid=spectrogram]') };
    });
    const hop = Number(/hop (\d+)/.exec((await view.page.getByTestId('spectrogram-label').textContent()) ?? '')?.[1] ?? 512);

    // 3. the floor: a bare page (a tab beside the panel's) with canvases of the same sizes gets
    // the same frames at the same pace and draws each frame's new lane columns from its
    // min/max, and as many new spectrogram columns (one fill each: no STFT). Scrolled both ways
    // a bare page might, by copying each canvas onto itself and by moving it with a CSS
    // transform, and two that draw (copy-scrolled) on OffscreenCanvases: in a worker, so the
    // page's main thread does no rendering, and on the main thread, whose frames then skip the
    // document's lifecycle; the cheapest is the floor.
    const pages: [string, Page][] = [['ours', view.page]];
    for (const scroll of ['copy', 'transform', 'offscreen', 'offscreen-main'] as const) {
      const page = await view.page.context().browser()!.newPage({ viewport: view.page.viewportSize() ?? undefined });
      await page.goto('about:blank');
      await installReplay(page, frames);
      if (scroll === 'offscreen' || scroll === 'offscreen-main') {
        await page.evaluate(({ sizes, hop, inWorker }) => {
          const w = window as unknown as { __ack(seq: number): void };
          document.body.style.margin = '0';
          const make = (s: { width: number; height: number; cssWidth: number; cssHeight: number }) => {
            const c = document.createElement('canvas');
            c.width = s.width; c.height = s.height;
            c.style.cssText = `display:block;width:${s.cssWidth}px;height:${s.cssHeight}px`;
            document.body.append(c);
            return c.transferControlToOffscreen();
          };
          const lanes = make(sizes.lanes), spec = make(sizes.spectrogram);
          const source = `
            let lanes, spec, end = -1, specEnd = -1, hop = 0, grey;
            const scrollBy = (c, ctx, m) => { ctx.globalCompositeOperation = 'copy'; ctx.drawImage(c, -m, 0); ctx.globalCompositeOperation = 'source-over'; ctx.clearRect(c.width - m, 0, m, c.height); };
            const handle = (e) => {
              if (e.data.lanes) { lanes = e.data.lanes; spec = e.data.spec; hop = e.data.hop; grey = new ImageData(1, spec.height); grey.data.fill(128); return; }
              const f = e.data, lc = lanes.getContext('2d'), sc = spec.getContext('2d');
              const width = lanes.width, n = f.min.length, columns = f.min[0]?.length ?? 0;
              const added = end < 0 ? columns : Math.min(columns, Math.round((f.end - end) / f.bucket));
              end = f.end;
              const m = Math.min(added, width);
              scrollBy(lanes, lc, m);
              const laneHeight = lanes.height / Math.max(1, n), amp = laneHeight * 0.45;
              lc.fillStyle = '#4e9fe0';
              for (let j = 0; j < m; j++) {
                const i = columns - m + j, x = width - m + j;
                for (let lane = 0; lane < n; lane++) {
                  const a = f.min[lane][i], b = f.max[lane][i];
                  if (a !== a) continue;
                  const base = (lane + 0.5) * laneHeight;
                  lc.fillRect(x, Math.floor(base - b * amp), 1, Math.max(1, Math.ceil((b - a) * amp)));
                }
              }
              const k = Math.min(specEnd < 0 ? 0 : Math.floor(f.end / hop) - Math.floor(specEnd / hop), spec.width);
              specEnd = f.end;
              if (k > 0) { scrollBy(spec, sc, k); for (let i = 0; i < k; i++) sc.putImageData(grey, spec.width - k + i, 0); }
              send(f.seq);
            };`;
          if (!inWorker) {
            // The same drawing on the page's main thread, on the same OffscreenCanvases.
            // eslint-disable-next-line @typescript-eslint/no-implied-eval
            const handle = new Function('send', `${source}; return handle;`)((seq: number) => w.__ack(seq)) as (e: { data: unknown }) => void;
            handle({ data: { lanes, spec, hop } });
            window.addEventListener('message', (e) => handle(e));
            return;
          }
          const worker = new Worker(URL.createObjectURL(new Blob([`const send = (seq) => postMessage(seq); ${source}; onmessage = handle;`], { type: 'text/javascript' })));
          worker.postMessage({ lanes, spec, hop }, [lanes, spec]);
          worker.onmessage = (e) => w.__ack(e.data as number);
          window.addEventListener('message', (e) => worker.postMessage(e.data));
        }, { sizes, hop, inWorker: scroll === 'offscreen' });
        pages.push([scroll, page]);
        continue;
      }
      await page.evaluate(({ sizes, scroll, hop }) => {
        const w = window as unknown as { __ack(seq: number): void };
        const canvas = (s: { width: number; height: number; cssWidth: number; cssHeight: number }) => {
          const c = document.createElement('canvas');
          c.width = scroll === 'transform' ? 2 * s.width : s.width;
          c.height = s.height;
          c.style.cssText = `display:block;width:${(s.cssWidth * c.width) / s.width}px;height:${s.cssHeight}px`;
          const box = document.createElement('div');
          box.style.cssText = `overflow:hidden;width:${s.cssWidth}px;height:${s.cssHeight}px`;
          box.append(c);
          document.body.append(box);
          return { c, ctx: c.getContext('2d')!, x: 0, cssPerPx: s.cssWidth / s.width };
        };
        document.body.style.margin = '0';
        const lanes = canvas(sizes.lanes), spec = canvas(sizes.spectrogram);
        const grey = new ImageData(1, sizes.spectrogram.height);
        grey.data.fill(128);
        /** The next `k` columns of `v`: where they go, scrolled into view. */
        const advance = (v: typeof lanes, k: number, width: number): number[] => {
          const xs: number[] = [];
          if (scroll === 'copy') {
            const m = Math.min(k, width);
            v.ctx.globalCompositeOperation = 'copy';
            v.ctx.drawImage(v.c, -m, 0);
            v.ctx.globalCompositeOperation = 'source-over';
            v.ctx.clearRect(width - m, 0, m, v.c.height);
            for (let i = 0; i < m; i++) xs.push(width - m + i);
          } else {
            // A strip twice as wide: write at x mod 2·width, move it left (wrapping once per width).
            for (let i = 0; i < k; i++) { xs.push(v.x % (2 * width)); v.x++; }
            v.c.style.transform = `translateX(${-(((v.x - width) % (2 * width)) + 2 * width) % (2 * width) * v.cssPerPx}px)`;
          }
          return xs;
        };
        let end = -1, specEnd = -1;
        window.addEventListener('message', (e) => {
          const f = e.data as { seq: number; start: number; end: number; bucket: number; min: Float32Array[]; max: Float32Array[] };
          const width = sizes.lanes.width, n = f.min.length;
          const columns = f.min[0]?.length ?? 0;
          const added = end < 0 ? columns : Math.min(columns, Math.round((f.end - end) / f.bucket));
          end = f.end;
          const xs = advance(lanes, added, width);
          const laneHeight = sizes.lanes.height / Math.max(1, n), amp = laneHeight * 0.45;
          lanes.ctx.fillStyle = '#4e9fe0';
          xs.forEach((x, j) => {
            const i = columns - added + j;
            for (let lane = 0; lane < n; lane++) {
              const a = f.min[lane][i], b = f.max[lane][i];
              if (a !== a) continue;
              const base = (lane + 0.5) * laneHeight;
              lanes.ctx.fillRect(x, Math.floor(base - b * amp), 1, Math.max(1, Math.ceil((b - a) * amp)));
            }
          });
          const specColumns = specEnd < 0 ? 0 : Math.floor(f.end / hop) - Math.floor(specEnd / hop);
          specEnd = f.end;
          for (const x of advance(spec, Math.min(specColumns, sizes.spectrogram.width), sizes.spectrogram.width)) spec.ctx.putImageData(grey, x, 0);
          w.__ack(f.seq);
        });
      }, { sizes, scroll, hop });
      pages.push([scroll, page]);
    }

    // RUNREEL_BENCH_VARIANT_STYLE (diagnosis, as RUNREEL_BENCH_STYLE): the panel again with these
    // inline styles, in the same rounds, so a change is compared with the panel as it is in one
    // run. The styles are removed for the panel's own turns: name no property the page sets inline.
    const variant = process.env.RUNREEL_BENCH_VARIANT_STYLE ? JSON.parse(process.env.RUNREEL_BENCH_VARIANT_STYLE) as [string, string, string][] : undefined;
    // RUNREEL_BENCH_VARIANT_SCRIPT (diagnosis): a function of one boolean, called in the page with true before the variant's turns and false before the panel's.
    const variantScript = process.env.RUNREEL_BENCH_VARIANT_SCRIPT;
    if (variant || variantScript) pages.push(['variant', view.page]);
    if (other) pages.push(['variant', other.page.page]);
    const styleVariant = async (on: boolean) => {
      await view!.page.evaluate(({ rules, on }) => {
        for (const [sel, prop, value] of rules) document.querySelectorAll<HTMLElement>(sel).forEach((e) => { if (on) e.style.setProperty(prop, value, 'important'); else e.style.removeProperty(prop); });
      }, { rules: variant ?? [], on });
      if (variantScript) await view!.page.evaluate(`(${variantScript})(${on})`);
    };
    // Rounds, each page in turn while the others idle; a later round's frames are moved on in
    // the stream so they are new to the page. The median round counts.
    const results = new Map<string, Awaited<ReturnType<typeof measureReplay>>[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, page] of pages) {
        await page.bringToFront();
        if (round > 0 || (name === 'variant' && !other)) await page.evaluate((d) => (window as unknown as { __shift(by: number): void }).__shift(d), shift);
        if (variant || variantScript) await styleVariant(name === 'variant');
        if (process.env.RUNREEL_BENCH_TRACE && round === 0) console.error(`---- ${name}`);
        const stopProfile = round === 0 && name === 'ours' ? await profilePage(page, 'frame', () => frames.length) : async () => {};
        const r = round === 0 ? await tracePage(page, 'frame', () => frames.length, () => measureReplay(page)) : await measureReplay(page);
        await stopProfile();
        results.set(name, [...(results.get(name) ?? []), r]);
      }
    }
    const median = (name: string) => [...results.get(name)!].sort((a, b) => a.core - b.core)[results.get(name)!.length >> 1];
    const ours = median('ours');
    const floors = Object.fromEntries(pages.slice(1).filter(([name]) => name !== 'variant').map(([name]) => [name, median(name)]));
    const floor = Math.min(...Object.values(floors).map((f) => f.core));
    // One more replay, traced (tracing costs CPU, so not in the rounds): the longest main-thread task.
    await view.page.bringToFront();
    await view.page.evaluate((d) => (window as unknown as { __shift(by: number): void }).__shift(d), shift);
    const panel = view.page;
    const longest = await longestMainTask(panel, () => measureReplay(panel));
    const read = frames.map((f) => f.readMs).sort((a, b) => a - b);
    const total = hostCore + ours.core;
    // Samples that never reached the lanes' min/max: overwritten, skipped, or a gap between frames.
    let lost = 0;
    frames.forEach((f, i) => { lost += f.overrun + f.skipped + (i > 0 && !f.fresh ? Math.max(0, f.start - frames[i - 1].end) : 0); });
    console.log(JSON.stringify({
      rate, channels, lanes, seconds: SECONDS, renderer: gpu.software ? 'software (no GPU)' : gpu.renderer, host_frames: frames.length, host_core: hostCore, host_floor_core: hostFloor.core, host_floor_frames: hostFloor.frames, host_read_median_ms: read[read.length >> 1],
      page_core: ours.core, page_threads: ours.threads, page_frames: ours.sent, page_waits: ours.skipped, page_dropped: ours.dropped, page_stats: ours.stats,
      lost_samples: lost, longest_task_ms: longest, sizes, floor_core: floor, floor_copy_core: floors.copy.core, floor_transform_core: floors.transform.core, floor_transform_threads: floors.transform.threads, floor_offscreen_core: floors.offscreen.core, floor_offscreen_threads: floors.offscreen.threads, floor_offscreen_main_core: floors['offscreen-main'].core, floor_offscreen_main_threads: floors['offscreen-main'].threads, rounds: ROUNDS,
      gpu_process_core: { page: ours.gpuProcess, ...Object.fromEntries(Object.entries(floors).map(([name, f]) => [`floor_${name}`, f.gpuProcess])) },
      floor_frames: Math.min(...Object.values(floors).map((f) => f.sent)), ratio: total / floor, errors: view.errors(),
      ...(variant || variantScript || other ? { variant_gpu_process_core: median('variant').gpuProcess, variant_core: median('variant').core, variant_threads: median('variant').threads, variant_dropped: median('variant').dropped } : {}),
    }));
  } finally {
    await other?.page.close();
    await view?.close();
    await stopRingWriter(writer);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
