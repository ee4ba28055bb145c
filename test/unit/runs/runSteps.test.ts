// The step clock's bookkeeping: which run a path is in (joined folders included), and only
// whole steps of a path are taken, whatever a page sends.
import fc from 'fast-check';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { RunSteps } from '../../../src/domain/runs/runSteps';

const ROOT = join('/', 'work', 'runs');
const TRAINER = join(ROOT, 'acestep', 'lightning_logs', 'version_0');
const UI = join(ROOT, 'acestep', 'viz_snapshots');
const OTHER = join(ROOT, 'other');
const runs = () => [{ path: TRAINER, joined: [{ path: UI, why: 'same ACE-Step run' }] }, { path: OTHER }];

test('a path belongs to the deepest run that holds it; a joined folder shares its run\'s step', () => {
  const steps = new RunSteps(runs);
  expect(steps.runOf(join(TRAINER, 'events.out.tfevents.1'))).toBe(TRAINER);
  expect(steps.runOf(join(UI, 'step_100', 'latent.npy'))).toBe(TRAINER);
  expect(steps.runOf(OTHER)).toBe(OTHER);
  // A folder above a run (a panel opened on the root of one run) is that run.
  expect(steps.runOf(join(ROOT, 'acestep', 'lightning_logs'))).toBe(TRAINER);
  // Outside every run: its own key. A sibling whose name starts with a run's is not in it.
  expect(steps.runOf(`${OTHER}-2`)).toBe(`${OTHER}-2`);
  expect(steps.set(join(UI, 'step_100'), 100)).toEqual({ run: TRAINER, step: 100 });
  expect(steps.stepOf(join(TRAINER, 'metrics.csv'))).toBe(100);
  expect(steps.stepOf(OTHER)).toBeUndefined();
});

test('property: only a path and a whole step ≥ 0 set a step; anything else changes nothing', () => {
  fc.assert(fc.property(fc.anything(), fc.anything(), (path, step) => {
    const steps = new RunSteps(runs);
    steps.set(OTHER, 7);
    const set = steps.set(path, step);
    const whole = typeof path === 'string' && typeof step === 'number' && Number.isSafeInteger(step) && step >= 0;
    expect(set !== undefined).toBe(whole);
    if (!whole) expect(steps.stepOf(OTHER)).toBe(7);
  }));
  const steps = new RunSteps(runs);
  for (const step of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, '3', null]) expect(steps.set(OTHER, step)).toBeUndefined();
  expect(steps.stepOf(OTHER)).toBeUndefined();
});
