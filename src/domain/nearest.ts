// Which of a few steps is nearest a step the run's clock was set to. No imports: the host
// panels and the webviews share it.

/** The index of the value nearest `x` (the first of equals; NaN never), or −1 when there is none. */
export function nearestIndexOf(values: ArrayLike<number>, x: number): number {
  let best = -1, bestDistance = Infinity;
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(values[i] - x);
    if (d < bestDistance) { best = i; bestDistance = d; }
  }
  return best;
}
