// RUNREEL_BENCH_PROFILE=1: where a page's main thread spent its time, from a CDP CPU profile.
import type { Page } from 'playwright-core';

interface Profile { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] }

/** Starts profiling `page` when asked to; the returned function stops and prints self time per `unit`. */
export async function profilePage(page: Page, unit: string, units: () => number): Promise<() => Promise<void>> {
  if (!process.env.RUNREEL_BENCH_PROFILE) return async () => {};
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  return async () => {
    const profile = (await cdp.send('Profiler.stop')).profile as unknown as Profile;
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const f = byId.get(id)!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
    });
    const n = Math.max(1, units());
    console.error([...self].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, ms]) => `${(ms / n).toFixed(2).padStart(8)} ms/${unit}  ${k}`).join('\n'));
  };
}

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tid: number; pid: number; args?: { name?: string } }

/** Traces `page` with `categories` while `run` runs: its result, the complete events and each one's thread name. */
async function traceOf<T>(page: Page, categories: string[], run: () => Promise<T>): Promise<{ result: T; events: TraceEvent[]; thread(e: TraceEvent): string }> {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories });
  const result = await run();
  const events = (JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const threads = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  return { result, events: events.filter((e) => e.ph === 'X' && e.dur), thread: (e) => threads.get(`${e.pid}:${e.tid}`) ?? String(e.tid) };
}

/** The longest task on a page's main thread while `run` runs, rendering included (the Long Tasks API leaves out a frame's commit), in ms. */
export async function longestMainTask(page: Page, run: () => Promise<unknown>): Promise<number> {
  const { events, thread } = await traceOf(page, ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc'], run);
  const tasks = events.filter((e) => e.name === 'RunTask' && thread(e) === 'CrRendererMain').sort((a, b) => b.dur! - a.dur!);
  if (process.env.RUNREEL_BENCH_TRACE) {
    // What the longest tasks held (their longest nested events).
    for (const t of tasks.slice(0, 5)) {
      const inner = events.filter((e) => e.tid === t.tid && e.pid === t.pid && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur! && e !== t).sort((a, b) => b.dur! - a.dur!).slice(0, 8);
      console.error(`task ${(t.dur! / 1000).toFixed(1)} ms: ${inner.map((e) => `${e.name} ${(e.dur! / 1000).toFixed(1)}`).join(' · ')}`);
    }
  }
  return tasks.length ? tasks[0].dur! / 1000 : 0;
}

/**
 * RUNREEL_BENCH_TRACE=1: where a page's renderer threads spent their time while `run` runs,
 * from a Chromium trace: total duration per thread and event name (nested events overlap their
 * parents), per `unit`.
 */
export async function tracePage<T>(page: Page, unit: string, units: () => number, run: () => Promise<T>): Promise<T> {
  if (!process.env.RUNREEL_BENCH_TRACE) return run();
  const { result, events, thread } = await traceOf(page, ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'viz', 'gpu'], run);
  const total = new Map<string, number>(), count = new Map<string, number>();
  for (const e of events) {
    const key = `${thread(e)} ${e.name}`;
    total.set(key, (total.get(key) ?? 0) + e.dur! / 1000);
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const n = Math.max(1, units());
  console.error([...total].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.RUNREEL_BENCH_TRACE_TOP ?? 40))
    .map(([k, ms]) => `${(ms / n).toFixed(3).padStart(8)} ms/${unit} ${(count.get(k)! / n).toFixed(2).padStart(6)}×  ${k}`).join('\n'));
  return result;
}
