// The background geometry pass: a step to show waits for the steps up to it, not the whole run;
// the rest of the run is measured once no read is in flight; a broken step is a warning.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { GeometryPass } from '../../../src/domain/embeddings/geometryPass';
import { listSnapshotSteps } from '../../../src/domain/embeddings/timeline';
import { tempDir } from '../helpers';

const SNAPS = join(__dirname, '..', '..', 'fixtures', 'workspace', 'lightning_logs', 'version_0', 'viz_snapshots');

/** A run of `n` steps, each a copy of the fixture's step-50 snapshot. */
async function run(n: number) {
  const dir = tempDir();
  for (let i = 1; i <= n; i++) copyFileSync(join(SNAPS, 'viz_step_50_embeddings.npz'), join(dir, `viz_step_${i * 10}_embeddings.npz`));
  return { dir, steps: await listSnapshotSteps(dir) };
}

test('a read of step 20 waits for steps 10 and 20 only, while the whole run is wanted; the rest follows the read', async () => {
  const { steps } = await run(6);
  const pass = new GeometryPass(() => {});
  pass.setSteps(steps);
  let all = false;
  const everything = pass.measureTo(Infinity).then(() => { all = true; });
  const seen = await pass.reading(async () => {
    await pass.measureTo(20);
    const at = pass.geometry.last;
    // The read's own work: the pass does not start step 30 meanwhile.
    await new Promise((r) => setTimeout(r, 50));
    return [at, pass.geometry.last, pass.geometry.alignmentsOf(20)?.has('latent')];
  });
  expect(seen).toEqual([20, 20, true]);
  await everything;
  expect([all, pass.geometry.last]).toEqual([true, 60]);
  expect(Object.keys(pass.geometry.bounds(true)).sort()).toEqual(['latent', 'lora', 'prompt']);
  // Measured already: at once.
  await pass.measureTo(40);
});

test('steps that arrive are measured on the next wait; a broken step is a warning naming its file and is skipped', async () => {
  const { dir, steps } = await run(2);
  const warnings: string[] = [];
  const pass = new GeometryPass((w) => warnings.push(w));
  pass.setSteps(steps);
  await pass.measureTo(Infinity);
  expect(pass.geometry.last).toBe(20);
  writeFileSync(join(dir, 'viz_step_30_embeddings.npz'), 'PK\u0003\u0004 half written');
  copyFileSync(join(SNAPS, 'viz_step_50_embeddings.npz'), join(dir, 'viz_step_40_embeddings.npz'));
  pass.setSteps(await listSnapshotSteps(dir));
  await pass.measureTo(Infinity);
  expect(pass.geometry.last).toBe(40);
  expect(pass.geometry.alignmentsOf(30)?.size).toBe(0);
  expect(pass.geometry.alignmentsOf(40)?.get('latent')).toBeDefined();
  expect(warnings).toEqual([expect.stringContaining('viz_step_30_embeddings.npz')]);
});

test('a stopped pass lets its waiters go and measures nothing more', async () => {
  const { steps } = await run(3);
  const pass = new GeometryPass(() => {});
  pass.setSteps(steps);
  const waiting = pass.reading(() => pass.measureTo(30));
  pass.stop();
  await waiting;
  await pass.measureTo(Infinity);
  expect(pass.geometry.last).toBeLessThanOrEqual(10);
});
