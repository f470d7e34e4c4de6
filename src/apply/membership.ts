import { Problem } from '../checks/documents';
import { KubeObject, ObjectRef, describeObject, identityKey, refOf } from '../manifest';
import { APPLYSET_PART_OF_LABEL } from './applyset';

// Which live objects belong to an apply set, and which of them a prune would take: what the plan
// computes before anything changes (the prune verb only deletes what the plan lists).

/**
 * Keeps only the objects that carry the set's label with the set's id. The label selector already
 * asked the server for exactly these; checking again costs nothing and means that no answer, however
 * wrong, can make us delete an object that is not ours.
 */
export function onlyMembers(objects: readonly KubeObject[], id: string): KubeObject[] {
  return objects.filter((o) => o.metadata.labels?.[APPLYSET_PART_OF_LABEL] === id);
}

/** The members no longer in the manifests (compared by group, kind, namespace and name), not already being deleted. */
export function staleMembers(members: readonly KubeObject[], id: string, keep: ReadonlySet<string>): KubeObject[] {
  return onlyMembers(members, id).filter((o) => !keep.has(identityKey(refOf(o))) && !o.metadata.deletionTimestamp);
}

/**
 * Namespaces about to be pruned that still hold objects of the manifests: deleting a Namespace deletes
 * everything in it, so the prune would take the applied objects with it.
 */
export function namespaceHazards(stale: readonly KubeObject[], kept: readonly ObjectRef[]): Problem[] {
  return stale
    .filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1')
    .filter((ns) => kept.some((ref) => ref.namespace === ns.metadata.name))
    .map((ns) => ({
      object: describeObject(ns),
      message:
        'is no longer in the manifests, but objects of the manifests live in it: pruning it would delete them too. Put the Namespace back in the manifests, or apply without --prune',
    }));
}
