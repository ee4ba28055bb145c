// The bundled CLI as a user runs it: `node dist/cli.js` from the production build.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, test } from 'vitest';

const root = inject('repoRoot');
const cli = join(root, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: join(root, 'test', 'fixtures', 'workspace') });

test('the bin starts with a node shebang and answers --version', () => {
  expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  expect(statSync(cli).size).toBeGreaterThan(1000);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const r = run('--version');
  expect([r.status, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
});

test('errors go to stderr with exit code 2, as JSON with --json', () => {
  const r = run('nonsense', '--json');
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'usage', message: "unknown command 'nonsense'; see runreel --help" } });
});

test('scan finds the fixture runs', () => {
  const r = run('scan', '--json');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout).runs).toHaveLength(3);
});

test('inspect on a real snapshot, and a clean error for a broken file', () => {
  const ok = run('inspect', 'lightning_logs/version_0/viz_snapshots/viz_step_150_embeddings.npz');
  expect(ok.status).toBe(0);
  expect(ok.stdout).toContain('npz with 9 arrays');
  const bad = run('inspect', '../formats/npy/object_evil.npy');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('object array not displayed');
});
