import { KubeObject } from '../manifest';
import { KubeClient, identityKey, refOf } from './client';
import { APPLYSET_PART_OF_LABEL, ApplySetInventory, ApplySetRef, memberSelector } from './applyset';

/**
 * The live members of an apply set: every object of the inventory's group-kinds, in the parent's
 * namespace and the additional ones (cluster-wide for cluster-scoped kinds), that carries the set's
 * label. Group-kinds the server no longer serves (a deleted CRD) have no members left to find.
 */
export async function listMembers(client: KubeClient, id: string, parent: ApplySetRef, inventory: ApplySetInventory): Promise<KubeObject[]> {
  const namespaces = [parent.namespace, ...inventory.additionalNamespaces.filter((n) => n !== parent.namespace)];
  const lists = await Promise.all(inventory.groupKinds.map(async (gk) => {
    const [kind, ...group] = gk.split('.');
    const info = await client.resourceForGroupKind(group.join('.'), kind);
    if (!info) return [];
    const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    const scopes = info.namespaced ? namespaces : [undefined];
    const found = await Promise.all(scopes.map((namespace) => client.list(apiVersion, kind, { namespace, labelSelector: memberSelector(id) })));
    return found.flat();
  }));
  return onlyMembers(lists.flat(), id);
}

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
