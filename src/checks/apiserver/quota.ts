/**
 * ResourceQuota, LimitRange (ValidateResourceQuota, ValidateLimitRange in pkg/apis/core/validation)
 * and PodDisruptionBudget (ValidatePodDisruptionBudgetSpec in pkg/apis/policy/validation), v1.33.
 */
import { parseQuantity, quantityProblem } from '../../manifest/quantity';
import { validateLabelSelector } from './meta';
import { quantity } from './pod';
import { Fail, check, oneOf, percent, qualifiedName } from './util';

const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);
// Quota resources counted in whole objects (IsIntegerResourceName): their quantity must be an integer.
const INTEGER_RESOURCES = new Set([
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);
/** IsStandardQuotaResourceName, besides the object counts, hugepages and domain-qualified names. */
const QUOTA_RESOURCES = new Set([
  ...INTEGER_RESOURCES,
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);

/** ValidateResourceQuotaSpec: resource names, non-negative quantities (integers for object counts), scopes. */
export function validateResourceQuota(spec: Record<string, any>, fail: Fail): void {
  for (const [name, value] of Object.entries((spec.hard ?? {}) as Record<string, unknown>)) {
    const field = `spec.hard.${name}`;
    check(fail, field, name, qualifiedName, 'quantity');
    if (!name.includes('/') && !QUOTA_RESOURCES.has(name) && !/^(requests\.)?hugepages-/.test(name))
      fail(field, 'quantity', `${name} must be a standard resource type or fully qualified`);
    quantity(value, field, fail, 'quantity');
    if (
      (INTEGER_RESOURCES.has(name) || name.startsWith('count/')) &&
      !quantityProblem(value) &&
      !Number.isInteger(parseQuantity(value as string))
    ) {
      fail(field, 'quantity', `${JSON.stringify(value)} must be an integer`);
    }
  }
}

/** ValidateLimitRange: a known type once each, valid quantities, min <= defaultRequest <= default <= max. */
export function validateLimitRange(spec: Record<string, any>, fail: Fail): void {
  const types = new Set<string>();
  ((spec.limits ?? []) as Array<Record<string, any>>).forEach((item, i) => {
    const at = `spec.limits[${i}]`;
    oneOf(fail, `${at}.type`, item.type, LIMIT_TYPES, 'limit-range');
    if (types.has(item.type)) fail(`${at}.type`, 'limit-range', `duplicate type ${item.type}`);
    types.add(item.type);
    const values: Record<string, Record<string, number>> = {};
    for (const side of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
      for (const [name, v] of Object.entries((item[side] ?? {}) as Record<string, unknown>)) {
        quantity(v, `${at}.${side}.${name}`, fail, 'limit-range');
        if (!quantityProblem(v)) (values[name] ??= {})[side] = parseQuantity(v as string);
      }
    }
    if (item.type === 'Pod' && (item.default || item.defaultRequest))
      fail(at, 'limit-range', 'default and defaultRequest may not be specified when type is Pod');
    if (item.type === 'PersistentVolumeClaim' && item.min?.storage === undefined && item.max?.storage === undefined) {
      fail(at, 'limit-range', 'either minimum or maximum storage value is required, but neither was provided');
    }
    for (const [name, v] of Object.entries(values)) {
      const order: Array<[keyof typeof v, keyof typeof v]> = [
        ['min', 'max'],
        ['min', 'default'],
        ['min', 'defaultRequest'],
        ['defaultRequest', 'default'],
        ['default', 'max'],
        ['defaultRequest', 'max'],
      ];
      for (const [low, high] of order) {
        if (v[low] !== undefined && v[high] !== undefined && v[low] > v[high]) {
          fail(
            `${at}.${low}.${name}`,
            'limit-range',
            `${low} value for ${name} must be less than or equal to the ${high} value`,
          );
        }
      }
      if (v.maxLimitRequestRatio !== undefined && v.maxLimitRequestRatio < 1)
        fail(`${at}.maxLimitRequestRatio.${name}`, 'limit-range', 'ratio must be greater than or equal to 1');
    }
  });
}

/** ValidatePodDisruptionBudgetSpec: minAvailable xor maxUnavailable, each a non-negative int or percent <= 100%. */
export function validatePodDisruptionBudget(spec: Record<string, any>, fail: Fail): void {
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
    fail('spec', 'pdb', 'minAvailable and maxUnavailable cannot be both set');
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[field];
    if (v === undefined) continue;
    if (typeof v === 'number' ? v < 0 : percent(v) === undefined)
      fail(`spec.${field}`, 'pdb', `${JSON.stringify(v)} must be a non-negative integer or a percentage, e.g. '50%'`);
    else if (typeof v === 'string' && percent(v)! > 100) fail(`spec.${field}`, 'pdb', 'must not be greater than 100%');
  }
  validateLabelSelector(spec.selector, 'spec.selector', fail);
}
