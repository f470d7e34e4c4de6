import { marginalCosts, summarize, superlinearity } from '../bench/stats';

describe('bench statistics', () => {
  test('summarize gives min and median of odd and even counts', () => {
    expect(summarize([3, 1, 2])).toEqual({ min: 1, median: 2, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, runs: 4 });
    expect(() => summarize([])).toThrow('no samples');
  });

  test('marginal cost is the time per copy added between consecutive sizes', () => {
    expect(
      marginalCosts([
        { n: 1, ms: 30 },
        { n: 10, ms: 75 },
        { n: 100, ms: 525 },
      ]),
    ).toEqual([5, 5]);
    expect(() =>
      marginalCosts([
        { n: 10, ms: 1 },
        { n: 10, ms: 2 },
      ]),
    ).toThrow('sizes must grow');
  });

  test('linear growth with a warm-up cost scores at most 1', () => {
    // 25 ms of warm-up spread over the first copies, then 5 ms a copy.
    const linear = [1, 10, 100, 500].map((n) => ({ n, ms: 25 + 5 * n }));
    expect(superlinearity(linear)).toBeCloseTo(1);
    const warming = [
      { n: 1, ms: 30 },
      { n: 10, ms: 110 },
      { n: 100, ms: 560 },
      { n: 500, ms: 2330 },
    ];
    expect(superlinearity(warming)).toBeLessThan(1);
  });

  test('quadratic growth is caught even where the average per copy still falls', () => {
    // cdk8s's per-chart app-wide passes: 5 ms a copy plus 0.0075 ms per copy pair, 100 ms of warm-up.
    const quadratic = [1, 10, 100, 500].map((n) => ({ n, ms: 100 + 5 * n + 0.0075 * n * n }));
    const [, ten, , last] = quadratic;
    expect(last.ms / last.n).toBeLessThan(ten.ms / ten.n);
    expect(superlinearity(quadratic)).toBeGreaterThan(1.5);
  });

  test('needs three sizes and a step that got dearer to judge growth', () => {
    expect(() =>
      superlinearity([
        { n: 1, ms: 1 },
        { n: 2, ms: 2 },
      ]),
    ).toThrow('three sizes');
    expect(() =>
      superlinearity([
        { n: 1, ms: 10 },
        { n: 2, ms: 5 },
        { n: 3, ms: 6 },
      ]),
    ).toThrow('too noisy');
  });
});
