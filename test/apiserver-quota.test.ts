// ResourceQuota and LimitRange (ValidateResourceQuota, ValidateLimitRange in pkg/apis/core/validation)
// and PodDisruptionBudget (ValidatePodDisruptionBudgetSpec in pkg/apis/policy/validation).
import { base, table } from './apiserver-support';

table('ValidateResourceQuota', () => base('ResourceQuota'), [
  [
    'object count and extended resource',
    (o) => {
      o.spec.hard['count/deployments.apps'] = 3;
      o.spec.hard['requests.example.com/gpu'] = 1;
    },
    undefined,
  ],
  [
    'scopes',
    (o) => {
      o.spec.scopes = ['NotTerminating'];
    },
    undefined,
  ],
  [
    'zero',
    (o) => {
      o.spec.hard.pods = 0;
    },
    undefined,
  ],
  [
    'negative pods',
    (o) => {
      o.spec.hard.pods = -1;
    },
    'schema/quantity',
  ],
  [
    'fractional pods',
    (o) => {
      o.spec.hard.pods = '500m';
    },
    'schema/quantity',
  ],
  [
    'negative memory',
    (o) => {
      o.spec.hard['limits.memory'] = '-1Gi';
    },
    'schema/quantity',
  ],
  [
    'resource name not standard',
    (o) => {
      o.spec.hard.gpus = 1;
    },
    'schema/quantity',
  ],
]);

table('ValidateLimitRange', () => base('LimitRange'), [
  [
    'min and max around the defaults',
    (o) => {
      o.spec.limits[0].min = { cpu: '10m' };
      o.spec.limits[0].max = { cpu: '1' };
    },
    undefined,
  ],
  [
    'a PVC range',
    (o) => {
      o.spec.limits.push({ type: 'PersistentVolumeClaim', max: { storage: '10Gi' } });
    },
    undefined,
  ],
  [
    'defaultRequest above default',
    (o) => {
      o.spec.limits[0].defaultRequest.memory = '1Gi';
    },
    'schema/limit-range',
  ],
  [
    'default above max',
    (o) => {
      o.spec.limits[0].max = { memory: '128Mi' };
    },
    'schema/limit-range',
  ],
  [
    'min above defaultRequest',
    (o) => {
      o.spec.limits[0].min = { cpu: '60m' };
    },
    'schema/limit-range',
  ],
  [
    'negative default',
    (o) => {
      o.spec.limits[0].default.cpu = '-250m';
    },
    'schema/limit-range',
  ],
  [
    'type Node',
    (o) => {
      o.spec.limits[0].type = 'Node';
    },
    'schema/limit-range',
  ],
  [
    'duplicate type',
    (o) => {
      o.spec.limits.push({ type: 'Container', max: { cpu: '1' } });
    },
    'schema/limit-range',
  ],
  [
    'Pod type with defaults',
    (o) => {
      o.spec.limits[0].type = 'Pod';
    },
    'schema/limit-range',
  ],
  [
    'PVC range without storage',
    (o) => {
      o.spec.limits.push({ type: 'PersistentVolumeClaim' });
    },
    'schema/limit-range',
  ],
  [
    'ratio below 1',
    (o) => {
      o.spec.limits[0].maxLimitRequestRatio = { cpu: '0.5' };
    },
    'schema/limit-range',
  ],
]);

table('ValidatePodDisruptionBudgetSpec', () => base('PodDisruptionBudget'), [
  [
    'maxUnavailable 100%',
    (o) => {
      o.spec.maxUnavailable = '100%';
    },
    undefined,
  ],
  [
    'minAvailable alone',
    (o) => {
      delete o.spec.maxUnavailable;
      o.spec.minAvailable = '50%';
    },
    undefined,
  ],
  [
    'both set',
    (o) => {
      o.spec.minAvailable = 1;
    },
    'schema/pdb',
  ],
  [
    'negative',
    (o) => {
      o.spec.maxUnavailable = -1;
    },
    'schema/pdb',
  ],
  [
    'over 100%',
    (o) => {
      o.spec.maxUnavailable = '101%';
    },
    'schema/pdb',
  ],
  [
    'not a percent',
    (o) => {
      o.spec.maxUnavailable = 'one';
    },
    'schema/pdb',
  ],
  [
    'selector value invalid',
    (o) => {
      o.spec.selector.matchLabels.app = 'a b';
    },
    'schema/label',
  ],
]);
