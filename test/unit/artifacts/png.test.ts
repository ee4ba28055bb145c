import { readFileSync, readdirSync } from 'node:fs';
import { expect, test } from 'vitest';
import { readPng } from '../../../src/domain/artifacts/png';
import { fmt } from '../helpers';

const pngs = readdirSync(fmt('png')).filter((n) => n.endsWith('.png'));

test('the fixture set covers every colour type, 1–16 bit depths and interlacing', () => {
  expect(pngs.length).toBeGreaterThanOrEqual(12);
});

test.each(pngs)('%s decodes to the same RGBA pixels as pypng', async (name) => {
  const img = await readPng(fmt('png', name));
  expect([img.width, img.height]).toEqual([9, 7]);
  const expected = readFileSync(fmt('png', name.replace(/\.png$/, '.rgba')));
  expect(Buffer.from(img.data).equals(expected)).toBe(true);
});

test('interlaced and 16-bit flags are reported', async () => {
  expect(await readPng(fmt('png', 'rgba16_interlaced.png'))).toMatchObject({ interlaced: true, bitDepth: 16, colorType: 6 });
  expect(await readPng(fmt('png', 'palette.png'))).toMatchObject({ interlaced: false, colorType: 3 });
});
