/**
 * Workload kinds: pkg/apis/apps/validation (Deployment, StatefulSet, DaemonSet, ReplicaSet),
 * pkg/apis/batch/validation (Job, CronJob and its schedule), pkg/apis/autoscaling/validation (HPA),
 * and core's ReplicationController and Pod, each with its pod template's restartPolicy.
 */
import { KubeObject, PodTemplateRef, containersOf, podTemplateOf } from '../../manifest';
import { parseQuantity, quantityProblem } from '../../manifest/quantity';
import { LabelSelectorSpec, matchesSelector } from '../../manifest/selector';
import { isEmptySelector, validateLabelSelector, validateLabelsAndAnnotations } from './meta';
import { validatePodSpec } from './pod';
import { Fail, nonNegative, oneOf, percent, positiveIntOrPercent } from './util';

const ALWAYS = new Set(['Always']);
const JOB_RESTART = new Set(['OnFailure', 'Never']);
/** The restartPolicy each kind's pod template allows (ValidatePodTemplateSpecForReplicaSet and friends, validateJobSpec). */
const RESTART_POLICY_BY_KIND: Readonly<Record<string, ReadonlySet<string>>> = {
  Deployment: ALWAYS,
  StatefulSet: ALWAYS,
  DaemonSet: ALWAYS,
  ReplicaSet: ALWAYS,
  ReplicationController: ALWAYS,
  Job: JOB_RESTART,
  CronJob: JOB_RESTART,
};
/** Kinds whose `spec.selector` is a required, non-empty LabelSelector that must select their template. */
const SELECTOR_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet']);
const RETENTION = new Set(['Retain', 'Delete']);

/** The workload rules of one object: its template's pod spec, and its kind's own spec fields. */
export function validateWorkload(obj: KubeObject, fail: Fail): void {
  const template = podTemplateOf(obj);
  const spec = (obj.spec ?? {}) as Record<string, any>;
  if (SELECTOR_KINDS.has(obj.kind)) selectorOf(obj, spec, template, fail);
  if (template) {
    if (obj.kind !== 'Pod')
      validateLabelsAndAnnotations(templateMeta(obj), template.path.replace(/\.spec$/, '.metadata'), fail);
    validatePodSpec(template.spec, template.path, fail, RESTART_POLICY_BY_KIND[obj.kind]);
    requestsWithinLimits(template, fail);
    if (obj.kind === 'Pod') imagesWithoutWhitespace(template, fail);
    if (RESTART_POLICY_BY_KIND[obj.kind] === ALWAYS && template.spec.activeDeadlineSeconds !== undefined) {
      fail(`${template.path}.activeDeadlineSeconds`, 'pod', `activeDeadlineSeconds is not supported in a ${obj.kind}`);
    }
  }
  for (const field of ['replicas', 'minReadySeconds', 'revisionHistoryLimit'] as const)
    nonNegative(fail, `spec.${field}`, spec[field], 'replicas');
  switch (obj.kind) {
    case 'Deployment':
      return validateDeployment(spec, fail);
    case 'StatefulSet':
      return validateStatefulSet(spec, fail);
    case 'DaemonSet':
      return validateDaemonSet(spec, fail);
    case 'Job':
      // The Job's name becomes the job-name label of its pods, a label value of at most 63 characters.
      if ((obj.metadata.name ?? '').length > 63) fail('metadata.name', 'name', 'must be no more than 63 characters');
      return validateJobSpec(spec, 'spec', fail, template);
    case 'CronJob':
      return validateCronJob(obj, spec, fail, template);
    case 'HorizontalPodAutoscaler':
      return validateHpa(spec, fail);
    default:
  }
}

function templateMeta(obj: KubeObject): Record<string, any> | undefined {
  const spec = obj.spec as Record<string, any>;
  return obj.kind === 'CronJob' ? spec.jobTemplate?.spec?.template?.metadata : spec.template?.metadata;
}

/** ValidateDeploymentSpec and friends: a selector, not empty, valid, selecting the template's labels. */
function selectorOf(
  obj: KubeObject,
  spec: Record<string, any>,
  template: PodTemplateRef | undefined,
  fail: Fail,
): void {
  const selector = spec.selector as LabelSelectorSpec | undefined;
  if (!selector) return; // required by the schema, which reports it
  if (isEmptySelector(selector)) {
    fail('spec.selector', 'selector', `empty selector is invalid for ${obj.kind.toLowerCase()}`);
    return;
  }
  validateLabelSelector(selector, 'spec.selector', fail);
  if (template) selectsTemplate(selector, template, fail);
}

/** `selector` does not match template `labels`. */
function selectsTemplate(selector: LabelSelectorSpec, template: PodTemplateRef, fail: Fail): void {
  if (!matchesSelector(selector, template.labels)) {
    fail(
      'spec.selector',
      'selector-matches-template',
      `does not select the pod template's labels (${JSON.stringify(template.labels)})`,
    );
  }
}

