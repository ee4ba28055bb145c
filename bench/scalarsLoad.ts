// Loads every scalar point of a logdir with Run Reel's reader (the Scalars panel's host side),
// then appends one record to the largest event file and times reading just that. Prints JSON.
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { findScalarRuns, ScalarRun } from '../src/domain/tensorboard/scalars';

async function main(): Promise<void> {
  const [logdir] = process.argv.slice(2);
  const t = performance.now();
  const runs = await Promise.all((await findScalarRuns(logdir)).map(async (dir) => { const r = new ScalarRun(dir); await r.update(); return r; }));
  const ms = performance.now() - t;
  let points = 0;
  for (const r of runs) for (const tag of r.tags()) points += r.get(tag, 'all')!.steps.length;
  const peak = process.resourceUsage().maxRSS / 1024;
  // The append: the last record of the largest file, written again at its end.
  const largest = runs.flatMap((r) => r.eventFiles.map((f) => ({ r, path: f.path, size: statSync(f.path).size }))).sort((a, b) => b.size - a.size)[0];
  const bytes = readFileSync(largest.path);
  // Find the last record by walking the framing (u64 length, u32 crc, data, u32 crc).
  let at = 0, last = 0;
  while (at + 12 <= bytes.length) { const n = Number(bytes.readBigUInt64LE(at)); last = at; at += 16 + n; }
  const record = bytes.subarray(last, at);
  const before = largest.r.get(largest.r.tags()[0], 'all')!.steps.length;
  appendFileSync(largest.path, record);
  const a = performance.now();
  await largest.r.update();
  const appendMs = performance.now() - a;
  const after = runs.reduce((n, r) => n + r.tags().reduce((k, tag) => k + r.get(tag, 'all')!.steps.length, 0), 0);
  console.log(JSON.stringify({ ms, points, peak_rss_mb: peak, runs: runs.length, append_ms: appendMs, appended: after - points, file_mb: largest.size / 1048576, first_tag_before: before }));
}
void main();
