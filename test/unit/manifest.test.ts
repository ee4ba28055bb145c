// The package manifest is the extension's public surface: names, prefixes, versions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const c = pkg.contributes;

test('identity', () => {
  expect(pkg.name).toBe('runreel');
  expect(pkg.displayName).toBe('Run Reel');
  expect(pkg.bin).toEqual({ runreel: 'dist/cli.js' });
  expect(pkg.main).toBe('./dist/extension.js');
});

test('every command, setting, view and container uses the runreel prefix; commands have the Run Reel category', () => {
  for (const cmd of c.commands) {
    expect(cmd.command).toMatch(/^runreel\.[a-zA-Z]+$/);
    expect(cmd.category).toBe('Run Reel');
  }
  for (const key of Object.keys(c.configuration.properties)) expect(key).toMatch(/^runreel\./);
  for (const [container, views] of Object.entries(c.views) as [string, { id: string }[]][]) {
    expect(container).toMatch(/^runreel/);
    for (const v of views) expect(v.id).toMatch(/^runreel\./);
  }
  expect(c.viewsContainers.activitybar).toEqual([expect.objectContaining({ id: 'runreel', title: 'Run Reel' })]);
});

test('every command used in menus and the welcome view is contributed', () => {
  const ids = new Set(c.commands.map((x: { command: string }) => x.command));
  for (const items of Object.values(c.menus) as { command: string }[][]) for (const m of items) expect(ids).toContain(m.command);
  for (const w of c.viewsWelcome) for (const [, id] of w.contents.matchAll(/\(command:(runreel\.[a-zA-Z]+)\)/g)) expect(ids).toContain(id);
});

test('engines.vscode is no newer than 1.139 and @types/vscode matches its minor', () => {
  const engine = /^\^(\d+)\.(\d+)\.\d+$/.exec(pkg.engines.vscode)!;
  expect(Number(engine[1])).toBe(1);
  expect(Number(engine[2])).toBeLessThanOrEqual(139);
  const types = /^\D*(\d+)\.(\d+)\./.exec(pkg.devDependencies['@types/vscode'])!;
  expect([types[1], types[2]]).toEqual([engine[1], engine[2]]);
});
