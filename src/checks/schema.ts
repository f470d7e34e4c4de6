import { KubeObject } from '../manifest';
import { Finding, finding } from './finding';

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Validates objects against the Kubernetes OpenAPI schema with `kubernetes-models`, an independent
 * validator (it knows nothing of cdk8s). Kinds it has no model for are reported, not skipped silently,
 * unless they are listed in `externalKinds` (CRDs the cluster provides, e.g. Gateway API).
 */
export function checkSchema(obj: KubeObject, externalKinds: ReadonlySet<string> = new Set()): Finding[] {
  const Model = modelFor(obj.apiVersion, obj.kind);
  if (!Model) {
    return externalKinds.has(`${obj.apiVersion}/${obj.kind}`)
      ? []
      : [finding(obj, 'kind', 'schema/unknown-kind', `no Kubernetes schema for ${obj.apiVersion} ${obj.kind}`)];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return schemaErrors(err).map((e) => finding(obj, e.field, 'schema/invalid', e.message));
  }
}

/** Packages of models by API group; the core and built-in groups live in `kubernetes-models`. */
const MODEL_PACKAGES: Record<string, string> = {
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
};

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  if (!/^[a-z0-9.]+(\/v[0-9a-z]+)?$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`${MODEL_PACKAGES[group] ?? 'kubernetes-models'}/${apiVersion}/${kind}`);
    return mod[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

interface ValidationErrorLike { instancePath?: string; message?: string; params?: Record<string, unknown> }

function schemaErrors(err: unknown): Array<{ field: string; message: string }> {
  const errors = (err as { errors?: ValidationErrorLike[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return [{ field: '.', message: String((err as Error).message ?? err) }];
  return errors.map((e) => ({
    field: (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || '.',
    message: `${e.message ?? 'invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`,
  }));
}
