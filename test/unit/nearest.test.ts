// The step clock's "nearest step": ties go to the first, NaN (no step) is never picked.
import { expect, test } from 'vitest';
import { nearestIndexOf } from '../../src/domain/nearest';

test('nearestIndexOf: nearest, first of equals, never NaN, −1 for nothing', () => {
  expect(nearestIndexOf([237, 249, 262, 274], 240)).toBe(0);
  expect(nearestIndexOf([237, 249, 262, 274], 243)).toBe(0); // 6 from both: the first
  expect(nearestIndexOf([237, 249, 262, 274], 1e9)).toBe(3);
  expect(nearestIndexOf([NaN, 4, NaN, 4], 7)).toBe(1);
  expect(nearestIndexOf([NaN], 0)).toBe(-1);
  expect(nearestIndexOf([], 0)).toBe(-1);
});
