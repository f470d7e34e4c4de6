// Workloads: pkg/apis/apps/validation (ValidateDeploymentSpec, ValidateStatefulSetSpec,
// ValidateDaemonSetSpec, the template restartPolicy), pkg/apis/batch/validation (validateJobSpec,
// ValidateCronJobCreate, validateScheduleFormat) and pkg/apis/autoscaling/validation.
import { base, table } from './apiserver-support';

const deployment = () => base('Deployment');

table('ValidateDeploymentSpec', deployment, [
  [
    'replicas 0',
    (o) => {
      o.spec.replicas = 0;
    },
    undefined,
  ],
  [
    'Recreate',
    (o) => {
      o.spec.strategy = { type: 'Recreate' };
    },
    undefined,
  ],
  [
    'maxSurge 25% and maxUnavailable 0',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } };
    },
    undefined,
  ],
  [
    'replicas -3',
    (o) => {
      o.spec.replicas = -3;
    },
    'schema/replicas',
  ],
  [
    'minReadySeconds -1',
    (o) => {
      o.spec.minReadySeconds = -1;
    },
    'schema/replicas',
  ],
  [
    'revisionHistoryLimit -1',
    (o) => {
      o.spec.revisionHistoryLimit = -1;
    },
    'schema/replicas',
  ],
  [
    'progressDeadlineSeconds not above minReadySeconds',
    (o) => {
      o.spec.minReadySeconds = 10;
      o.spec.progressDeadlineSeconds = 5;
    },
    'schema/replicas',
  ],
  [
    'empty selector',
    (o) => {
      o.spec.selector = {};
    },
    'schema/selector',
  ],
  [
    'selector that misses the template',
    (o) => {
      o.spec.selector.matchLabels.app = 'other';
    },
    'schema/selector-matches-template',
  ],
  [
    'Recreate with rollingUpdate',
    (o) => {
      o.spec.strategy = { type: 'Recreate', rollingUpdate: {} };
    },
    'schema/strategy',
  ],
  [
    'both 0',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } };
    },
    'schema/strategy',
  ],
  [
    'maxUnavailable 101%',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '101%' } };
    },
    'schema/strategy',
  ],
  [
    'maxSurge -1',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: -1 } };
    },
    'schema/strategy',
  ],
  [
    'restartPolicy Never',
    (o) => {
      o.spec.template.spec.restartPolicy = 'Never';
    },
    'schema/restart-policy',
  ],
  [
    'activeDeadlineSeconds',
    (o) => {
      o.spec.template.spec.activeDeadlineSeconds = 10;
    },
    'schema/pod',
  ],
  [
    'template label invalid',
    (o) => {
      o.spec.template.metadata.labels.x = 'a b';
    },
    'schema/label',
  ],
]);

table('ValidateDaemonSetSpec', () => base('DaemonSet'), [
  [
    'OnDelete',
    (o) => {
      o.spec.updateStrategy = { type: 'OnDelete' };
    },
    undefined,
  ],
  [
    'restartPolicy OnFailure',
    (o) => {
      o.spec.template.spec.restartPolicy = 'OnFailure';
    },
    'schema/restart-policy',
  ],
  [
    'maxUnavailable and maxSurge 0',
    (o) => {
      o.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
    },
    'schema/strategy',
  ],
]);

const statefulSet = () => {
  const o = base('Deployment');
  const { strategy: _s, progressDeadlineSeconds: _p, ...spec } = o.spec;
  return { ...o, kind: 'StatefulSet', spec: { ...spec, serviceName: 'web' } };
};
table('ValidateStatefulSetSpec', statefulSet, [
  [
    'Parallel',
    (o) => {
      o.spec.podManagementPolicy = 'Parallel';
    },
    undefined,
  ],
  [
    'partition -1',
    (o) => {
      o.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } };
    },
    'schema/strategy',
  ],
  [
    'OnDelete with rollingUpdate',
    (o) => {
      o.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: {} };
    },
    'schema/strategy',
  ],
  [
    'ordinals.start -1',
    (o) => {
      o.spec.ordinals = { start: -1 };
    },
    'schema/replicas',
  ],
  [
    'replicas -1',
    (o) => {
      o.spec.replicas = -1;
    },
    'schema/replicas',
  ],
]);

