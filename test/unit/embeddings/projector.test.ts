// PyTorch's add_embedding folders (the real Lightning run, version_1: 00100/, 01000/, 02000/,
// each default/tensors.tsv of 200 × 16 and metadata.tsv of class labels) as timeline steps:
// the first two principal components (numpy's SVD gives the same, up to sign), labels as a
// category field, and the steps aligned by Procrustes like any snapshot.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findSnapshotDir, listSnapshotSteps, readStep, TimelineGeometry } from '../../../src/domain/embeddings/timeline';
import { pca2 } from '../../../src/domain/embeddings/projector';
import { unpackTexts } from '../../../src/protocol/embeddings';
import { realProducer, tempDir } from '../helpers';

const RUN = realProducer('lightning', 'lightning_logs', 'version_1');

test('a run folder with projector steps is a timeline: one step per folder, a space per tag', async () => {
  expect(await findSnapshotDir(RUN)).toBe(RUN);
  const steps = await listSnapshotSteps(RUN);
  expect(steps.map((s) => [s.step, s.snapshot])).toEqual([[100, join(RUN, '00100')], [1000, join(RUN, '01000')], [2000, join(RUN, '02000')]]);
  const { spaces, warnings } = await readStep(steps[0].snapshot!);
  expect(warnings).toEqual([]);
  expect(spaces.map((s) => [s.name, s.x.length])).toEqual([['default', 200]]);
  const label = spaces[0].fields.find((f) => f.name === 'label')!;
  expect(label.kind === 'category' && unpackTexts(label.categories).sort()).toEqual(['class_0', 'class_1', 'class_2', 'class_3']);
  // numpy: x − mean, SVD, x @ vt[:2].T → |(2.127562, 2.483944)|, |(0.873532, 0.488978)|, |(0.780259, 2.309642)|.
  const first = [0, 1, 2].map((i) => [Math.abs(spaces[0].x[i]), Math.abs(spaces[0].y[i])]);
  [[2.127562, 2.483944], [0.873532, 0.488978], [0.780259, 2.309642]].forEach(([a, b], i) => {
    expect(first[i][0]).toBeCloseTo(a, 4);
    expect(first[i][1]).toBeCloseTo(b, 4);
  });
  const g = new TimelineGeometry();
  for (const s of steps) await g.add(s.step, s.snapshot!);
  expect(g.warnings).toEqual([]);
  expect(Object.keys(g.bounds(true))).toEqual(['default']);
  expect(g.alignmentsOf(1000)!.get('default')).toBeDefined();
});

test('PCA: the variance of the first component is the largest; degenerate inputs give zeros', () => {
  // Points on a line y = 2x in 3-D: all the variance on one axis.
  const n = 50, d = 3;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) { data[i * 3] = i; data[i * 3 + 1] = 2 * i; data[i * 3 + 2] = 5; }
  const p = pca2(data, n, d);
  let v1 = 0, v2 = 0;
  for (let i = 0; i < n; i++) { v1 += p[2 * i] ** 2; v2 += p[2 * i + 1] ** 2; }
  expect(v2 / v1).toBeLessThan(1e-12);
  expect(Array.from(pca2(new Float64Array(0), 0, 4))).toEqual([]);
});

test('a bad tensors.tsv or a metadata line count that does not match names the file and line', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, '00005', 'default'), { recursive: true });
  writeFileSync(join(dir, '00005', 'default', 'tensors.tsv'), '1\t2\n3\tx\n');
  const [step] = await listSnapshotSteps(dir);
  const bad = await readStep(step.snapshot!).catch((e: Error) => e);
  expect(String((bad as Error).message)).toMatch(/tensors\.tsv: line 2, value 2 is not a number: "x"/);
  writeFileSync(join(dir, '00005', 'default', 'tensors.tsv'), '1\t2\n3\t4\n');
  writeFileSync(join(dir, '00005', 'default', 'metadata.tsv'), 'a\n');
  const short = await readStep(step.snapshot!).catch((e: Error) => e);
  expect(String((short as Error).message)).toMatch(/metadata\.tsv: 1 metadata lines for 2 points/);
});
