// The Embedding Timeline's host side on the fixture run: steps, held-back names and the
// answers to a names request the host cannot serve (a step gone, a snapshot that broke).
import { cpSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import fc from 'fast-check';
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
  // A step asked for that is not there: a typed error naming the folder, for the panel to show.
  await expect(session.handle({ type: 'requestStep', step: 999, align: false })).rejects.toThrow(`${dir}: step 999 has no snapshot`);
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

test('hostile messages from the page: each answered or refused, nothing thrown out of the session but a typed message, replies bounded', async () => {
  const { session, posted } = open(holdAll);
  await session.handle({ type: 'ready' });
  const value = fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double(), fc.string(), fc.constant(null), fc.constant(undefined), fc.constant('__proto__'), fc.array(fc.integer({ min: -5, max: 100 }), { maxLength: 5 }));
  const message = fc.record({
    type: fc.constantFrom('requestStep', 'requestTrail', 'requestNames', 'bogus'),
    step: fc.oneof(fc.constantFrom(50, 100, 150), value), align: fc.oneof(fc.boolean(), value), length: value,
    space: fc.oneof(fc.constantFrom('latent', 'lora', 'prompt', 'constructor'), value), field: fc.oneof(fc.constantFrom('label', 'prompt', '__proto__'), value),
    codes: fc.oneof(value, fc.array(value, { maxLength: 5 })), rows: fc.oneof(value, fc.dictionary(fc.constantFrom('latent', '__proto__', 'x'), fc.oneof(value, fc.array(fc.integer(), { maxLength: 2000 })))),
  });
  await fc.assert(fc.asyncProperty(message, async (m) => {
    const from = posted.length;
    // The panel catches what the session throws and posts it as an error: only typed errors may come out.
    await session.handle(m as never).catch((err) => expect(err).toBeInstanceOf(Error));
    for (const p of posted.slice(from)) {
      expect(['stepData', 'trail', 'names', 'error', 'bounds']).toContain(p.type);
      if (p.type === 'names') expect(p.asked.length).toBeLessThanOrEqual(Array.isArray(m.codes) ? m.codes.length : 0);
      if (p.type === 'trail') for (const sp of Object.values(p.spaces)) expect(JSON.stringify(sp).length).toBeLessThan(5e6);
    }
  }), { numRuns: 80 });
  session.dispose();
}, 60_000);
