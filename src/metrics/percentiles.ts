/** The percentiles every report shows, as Locust reports them. */
export const PERCENTILES: readonly number[] = Object.freeze([50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100]);

/** The key of a percentile in `percentilesMs` records: "50", "99.9", "100". */
export function percentileKey(p: number): string {
  return String(p);
}