table('validateJobSpec', () => base('Job'), [
  [
    'restartPolicy OnFailure',
    (o) => {
      o.spec.template.spec.restartPolicy = 'OnFailure';
    },
    undefined,
  ],
  [
    'Indexed with completions',
    (o) => {
      o.spec.completionMode = 'Indexed';
      o.spec.completions = 3;
    },
    undefined,
  ],
  [
    'selector that selects the template',
    (o) => {
      o.spec.selector = { matchLabels: { app: 'batch' } };
      o.spec.manualSelector = true;
    },
    undefined,
  ],
  [
    '63-character name',
    (o) => {
      o.metadata.name = 'j'.repeat(63);
    },
    undefined,
  ],
  [
    '64-character name (the job-name label of its pods)',
    (o) => {
      o.metadata.name = 'j'.repeat(64);
    },
    'schema/name',
  ],
  [
    'restartPolicy Always',
    (o) => {
      o.spec.template.spec.restartPolicy = 'Always';
    },
    'schema/restart-policy',
  ],
  [
    'restartPolicy unset (defaults to Always)',
    (o) => {
      delete o.spec.template.spec.restartPolicy;
    },
    'schema/restart-policy',
  ],
  [
    'backoffLimit -1',
    (o) => {
      o.spec.backoffLimit = -1;
    },
    'schema/job',
  ],
  [
    'Indexed without completions',
    (o) => {
      o.spec.completionMode = 'Indexed';
    },
    'schema/job',
  ],
  [
    'backoffLimitPerIndex without Indexed',
    (o) => {
      o.spec.backoffLimitPerIndex = 1;
    },
    'schema/job',
  ],
  [
    'podFailurePolicy with restartPolicy Never',
    (o) => {
      o.spec.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] };
    },
    undefined,
  ],
  [
    'podFailurePolicy with restartPolicy OnFailure',
    (o) => {
      o.spec.template.spec.restartPolicy = 'OnFailure';
      o.spec.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] };
    },
    'schema/job',
  ],
  [
    'manualSelector without selector',
    (o) => {
      o.spec.manualSelector = true;
    },
    'schema/selector',
  ],
  [
    'selector that misses the template',
    (o) => {
      o.spec.selector = { matchLabels: { app: 'other' } };
    },
    'schema/selector-matches-template',
  ],
]);

table('ValidateCronJobCreate and validateScheduleFormat', () => base('CronJob'), [
  [
    '@weekly',
    (o) => {
      o.spec.schedule = '@weekly';
    },
    undefined,
  ],
  [
    'timeZone UTC',
    (o) => {
      o.spec.timeZone = 'Etc/UTC';
    },
    undefined,
  ],
  [
    '52-character name',
    (o) => {
      o.metadata.name = 'c'.repeat(52);
    },
    undefined,
  ],
  [
    '53-character name',
    (o) => {
      o.metadata.name = 'c'.repeat(53);
    },
    'schema/name',
  ],
  [
    '6 fields',
    (o) => {
      o.spec.schedule = '0 0 0 * * *';
    },
    'schema/cron-schedule',
  ],
  [
    'minute 60',
    (o) => {
      o.spec.schedule = '60 * * * *';
    },
    'schema/cron-schedule',
  ],
  [
    'TZ in schedule',
    (o) => {
      o.spec.schedule = 'CRON_TZ=UTC 0 0 * * *';
    },
    'schema/cron-schedule',
  ],
  [
    'timeZone Local',
    (o) => {
      o.spec.timeZone = 'Local';
    },
    'schema/cron-schedule',
  ],
  [
    'timeZone unknown',
    (o) => {
      o.spec.timeZone = 'Mars/Base';
    },
    'schema/cron-schedule',
  ],
  [
    'startingDeadlineSeconds -1',
    (o) => {
      o.spec.startingDeadlineSeconds = -1;
    },
    'schema/job',
  ],
  [
    'failedJobsHistoryLimit -1',
    (o) => {
      o.spec.failedJobsHistoryLimit = -1;
    },
    'schema/job',
  ],
  [
    'Job template restartPolicy Always',
    (o) => {
      o.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always';
    },
    'schema/restart-policy',
  ],
  [
    'Job template parallelism -1',
    (o) => {
      o.spec.jobTemplate.spec.parallelism = -1;
    },
    'schema/job',
  ],
]);

const hpa = () => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 },
});
table('ValidateHorizontalPodAutoscaler', hpa, [
  [
    'min equals max',
    (o) => {
      o.spec.maxReplicas = 1;
    },
    undefined,
  ],
  [
    'minReplicas 0',
    (o) => {
      o.spec.minReplicas = 0;
    },
    'schema/replicas',
  ],
  [
    'max below min',
    (o) => {
      o.spec.minReplicas = 5;
    },
    'schema/replicas',
  ],
]);
