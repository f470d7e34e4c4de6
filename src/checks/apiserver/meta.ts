/**
 * ObjectMeta and label selectors: ValidateObjectMeta (apimachinery/pkg/api/validation/objectmeta.go),
 * ValidateLabels and ValidateLabelSelector (apimachinery/pkg/apis/meta/v1/validation), and the name
 * function each kind's validation passes to ValidateObjectMeta.
 */
import { KubeObject } from '../../manifest';
import { LabelSelectorSpec } from '../../manifest/selector';
import {
  Fail,
  check,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  labelValue,
  pathSegmentName,
  qualifiedName,
} from './util';

/** Each kind's ValidateXName; kinds not listed are not judged (their rule is not known here). */
const NAME_RULES: Readonly<Record<string, (v: string) => string | undefined>> = {
  // core: ValidateServiceName = NameIsDNS1035Label, ValidateNamespaceName = NameIsDNSLabel.
  Service: dns1035Label,
  Namespace: dns1123Label,
  // rbac: ValidateRBACName = path.IsValidPathSegmentName.
  Role: pathSegmentName,
  ClusterRole: pathSegmentName,
  RoleBinding: pathSegmentName,
  ClusterRoleBinding: pathSegmentName,
  // NameIsDNSSubdomain: ValidatePodName, ValidateReplicationControllerName, ValidateConfigMapName,
  // ValidateSecretName, ValidateServiceAccountName, ValidateEndpointsName, ValidateLimitRangeName,
  // ValidateResourceQuotaName, ValidatePersistentVolumeClaimName, the apps, batch, networking, policy,
  // autoscaling, storage and scheduling kinds, and every custom resource.
  ...Object.fromEntries(
    [
      'Pod',
      'ReplicationController',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
      'Endpoints',
      'LimitRange',
      'ResourceQuota',
      'PersistentVolumeClaim',
      'PodTemplate',
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'ReplicaSet',
      'ControllerRevision',
      'Job',
      'CronJob',
      'NetworkPolicy',
      'Ingress',
      'IngressClass',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
      'StorageClass',
      'PriorityClass',
      'Gateway',
      'GatewayClass',
      'HTTPRoute',
      'GRPCRoute',
      'ReferenceGrant',
    ].map((kind) => [kind, dns1123Subdomain]),
  ),
};

/** Kinds without a namespace: the server clears one given to them rather than checking it. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'CustomResourceDefinition',
  'GatewayClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
]);

/** TotalAnnotationSizeLimitB: the keys and values of an object's annotations together. */
const TOTAL_ANNOTATION_SIZE = 256 * 1024;

/** ValidateObjectMeta with the kind's name rule, for the object's own metadata. */
export function validateObjectMeta(obj: KubeObject, fail: Fail): void {
  const rule = NAME_RULES[obj.kind];
  if (rule) check(fail, 'metadata.name', obj.metadata.name, rule, 'name');
  if (!CLUSTER_SCOPED.has(obj.kind)) check(fail, 'metadata.namespace', obj.metadata.namespace, dns1123Label, 'name');
  validateLabelsAndAnnotations(obj.metadata, 'metadata', fail);
}

/** ValidateLabels and ValidateAnnotations, for any ObjectMeta (an object's or a template's). */
export function validateLabelsAndAnnotations(
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
  path: string,
  fail: Fail,
): void {
  validateLabels(meta?.labels, `${path}.labels`, fail);
  let size = 0;
  for (const [key, value] of Object.entries(meta?.annotations ?? {})) {
    // ValidateAnnotations checks the lowercased key.
    check(fail, `${path}.annotations`, key.toLowerCase(), qualifiedName, 'annotation');
    size += key.length + Buffer.byteLength(String(value));
  }
  if (size > TOTAL_ANNOTATION_SIZE)
    fail(
      `${path}.annotations`,
      'annotation',
      `annotations total ${size} bytes, more than the limit of ${TOTAL_ANNOTATION_SIZE}`,
    );
}

/** ValidateLabels: keys are qualified names, values label values. */
export function validateLabels(labels: Record<string, string> | undefined, path: string, fail: Fail): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    check(fail, path, key, qualifiedName, 'label');
    check(fail, `${path}.${key}`, value, labelValue, 'label');
  }
}

const SELECTOR_OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** ValidateLabelSelector (and ValidateLabelSelectorRequirement). */
export function validateLabelSelector(selector: LabelSelectorSpec | undefined, path: string, fail: Fail): void {
  if (!selector) return;
  validateLabels(selector.matchLabels, `${path}.matchLabels`, fail);
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (values.length === 0)
        fail(`${at}.values`, 'label-selector', `must be specified when operator is ${req.operator}`);
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length > 0)
        fail(`${at}.values`, 'label-selector', `may not be specified when operator is ${req.operator}`);
    } else {
      fail(
        `${at}.operator`,
        'label-selector',
        `unsupported value ${JSON.stringify(req.operator)}: supported values are ${[...SELECTOR_OPERATORS].join(', ')}`,
      );
    }
    check(fail, `${at}.key`, req.key, qualifiedName, 'label-selector');
    values.forEach((v, j) => check(fail, `${at}.values[${j}]`, v, labelValue, 'label-selector'));
  });
}

/** Whether a selector selects nothing in particular (no labels, no expressions), which workloads may not have. */
export function isEmptySelector(selector: LabelSelectorSpec): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