/** ValidateResourceRequirements: a request above its limit. */
function requestsWithinLimits(template: PodTemplateRef, fail: Fail): void {
  for (const { path, container } of containersOf(template.spec, template.path)) {
    const resources = (container.resources ?? {}) as Record<'requests' | 'limits', Record<string, unknown> | undefined>;
    for (const [name, request] of Object.entries(resources.requests ?? {})) {
      const limit = resources.limits?.[name];
      if (limit === undefined || quantityProblem(request) || quantityProblem(limit)) continue;
      if (parseQuantity(request as string) > parseQuantity(limit as string)) {
        fail(
          `${path}.resources.requests.${name}`,
          'request-above-limit',
          `${name} request ${JSON.stringify(request)} is above its limit ${JSON.stringify(limit)}`,
        );
      }
    }
  }
}

/**
 * validateContainersOnlyForPod: no whitespace around an image. Templates are spared it upstream, for
 * compatibility (an image of " " is a placeholder some tools put in templates).
 */
function imagesWithoutWhitespace(template: PodTemplateRef, fail: Fail): void {
  for (const { path, container } of containersOf(template.spec, template.path)) {
    if (typeof container.image === 'string' && container.image.trim() !== container.image)
      fail(`${path}.image`, 'container', 'must not have leading or trailing whitespace');
  }
}

/** ValidateDeploymentSpec / ValidateDeploymentStrategy / ValidateRollingUpdateDeployment. */
function validateDeployment(spec: Record<string, any>, fail: Fail): void {
  const strategy = spec.strategy ?? {};
  if (strategy.type === 'Recreate' && strategy.rollingUpdate)
    fail('spec.strategy.rollingUpdate', 'strategy', 'may not be specified when strategy `type` is Recreate');
  rollingUpdate(strategy.rollingUpdate, 'spec.strategy.rollingUpdate', fail);
  nonNegative(fail, 'spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'replicas');
  if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    fail('spec.progressDeadlineSeconds', 'replicas', 'must be greater than minReadySeconds');
  }
}

/** ValidateRollingUpdateDeployment / validateRollingUpdateDaemonSet: int-or-percent, at most 100%, not both 0. */
function rollingUpdate(ru: Record<string, any> | undefined, path: string, fail: Fail): void {
  if (!ru) return;
  for (const field of ['maxUnavailable', 'maxSurge'] as const) {
    const v = ru[field];
    if (v === undefined) continue;
    const problem = positiveIntOrPercent(v);
    if (problem) fail(`${path}.${field}`, 'strategy', `${JSON.stringify(v)} ${problem}`);
    else if (field === 'maxUnavailable' && typeof v === 'string' && percent(v)! > 100)
      fail(`${path}.${field}`, 'strategy', 'must not be greater than 100%');
  }
  const zero = (v: unknown) => v === 0 || v === '0%';
  if (zero(ru.maxUnavailable) && zero(ru.maxSurge))
    fail(`${path}.maxUnavailable`, 'strategy', 'may not be 0 when `maxSurge` is 0');
}

/** ValidateStatefulSetSpec. */
function validateStatefulSet(spec: Record<string, any>, fail: Fail): void {
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type === 'OnDelete' && strategy.rollingUpdate)
    fail('spec.updateStrategy.rollingUpdate', 'strategy', 'only allowed for updateStrategy RollingUpdate');
  nonNegative(fail, 'spec.updateStrategy.rollingUpdate.partition', strategy.rollingUpdate?.partition, 'strategy');
  const retention = spec.persistentVolumeClaimRetentionPolicy ?? {};
  oneOf(fail, 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted', retention.whenDeleted, RETENTION, 'strategy');
  oneOf(fail, 'spec.persistentVolumeClaimRetentionPolicy.whenScaled', retention.whenScaled, RETENTION, 'strategy');
  nonNegative(fail, 'spec.ordinals.start', spec.ordinals?.start, 'replicas');
}

/** ValidateDaemonSetSpec / ValidateDaemonSetUpdateStrategy. */
function validateDaemonSet(spec: Record<string, any>, fail: Fail): void {
  rollingUpdate(spec.updateStrategy?.rollingUpdate, 'spec.updateStrategy.rollingUpdate', fail);
}

