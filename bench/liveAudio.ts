// Issue 7: the live panel's CPU while the real producer (ring_live.py) fills a ring buffer in
// real time. Two halves, each on the real code:
//  1. host: LiveStream reads the ring at up to 60 Hz for SECONDS; its frames are recorded and
//     the process's CPU time over that span is the host's share;
//  2. webview: the page (headless Chromium, no GPU) gets those frames replayed at the same
//     pace by an in-page host with the same two-frame ack window, via window.postMessage (a
//     structured clone, as VS Code delivers them); the renderer process's CPU time (all its
//     threads, the spectrogram worker included) over the replay is the webview's share.
// Prints JSON: CPU as a fraction of one core for each half, frames shown, dropped frames.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveStream } from '../src/domain/audio/liveStream';
import { DEFAULT_LIVE_AUDIO, LIVE_FRAME_MS, type LiveAudioHostToWebview, type LiveFrame } from '../src/protocol/audio';
import { startRingWriter, stopRingWriter } from '../test/liveRingWriter';
import { WebviewPage } from '../test/unit/webview/page';
import { profilePage } from './profile';

const [rate, channels, lanes] = process.argv.slice(2, 5).map(Number);
const SECONDS = Number(process.argv[5] ?? 10);

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

/** Chromium's renderer processes descending from process `root` (this one: Playwright spawns the browser). */
function renderers(root: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      let pid = Number(name);
      for (let depth = 0; depth < 5 && pid > 1; depth++) {
        pid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
        if (pid === root) { found.push(Number(name)); break; }
      }
    } catch { /* exited */ }
  }
  return found;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'runreel-bench-live-'));
  const file = join(dir, 'audiotab_ringbuf');
  const writer = await startRingWriter(file, { rate, channels, secondsHeld: 2, spw: 1024 });
  let view: WebviewPage | undefined;
  try {
    // The page, to learn the bucket size it asks for at this width.
    view = await WebviewPage.open('liveAudio', { styles: ['uplot.css'], webgl: false, viewport: { width: 1400, height: Math.max(700, lanes * 46 + 420) }, boot: { ...DEFAULT_LIVE_AUDIO, path: file, channels: `0-${lanes - 1}`, span: 1 } });
    const subscriptions: Record<string, unknown>[] = [];
    view.onMessage((m) => { if (m.type === 'subscribe') subscriptions.push(m); });
    await view.load();
    // The first subscription learns the shape; answer it with one real frame so the page lays out.
    const probe: LiveAudioHostToWebview[] = [];
    const probeStream = new LiveStream(file, (m) => probe.push(m));
    for (const end = Date.now() + 10_000; subscriptions.length < 1;) { if (Date.now() > end) throw new Error('no subscription'); await new Promise((r) => setTimeout(r, 20)); }
    probeStream.subscribe(subscriptions[0] as never);
    for (const end = Date.now() + 10_000; probe.length < 1;) { if (Date.now() > end) throw new Error('no frame'); await new Promise((r) => setTimeout(r, 20)); }
    probeStream.dispose();
    await view.post(probe[0]);
    for (const end = Date.now() + 10_000; subscriptions.length < 2;) { if (Date.now() > end) throw new Error('no layout'); await new Promise((r) => setTimeout(r, 20)); }
    // The page may subscribe again once its plot has settled: use the last one.
    for (let seen = 0; seen !== subscriptions.length;) { seen = subscriptions.length; await new Promise((r) => setTimeout(r, 500)); }
    const subscription = subscriptions.at(-1) as unknown as { id: number };

    // Diagnosis: RUNREEL_BENCH_HIDE=selector hides a part of the page to see what it costs.
    if (process.env.RUNREEL_BENCH_HIDE) await view.page.evaluate((sel) => document.querySelectorAll<HTMLElement>(sel).forEach((e) => { e.style.display = 'none'; }), process.env.RUNREEL_BENCH_HIDE);
    // 1. host: read at 60 Hz for SECONDS, acknowledging at once; record the frames.
    const frames: LiveFrame[] = [];
    const stream = new LiveStream(file, (m) => {
      if (m.type !== 'frame') return;
      frames.push(m);
      setImmediate(() => stream.ack(m.id, m.seq));
    });
    const cpu0 = process.cpuUsage(), wall0 = performance.now();
    stream.subscribe(subscription as never);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    stream.dispose();
    const hostWall = (performance.now() - wall0) / 1000;
    const c = process.cpuUsage(cpu0);
    const hostCore = (c.user + c.system) / 1e6 / hostWall;

    // 2. webview: replay those frames at the pace they were read, two unacknowledged at most.
    await view.page.evaluate(() => { (window as unknown as { __frames: unknown[] }).__frames = []; });
    for (let i = 0; i < frames.length; i += 50) {
      await view.page.evaluate(`window.__frames.push(...${JSON.stringify(frames.slice(i, i + 50), (_k, v) => (v instanceof Float32Array ? { __f32: Array.from(v, (x) => (Number.isNaN(x) ? null : x)) } : v))})`);
    }
    await view.page.evaluate((frameMs) => {
      const w = window as unknown as { __frames: Record<string, unknown>[]; __replay(): Promise<{ sent: number; skipped: number }>; __acked: number };
      const revive = (v: unknown): unknown => Array.isArray(v) ? v.map(revive) : v && typeof v === 'object' ? ('__f32' in v ? Float32Array.from((v as { __f32: (number | null)[] }).__f32, (x) => (x === null ? NaN : x)) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]))) : v;
      w.__frames = w.__frames.map((f) => revive(f) as Record<string, unknown>);
      w.__acked = 0;
      // Acks are answered in the page, so the harness's round trip to node adds no latency.
      const toHost = (window as unknown as { __toHost(m: { type: string; seq?: number }): void }).__toHost;
      (window as unknown as { __toHost(m: { type: string; seq?: number }): void }).__toHost = (m) => { if (m.type === 'ack') w.__acked = m.seq!; else toHost(m); };
      w.__replay = () => new Promise((resolve) => {
        let i = 0, skipped = 0;
        const timer = setInterval(() => {
          if (i >= w.__frames.length) { clearInterval(timer); resolve({ sent: i, skipped }); return; }
          const seq = w.__frames[i].seq as number;
          if (seq - w.__acked > 2) { skipped++; return; } // the page is behind: the host would wait
          window.postMessage(w.__frames[i++], '*');
        }, frameMs);
      });
    }, LIVE_FRAME_MS);
    const pids = renderers(process.pid);
    const before = pids.reduce((s, p) => s + cpuSeconds(p), 0);
    const threadsBefore = threadSeconds(pids);
    const stopProfile = await profilePage(view.page, 'frame', () => frames.length);
    const wall1 = performance.now();
    const replay = await view.page.evaluate(() => (window as unknown as { __replay(): Promise<{ sent: number; skipped: number }> }).__replay());
    const pageWall = (performance.now() - wall1) / 1000;
    const pageCore = (pids.reduce((s, p) => s + cpuSeconds(p), 0) - before) / pageWall;
    const threads = Object.fromEntries([...threadSeconds(pids)].map(([name, sec]) => [name, (sec - (threadsBefore.get(name) ?? 0)) / pageWall]).filter(([, v]) => (v as number) > 0.005).sort((a, b) => (b[1] as number) - (a[1] as number)));
    await stopProfile();
    const stats = view.page.getByTestId('stats');
    const dropped = Number(await stats.getAttribute('data-dropped'));
    const read = frames.map((f) => f.readMs).sort((a, b) => a - b);
    console.log(JSON.stringify({
      rate, channels, lanes, seconds: SECONDS, host_frames: frames.length, host_core: hostCore, host_read_median_ms: read[read.length >> 1],
      page_core: pageCore, page_threads: threads, page_frames: replay.sent, page_waits: replay.skipped, page_dropped: dropped, page_stats: await stats.textContent(), renderers: pids.length,
      errors: view.errors(),
    }));
  } finally {
    await view?.close();
    await stopRingWriter(writer);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
