import { KubeObject } from './kube-object';

/** Names one object on the API server. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Unset for cluster-scoped objects. */
  readonly namespace?: string;
}

/** The API group of an `apiVersion` (`''` for the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** The reference of an object. */
export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace,
  };
}

/** `Kind.group` as Kubernetes writes a group-kind (`Deployment.apps`, `Secret`). */
export function groupKind(apiVersion: string, kind: string): string {
  const group = groupOf(apiVersion);
  return group ? `${kind}.${group}` : kind;
}

/** A key that identifies an object across API versions: group, kind, namespace, name. */
export function identityKey(ref: ObjectRef): string {
  return `${groupKind(ref.apiVersion, ref.kind)}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `Kind namespace/name`, the way reports name an object. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
