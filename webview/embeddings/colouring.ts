// What colours a space's points: the field (the user's choice, else the space's own most
// useful one) and a number field's scale, shared by every space of the step. Pure, no DOM.
import { autoColourField, NO_COLOUR, type FieldColumn, type SpaceData } from '../../src/protocol/embeddings';

export const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** More categories than this are coloured without a legend entry each. */
export const MAX_LEGEND = 24;

/** Global colour scale of a number field over every space of the step. */
export function numberRange(spaces: readonly SpaceData[], name: string): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const s of spaces) {
    for (const f of s.fields) {
      if (f.name !== name || f.kind !== 'number') continue;
      for (const v of f.values) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** The field a space is coloured by under the user's choice: a field name, NO_COLOUR, or undefined (auto). */
export function colourFieldOf(space: SpaceData, choice: string | undefined): string | undefined {
  if (choice === NO_COLOUR) return undefined;
  // A chosen field this space lacks falls back to the space's own best, never to grey.
  return choice !== undefined && space.fields.some((f) => f.name === choice) ? choice : autoOf(space.fields);
}

// Once per step's fields: finding it scans a million-row column that holds one value.
const autoFields = new WeakMap<readonly FieldColumn[], string | undefined>();
function autoOf(fields: readonly FieldColumn[]): string | undefined {
  if (!autoFields.has(fields)) autoFields.set(fields, autoColourField(fields));
  return autoFields.get(fields);
}
