import { expect, test } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expandRootGlobs, resolveRunRoots } from '../../../src/domain/runs/roots';
import { tempDir } from '../helpers';

test('workspace folders first, then configured roots resolved and de-duplicated', () => {
  expect(resolveRunRoots(['/abs/runs', '~/exps', 'rel/logs', '/ws', '', 42, '/abs/runs/'], ['/ws'], '/home/me')).toEqual([
    '/ws',
    '/abs/runs',
    '/home/me/exps',
    '/ws/rel/logs',
  ]);
});

test('relative roots need a workspace folder to anchor them', () => {
  expect(resolveRunRoots(['rel', '/abs'], [], '/home/me')).toEqual(['/abs']);
});

test('glob roots expand to the folders that exist: *, ? and **', async () => {
  const dir = tempDir();
  for (const p of ['exp1/lightning_logs', 'exp2/lightning_logs', 'exp3/other', 'deep/a/b/lightning_logs', '.hidden/lightning_logs']) mkdirSync(join(dir, p), { recursive: true });
  expect((await expandRootGlobs([join(dir, 'exp*', 'lightning_logs')])).sort()).toEqual([join(dir, 'exp1', 'lightning_logs'), join(dir, 'exp2', 'lightning_logs')]);
  expect(await expandRootGlobs([join(dir, 'exp?', 'other')])).toEqual([join(dir, 'exp3', 'other')]);
  expect((await expandRootGlobs([join(dir, '**', 'lightning_logs')])).sort()).toEqual([join(dir, 'deep', 'a', 'b', 'lightning_logs'), join(dir, 'exp1', 'lightning_logs'), join(dir, 'exp2', 'lightning_logs')]);
  expect(await expandRootGlobs([join(dir, 'nothing*')])).toEqual([]);
  expect(await expandRootGlobs(['/plain/path'])).toEqual(['/plain/path']);
});
