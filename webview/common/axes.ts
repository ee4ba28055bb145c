// uPlot axis options shared by the panels' charts.
import uPlot from 'uplot';

/** Tick steps 1, 2, 5, 10, 20, 50…: none falls between two whole numbers. */
const WHOLE_INCRS = Array.from({ length: 16 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

/**
 * For an axis of whole numbers (steps, indices): whole ticks only (uPlot's own steps gave a
 * two-step episode ticks 0.1…0.9). The ticks shown are kept on the chart as data-x-ticks.
 */
export function wholeNumberTicks(): Pick<uPlot.Axis, 'incrs' | 'values'> {
  return { incrs: WHOLE_INCRS, values: recordedValues('xTicks') };
}

/** Tick labels as uPlot formats numbers, the ticks kept on the chart's root as data-`key` (for tests). */
function recordedValues(key: 'xTicks' | 'yTicks'): uPlot.Axis.Values {
  return (u, splits) => {
    u.root.dataset[key] = splits.join(' ');
    return splits.map((v) => (v == null ? '' : uPlot.fmtNum(v)));
  };
}

/**
 * For a waveform's fixed full scale: ticks at -1, 0 and 1 (on a lane 60 pixels high uPlot's own
 * gave 0 alone, which says nothing of the scale). The ticks are kept as data-y-ticks.
 */
export function fullScaleTicks(): Pick<uPlot.Axis, 'splits' | 'values'> {
  return { splits: () => [-1, 0, 1], values: recordedValues('yTicks') };
}
