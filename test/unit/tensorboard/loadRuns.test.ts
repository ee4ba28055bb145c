// The first read of many runs on worker threads (the built worker, bundled here as the
// extension's build does): the same series, media, hparams and file states as a read in this
// thread, and the runs carry on incrementally from where the workers stopped.
import { appendFileSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { expect, test } from 'vitest';
import { loadScalarRuns } from '../../../src/domain/tensorboard/loadRuns';
import { findScalarRuns, ScalarRun } from '../../../src/domain/tensorboard/scalars';
import { realProducer, tempDir } from '../helpers';

const summary = (r: ScalarRun) => ({
  tags: Object.fromEntries(r.tags().map((t) => { const s = r.get(t, 'all')!; return [t, [s.steps.length, s.steps[0], s.values.at(-1), s.restarts]]; })),
  media: r.media().map((m) => [m.tag, m.kind, m.entries.map((e) => [e.step, e.offset, e.length])]),
  hparams: r.hparams.values,
  files: r.eventFiles.map((f) => [f.path, f.records, f.skipped, f.partial, f.error]),
});

test('runs read on worker threads match runs read here, and go on reading what is appended', async () => {
  const root = tempDir();
  cpSync(realProducer('lightning'), root, { recursive: true });
  const worker = join(tempDir(), 'scalarsWorker.js');
  await esbuild.build({ entryPoints: [join(__dirname, '..', '..', '..', 'src', 'domain', 'tensorboard', 'scalarsWorker.ts')], outfile: worker, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });
  const dirs = await findScalarRuns(root);
  const threaded = await loadScalarRuns(dirs, { workerScript: worker, workers: 2 });
  const here = await loadScalarRuns(dirs);
  expect(threaded.map(summary)).toEqual(here.map(summary));
  expect(threaded.length).toBe(10);
  // Appending the last record of version_0's file again: the worker's read position holds.
  const v0 = dirs.indexOf(join(root, 'lightning_logs', 'version_0'));
  const file = join(root, 'lightning_logs', 'version_0', 'events.out.tfevents.1796152329.vm.17058.0');
  const bytes = readFileSync(file);
  appendFileSync(file, bytes.subarray(bytes.length - 44)); // the final 28-byte record (epoch = 19 at 1999)
  const before = threaded[v0].get('epoch', 'all')!.steps.length;
  expect(await threaded[v0].update()).toBe(true);
  expect(threaded[v0].get('epoch', 'all')!.steps.length).toBe(before + 1);
});
