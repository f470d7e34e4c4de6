// ObjectMeta, labels and label selectors: apimachinery/pkg/api/validation (ValidateObjectMeta, each
// kind's ValidateXName) and apimachinery/pkg/apis/meta/v1/validation (ValidateLabels, ValidateLabelSelector).
import { base, table } from './apiserver-support';

table('ValidateObjectMeta: NameIsDNSSubdomain (Deployment, ConfigMap, ...)', () => base('Deployment'), [
  [
    'dotted name',
    (o) => {
      o.metadata.name = 'web.v2';
    },
    undefined,
  ],
  [
    '253 characters',
    (o) => {
      o.metadata.name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    },
    undefined,
  ],
  [
    'underscore',
    (o) => {
      o.metadata.name = 'Web_Server';
    },
    'schema/name',
  ],
  [
    '254 characters',
    (o) => {
      o.metadata.name = 'a'.repeat(254);
    },
    'schema/name',
  ],
  [
    'namespace not a DNS-1123 label',
    (o) => {
      o.metadata.namespace = 'team.a';
    },
    'schema/name',
  ],
]);

table('ValidateServiceName: NameIsDNS1035Label', () => base('Service'), [
  [
    '63 characters',
    (o) => {
      o.metadata.name = 'a'.repeat(63);
    },
    undefined,
  ],
  [
    'leading digit',
    (o) => {
      o.metadata.name = '1web';
    },
    'schema/name',
  ],
  [
    'dot',
    (o) => {
      o.metadata.name = 'web.v2';
    },
    'schema/name',
  ],
]);

table('ValidateNamespaceName: NameIsDNSLabel', () => base('Namespace'), [
  [
    'leading digit',
    (o) => {
      o.metadata.name = '1team';
    },
    undefined,
  ],
  [
    'dot',
    (o) => {
      o.metadata.name = 'team.a';
    },
    'schema/name',
  ],
  [
    '64 characters',
    (o) => {
      o.metadata.name = 'n'.repeat(64);
    },
    'schema/name',
  ],
]);

table('ValidateRBACName: path segment names', () => base('Role'), [
  [
    'upper case and underscore',
    (o) => {
      o.metadata.name = 'Pod_Reader';
    },
    undefined,
  ],
  [
    'colon',
    (o) => {
      o.metadata.name = 'system:reader';
    },
    undefined,
  ],
  [
    'slash',
    (o) => {
      o.metadata.name = 'a/b';
    },
    'schema/name',
  ],
  [
    'percent',
    (o) => {
      o.metadata.name = 'a%b';
    },
    'schema/name',
  ],
]);

table('ValidateLabels and ValidateAnnotations', () => base('ConfigMap'), [
  [
    'prefixed key',
    (o) => {
      o.metadata.labels['example.com/tier'] = 'web';
    },
    undefined,
  ],
  [
    '63-character value',
    (o) => {
      o.metadata.labels.tier = 'v'.repeat(63);
    },
    undefined,
  ],
  [
    'empty value',
    (o) => {
      o.metadata.labels.tier = '';
    },
    undefined,
  ],
  [
    '70-character value',
    (o) => {
      o.metadata.labels.tier = 'v'.repeat(70);
    },
    'schema/label',
  ],
  [
    'value with a space',
    (o) => {
      o.metadata.labels.tier = 'a b';
    },
    'schema/label',
  ],
  [
    'key with two slashes',
    (o) => {
      o.metadata.labels['a/b/c'] = 'x';
    },
    'schema/label',
  ],
  [
    'key prefix with upper case',
    (o) => {
      o.metadata.labels['Example.com/x'] = 'x';
    },
    'schema/label',
  ],
  [
    'annotation key upper case (checked lowercased)',
    (o) => {
      o.metadata.annotations = { 'Example.com/Note': 'x' };
    },
    undefined,
  ],
  [
    'annotation key with a space',
    (o) => {
      o.metadata.annotations = { 'a b': 'x' };
    },
    'schema/annotation',
  ],
  [
    'annotations of 256 KiB exactly',
    (o) => {
      o.metadata.annotations = { n: 'x'.repeat(256 * 1024 - 1) };
    },
    undefined,
  ],
  [
    'annotations over 256 KiB',
    (o) => {
      o.metadata.annotations = { n: 'x'.repeat(256 * 1024) };
    },
    'schema/annotation',
  ],
]);

table("ValidateLabelSelector (a Deployment's selector)", () => base('Deployment'), [
  [
    'In with values',
    (o) => {
      o.spec.selector.matchExpressions = [
        { key: 'app', operator: 'In', values: [o.spec.template.metadata.labels.app] },
      ];
    },
    undefined,
  ],
  [
    'Exists without values',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'app', operator: 'Exists' }];
    },
    undefined,
  ],
  [
    'In without values',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'app', operator: 'In' }];
    },
    'schema/label-selector',
  ],
  [
    'DoesNotExist with values',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'zz', operator: 'DoesNotExist', values: ['a'] }];
    },
    'schema/label-selector',
  ],
  [
    'unknown operator',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'app', operator: 'Equals', values: ['a'] }];
    },
    'schema/label-selector',
  ],
  [
    'invalid key',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'a b', operator: 'Exists' }];
    },
    'schema/label-selector',
  ],
]);
