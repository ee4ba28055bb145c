// Loads every scalar point of a logdir with Run Reel's reader (the Scalars panel's host side),
// then appends one record to the largest event file and times reading just that. Prints JSON.
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { loadScalarRuns } from '../src/domain/tensorboard/loadRuns';
import { findScalarRuns, ScalarRun } from '../src/domain/tensorboard/scalars';

async function main(): Promise<void> {
  const [logdir, workerScript] = process.argv.slice(2);
  const t = performance.now();
  // On worker threads, one per core (the panel's and the CLI's first read of many runs).
  const runs = await loadScalarRuns(await findScalarRuns(logdir), { workerScript });
  const ms = performance.now() - t;
  let points = 0;
  for (const r of runs) for (const tag of r.tags()) points += r.get(tag, 'all')!.steps.length;
  // Each series' last step, by run (relative to the logdir, as TensorBoard names runs): how a
  // TensorBoard loader's progress is checked without fetching its points.
  const maxSteps: Record<string, Record<string, number>> = {};
  for (const r of runs) {
    const name = relative(logdir, r.dir) || '.';
    maxSteps[name] = Object.fromEntries(r.tags().filter((t) => r.sourceOf(t) === 'events').map((t) => { const st = r.get(t)!.steps; return [t, st[st.length - 1]]; }));
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  // The append, on a copy of the largest file (the cached logdir stays as written): its last
  // record written again at its end, then only the new bytes read.
  const largest = runs.flatMap((r) => r.eventFiles.map((f) => ({ path: f.path, size: statSync(f.path).size }))).sort((a, b) => b.size - a.size)[0];
  const copyDir = mkdtempSync(join(tmpdir(), 'runreel-bench-append-'));
  const copy = join(copyDir, basename(largest.path));
  copyFileSync(largest.path, copy);
  const run = new ScalarRun(copyDir);
  await run.update();
  const count = () => run.tags().reduce((k, tag) => k + run.get(tag, 'all')!.steps.length, 0);
  const before = count();
  const bytes = readFileSync(copy);
  let at = 0, last = 0;
  while (at + 12 <= bytes.length) { last = at; at += 16 + Number(bytes.readBigUInt64LE(at)); }
  appendFileSync(copy, bytes.subarray(last, at));
  const a = performance.now();
  await run.update();
  const appendMs = performance.now() - a;
  const appended = count() - before;
  rmSync(copyDir, { recursive: true, force: true });
  const maxStepsFile = join(tmpdir(), `runreel-bench-max-steps-${process.pid}.json`);
  writeFileSync(maxStepsFile, JSON.stringify(maxSteps));
  console.log(JSON.stringify({ ms, points, peak_rss_mb: peak, runs: runs.length, append_ms: appendMs, appended, file_mb: largest.size / 1048576, max_steps_file: maxStepsFile }));
}
void main();
