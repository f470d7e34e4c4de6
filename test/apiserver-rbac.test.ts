// RBAC: ValidatePolicyRule, ValidateRoleBinding, ValidateClusterRoleBinding, ValidateRoleBindingSubject
// in pkg/apis/rbac/validation/validation.go.
import { base, table } from './apiserver-support';

table('ValidatePolicyRule (Role)', () => base('Role'), [
  [
    'resourceNames',
    (o) => {
      o.rules[0].resourceNames = ['a'];
    },
    undefined,
  ],
  [
    'verbs empty',
    (o) => {
      o.rules[0].verbs = [];
    },
    'schema/rbac',
  ],
  [
    'no apiGroups',
    (o) => {
      delete o.rules[0].apiGroups;
    },
    'schema/rbac',
  ],
  [
    'no resources',
    (o) => {
      o.rules[0].resources = [];
    },
    'schema/rbac',
  ],
  [
    'nonResourceURLs in a Role',
    (o) => {
      o.rules.push({ verbs: ['get'], nonResourceURLs: ['/healthz'] });
    },
    'schema/rbac',
  ],
]);

const clusterRole = () => ({ ...base('Role'), kind: 'ClusterRole', metadata: { name: 'reader' } });
table('ValidatePolicyRule (ClusterRole)', clusterRole, [
  [
    'nonResourceURLs alone',
    (o) => {
      o.rules.push({ verbs: ['get'], nonResourceURLs: ['/healthz'] });
    },
    undefined,
  ],
  [
    'aggregation without rules',
    (o) => {
      o.rules = [];
      o.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { agg: 'true' } }] };
    },
    undefined,
  ],
  [
    'nonResourceURLs with resources',
    (o) => {
      o.rules.push({ verbs: ['get'], nonResourceURLs: ['/healthz'], resources: ['pods'] });
    },
    'schema/rbac',
  ],
  [
    'aggregation selector invalid',
    (o) => {
      o.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { agg: 'a b' } }] };
    },
    'schema/label',
  ],
]);

table('ValidateRoleBinding and ValidateRoleBindingSubject', () => base('RoleBinding'), [
  [
    'roleRef without apiGroup (defaulted)',
    (o) => {
      delete o.roleRef.apiGroup;
    },
    undefined,
  ],
  [
    'ClusterRole roleRef',
    (o) => {
      o.roleRef.kind = 'ClusterRole';
    },
    undefined,
  ],
  [
    'User and Group subjects without apiGroup',
    (o) => {
      o.subjects.push({ kind: 'User', name: 'me@example.com' }, { kind: 'Group', name: 'devs' });
    },
    undefined,
  ],
  [
    'ServiceAccount subject without namespace',
    (o) => {
      delete o.subjects[0].namespace;
    },
    undefined,
  ],
  [
    'roleRef kind User',
    (o) => {
      o.roleRef.kind = 'User';
    },
    'schema/rbac',
  ],
  [
    'roleRef apiGroup v1',
    (o) => {
      o.roleRef.apiGroup = 'v1';
    },
    'schema/rbac',
  ],
  [
    'roleRef name with a slash',
    (o) => {
      o.roleRef.name = 'a/b';
    },
    'schema/rbac',
  ],
  [
    'subject kind Robot',
    (o) => {
      o.subjects[0].kind = 'Robot';
    },
    'schema/rbac',
  ],
  [
    'ServiceAccount subject with an apiGroup',
    (o) => {
      o.subjects[0].apiGroup = 'rbac.authorization.k8s.io';
    },
    'schema/rbac',
  ],
  [
    'ServiceAccount subject name invalid',
    (o) => {
      o.subjects[0].name = 'Robot_1';
    },
    'schema/rbac',
  ],
  [
    'User subject with apiGroup apps',
    (o) => {
      o.subjects.push({ kind: 'User', name: 'me', apiGroup: 'apps' });
    },
    'schema/rbac',
  ],
  [
    'subject without name',
    (o) => {
      o.subjects[0].name = '';
    },
    'schema/rbac',
  ],
]);

table('ValidateClusterRoleBinding', () => base('ClusterRoleBinding'), [
  [
    'roleRef kind Role',
    (o) => {
      o.roleRef.kind = 'Role';
    },
    'schema/rbac',
  ],
  [
    'ServiceAccount subject without namespace',
    (o) => {
      delete o.subjects[0].namespace;
    },
    'schema/rbac',
  ],
]);
