// A category field with more names than a step sends (a per-row id) crosses as codes only;
// the host answers for the names the page shows, and only for codes that exist.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { categoryColumn, categoryCount, holdBackNames, MAX_NAMES_ASKED, namesOf, textCount, type SpaceData } from '../../../src/protocol/embeddings';

const space = (n: number): SpaceData => ({
  name: 'latent', x: new Float32Array(n), y: new Float32Array(n),
  fields: [categoryColumn('label', Array.from({ length: n }, (_, i) => `c${i % 3}`)), categoryColumn('sample_id', Array.from({ length: n }, (_, i) => `<b>row ${i}</b>`))],
});

test('a field of more names than the limit is sent as codes with its count; one under it keeps its names', () => {
  const sp = space(50);
  const [held] = holdBackNames([sp], 10);
  const [label, id] = held.fields;
  expect(label).toBe(sp.fields[0]); // three names: sent as they are
  expect(id.kind === 'category' && [id.held, textCount(id.categories), categoryCount(id)]).toEqual([50, 0, 50]);
  const before = sp.fields[1];
  expect(id.kind === 'category' && before.kind === 'category' && id.codes === before.codes).toBe(true); // the same codes, not a copy
  expect(sp.fields[1].kind === 'category' && textCount(sp.fields[1].categories)).toBe(50); // the host's copy keeps them
});

test('names are answered for codes that exist, as text, and nothing else', () => {
  const sp = space(20);
  expect(namesOf([sp], 'latent', 'sample_id', [3, 0])).toEqual({ asked: [3, 0], names: { 3: '<b>row 3</b>', 0: '<b>row 0</b>' } });
  // Hostile or broken requests: no name (whole numbers out of range are asked, and have none).
  expect(namesOf([sp], 'latent', 'sample_id', [-1, 20, 1.5, '2', null, { toString: () => '1' }])).toEqual({ asked: [-1, 20], names: {} });
  expect(namesOf([sp], 'lora', 'sample_id', [1])).toEqual({ asked: [1], names: {} });
  expect(namesOf([sp], 'latent', 'nope', [1])).toEqual({ asked: [1], names: {} });
  expect(namesOf([sp], 'latent', 'sample_id', 'not a list')).toEqual({ asked: [], names: {} });
  // A request for many is cut to MAX_NAMES_ASKED.
  const many = namesOf([space(500)], 'latent', 'sample_id', Array.from({ length: 500 }, (_, i) => i));
  expect([many.asked.length, Object.keys(many.names).length]).toEqual([MAX_NAMES_ASKED, MAX_NAMES_ASKED]);
  fc.assert(fc.property(fc.array(fc.anything(), { maxLength: 20 }), (codes) => {
    const { asked, names } = namesOf([sp], 'latent', 'sample_id', codes);
    expect(asked.every((c) => Number.isInteger(c) && codes.includes(c))).toBe(true);
    for (const [c, name] of Object.entries(names)) { expect(asked).toContain(Number(c)); expect(name).toBe(`<b>row ${c}</b>`); }
  }));
});
