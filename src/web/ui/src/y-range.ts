/**
 * The top of a chart's y-axis. A few outlying seconds (the handshake burst of
 * the first second, a GC pause) would otherwise set the scale and press the
 * rest of the run flat onto the bottom: the axis is cut above the bulk of the
 * visible points, and the chart says so. No imports: unit tests load it as is.
 */

export interface YTop {
  /** Top of the axis. */
  top: number;
  /** Points above `top` (drawn off the chart); 0 when nothing is cut. */
  clipped: number;
  /** The highest visible value. */
  max: number;
}

/** Fewer points than this in a line: too few to tell an outlier from the run, nothing is cut. */
export const MIN_POINTS_TO_CLIP = 10;
/** Share of a line's highest points that may lie above the cut (at least one point). */
export const OUTLIER_SHARE = 0.05;
/** Room above the highest point kept (p95 of each line, outliers left out) before the cut. */
export const HEADROOM = 1.5;

/**
 * `lines`: each line's values in view (null for seconds without a figure).
 * Each line's reference is its highest value once its top 5 % (at least one
 * point) is left out; the axis reaches HEADROOM times the highest reference.
 * When every point fits, the axis is the plain maximum with a little room.
 */
export function yTop(lines: ReadonlyArray<ReadonlyArray<number | null | undefined>>): YTop {
  let max = 0;
  let reference = 0;
  let clippable = false;
  for (const line of lines) {
    const values: number[] = [];
    for (const v of line) if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
    if (values.length === 0) continue;
    values.sort((a, b) => a - b);
    const highest = values[values.length - 1]!;
    if (highest > max) max = highest;
    if (values.length < MIN_POINTS_TO_CLIP) {
      if (highest > reference) reference = highest;
      continue;
    }
    clippable = true;
    const leftOut = Math.max(1, Math.floor(values.length * OUTLIER_SHARE));
    const bulk = values[values.length - 1 - leftOut]!;
    if (bulk > reference) reference = bulk;
  }
  const plain = max > 0 ? max * 1.08 : 1;
  const cut = reference * HEADROOM;
  if (!clippable || reference <= 0 || max <= cut) return { top: plain, clipped: 0, max };
  let clipped = 0;
  for (const line of lines) for (const v of line) if (typeof v === 'number' && v > cut) clipped++;
  return { top: cut, clipped, max };
}
