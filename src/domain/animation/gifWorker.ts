// Worker thread entry (bundled as dist/gifWorker.js): runs GIF tasks off the main thread.
import { parentPort } from 'node:worker_threads';
import { ArtifactError } from '../artifacts/errors';
import { reuseBuffers, runTask, type GifTask } from './gifFrames';

parentPort?.on('message', async ({ id, task, recycle }: { id: number; task: GifTask; recycle?: ArrayBuffer[] }) => {
  if (recycle) {
    reuseBuffers(recycle);
    return;
  }
  try {
    const result = await runTask(task);
    const buffers = (Array.isArray(result) ? result : [result]).map((b) => b.buffer as ArrayBuffer);
    parentPort!.postMessage({ id, result }, buffers);
  } catch (err) {
    const e = err as ArtifactError;
    parentPort!.postMessage({ id, error: { name: e?.name, code: e?.code, file: e?.file, detail: e?.detail, message: e?.message ?? String(err) } });
  }
});
