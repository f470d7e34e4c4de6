import {
  QuantityError,
  compareQuantities,
  parseQuantity,
  quantityParts,
  quantityProblem,
} from '../src/manifest/quantity';

describe('Kubernetes quantities', () => {
  test.each([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['2.', 2],
    ['+1', 1],
    ['-1', -1],
    ['64Mi', 64 * 2 ** 20],
    ['1Ki', 1024],
    ['1Gi', 2 ** 30],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['1n', 1e-9],
    ['1u', 1e-6],
    ['1k', 1e3],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['1e3', 1e3],
    ['12E6', 12e6],
    ['1e-3', 1e-3],
    ['1E+2', 100],
    [2, 2],
    [0.25, 0.25],
  ])('%s is %d', (text, value) => {
    expect(quantityProblem(text)).toBeUndefined();
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  test.each(['lots', '64MB', '1mi', '', ' 1', '1 ', '1.2.3', 'Mi', '1e', '1e1.5', '1K', '1Kib', '--1', '1E3Mi'])(
    '"%s" is not a quantity',
    (text) => {
      expect(quantityProblem(text)).toContain('is not a Kubernetes quantity');
      expect(() => parseQuantity(text)).toThrow(QuantityError);
    },
  );

  test('non-strings and non-numbers are not quantities', () => {
    expect(quantityProblem(null)).toMatch(/got null/);
    expect(quantityProblem(Infinity)).toMatch(/finite/);
  });

  test('parts keep the suffix as written, for scaling', () => {
    expect(quantityParts('50m')).toEqual({ number: 50, suffix: 'm', multiplier: 1e-3 });
    expect(quantityParts('1e3')).toEqual({ number: 1, suffix: 'e3', multiplier: 1000 });
    expect(quantityParts('2')).toEqual({ number: 2, suffix: '', multiplier: 1 });
  });

  test('comparison across suffixes', () => {
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(compareQuantities('500m', '0.5')).toBe(0);
    expect(compareQuantities('100m', 1)).toBe(-1);
  });
});
