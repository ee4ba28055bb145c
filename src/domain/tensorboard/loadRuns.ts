// The first read of many runs, on worker threads (one run at a time each, as many as the
// machine has cores, at most 4): a logdir of 20 runs is read on both cores of a 2-core machine.
// Without the built worker script (tests running the TypeScript), it reads in this thread.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ScalarRun, type ScalarRunSnapshot } from './scalars';

export function defaultLoadWorkers(): number {
  return Math.max(1, Math.min(4, cpus().length));
}

/** Reads every run in `dirs`; each comes back ready for incremental update(). */
export async function loadScalarRuns(dirs: readonly string[], o: { workerScript?: string; workers?: number } = {}): Promise<ScalarRun[]> {
  const size = Math.min(dirs.length, o.workers ?? defaultLoadWorkers());
  if (!o.workerScript || !existsSync(o.workerScript) || size < 2) {
    const out: ScalarRun[] = [];
    for (const dir of dirs) { const run = new ScalarRun(dir); await run.update(); out.push(run); }
    return out;
  }
  const out: ScalarRun[] = new Array(dirs.length);
  let next = 0;
  // A larger young generation: parsing makes many short-lived objects, and fewer scavenges pay.
  const workers = Array.from({ length: size }, () => new Worker(resolve(o.workerScript!), { resourceLimits: { maxYoungGenerationSizeMb: 64 } }));
  try {
    await Promise.all(workers.map(async (w) => {
      while (next < dirs.length) {
        const id = next++;
        const answer = await new Promise<{ snapshot?: ScalarRunSnapshot; error?: string }>((ok, fail) => {
          const onMessage = (m: { id: number; snapshot?: ScalarRunSnapshot; error?: string }) => { if (m.id === id) { w.off('message', onMessage); w.off('error', fail); ok(m); } };
          w.on('message', onMessage);
          w.once('error', fail);
          w.postMessage({ id, dir: dirs[id] });
        });
        // A run the worker could not read is read here, where its errors land in its file states.
        const run = answer.snapshot ? ScalarRun.fromSnapshot(answer.snapshot) : new ScalarRun(dirs[id]);
        await run.update();
        out[id] = run;
      }
    }));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return out;
}