/** validateJobSpec: non-negative counts, a completion mode, and a template that may not restart Always. */
function validateJobSpec(
  spec: Record<string, any>,
  path: string,
  fail: Fail,
  template: PodTemplateRef | undefined,
): void {
  for (const field of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
  ] as const) {
    nonNegative(fail, `${path}.${field}`, spec[field], 'job');
  }
  if (spec.completionMode === 'Indexed' && spec.completions === undefined)
    fail(`${path}.completions`, 'job', 'must be specified when completionMode is Indexed');
  if (spec.backoffLimitPerIndex !== undefined && spec.completionMode !== 'Indexed')
    fail(`${path}.backoffLimitPerIndex`, 'job', 'requires completionMode Indexed');
  if (spec.podFailurePolicy && template && template.spec.restartPolicy !== 'Never')
    fail(`${path}.podFailurePolicy`, 'job', "only allowed when the template's restartPolicy is Never");
  const selector = spec.selector as LabelSelectorSpec | undefined;
  if (selector) {
    validateLabelSelector(selector, `${path}.selector`, fail);
    if (template) selectsTemplate(selector, template, fail);
  } else if (spec.manualSelector === true)
    fail(`${path}.selector`, 'selector', 'is required when manualSelector is true');
}

/** ValidateCronJobCreate: name length, schedule, time zone, policies, and the Job template. */
function validateCronJob(
  obj: KubeObject,
  spec: Record<string, any>,
  fail: Fail,
  template: PodTemplateRef | undefined,
): void {
  // The controller names each Job `<cronjob>-<11 characters>`, and a Job's name is a 63-character label value.
  if ((obj.metadata.name ?? '').length > 52) fail('metadata.name', 'name', 'must be no more than 52 characters');
  const problem = typeof spec.schedule === 'string' ? cronScheduleProblem(spec.schedule) : undefined;
  if (problem) fail('spec.schedule', 'cron-schedule', `${JSON.stringify(spec.schedule)}: ${problem}`);
  if (spec.timeZone !== undefined && !validTimeZone(spec.timeZone))
    fail('spec.timeZone', 'cron-schedule', `${JSON.stringify(spec.timeZone)} is not an IANA time zone`);
  for (const field of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const)
    nonNegative(fail, `spec.${field}`, spec[field], 'job');
  validateLabelsAndAnnotations(spec.jobTemplate?.metadata, 'spec.jobTemplate.metadata', fail);
  if (spec.jobTemplate?.spec) validateJobSpec(spec.jobTemplate.spec, 'spec.jobTemplate.spec', fail, template);
}

function validTimeZone(tz: string): boolean {
  if (tz === '' || tz.toLowerCase() === 'local' || /\s/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** ValidateHorizontalPodAutoscaler: at least one replica, max not below min. */
function validateHpa(spec: Record<string, any>, fail: Fail): void {
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1)
    fail('spec.minReplicas', 'replicas', 'must be greater than or equal to 1');
  if (typeof spec.maxReplicas === 'number' && spec.maxReplicas < 1)
    fail('spec.maxReplicas', 'replicas', 'must be greater than 0');
  if (typeof spec.maxReplicas === 'number' && spec.maxReplicas < (spec.minReplicas ?? 1))
    fail('spec.maxReplicas', 'replicas', 'must be greater than or equal to `minReplicas`');
}

// The cron syntax of the CronJob controller (robfig/cron v3 ParseStandard with descriptors).
const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
    base: 1,
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], base: 0 },
] as const;
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const GO_DURATION =
  /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))*$/;
const CRON_RANGE = /^(\*|\?|[0-9a-z]+(?:-[0-9a-z]+)?)(?:\/([0-9]+))?$/i;

/** Why a CronJob schedule does not parse (validateScheduleFormat), or undefined. */
export function cronScheduleProblem(schedule: string): string | undefined {
  if (schedule.includes('TZ')) return 'cannot use TZ or CRON_TZ in schedule, use the timeZone field instead';
  const s = schedule.trim();
  if (s.startsWith('@')) {
    if (DESCRIPTORS.has(s)) return undefined;
    if (s.startsWith('@every '))
      return GO_DURATION.test(s.slice(7).trim()) ? undefined : 'failed to parse duration of @every';
    return `unrecognized descriptor ${s}`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i];
    for (const part of field.split(',')) {
      const m = CRON_RANGE.exec(part);
      if (!m) return `invalid ${spec.name} field ${part}`;
      if (m[2] !== undefined && Number(m[2]) <= 0) return `step of range should be a positive number: ${part}`;
      if (m[1] === '*' || m[1] === '?') continue;
      const [from, to = from] = m[1].split('-').map((v) => cronValue(v, spec));
      if (from === undefined || to === undefined) return `invalid ${spec.name} value in ${part}`;
      if (from < spec.min || to > spec.max) return `${spec.name} out of range (${spec.min}-${spec.max}): ${part}`;
      if (from > to) return `beginning of range after end: ${part}`;
    }
  }
  return undefined;
}

function cronValue(v: string, spec: (typeof CRON_FIELDS)[number]): number | undefined {
  if (/^[0-9]+$/.test(v)) return Number(v);
  const names = 'names' in spec ? (spec.names as readonly string[]) : [];
  const i = names.indexOf(v.toLowerCase());
  return i < 0 ? undefined : i + (spec as { base: number }).base;
}
