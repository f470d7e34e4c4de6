// ConfigMaps and Secrets: ValidateConfigMap and ValidateSecret in pkg/apis/core/validation/validation.go,
// and the base64 decoding of Secret data (encoding/json, base64.StdEncoding).
import { base, table } from './apiserver-support';

const configMap = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'ns' },
  data: { 'app.json': '{}' },
});

table('ValidateConfigMap', configMap, [
  [
    'key with dots, dashes, underscores',
    (o) => {
      o.data['.env_file-v2'] = 'x';
    },
    undefined,
  ],
  [
    'binaryData',
    (o) => {
      o.binaryData = { 'logo.png': 'iVBORw0KGgo=' };
    },
    undefined,
  ],
  [
    '1 MiB exactly',
    (o) => {
      o.data['app.json'] = 'x'.repeat(1024 * 1024);
    },
    undefined,
  ],
  [
    'key with a slash',
    (o) => {
      o.data['a/b'] = 'x';
    },
    'schema/config-key',
  ],
  [
    'key ..data',
    (o) => {
      o.data['..data'] = 'x';
    },
    'schema/config-key',
  ],
  [
    'key of 254 characters',
    (o) => {
      o.data['k'.repeat(254)] = 'x';
    },
    'schema/config-key',
  ],
  [
    'over 1 MiB',
    (o) => {
      o.data['app.json'] = 'x'.repeat(1024 * 1024);
      o.binaryData = { b: 'eA==' };
    },
    'schema/size',
  ],
  [
    'binaryData key in data',
    (o) => {
      o.binaryData = { 'app.json': 'eA==' };
    },
    'schema/config-key',
  ],
]);

const secret = () => base('Secret');
table('ValidateSecret', secret, [
  [
    'base64 with line breaks',
    (o) => {
      o.data['api.key'] = 'c2Vj\r\ncmV0';
    },
    undefined,
  ],
  [
    'empty value',
    (o) => {
      o.data['api.key'] = '';
    },
    undefined,
  ],
  [
    'tls with both keys',
    (o) => {
      o.type = 'kubernetes.io/tls';
      o.data = { 'tls.crt': 'eA==', 'tls.key': 'eA==' };
    },
    undefined,
  ],
  [
    'basic-auth with stringData username',
    (o) => {
      o.type = 'kubernetes.io/basic-auth';
      o.stringData = { username: 'me' };
    },
    undefined,
  ],
  [
    '1 MiB decoded',
    (o) => {
      o.data = {};
      o.stringData = { big: 'x'.repeat(1024 * 1024) };
    },
    undefined,
  ],
  [
    'not base64',
    (o) => {
      o.data['api.key'] = 'secret!';
    },
    'schema/base64',
  ],
  [
    'missing padding',
    (o) => {
      o.data['api.key'] = 'c2VjcmV0M';
    },
    'schema/base64',
  ],
  [
    'key with a space',
    (o) => {
      o.data['api key'] = 'eA==';
    },
    'schema/config-key',
  ],
  [
    'stringData key with a colon',
    (o) => {
      o.stringData['a:b'] = 'x';
    },
    'schema/config-key',
  ],
  [
    'over 1 MiB decoded',
    (o) => {
      o.stringData = { big: 'x'.repeat(1024 * 1024) };
    },
    'schema/size',
  ],
  [
    'tls without tls.key',
    (o) => {
      o.type = 'kubernetes.io/tls';
      o.data = { 'tls.crt': 'eA==' };
      o.stringData = {};
    },
    'schema/secret-type',
  ],
  [
    'dockerconfigjson without its key',
    (o) => {
      o.type = 'kubernetes.io/dockerconfigjson';
    },
    'schema/secret-type',
  ],
  [
    'service-account-token without annotation',
    (o) => {
      o.type = 'kubernetes.io/service-account-token';
    },
    'schema/secret-type',
  ],
  [
    'basic-auth without username or password',
    (o) => {
      o.type = 'kubernetes.io/basic-auth';
    },
    'schema/secret-type',
  ],
]);
