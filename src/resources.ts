import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-27';
import { quantityParts } from './manifest/quantity';

/** An amount of CPU: a cdk8s-plus `Cpu` (`Cpu.millis(50)`), or a Kubernetes quantity (`'50m'`, `'1'`). */
export type CpuAmount = Cpu | string;
/** An amount of memory or storage: a cdk8s `Size` (`Size.mebibytes(64)`), or a Kubernetes quantity (`'64Mi'`). */
export type SizeAmount = Size | string;

/** A request and a limit of one resource. */
export interface RequestAndLimit<T> {
  /** What the scheduler reserves. */
  readonly request: T;
  /** What the container may use at most. */
  readonly limit: T;
}

/** Requests and limits of one container. Strings are Kubernetes quantities (`50m`, `64Mi`). */
export interface ResourceSpec {
  /** CPU request and limit. */
  readonly cpu: RequestAndLimit<CpuAmount>;
  /** Memory request and limit. */
  readonly memory: RequestAndLimit<SizeAmount>;
  /**
   * Ephemeral storage request and limit.
   * @default none
   */
  readonly ephemeralStorage?: RequestAndLimit<SizeAmount>;
}

/** A resource amount as a Kubernetes quantity string (a `Size` in the largest binary unit that keeps it whole). */
export function quantityOf(amount: CpuAmount | SizeAmount): string {
  if (typeof amount === 'string') return amount;
  if (amount instanceof Size) {
    const none = { rounding: SizeRoundingBehavior.NONE };
    for (const [unit, value] of [
      ['Ti', amount.toTebibytes(none)],
      ['Gi', amount.toGibibytes(none)],
      ['Mi', amount.toMebibytes(none)],
    ] as const) {
      if (Number.isInteger(value) && value > 0) return `${value}${unit}`;
    }
    return `${amount.toKibibytes(none)}Ki`;
  }
  return amount.amount;
}

/** A spec with every amount as a quantity string: what checks and quota sums read. */
export function resourceQuantities(spec: ResourceSpec): Record<string, RequestAndLimit<string>> {
  const entries: Array<[string, RequestAndLimit<CpuAmount | SizeAmount> | undefined]> = [
    ['cpu', spec.cpu],
    ['memory', spec.memory],
    ['ephemeral-storage', spec.ephemeralStorage],
  ];
  return Object.fromEntries(
    entries.flatMap(([name, pair]) =>
      pair ? [[name, { request: quantityOf(pair.request), limit: quantityOf(pair.limit) }]] : [],
    ),
  );
}

/** Multiplies a quantity, keeping its suffix (`50m` x 2 = `100m`); throws on a string that is not a quantity. */
export function scaleQuantity(quantity: string, factor: number): string {
  const { number, suffix } = quantityParts(quantity);
  const scaled = number * factor;
  return `${Number.isInteger(scaled) ? scaled : scaled.toFixed(3).replace(/0+$/, '')}${suffix}`;
}

/** The container `resources` for a spec, scaled by the profile's factor. */
export function toResourceRequirements(spec: ResourceSpec, factor = 1): k8s.ResourceRequirements {
  const entries = Object.entries(resourceQuantities(spec));
  const side = (key: 'request' | 'limit') =>
    Object.fromEntries(
      entries.map(([name, pair]) => [name, k8s.Quantity.fromString(scaleQuantity(pair[key], factor))]),
    );
  return { requests: side('request'), limits: side('limit') };
}
