import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { RunActivity, runForPath } from '../../../src/domain/runs/activity';
import { RootWatcher, type ChangeKind, type WatchBatch } from '../../../src/domain/runs/watcher';
import { tempDir } from '../helpers';

const open: RootWatcher[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

/** Starts a watcher and collects every change it reports. */
async function watching(root: string, usePolling = false) {
  const seen: [string, ChangeKind][] = [];
  const batches: WatchBatch[] = [];
  const warnings: string[] = [];
  const w = new RootWatcher(root, { usePolling, pollIntervalMs: 100, onBatch: (b) => { batches.push(b); seen.push(...b.changes); }, onWarning: (m) => warnings.push(m) });
  open.push(w);
  await w.start();
  const until = async (pred: () => boolean, ms = 8000) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out; saw ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { seen, batches, warnings, until, watcher: w };
}

const has = (seen: [string, ChangeKind][], path: string, kind: ChangeKind) => seen.some(([p, k]) => p === path && k === kind);

describe.each([false, true])('RootWatcher (polling: %s)', (usePolling) => {
  test('create, grow, rename and delete files and folders', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'run', 'viz_snapshots'), { recursive: true });
    const w = await watching(root, usePolling);
    const a = join(root, 'run', 'viz_snapshots', 'viz_step_50_embeddings.npz');
    writeFileSync(a, 'x'.repeat(100));
    await w.until(() => has(w.seen, a, 'add'));
    appendFileSync(a, 'more');
    await w.until(() => has(w.seen, a, 'change'));
    const b = join(root, 'run', 'viz_snapshots', 'viz_step_100_embeddings.npz');
    renameSync(a, b);
    await w.until(() => has(w.seen, a, 'unlink') && has(w.seen, b, 'add'));
    rmSync(b);
    await w.until(() => has(w.seen, b, 'unlink'));
    const dir = join(root, 'run2');
    mkdirSync(dir);
    await w.until(() => has(w.seen, dir, 'addDir'));
    rmSync(dir, { recursive: true });
    await w.until(() => has(w.seen, dir, 'unlinkDir'));
    expect(w.warnings).toEqual([]);
  });
});

test('a file still being written is reported once, after its size settles', async () => {
  const root = tempDir();
  const w = await watching(root);
  const f = join(root, 'growing.npz');
  writeFileSync(f, 'a');
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(f, 'b'.repeat(1000));
  }
  await w.until(() => has(w.seen, f, 'add'));
  await new Promise((r) => setTimeout(r, 400));
  expect(w.seen.filter(([p]) => p === f)).toEqual([[f, 'add']]);
});

test('dot-files (producers\' temporary names) and heavy folders are not reported', async () => {
  const root = tempDir();
  const w = await watching(root);
  writeFileSync(join(root, '.viz_step_5_embeddings.tmp.npz'), 'x');
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'node_modules', 'x.js'), 'x');
  writeFileSync(join(root, 'real.png'), 'x');
  await w.until(() => has(w.seen, join(root, 'real.png'), 'add'));
  expect(w.seen.map(([p]) => p)).toEqual([join(root, 'real.png')]);
});

test('a burst of writes arrives in few batches, with every file', async () => {
  const root = tempDir();
  const w = await watching(root);
  const files = Array.from({ length: 50 }, (_, i) => join(root, `frame_${i}.png`));
  for (const f of files) writeFileSync(f, 'x');
  await w.until(() => files.every((f) => has(w.seen, f, 'add')));
  expect(w.batches.length).toBeLessThan(10);
});

test('survives its root being deleted and recreated', async () => {
  const parent = tempDir();
  const root = join(parent, 'run');
  mkdirSync(root);
  const w = await watching(root);
  rmSync(root, { recursive: true });
  await w.until(() => has(w.seen, root, 'unlinkDir'));
  mkdirSync(root);
  await w.until(() => w.seen.filter(([p, k]) => p === root && k === 'addDir').length > 0);
  await new Promise((r) => setTimeout(r, 300)); // the new watcher is ready
  const f = join(root, 'after.png');
  writeFileSync(f, 'x');
  await w.until(() => has(w.seen, f, 'add'));
});

test('live while files arrive, idle after the window', () => {
  const a = new RunActivity(60_000);
  expect(a.state('/r', 0)).toBe('idle');
  expect(a.record('/r', 1000)).toBe(true);
  expect(a.record('/r', 2000)).toBe(false);
  expect(a.state('/r', 30_000)).toBe('live');
  expect(a.expire(61_000)).toEqual([]);
  expect(a.expire(62_001)).toEqual(['/r']);
  expect(a.state('/r', 62_001)).toBe('idle');
  expect(a.expire(70_000)).toEqual([]);
});

test('runForPath picks the deepest run containing the path', () => {
  const runs = ['/w/a', '/w/a/b', '/w/ab'];
  expect(runForPath('/w/a/b/c.png', runs)).toBe('/w/a/b');
  expect(runForPath('/w/a/x.png', runs)).toBe('/w/a');
  expect(runForPath('/w/abc/x.png', runs)).toBeUndefined();
  expect(runForPath('/w/ab', runs)).toBe('/w/ab');
});

test('running out of watch handles: one warning, then polling, and events keep coming', async () => {
  const root = tempDir();
  const w = await watching(root);
  const exhausted = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
  // The error chokidar raises when inotify has no watches left, delivered as chokidar delivers it.
  await (w.watcher as unknown as { onError(e: NodeJS.ErrnoException): Promise<void> }).onError(exhausted);
  await (w.watcher as unknown as { onError(e: NodeJS.ErrnoException): Promise<void> }).onError(exhausted);
  expect(w.watcher.isPolling).toBe(true);
  expect(w.warnings).toHaveLength(1);
  expect(w.warnings[0]).toMatch(/^out of file watch handles \(ENOSPC\) watching .*; polling it every 0.1 s instead/);
  const f = join(root, 'after_fallback.png');
  writeFileSync(f, 'x');
  await w.until(() => has(w.seen, f, 'add'));
});

test('files present at start are not reported as new when their folder changes later', async () => {
  const root = tempDir();
  const old = Array.from({ length: 20 }, (_, i) => join(root, `viz_step_${i}_embeddings.npz`));
  for (const f of old) writeFileSync(f, 'x');
  await new Promise((r) => setTimeout(r, 1200)); // older than the watcher's start by more than its margin
  const w = await watching(root);
  const fresh = join(root, 'viz_step_999_embeddings.npz');
  writeFileSync(fresh, 'y');
  await w.until(() => has(w.seen, fresh, 'add'));
  appendFileSync(old[3], 'grown'); // a write to an old file is still a change
  await w.until(() => w.seen.some(([p]) => p === old[3]));
  await new Promise((r) => setTimeout(r, 400));
  expect(w.seen.filter(([p, k]) => k === 'add' && p !== fresh && p !== old[3])).toEqual([]);
});
