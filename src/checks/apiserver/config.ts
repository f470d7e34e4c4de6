/** ConfigMaps and Secrets: ValidateConfigMap and ValidateSecret in pkg/apis/core/validation/validation.go (v1.33). */
import { KubeObject } from '../../manifest';
import { Fail, check, configMapKey } from './util';

/** MaxSecretSize, which ValidateConfigMap applies to a ConfigMap's data and binaryData too. */
const MAX_SIZE = 1024 * 1024;
// encoding/json decodes a []byte with base64.StdEncoding, which skips line breaks.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The keys each Secret type needs (ValidateSecret). */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

/** The decoded length of base64 text, or undefined when it is not base64. */
function base64Length(value: string): number | undefined {
  const text = value.replace(/[\r\n]/g, '');
  if (!BASE64.test(text)) return undefined;
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}

export function validateConfigMap(obj: KubeObject, fail: Fail): void {
  const data = (obj.data ?? {}) as Record<string, string>;
  const binary = (obj.binaryData ?? {}) as Record<string, string>;
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    check(fail, 'data', key, configMapKey, 'config-key');
    size += Buffer.byteLength(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    check(fail, 'binaryData', key, configMapKey, 'config-key');
    if (key in data) fail(`binaryData.${key}`, 'config-key', 'duplicate of key present in data');
    const length = base64Length(value);
    if (length === undefined) fail(`binaryData.${key}`, 'base64', 'is not valid base64');
    else size += length;
  }
  if (size > MAX_SIZE)
    fail('data', 'size', `data and binaryData total ${size} bytes, more than the limit of ${MAX_SIZE}`);
}

export function validateSecret(obj: KubeObject, fail: Fail): void {
  const data = (obj.data ?? {}) as Record<string, string>;
  const stringData = (obj.stringData ?? {}) as Record<string, string>;
  // stringData is merged over data before validation (the conversion to the internal type).
  const sizes = new Map<string, number>();
  for (const [key, value] of Object.entries(data)) {
    check(fail, 'data', key, configMapKey, 'config-key');
    const length = base64Length(value);
    if (length === undefined) fail(`data.${key}`, 'base64', 'is not valid base64');
    else sizes.set(key, length);
  }
  for (const [key, value] of Object.entries(stringData)) {
    check(fail, 'stringData', key, configMapKey, 'config-key');
    sizes.set(key, Buffer.byteLength(value));
  }
  const size = [...sizes.values()].reduce((a, b) => a + b, 0);
  if (size > MAX_SIZE) fail('data', 'size', `data total ${size} bytes, more than the limit of ${MAX_SIZE}`);
  const type = (obj.type as string | undefined) ?? 'Opaque';
  for (const key of REQUIRED_KEYS[type] ?? []) {
    if (!sizes.has(key)) fail(`data[${key}]`, 'secret-type', `a Secret of type ${type} needs the key ${key}`);
  }
  if (
    type === 'kubernetes.io/service-account-token' &&
    !obj.metadata.annotations?.['kubernetes.io/service-account.name']
  ) {
    fail(
      'metadata.annotations[kubernetes.io/service-account.name]',
      'secret-type',
      'is required for a service-account-token Secret',
    );
  }
  if (type === 'kubernetes.io/basic-auth' && !sizes.has('username') && !sizes.has('password')) {
    fail('data', 'secret-type', 'a basic-auth Secret needs username or password');
  }
}
