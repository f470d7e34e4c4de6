import { KubeObject } from '../manifest';

/**
 * Fields the API server sets on every object, which an input copied from `kubectl get -o yaml` carries.
 * A real server refuses `managedFields` in an apply body (400) and takes a stale `resourceVersion` as a
 * precondition (409), so none of them may be sent.
 */
const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

/**
 * Annotations and labels that controllers or other tools write. Applying them would make this field
 * manager own them, and the next write of their controller (an `Update`, which never conflicts) would
 * take them back, so that the following apply conflicts. The `applyset.kubernetes.io/` ones are this
 * engine's own: it sets them itself on every member and on the parent.
 */
const CONTROLLER_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deprecated.daemonset.template.generation',
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'pv.kubernetes.io/provisioned-by',
  'volume.kubernetes.io/selected-node',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/storage-provisioner',
];
const ENGINE_PREFIX = 'applyset.kubernetes.io/';
/** The label the API server puts on every Namespace. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** An input object ready to plan, and what was removed from it (as paths, for verbose output). */
export interface NormalizedObject {
  readonly object: KubeObject;
  /** `metadata.uid`, `metadata.annotations.deployment.kubernetes.io/revision`, `status`, ... */
  readonly dropped: readonly string[];
}

/**
 * Whether a document is a copy of a live object (`kubectl get -o yaml`) rather than a manifest: only
 * the server writes these fields. Fields the server allocates (a Service's cluster IPs) are dropped
 * only from such copies, since a manifest may choose them on purpose.
 */
function isLiveCopy(obj: KubeObject): boolean {
  return ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields'].some((k) => obj.metadata[k] !== undefined);
}

/**
 * Strips what the server populates before an object is planned, after Flux's `ssa/normalize` (which
 * clears `creationTimestamp` and `status`) and what `kubectl apply` refuses to send: server metadata,
 * `status`, controller annotations, this engine's apply-set labels and annotations (it sets them
 * itself), and, from a live copy, a Service's allocated `clusterIP`/`clusterIPs` (kept when `None`,
 * which makes a headless Service). Returns a new object; the input is not changed.
 */
export function normalizeObject(input: KubeObject): NormalizedObject {
  const dropped: string[] = [];
  const object = structuredClone(input);
  const remove = (parent: Record<string, unknown> | undefined, key: string, path: string) => {
    if (parent?.[key] === undefined) return;
    delete parent[key];
    dropped.push(path);
  };
  remove(object, 'status', 'status');
  const metadata = object.metadata;
  for (const key of SERVER_METADATA) remove(metadata, key, `metadata.${key}`);
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    for (const key of Object.keys(map ?? {})) {
      const engineOwned = key.startsWith(ENGINE_PREFIX);
      const controllers = field === 'annotations' && CONTROLLER_ANNOTATIONS.includes(key);
      const serverLabel = field === 'labels' && object.kind === 'Namespace' && key === NAMESPACE_NAME_LABEL && map![key] === metadata.name;
      if (engineOwned || controllers || serverLabel) remove(map, key, `metadata.${field}.${key}`);
    }
    if (map && Object.keys(map).length === 0) delete metadata[field];
  }
  const spec = object.spec as Record<string, any> | undefined;
  // kubectl prints `creationTimestamp: null` in the metadata of pod templates.
  remove(spec?.template?.metadata, 'creationTimestamp', 'spec.template.metadata.creationTimestamp');
  remove(spec?.jobTemplate?.spec?.template?.metadata, 'creationTimestamp', 'spec.jobTemplate.spec.template.metadata.creationTimestamp');
  if (isLiveCopy(input) && object.kind === 'Service' && object.apiVersion === 'v1' && spec?.clusterIP !== 'None') {
    remove(spec, 'clusterIP', 'spec.clusterIP');
    remove(spec, 'clusterIPs', 'spec.clusterIPs');
  }
  return { object, dropped };
}

/**
 * The objects of a document: the document itself, or the items of a `kind: List` (what
 * `kubectl get -o yaml` prints for several objects).
 */
export function listItems(value: unknown): unknown[] {
  const obj = value as { apiVersion?: unknown; kind?: unknown; items?: unknown } | undefined;
  if (obj && typeof obj === 'object' && obj.kind === 'List' && obj.apiVersion === 'v1' && Array.isArray(obj.items)) return obj.items;
  return [value];
}
