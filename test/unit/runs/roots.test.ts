import { expect, test } from 'vitest';
import { resolveRunRoots } from '../../../src/domain/runs/roots';

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
