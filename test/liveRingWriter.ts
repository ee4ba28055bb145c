// Starts the real producer (scripts/producers/ring_live.py, numpy + mmap) filling a ring
// buffer in real time, for the tests and the bench; resolves once the file exists.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findProducerPython } from '../scripts/lib/python.mjs';

// The repository root, found upwards so the bench can bundle this file elsewhere.
function findRoot(dir: string): string {
  return existsSync(join(dir, 'esbuild.mjs')) || dirname(dir) === dir ? dir : findRoot(dirname(dir));
}

/** `audiotab`: the header as audiotab's real writer leaves it (samples-per-write 0, a 1024 stride). */
export interface RingWriterOptions { rate: number; channels: number; secondsHeld: number; spw: number; audiotab?: boolean }

export async function startRingWriter(path: string, o: RingWriterOptions): Promise<ChildProcess> {
  const python = findProducerPython();
  if (!python) throw new Error('the ring buffer writer needs Python 3 with numpy (see scripts/lib/python.mjs)');
  const script = join(findRoot(__dirname), 'scripts', 'producers', 'ring_live.py');
  const child = spawn(python, [script, path, '--rate', String(o.rate), '--channels', String(o.channels), '--seconds-held', String(o.secondsHeld), '--spw', String(o.spw), ...(o.audiotab ? ['--audiotab'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ring writer exited with ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  return child;
}

/** Stops the writer and waits for it to close the file. */
export async function stopRingWriter(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
