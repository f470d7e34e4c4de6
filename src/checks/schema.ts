import { KubeObject } from '../manifest';
import { removedApiVersion } from './apiserver/versions';
import { Finding, finding } from '../manifest/finding';

type ModelClass = { prototype: { validate(this: unknown): void } };

/**
 * Validates objects against the Kubernetes OpenAPI schema with `kubernetes-models`, an independent
 * validator (it knows nothing of cdk8s). Kinds it has no model for are reported, not skipped silently,
 * unless they are listed in `externalKinds` (CRDs the cluster provides, e.g. Gateway API).
 *
 * Fields the schema does not have are reported too, as `kubectl --validate=strict` does: the models'
 * validators (ajv, compiled ahead of time) have no `additionalProperties: false`, so the object is
 * validated through a proxy that records which fields the validator looks up, and a field of an object
 * whose fields it looks up but not that one is unknown. Objects the schema leaves free (no field looked
 * up at all, such as a CRD's `default` values) are not judged.
 */
export function checkSchema(obj: KubeObject, externalKinds: ReadonlySet<string> = new Set()): Finding[] {
  const removed = removedApiVersion(obj);
  if (removed) return [removed];
  const Model = modelFor(obj.apiVersion, obj.kind);
  if (!Model) {
    return externalKinds.has(`${obj.apiVersion}/${obj.kind}`)
      ? []
      : [finding(obj, 'kind', 'schema/unknown-kind', `no Kubernetes schema for ${obj.apiVersion} ${obj.kind}`)];
  }
  const lookedUp = new WeakMap<object, Set<string>>();
  // A model instance without the model's deep copy: its fields are the object's own, so the validator
  // (which some model versions find through the instance's prototype) sees them through the proxy.
  const instance = Object.assign(Object.create(Model.prototype), obj) as KubeObject;
  let errors: Finding[] = [];
  try {
    Model.prototype.validate.call(tracked(instance, lookedUp));
  } catch (err) {
    const base64Judged = BASE64_JUDGED.has(`${obj.apiVersion}/${obj.kind}`);
    errors = schemaErrors(err)
      .filter((e) => !e.defaulted && !(base64Judged && e.byteFormat))
      .map((e) => finding(obj, e.field, 'schema/invalid', e.message));
  }
  const unknown = unknownFields(instance, '', lookedUp).map((field) =>
    finding(
      obj,
      field,
      'schema/unknown-field',
      'unknown field: the schema has no such field (kubectl --validate=strict rejects it)',
    ),
  );
  return [...errors, ...unknown];
}

/** A proxy of `value` (and, lazily, of everything under it) that records every field looked up. */
function tracked<T>(value: T, lookedUp: WeakMap<object, Set<string>>): T {
  if (typeof value !== 'object' || value === null) return value;
  const proxies = new Map<object, object>();
  const wrap = (target: object): object => {
    let proxy = proxies.get(target);
    if (!proxy) {
      const keys = new Set<string>();
      lookedUp.set(target, keys);
      proxy = new Proxy(target, {
        get(t, key, receiver) {
          if (typeof key === 'string') keys.add(key);
          const v = Reflect.get(t, key, receiver);
          return typeof v === 'object' && v !== null ? wrap(v) : v;
        },
      });
      proxies.set(target, proxy);
    }
    return proxy;
  };
  return wrap(value) as T;
}

/** Paths of the fields of mappings under `value` that the validator looked up others of, but not these. */
function unknownFields(value: unknown, path: string, lookedUp: WeakMap<object, Set<string>>): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, `${path}[${i}]`, lookedUp));
  const keys = lookedUp.get(value);
  if (!keys || keys.size === 0) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const field = path ? `${path}.${k}` : k;
    // The models' generator drops OpenAPI vendor extensions, among them the `x-kubernetes-*` fields
    // of a CRD's schema (JSONSchemaProps), which are real fields: they are not judged.
    if (k.startsWith('x-kubernetes-')) return [];
    return keys.has(k) ? unknownFields(v, field, lookedUp) : [field];
  });
}

/** Packages of models by API group; the core and built-in groups live in `kubernetes-models`. */
const MODEL_PACKAGES: Record<string, string> = {
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
};

const models = new Map<string, ModelClass | undefined>();

/** The model of a kind, looked up once per kind (a `require` per object was most of a large validation). */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) models.set(key, loadModel(apiVersion, kind));
  return models.get(key);
}

function loadModel(apiVersion: string, kind: string): ModelClass | undefined {
  if (!/^[a-z0-9.]+(\/v[0-9a-z]+)?$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  try {
    const mod = require(`${MODEL_PACKAGES[group] ?? 'kubernetes-models'}/${apiVersion}/${kind}`);
    return mod[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

/** `/spec/containers/0/image` as the other checks write it: `spec.containers[0].image`. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

interface ValidationErrorLike {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * Fields the OpenAPI schema marks required but the API server defaults, so that an object without them
 * is accepted: a NetworkPolicy's podSelector (all pods) and a binding's roleRef.apiGroup (RBAC's).
 */
const DEFAULTED_REQUIRED = new Set(['spec.podSelector', 'roleRef.apiGroup']);

/**
 * Kinds whose base64 fields the API server's own rule judges (apiserver/config.ts, `schema/base64`): the
 * schema's `byte` format refuses the line breaks Go's base64 decoder skips.
 */
const BASE64_JUDGED = new Set(['v1/Secret', 'v1/ConfigMap']);

function schemaErrors(
  err: unknown,
): Array<{ field: string; message: string; defaulted?: boolean; byteFormat?: boolean }> {
  const errors = (err as { errors?: ValidationErrorLike[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0)
    return [{ field: '.', message: String((err as Error).message ?? err) }];
  return errors.map((e) => {
    const field = fieldPath(e.instancePath ?? '') || '.';
    const missing =
      e.keyword === 'required' ? `${field === '.' ? '' : `${field}.`}${String(e.params?.missingProperty)}` : undefined;
    return {
      field,
      message: `${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
      // The server drops `status` on create and never requires its fields.
      defaulted: missing !== undefined && (DEFAULTED_REQUIRED.has(missing) || missing.startsWith('status.')),
      byteFormat: e.keyword === 'format' && e.params?.format === 'byte',
    };
  });
}
