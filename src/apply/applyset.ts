import { createHash } from 'crypto';
import { KubeObject, groupKind, ObjectRef } from '../manifest';
import { DNS_SUBDOMAIN_MAX, slugify } from '../manifest/names';

// KEP-3659 ApplySets, as kubectl implements them (staging/src/k8s.io/kubectl/pkg/cmd/apply/applyset.go),
// so that kubectl and other tools recognise our sets and their members.
export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
export const APPLYSET_TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
export const APPLYSET_GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
export const APPLYSET_NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';

/** The tool name in `applyset.kubernetes.io/tooling`; other tools refuse to change our sets, and we theirs. */
export const TOOL_NAME = 'workshop-stacks';
/** The package version (a test keeps it equal to package.json's). */
export const TOOL_VERSION = '0.1.0';
/** `applyset.kubernetes.io/tooling` of our sets: `<tool>/v<semver>`. */
export const TOOLING = `${TOOL_NAME}/v${TOOL_VERSION}`;

/** The parent object of an apply set: a Secret, as kubectl's default. */
export interface ApplySetRef {
  /** Name of the parent Secret. */
  readonly name: string;
  /** Namespace of the parent Secret. */
  readonly namespace: string;
}

/**
 * The id of an apply set: `applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1`, the hash
 * in URL-safe base64 without padding (Go's `base64.RawURLEncoding`), of the parent's name, namespace,
 * kind (`Secret`) and group (empty for core).
 */
export function applySetId(parent: ApplySetRef, kind = 'Secret', group = ''): string {
  const hash = createHash('sha256').update([parent.name, parent.namespace, kind, group].join('.')).digest('base64url');
  return `applyset-${hash}-v1`;
}

/** The reference of a set's parent Secret. */
export function parentRef(p: ApplySetRef): ObjectRef {
  return { apiVersion: 'v1', kind: 'Secret', name: p.name, namespace: p.namespace };
}

/** The label selector of the members of a set. */
export function memberSelector(id: string): string {
  return `${APPLYSET_PART_OF_LABEL}=${id}`;
}

/** A copy of `obj` labelled as a member of the set. */
export function withMemberLabel(obj: KubeObject, id: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [APPLYSET_PART_OF_LABEL]: id } } };
}

/** What a parent records: the group-kinds of its members and the namespaces other than its own they live in. */
export interface ApplySetInventory {
  /** `Kind.group` (`Deployment.apps`, `Secret`), sorted. */
  readonly groupKinds: string[];
  /** Namespaces of members other than the parent's, sorted. */
  readonly additionalNamespaces: string[];
}

/** The inventory of a set of members (namespaced members in the parent's namespace add nothing). */
export function inventoryOf(
  members: Iterable<{ apiVersion: string; kind: string; namespace?: string }>,
  parent: ApplySetRef,
): ApplySetInventory {
  const groupKinds = new Set<string>();
  const namespaces = new Set<string>();
  for (const m of members) {
    groupKinds.add(groupKind(m.apiVersion, m.kind));
    if (m.namespace && m.namespace !== parent.namespace) namespaces.add(m.namespace);
  }
  return { groupKinds: [...groupKinds].sort(), additionalNamespaces: [...namespaces].sort() };
}

/** Both inventories at once: what the parent must list while old members may still exist. */
export function unionInventory(a: ApplySetInventory, b: ApplySetInventory): ApplySetInventory {
  return {
    groupKinds: [...new Set([...a.groupKinds, ...b.groupKinds])].sort(),
    additionalNamespaces: [...new Set([...a.additionalNamespaces, ...b.additionalNamespaces])].sort(),
  };
}

/** The parent Secret as kubectl applies it: metadata only, id label and the three annotations. */
export function parentObject(parent: ApplySetRef, inventory: ApplySetInventory): KubeObject {
  const { apiVersion, kind, name, namespace } = parentRef(parent);
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace,
      labels: { [APPLYSET_ID_LABEL]: applySetId(parent) },
      annotations: {
        [APPLYSET_TOOLING_ANNOTATION]: TOOLING,
        [APPLYSET_GROUP_KINDS_ANNOTATION]: inventory.groupKinds.join(','),
        [APPLYSET_NAMESPACES_ANNOTATION]: inventory.additionalNamespaces.join(','),
      },
    },
  };
}

/**
 * Reads the inventory of an existing parent, refusing (like kubectl) a parent of another tool or with
 * another id: throwing is the safe answer, since pruning from a wrong inventory deletes the wrong things.
 */
export function readParent(live: KubeObject, parent: ApplySetRef): ApplySetInventory {
  const where = `apply set parent Secret ${parent.namespace}/${parent.name}`;
  const annotations = live.metadata.annotations ?? {};
  const tooling = annotations[APPLYSET_TOOLING_ANNOTATION];
  if (tooling === undefined)
    throw new Error(
      `${where} exists but has no ${APPLYSET_TOOLING_ANNOTATION} annotation: it is not an apply set parent`,
    );
  const tool = tooling.split('/').slice(0, -1).join('/') || tooling;
  if (tool !== TOOL_NAME)
    throw new Error(`${where} is managed by "${tool}", not ${TOOL_NAME}; choose another --applyset name`);
  const id = live.metadata.labels?.[APPLYSET_ID_LABEL];
  if (id !== applySetId(parent))
    throw new Error(`${where} has ${APPLYSET_ID_LABEL}=${id ?? '<none>'}, expected ${applySetId(parent)}`);
  const list = (key: string) => (annotations[key] ?? '').split(',').filter(Boolean);
  return {
    groupKinds: list(APPLYSET_GROUP_KINDS_ANNOTATION),
    additionalNamespaces: list(APPLYSET_NAMESPACES_ANNOTATION),
  };
}

/** An apply set name from a label such as an app or file name: a valid Secret name. */
export function defaultApplySetName(label: string): string {
  const prefix = `${TOOL_NAME}-`;
  const slug = slugify(label, { keepDots: true, maxLength: DNS_SUBDOMAIN_MAX - prefix.length });
  return `${prefix}${slug || 'manifests'}`;
}
