// isWithin: the check that keeps paths from a page inside the folder they belong to.
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { isWithin } from '../../src/domain/paths';

test('a folder holds itself and what is under it, names starting with ".." included; nothing above or beside it', () => {
  const run = '/data/runs/run_1';
  expect([run, join(run, 'episode_0001'), join(run, '..hidden', 'x.json'), `${run}/a/../b`].map((p) => isWithin(run, p))).toEqual([true, true, true, true]);
  expect([join(run, '..'), '/data/runs/run_10', '/data/runs/run_1_old/x', join(run, '..', 'run_2'), '/etc/passwd', 'relative/x'].map((p) => isWithin(run, p))).toEqual([false, false, false, false, false, false]);
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z.]{1,4}$/), { maxLength: 4 }), (parts) => {
    const p = join(run, ...parts);
    expect(isWithin(run, p)).toBe(p === run || p.startsWith(`${run}/`));
  }));
});
