// A worker thread that reads one run's event files and hands back what it read (its series'
// buffers transferred, not copied). Built to dist/scalarsWorker.js; see loadRuns.ts.
import { parentPort } from 'node:worker_threads';
import { describeError } from '../artifacts/errors';
import { ScalarRun } from './scalars';

parentPort?.on('message', async (m: { id: number; dir: string }) => {
  try {
    const run = new ScalarRun(m.dir);
    await run.update();
    const snapshot = run.snapshot();
    const buffers = new Set<ArrayBuffer>();
    for (const s of snapshot.series) for (const a of [s.steps, s.values, s.wallTimes]) buffers.add(a.buffer as ArrayBuffer);
    parentPort!.postMessage({ id: m.id, snapshot }, [...buffers]);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: describeError(err, m.dir) });
  }
});
