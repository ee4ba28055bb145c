// Category names cross to the page packed as UTF-8: every text comes back as it was.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { categoryColumn, packTexts, textAt, textCount, unpackTexts } from '../../../src/protocol/embeddings';

test('any list of texts (any script, empty ones, long ones) unpacks to itself, and text i alone to text i', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 300 }).map((t) => t.replace(/[\ud800-\udfff]/g, '?'))), { maxLength: 60 }), (texts) => {
    const packed = packTexts(texts);
    expect(textCount(packed)).toBe(texts.length);
    expect(unpackTexts(packed)).toEqual(texts);
    texts.forEach((t, i) => expect(textAt(packed, i)).toBe(t));
  }));
});

test('a code outside the table is no text, never another category', () => {
  const packed = packTexts(['a', 'b']);
  expect([textAt(packed, 2), textAt(packed, -1), textAt(packed, NaN)]).toEqual(['', '', '']);
});

test('a million distinct names pack into one buffer, in order of first appearance', () => {
  const texts = Array.from({ length: 1_000_000 }, (_, i) => `sample-${i % 500_000}`);
  const col = categoryColumn('sample_id', texts);
  expect(col.kind === 'category' && [textCount(col.categories), col.codes[500_001], textAt(col.categories, 499_999)]).toEqual([500_000, 1, 'sample-499999']);
});
