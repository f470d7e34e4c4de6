import { KubeObject, identityKey, refOf } from '../manifest';
import { parentRef } from './applyset';
import { KubeClient } from './kube-api';
import { mapLimit } from './concurrency';
import { deleteStages } from './order';
import { Plan } from './plan';
import { ObjectResult, describeError, resultOf } from './report';
import { waitForDeletion } from './wait';

/** How {@link deleteObjects} deletes. */
export interface DeleteObjectsOptions {
  readonly client: KubeClient;
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly dryRun: boolean;
  /** Wait until each stage's objects are gone before the next (a Namespace goes only once it is empty). */
  readonly wait: boolean;
  /** When waiting gives up. */
  readonly deadline: number;
  readonly pollIntervalMs?: number;
  /** Told about each result as it is known. */
  readonly onResult?: (result: ObjectResult) => void;
}

/**
 * Deletes in reverse stage order (workloads first, namespaces and definitions last) with background
 * propagation, at most `concurrency` requests in flight; stops at the first stage with a failure.
 */
export async function deleteObjects(objects: readonly KubeObject[], action: 'deleted' | 'pruned', options: DeleteObjectsOptions): Promise<ObjectResult[]> {
  const out: ObjectResult[] = [];
  const deleting = new Set(objects.filter((o) => o.metadata.deletionTimestamp).map((o) => identityKey(refOf(o))));
  for (const stage of deleteStages(objects.map(refOf), (r) => r)) {
    const results = await mapLimit(stage.items, options.concurrency, async (ref): Promise<ObjectResult> => {
      // Deleting again what is already going (a Terminating namespace) answers 409: wait for it instead.
      if (deleting.has(identityKey(ref))) return resultOf(ref, action, 'already being deleted');
      try {
        const existed = await options.client.delete(ref, { propagationPolicy: 'Background', dryRun: options.dryRun });
        return resultOf(ref, action, existed ? undefined : 'already gone');
      } catch (error) {
        return resultOf(ref, 'failed', describeError(error, ref));
      }
    });
    if (options.wait && !options.dryRun) {
      const waited = stage.items.filter((_, i) => results[i].action !== 'failed');
      const remaining = new Set(await waitForDeletion(options.client, waited, {
        timeoutMs: Math.max(0, options.deadline - Date.now()), intervalMs: options.pollIntervalMs, concurrency: options.concurrency,
      }));
      stage.items.forEach((ref, i) => {
        if (remaining.has(ref)) results[i] = resultOf(ref, 'failed', 'still present when the timeout passed');
      });
    }
    for (const result of results) options.onResult?.(result);
    out.push(...results);
    if (results.some((r) => r.action === 'failed')) break;
  }
  return out;
}

/**
 * Deletes every member of the plan's apply set, then the parent once all of them went. Objects of the
 * manifests that are not members are left alone (reported as skipped by the caller).
 */
export async function deleteMembers(plan: Plan, options: DeleteObjectsOptions): Promise<ObjectResult[]> {
  const deleted = await deleteObjects(plan.members, 'deleted', options);
  if (!plan.parentLive || deleted.some((r) => r.action === 'failed')) return deleted;
  const ref = parentRef(plan.applySet);
  await options.client.delete(ref, { dryRun: options.dryRun });
  const parent = resultOf(ref, 'deleted', 'apply set parent');
  options.onResult?.(parent);
  return [...deleted, parent];
}
