/** The figures the benchmark reports for repeated runs of one command. */
export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly runs: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, runs: sorted.length };
}

/** One size of the scale benchmark: `n` copies took `ms`. */
export interface ScalePoint {
  readonly n: number;
  readonly ms: number;
}

/**
 * The cost of each copy added between consecutive sizes: (ms[i] - ms[i-1]) / (n[i] - n[i-1]).
 * Unlike the average cost per copy, it is not flattered by spreading warm-up over many copies.
 */
export function marginalCosts(points: readonly ScalePoint[]): number[] {
  return points.slice(1).map((p, i) => {
    const prev = points[i];
    if (p.n <= prev.n) throw new Error(`sizes must grow: ${prev.n} then ${p.n}`);
    return (p.ms - prev.ms) / (p.n - prev.n);
  });
}

/**
 * How much dearer a copy is at the largest step than at the cheapest earlier step: about 1 (or less,
 * as the JIT warms up) when time grows linearly, and growing with N when it is superlinear.
 */
export function superlinearity(points: readonly ScalePoint[]): number {
  const marginal = marginalCosts(points);
  if (marginal.length < 2) throw new Error('need at least three sizes to judge growth');
  // A step that got cheaper outright is noise, not a cost: it cannot serve as the baseline.
  const earlier = marginal.slice(0, -1).filter((m) => m > 0);
  if (earlier.length === 0) throw new Error(`timings too noisy to judge growth: ${JSON.stringify(points)}`);
  return marginal[marginal.length - 1] / Math.min(...earlier);
}

/** A number with `digits` decimals, for the benchmark's tables. */
export const fmt = (value: number, digits = 2): string => value.toFixed(digits);

/** One line of a plain-text table: the first cell padded on the right, the others on the left. */
export const row = (cells: Array<string | number>, widths: number[]): string =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
