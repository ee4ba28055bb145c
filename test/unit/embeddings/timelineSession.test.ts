// The Embedding Timeline's host side on the fixture run: steps, held-back names and the
// answers to a names request the host cannot serve (a step gone, a snapshot that broke).
import { cpSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { EmbeddingsSession } from '../../../src/domain/embeddings/timelineSession';
import { holdBackNames, unpackTexts, type EmbeddingsHostToWebview } from '../../../src/protocol/embeddings';
import { FIXTURE_WORKSPACE, tempDir } from '../helpers';

const FIXTURE = join(FIXTURE_WORKSPACE, 'lightning_logs', 'version_0', 'viz_snapshots');

function open(options: ConstructorParameters<typeof EmbeddingsSession>[2] = {}) {
  const dir = join(tempDir('runreel-timeline-'), 'viz_snapshots');
  cpSync(FIXTURE, dir, { recursive: true });
  const posted: EmbeddingsHostToWebview[] = [], warned: string[] = [];
  const session = new EmbeddingsSession(dir, {
    post: (m) => void posted.push(m), uri: (p) => `webview:${p}`, warn: (m) => void warned.push(m),
    exportPng: async () => {}, createAnimation: async () => {},
  }, options);
  const last = <T extends EmbeddingsHostToWebview['type']>(type: T) => posted.filter((m): m is Extract<EmbeddingsHostToWebview, { type: T }> => m.type === type).at(-1);
  return { dir, session, posted, warned, last };
}

// Hold back every category field, as the panel does for one of thousands of names.
const holdAll = { holdBack: (spaces: Parameters<typeof holdBackNames>[0]) => holdBackNames(spaces, 0) };

test('ready lists the steps under the run\'s name, with the clock\'s step; a step goes with its names held back', async () => {
  const { dir, session, last } = open({ ...holdAll, clockStep: 100 });
  await session.handle({ type: 'ready' });
  const steps = last('steps')!;
  expect(steps.title).toBe(basename(dirname(dir))); // the run, not its viz_snapshots folder
  expect(steps.steps.map((s) => [s.step, s.npz, /viz_step_\d+_pacmap\.png\?v=\d+$/.test(s.image ?? '')])).toEqual([[50, true, true], [100, true, true], [150, true, true]]);
  expect(last('goToStep')).toEqual({ type: 'goToStep', step: 100 });
  await session.handle({ type: 'requestStep', step: 100, align: false });
  const data = last('stepData')!;
  expect(data.spaces.map((s) => [s.name, s.x.length])).toEqual([['latent', 60], ['lora', 40], ['prompt', 30]]);
  const label = data.spaces[0].fields.find((f) => f.name === 'label')!;
  expect(label.kind === 'category' && [label.held, unpackTexts(label.categories).length]).toEqual([expect.any(Number), 0]);
  session.dispose();
});

test('a names request is answered from the step read: the names of the codes asked', async () => {
  const { session, last } = open(holdAll);
  await session.handle({ type: 'ready' });
  await session.handle({ type: 'requestStep', step: 100, align: false });
  await session.handle({ type: 'requestNames', step: 100, align: false, space: 'latent', field: 'label', codes: [0, 1] });
  const names = last('names')!;
  expect(names).toMatchObject({ step: 100, space: 'latent', field: 'label', asked: [0, 1] });
  expect(Object.keys(names.names)).toEqual(['0', '1']);
  expect(Object.values(names.names).every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
  expect(names.failed).toBeUndefined();
  session.dispose();
});

test('a names request for a step no longer listed says so, and still answers (no names)', async () => {
  const { dir, session, last } = open(holdAll);
  await session.handle({ type: 'ready' });
  await session.handle({ type: 'requestNames', step: 999, align: false, space: 'latent', field: 'label', codes: [2] });
  expect(last('names')).toEqual({ type: 'names', step: 999, space: 'latent', field: 'label', asked: [2], names: {}, failed: `step 999 is no longer in ${dir}` });
  session.dispose();
});

test('a names request whose snapshot broke since it was listed: no names, the reason naming the file, and a warning', async () => {
  const { dir, session, last, warned } = open(holdAll);
  await session.handle({ type: 'ready' });
  // Not read yet (nothing cached): the host reads it now, and finds it cut short.
  truncateSync(join(dir, 'viz_step_150_embeddings.npz'), 100);
  await session.handle({ type: 'requestNames', step: 150, align: false, space: 'latent', field: 'label', codes: [1] });
  const names = last('names')!;
  expect([names.asked, names.names]).toEqual([[1], {}]);
  expect(names.failed).toMatch(/viz_step_150_embeddings\.npz/);
  expect(warned.some((w) => w.startsWith('names of label: ') && w.includes('viz_step_150_embeddings.npz'))).toBe(true);
  session.dispose();
});

test('the clock\'s step while the page is hidden waits for it to be ready; shown, it goes at once', async () => {
  const { session, posted } = open();
  session.goToStep(150, false);
  expect(posted).toEqual([]);
  await session.handle({ type: 'ready' });
  expect(posted.filter((m) => m.type === 'goToStep')).toEqual([{ type: 'goToStep', step: 150 }]);
  session.goToStep(50);
  expect(posted.at(-1)).toEqual({ type: 'goToStep', step: 50 });
  session.dispose();
});
