/** RBAC: pkg/apis/rbac/validation/validation.go (v1.33). */
import { KubeObject } from '../../manifest';
import { validateLabelSelector } from './meta';
import { Fail, check, dns1123Subdomain, pathSegmentName } from './util';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUBJECT_KINDS = new Set(['ServiceAccount', 'User', 'Group']);

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export function validateRbac(obj: KubeObject, fail: Fail): void {
  const namespaced = obj.kind === 'Role' || obj.kind === 'RoleBinding';
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    ((obj.rules ?? []) as PolicyRule[]).forEach((rule, i) => validatePolicyRule(rule, namespaced, `rules[${i}]`, fail));
    const aggregation = obj.aggregationRule as { clusterRoleSelectors?: object[] } | undefined;
    (aggregation?.clusterRoleSelectors ?? []).forEach((s, i) =>
      validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`, fail),
    );
  } else {
    validateRoleRef(obj.roleRef as Record<string, string> | undefined, obj.kind, fail);
    ((obj.subjects ?? []) as Array<Record<string, string>>).forEach((s, i) =>
      validateSubject(s, namespaced, `subjects[${i}]`, fail),
    );
  }
}

/** ValidatePolicyRule. */
function validatePolicyRule(rule: PolicyRule, namespaced: boolean, at: string, fail: Fail): void {
  if (!rule.verbs?.length) fail(`${at}.verbs`, 'rbac', 'verbs must contain at least one value');
  if (rule.nonResourceURLs?.length) {
    if (namespaced) fail(`${at}.nonResourceURLs`, 'rbac', 'namespaced rules cannot apply to non-resource URLs');
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      fail(`${at}.nonResourceURLs`, 'rbac', 'rules cannot apply to both regular resources and non-resource URLs');
    }
    return;
  }
  if (!rule.apiGroups?.length) fail(`${at}.apiGroups`, 'rbac', 'resource rules must supply at least one api group');
  if (!rule.resources?.length) fail(`${at}.resources`, 'rbac', 'resource rules must supply at least one resource');
}

/** ValidateRoleBinding / ValidateClusterRoleBinding's roleRef. An empty apiGroup is defaulted to rbac's. */
function validateRoleRef(ref: Record<string, string> | undefined, kind: string, fail: Fail): void {
  if (!ref) return; // required by the schema
  const kinds = kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind))
    fail(
      'roleRef.kind',
      'rbac',
      `unsupported value ${JSON.stringify(ref.kind)}: supported values are ${kinds.join(', ')}`,
    );
  if (ref.apiGroup && ref.apiGroup !== RBAC_GROUP)
    fail(
      'roleRef.apiGroup',
      'rbac',
      `unsupported value ${JSON.stringify(ref.apiGroup)}: supported values are ${RBAC_GROUP}`,
    );
  if (!ref.name) fail('roleRef.name', 'rbac', 'is required');
  else check(fail, 'roleRef.name', ref.name, pathSegmentName, 'rbac');
}

/** ValidateRoleBindingSubject. An empty apiGroup is defaulted by kind. */
function validateSubject(s: Record<string, string>, namespaced: boolean, at: string, fail: Fail): void {
  if (!s.name) fail(`${at}.name`, 'rbac', 'is required');
  switch (s.kind) {
    case 'ServiceAccount':
      check(fail, `${at}.name`, s.name || undefined, dns1123Subdomain, 'rbac');
      if (s.apiGroup)
        fail(`${at}.apiGroup`, 'rbac', `unsupported value ${JSON.stringify(s.apiGroup)}: supported values are ""`);
      if (!namespaced && !s.namespace)
        fail(`${at}.namespace`, 'rbac', 'is required for a ServiceAccount subject of a ClusterRoleBinding');
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup && s.apiGroup !== RBAC_GROUP)
        fail(
          `${at}.apiGroup`,
          'rbac',
          `unsupported value ${JSON.stringify(s.apiGroup)}: supported values are ${RBAC_GROUP}`,
        );
      break;
    default:
      fail(
        `${at}.kind`,
        'rbac',
        `unsupported value ${JSON.stringify(s.kind)}: supported values are ${[...SUBJECT_KINDS].join(', ')}`,
      );
  }
}
