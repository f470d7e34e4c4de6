import { KubeObject, SourceDocument, splitDocuments } from './kube-object';

/**
 * Fields the API server sets on every object, which an input copied from `kubectl get -o yaml` carries.
 * A real server refuses `managedFields` in an apply body (400) and takes a stale `resourceVersion` as a
 * precondition (409), so none of them may be sent.
 */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

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
function isLiveCopy(metadata: KubeObject['metadata']): boolean {
  return ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields'].some((k) => metadata[k] !== undefined);
}

/**
 * Strips what the server populates before an object is read as a manifest, after Flux's `ssa/normalize`
 * (which clears `creationTimestamp` and `status`) and what `kubectl apply` refuses to send: server
 * metadata, `status`, controller annotations, this engine's apply-set labels and annotations (it sets
 * them itself), and, from a live copy, a Service's allocated `clusterIP`/`clusterIPs` (kept when `None`,
 * which makes a headless Service). The input is not changed: it is returned as it is when nothing is
 * dropped (the common case, at the cost of one look at its metadata), else a changed copy.
 */
export function normalizeObject(input: KubeObject): NormalizedObject {
  const dropped = strip(input, false);
  if (dropped.length === 0) return { object: input, dropped };
  const object = structuredClone(input);
  strip(object, true);
  return { object, dropped };
}

/** The paths {@link normalizeObject} drops from `object`, removed from it when `remove` is set. */
function strip(object: KubeObject, removeThem: boolean): string[] {
  const dropped: string[] = [];
  const liveCopy = isMapping(object.metadata) && isLiveCopy(object.metadata);
  const remove = (parent: Record<string, unknown> | undefined, key: string, path: string) => {
    if (parent?.[key] === undefined) return;
    if (removeThem) delete parent[key];
    dropped.push(path);
  };
  remove(object, 'status', 'status');
  const metadata = object.metadata;
  if (!isMapping(metadata)) return dropped;
  for (const key of SERVER_METADATA) remove(metadata, key, `metadata.${key}`);
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (!isMapping(map)) continue;
    for (const key of Object.keys(map)) {
      const engineOwned = key.startsWith(ENGINE_PREFIX);
      const controllers = field === 'annotations' && CONTROLLER_ANNOTATIONS.includes(key);
      const serverLabel =
        field === 'labels' && object.kind === 'Namespace' && key === NAMESPACE_NAME_LABEL && map[key] === metadata.name;
      if (engineOwned || controllers || serverLabel) remove(map, key, `metadata.${field}.${key}`);
    }
    if (removeThem && Object.keys(map).length === 0) delete metadata[field];
  }
  const spec = object.spec as Record<string, any> | undefined;
  // kubectl prints `creationTimestamp: null` in the metadata of pod templates.
  remove(spec?.template?.metadata, 'creationTimestamp', 'spec.template.metadata.creationTimestamp');
  remove(
    spec?.jobTemplate?.spec?.template?.metadata,
    'creationTimestamp',
    'spec.jobTemplate.spec.template.metadata.creationTimestamp',
  );
  if (liveCopy && object.kind === 'Service' && object.apiVersion === 'v1' && spec?.clusterIP !== 'None') {
    remove(spec, 'clusterIP', 'spec.clusterIP');
    remove(spec, 'clusterIPs', 'spec.clusterIPs');
  }
  return dropped;
}

/**
 * The documents one document stands for, each as a manifest: a `List` (what `kubectl get -o yaml`
 * prints for several objects) or a typed list (`PodList`, `NamespaceList`, ... as the API answers a
 * LIST) stands for its items, each at its `item` position; an item of a typed list that omits `kind`
 * or `apiVersion` gets them from the list (`PodList` items are `Pod`s of the list's apiVersion). Every
 * object is normalized ({@link normalizeObject}), what was dropped added to `dropped`. Reading a
 * document twice gives the same documents, so any code may call this on documents of any origin.
 */
export function expandDocument(doc: SourceDocument): SourceDocument[] {
  if (doc.value === undefined) return [doc];
  const items = listItemsOf(doc.value);
  if (items === undefined) return [normalizeDocument(doc)];
  return items.map((value, item) => normalizeDocument({ source: doc.source, index: doc.index, item, value }));
}

function normalizeDocument(doc: SourceDocument): SourceDocument {
  if (!isMapping(doc.value) || !isMapping(doc.value.metadata)) return doc;
  const { object, dropped } = normalizeObject(doc.value as KubeObject);
  return dropped.length === 0 ? doc : { ...doc, value: object, dropped: [...(doc.dropped ?? []), ...dropped] };
}

/**
 * The items of a list document, with the kind and apiVersion a typed list gives them; `undefined` for
 * any other document. A list's kind ends in `List` (the API's convention for every kind's list), and it
 * has `items`; one whose `items` is not a list is left whole, for the checks to report.
 */
function listItemsOf(value: unknown): unknown[] | undefined {
  if (
    !isMapping(value) ||
    typeof value.kind !== 'string' ||
    !value.kind.endsWith('List') ||
    !Array.isArray(value.items)
  )
    return undefined;
  if (value.kind === 'List') return value.items;
  const defaults = { apiVersion: value.apiVersion, kind: value.kind.slice(0, -'List'.length) };
  return value.items.map((item) => (isMapping(item) ? { ...defaults, ...item } : item));
}

function isMapping(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The one reader of manifest text, for every command: multi-document YAML (or JSON) split into its
 * objects ({@link splitDocuments}), a list document (`List`, `PodList`, ...) read as its items and a
 * copy of a live object (`kubectl get -o yaml`) as the manifest it stands for ({@link expandDocument}).
 */
export function parseDocuments(text: string, source: string): SourceDocument[] {
  return splitDocuments(text, source).flatMap(expandDocument);
}

/** Parses multi-document YAML into objects as {@link parseDocuments} reads them, failing on the first document that is not valid YAML. */
export function parseManifests(yamlText: string): KubeObject[] {
  return parseDocuments(yamlText, 'input').map((doc) => {
    if (doc.yamlError !== undefined) throw new Error(`document ${doc.index}: ${doc.yamlError}`);
    return doc.value as KubeObject;
  });
}
