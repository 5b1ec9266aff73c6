// The reaper's scan durations as a fixed-bucket histogram, kept in its stats: two clock reads and
// one increment per scan, so a Prometheus scrape (src/observe/metrics/) can report every scan since
// the reaper started without a hook on the scan itself.
import type { DurationHistogram } from './types.js';

/** Upper bounds, in seconds: a scan of a few children takes ~100 µs, of 1,000 orphans ~1 ms. */
export const SCAN_BUCKETS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
]);

export function emptyHistogram(bounds: readonly number[] = SCAN_BUCKETS): DurationHistogram {
  return { bounds, counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

export function observe(h: DurationHistogram, seconds: number): void {
  let i = 0;
  while (i < h.bounds.length && seconds > (h.bounds[i] as number)) i++;
  h.counts[i] = (h.counts[i] ?? 0) + 1;
  h.sum += seconds;
  h.count++;
}

/** A copy that later scans do not change. */
export function copyHistogram(h: DurationHistogram): DurationHistogram {
  return { bounds: h.bounds, counts: [...h.counts], sum: h.sum, count: h.count };
}
