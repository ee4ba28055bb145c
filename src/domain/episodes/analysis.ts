// What the replay panel points at in an episode: cells an action changed, the steps where the
// reward jumps ("key moments", the seed's EpisodeSummaryData.key_moments), and the first step
// where similarity to the target falls.
import type { Grid } from '../artifacts/episodes';

/** Row-major indices of cells that differ; when the shapes differ every cell of `after` counts. */
export function changedCells(before: Grid | undefined, after: Grid | undefined): number[] {
  if (!before || !after) return [];
  const out: number[] = [];
  const same = before.height === after.height && before.width === after.width;
  for (let k = 0; k < after.cells.length; k++) if (!same || before.cells[k] !== after.cells[k]) out.push(k);
  return out;
}

/**
 * Step indices whose reward differs from the previous step's by at least half the largest
 * such change in the episode (the first step compares with 0). Flat episodes have none.
 */
export function keyMoments(rewards: ArrayLike<number>): number[] {
  const jumps = Array.from(rewards, (r, i) => Math.abs(r - (i > 0 ? rewards[i - 1] : 0)));
  const largest = jumps.reduce((a, b) => Math.max(a, b), 0);
  if (!(largest > 1e-12)) return [];
  return jumps.flatMap((j, i) => (j >= largest / 2 ? [i] : []));
}

/** The first step index whose similarity is below the previous known one. */
export function firstSimilarityDrop(similarity: ArrayLike<number | null | undefined>): number | undefined {
  let previous: number | undefined;
  for (let i = 0; i < similarity.length; i++) {
    const s = similarity[i];
    if (typeof s !== 'number' || !Number.isFinite(s)) continue;
    if (previous !== undefined && s < previous - 1e-9) return i;
    previous = s;
  }
  return undefined;
}

export function cumulative(values: ArrayLike<number>): number[] {
  let sum = 0;
  return Array.from(values, (v) => (sum += Number.isFinite(v) ? v : 0));
}
