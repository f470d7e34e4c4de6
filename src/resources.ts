import { k8s } from 'cdk8s-plus-27';

/** Requests and limits of one container, as Kubernetes quantities (`50m`, `64Mi`). */
export interface ResourceSpec {
  /** CPU request and limit. */
  readonly cpu: { readonly request: string; readonly limit: string };
  /** Memory request and limit. */
  readonly memory: { readonly request: string; readonly limit: string };
  /**
   * Ephemeral storage request and limit.
   * @default none
   */
  readonly ephemeralStorage?: { readonly request: string; readonly limit: string };
}

const QUANTITY = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/** Multiplies a quantity, keeping its unit (`50m` x 2 = `100m`). */
export function scaleQuantity(quantity: string, factor: number): string {
  const match = QUANTITY.exec(quantity);
  if (!match) throw new Error(`not a Kubernetes quantity this library can scale: "${quantity}"`);
  const scaled = Number(match[1]) * factor;
  return `${Number.isInteger(scaled) ? scaled : scaled.toFixed(3).replace(/0+$/, '')}${match[2] ?? ''}`;
}

const UNITS: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40,
};

/** The value of a quantity in its base unit (cores, bytes): `500m` is 0.5, `64Mi` is 67108864. */
export function quantityValue(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  if (!match) throw new Error(`not a Kubernetes quantity this library can read: "${quantity}"`);
  return Number(match[1]) * UNITS[match[2] ?? ''];
}

/** The container `resources` for a spec, scaled by the profile's factor. */
export function toResourceRequirements(spec: ResourceSpec, factor = 1): k8s.ResourceRequirements {
  const entries = Object.entries({ 'cpu': spec.cpu, 'memory': spec.memory, 'ephemeral-storage': spec.ephemeralStorage })
    .filter((e): e is [string, { request: string; limit: string }] => e[1] !== undefined);
  const side = (key: 'request' | 'limit') => Object.fromEntries(
    entries.map(([name, pair]) => [name, k8s.Quantity.fromString(scaleQuantity(pair[key], factor))]),
  );
  return { requests: side('request'), limits: side('limit') };
}
