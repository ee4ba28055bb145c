import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findSnapshotDir, listSnapshotSteps, metadataColumns, readStep, readTrail, RowIds, TimelineGeometry } from '../../../src/domain/embeddings/timeline';
import { unpackTexts } from '../../../src/protocol/embeddings';
import { fmt, tempDir } from '../helpers';

const SNAPS = join(__dirname, '..', '..', 'fixtures', 'workspace', 'lightning_logs', 'version_0', 'viz_snapshots');

test('steps are listed in numeric order, with their npz and png, latest files excluded', async () => {
  const dir = tempDir();
  for (const n of ['viz_step_1000_pacmap.png', 'viz_step_950_embeddings.npz', 'viz_step_950_pacmap.png', 'viz_latest_pacmap.png', 'viz_step_5_pacmap.html', 'notes.txt']) writeFileSync(join(dir, n), '');
  const steps = await listSnapshotSteps(dir);
  expect(steps.map((s) => [s.step, !!s.snapshot, !!s.png])).toEqual([[950, true, true], [1000, false, true]]);
});

test('metadata JSON becomes columns: numbers stay numbers, the rest are categories; broken JSON has no values', () => {
  const cols = metadataColumns(['{"label":"a","loss":1.5,"ok":true}', '{"label":"b","loss":null}', 'not json', 7, '{"label":"a","loss":2,"extra":{"k":1}}']);
  const by = Object.fromEntries(cols.map((c) => [c.name, c]));
  expect(Object.keys(by)).toEqual(['label', 'loss', 'ok', 'extra']);
  expect(by.loss.kind).toBe('number');
  expect(by.loss.kind === 'number' && Array.from(by.loss.values)).toEqual([1.5, NaN, NaN, NaN, 2]);
  expect(by.label.kind === 'category' && [Array.from(by.label.codes), unpackTexts(by.label.categories)]).toEqual([[0, 1, 2, 2, 0], ['a', 'b', '']]);
  expect(by.extra.kind === 'category' && unpackTexts(by.extra.categories)).toContain('{"k":1}');
});

test('a producer-written step reads as spaces of typed arrays with their metadata', async () => {
  const { spaces, warnings } = await readStep(join(SNAPS, 'viz_step_50_embeddings.npz'));
  expect(warnings).toEqual([]);
  expect(spaces.map((s) => [s.name, s.x.length, s.y.length])).toEqual([['latent', 60, 60], ['lora', 40, 40], ['prompt', 30, 30]]);
  const label = spaces[0].fields.find((f) => f.name === 'label')!;
  expect(label.kind).toBe('category');
  expect(spaces[0].fields.find((f) => f.name === 'step')).toMatchObject({ kind: 'number' });
});

test('geometry: a rotated and mirrored refit is aligned back onto the previous step, and bounds cover every step', async () => {
  const { execFileSync } = await import('node:child_process');
  const { findProducerPython } = await import('../../../scripts/lib/python.mjs');
  const dir = tempDir();
  // Step 2 is step 1 rotated by 90° and mirrored, as a PaCMAP refit lands.
  execFileSync(findProducerPython()!, ['-c', `
import numpy as np, json, sys
rng = np.random.default_rng(3); p = rng.normal(size=(50, 2)).astype(np.float32) * 3
q = (p @ np.array([[0, 1], [1, 0]], dtype=np.float32)) + 10
meta = np.array([json.dumps({"i": i}) for i in range(50)], dtype=object)
for step, pts in ((1, p), (2, q)):
    np.savez(sys.argv[1] + f"/viz_step_{step}_embeddings.npz", latent_projections_2d=pts, latent_metadata=meta)
`, dir]);
  const steps = await listSnapshotSteps(dir);
  const g = new TimelineGeometry();
  for (const s of steps) await g.add(s.step, s.snapshot!);
  const first = await readStep(steps[0].snapshot!, g.alignmentsOf(1));
  const second = await readStep(steps[1].snapshot!, g.alignmentsOf(2));
  let err = 0;
  for (let i = 0; i < 50; i++) err = Math.max(err, Math.abs(first.spaces[0].x[i] - second.spaces[0].x[i]), Math.abs(first.spaces[0].y[i] - second.spaces[0].y[i]));
  expect(err).toBeLessThan(1e-3);
  const raw = await readStep(steps[1].snapshot!);
  expect(Math.abs(raw.spaces[0].x[0] - first.spaces[0].x[0])).toBeGreaterThan(1);
  const b = g.bounds(false).latent;
  expect(b.x[1]).toBeGreaterThan(10); // the unaligned bounds include the shifted refit
  expect(g.bounds(true).latent.x[1]).toBeLessThan(b.x[1]);
  const { spaces: trail } = await readTrail(steps, steps[1], Object.fromEntries(first.spaces.map((s) => [s.name, [0, 5]])), g);
  expect(trail[0].steps).toEqual([1, 2]);
  expect(trail[0].x[0]).toBeCloseTo(trail[0].x[2], 3); // point 0 at step 1 and (aligned) step 2
});

