/**
 * Kubernetes quantities (`resource.Quantity`), the one parser of the library: what the API server
 * accepts, no more, no less.
 *
 * ```
 * quantity        ::= signedNumber suffix
 * signedNumber    ::= [+-] (digits | digits. | digits.digits | .digits)
 * suffix          ::= binarySI | decimalSI | decimalExponent
 * binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
 * decimalSI       ::= n | u | m | "" | k | M | G | T | P | E
 * decimalExponent ::= (e | E) [+-] digits
 * ```
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
 */

// `E` alone is exa; `E3` is an exponent: the suffix alternative fails at `3`, and the exponent one matches.
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The multiplier of each suffix. */
const QUANTITY_SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A quantity split into its number and its suffix (`64Mi`: 64 and `Mi`; `1e3`: 1 and `e3`). */
export interface QuantityParts {
  /** The signed number before the suffix. */
  readonly number: number;
  /** The suffix as written: `Mi`, `m`, `e3`, or `''`. */
  readonly suffix: string;
  /** What the suffix multiplies the number by. */
  readonly multiplier: number;
}

/** Thrown for a string that is not a Kubernetes quantity; the message says what is accepted. */
export class QuantityError extends Error {}

/** Why `value` is not a Kubernetes quantity, or `undefined` when it is one (a YAML number is one too). */
export function quantityProblem(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${value} is not a finite number`;
  if (typeof value !== 'string')
    return `a quantity is a string or a number, got ${value === null ? 'null' : typeof value}`;
  if (QUANTITY.test(value)) return undefined;
  return (
    `"${value}" is not a Kubernetes quantity: a number with an optional suffix, ` +
    'binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal (n, u, m, k, M, G, T, P, E) or an exponent (e3, E-2), e.g. 500m, 64Mi, 1.5, 1e3'
  );
}

/** Splits a quantity into number and suffix; throws a {@link QuantityError} when it is not one. */
export function quantityParts(value: string | number): QuantityParts {
  if (typeof value === 'number') {
    const problem = quantityProblem(value);
    if (problem) throw new QuantityError(problem);
    return { number: value, suffix: '', multiplier: 1 };
  }
  const match = QUANTITY.exec(value);
  if (!match) throw new QuantityError(quantityProblem(value));
  const [, number, si, exponent] = match;
  return exponent !== undefined
    ? { number: Number(number), suffix: value.slice(number.length), multiplier: 10 ** Number(exponent) }
    : { number: Number(number), suffix: si ?? '', multiplier: QUANTITY_SUFFIXES[si ?? ''] };
}

/** The value of a quantity in its base unit (cores, bytes): `500m` is 0.5, `64Mi` is 67108864, `1e3` is 1000. */
export function parseQuantity(value: string | number): number {
  const { number, multiplier } = quantityParts(value);
  return number * multiplier;
}

/** Negative, zero or positive as `a` is less than, equal to or greater than `b` (`1Gi` > `1G`). */
export function compareQuantities(a: string | number, b: string | number): number {
  return Math.sign(parseQuantity(a) - parseQuantity(b));
}
