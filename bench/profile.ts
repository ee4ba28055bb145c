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