test('a broken space becomes a warning naming the file; the other spaces still load', async () => {
  const dir = tempDir();
  const { execFileSync } = await import('node:child_process');
  const { findProducerPython } = await import('../../../scripts/lib/python.mjs');
  execFileSync(findProducerPython()!, ['-c', `
import numpy as np, sys
np.savez(sys.argv[1] + "/viz_step_1_embeddings.npz", good_projections_2d=np.zeros((4, 2), np.float32), bad_projections_2d=np.zeros((4, 3), np.float32))
`, dir]);
  const { spaces, warnings } = await readStep(join(dir, 'viz_step_1_embeddings.npz'));
  // The bad space keeps its panel, empty and saying why; the good one loads.
  expect(spaces.map((s) => [s.name, s.x.length, s.note])).toEqual([['bad', 0, 'cannot be read (see warnings)'], ['good', 4, undefined]]);
  expect(warnings).toEqual([expect.stringMatching(/viz_step_1_embeddings\.npz.*bad_projections_2d is 4×3/)]);
});

test('spaces named __proto__ and constructor have fixed axes of their own, and nothing is polluted', async () => {
  const dir = tempDir();
  const { execFileSync } = await import('node:child_process');
  const { findProducerPython } = await import('../../../scripts/lib/python.mjs');
  execFileSync(findProducerPython()!, ['-c', `
import numpy as np, sys
pts = np.array([[0, 0], [3, 4]], np.float32)
np.savez(sys.argv[1] + "/viz_step_1_embeddings.npz", **{"__proto___projections_2d": pts, "constructor_projections_2d": pts * 2})
`, dir]);
  const g = new TimelineGeometry();
  await g.add(1, join(dir, 'viz_step_1_embeddings.npz'));
  for (const align of [false, true]) {
    const b = g.bounds(align);
    expect(Object.keys(b).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(b)).toBe(Object.prototype);
    expect(b.__proto__.x[1]).toBeGreaterThanOrEqual(3);
    expect(b['constructor' as string].x[1]).toBeGreaterThanOrEqual(6);
  }
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});

test('the snapshot folder is found from a run folder, from itself, or not at all', async () => {
  const run = tempDir();
  mkdirSync(join(run, 'viz_snapshots'));
  copyFileSync(join(SNAPS, 'viz_step_50_embeddings.npz'), join(run, 'viz_snapshots', 'viz_step_50_embeddings.npz'));
  expect(await findSnapshotDir(run)).toBe(join(run, 'viz_snapshots'));
  expect(await findSnapshotDir(join(run, 'viz_snapshots'))).toBe(join(run, 'viz_snapshots'));
  expect(await findSnapshotDir(tempDir())).toBeUndefined();
});

test('metadata whose pickle calls os.system is refused, and the space\'s points are still shown, with a warning naming the file', async () => {
  const file = fmt('npz', 'viz_step_7_embeddings.npz');
  const { spaces, warnings } = await readStep(file, undefined, new RowIds());
  expect(spaces.map((s) => [s.name, Array.from(s.x), Array.from(s.y), s.fields.length])).toEqual([['latent', [0, 1, 0, 1], [0, 0, 1, 1], 0]]);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/viz_step_7_embeddings\.npz\[latent_metadata\]: object array not displayed: .*os.*system.*; latent's points are shown without their metadata/);
  expect(existsSync('/tmp/runreel-pwned')).toBe(false);
});

test('spaces with the same metadata share its keys, fields and row ids; a space with its rows in another order has its own', async () => {
  const file = fmt('npz', 'viz_step_8_embeddings.npz');
  const rowIds = new RowIds();
  const { spaces, warnings } = await readStep(file, undefined, rowIds);
  expect(warnings).toEqual([]);
  const [latent, lora, prompt] = spaces;
  expect(spaces.map((s) => s.name)).toEqual(['latent', 'lora', 'prompt']);
  // Parsed once: the same arrays (so they cross to the page once too).
  expect(lora.ids).toBe(latent.ids);
  expect(lora.links).toBe(latent.links);
  expect(lora.fields.map((f) => f.name)).toEqual(['sample_id', 'label', 'loss']);
  expect(lora.fields.every((f, i) => (f.kind === 'number' ? f.values === (latent.fields[i] as typeof f).values : f.codes === (latent.fields[i] as typeof f).codes))).toBe(true);
  // One numbering for every space: a row's id follows its metadata, whatever the space.
  expect(Array.from(prompt.ids!)).toEqual([1, 0, 3, 2].map((i) => latent.ids![i]));
  const label = (s: typeof latent) => { const f = s.fields.find((x) => x.name === 'label')!; return f.kind === 'category' ? Array.from(f.codes, (c) => unpackTexts(f.categories)[c]) : []; };
  expect([label(latent), label(prompt)]).toEqual([['a', 'b', 'a', 'b'], ['b', 'a', 'b', 'a']]);
  // The next step numbers the same rows the same way.
  const again = await readStep(file, undefined, rowIds);
  expect(Array.from(again.spaces[2].ids!)).toEqual(Array.from(prompt.ids!));
});
