// Order statistics for timing samples: nearest-rank percentiles, no interpolation, so every
// reported figure is a time that was actually measured.

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
  };
}

/** Milliseconds with three significant figures (µs below 1 ms). */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value === 0) return '0 ms';
  if (value < 1) return `${(value * 1000).toPrecision(3)} µs`;
  if (value >= 1000) return `${(value / 1000).toPrecision(value >= 100_000 ? 4 : 3)} s`;
  return `${value.toPrecision(3)} ms`;
}

export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  const r = a / b;
  // Three decimals near 1, where a target such as 1.05x is judged.
  return r >= 100 ? `${r.toFixed(0)}x` : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(3)}x`;
}
