import { KubeObject, ObjectRef, identityKey, refOf } from '../manifest';
import { parentRef } from './applyset';
import { KubeClient } from './kube-api';
import { Deadline } from './deadline';
import { NOT_SENT, answerLost, readBack, unsentAtDeadline } from './readback';
import { mapLimit } from './concurrency';
import { deleteStages } from './order';
import { Plan } from './plan';
import { describeError } from './describe-error';
import { ObjectResult, resultOf } from './report';
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
 * propagation, at most `concurrency` requests in flight; stops at the first stage with a failure, or
 * at the command's deadline. A delete whose answer was lost is told as `unknown`, then read back once:
 * gone or being deleted is deleted, still there is failed.
 */
export async function deleteObjects(
  objects: readonly KubeObject[],
  action: 'deleted' | 'pruned',
  options: DeleteObjectsOptions,
): Promise<ObjectResult[]> {
  const out: ObjectResult[] = [];
  const deadline = Deadline.current();
  const deleting = new Set(objects.filter((o) => o.metadata.deletionTimestamp).map((o) => identityKey(refOf(o))));
  for (const stage of deleteStages(objects.map(refOf), (r) => r)) {
    const results = await mapLimit(stage.items, options.concurrency, async (ref): Promise<ObjectResult> => {
      // Deleting again what is already going (a Terminating namespace) answers 409: wait for it instead.
      if (deleting.has(identityKey(ref))) return resultOf(ref, action, 'already being deleted');
      if (deadline?.expired) return resultOf(ref, 'skipped', NOT_SENT);
      try {
        const existed = await options.client.delete(ref, { propagationPolicy: 'Background', dryRun: options.dryRun });
        return resultOf(ref, action, existed ? undefined : 'already gone');
      } catch (error) {
        const unsent = unsentAtDeadline(error);
        if (unsent) return resultOf(ref, 'skipped', unsent);
        if (answerLost(error))
          return resultOf(
            ref,
            'unknown',
            `sent, but the answer was lost${options.dryRun ? ' (a dry run: nothing was changed)' : ''}: ${describeError(error, ref)}`,
          );
        return resultOf(ref, 'failed', describeError(error, ref));
      }
    });
    // Lost answers are told at once, then again only if reading them back finds out what happened (a
    // dry run's cannot: it changed nothing).
    const lost = new Set(stage.items.filter((_, i) => results[i].action === 'unknown'));
    results.filter((r) => r.action === 'unknown').forEach((r) => options.onResult?.(r));
    if (!options.dryRun) {
      await mapLimit(
        stage.items.map((ref, i) => [ref, i] as const).filter(([ref]) => lost.has(ref)),
        options.concurrency,
        async ([ref, i]) => {
          results[i] = await readBackDeleted(options.client, ref, action, results[i]);
        },
      );
    }
    if (options.wait && !options.dryRun && !deadline?.expired) {
      const waited = stage.items.filter((_, i) => results[i].action === action);
      const remaining = new Set(
        await waitForDeletion(options.client, waited, {
          timeoutMs: deadline ? deadline.remaining() : Math.max(0, options.deadline - Date.now()),
          intervalMs: options.pollIntervalMs,
          concurrency: options.concurrency,
        }),
      );
      stage.items.forEach((ref, i) => {
        if (!remaining.has(ref)) return;
        // At the command's deadline the delete was accepted and the command stops there (and says so);
        // before it, an object that does not go fails the stage.
        results[i] = deadline?.expired
          ? resultOf(ref, action, 'accepted, but not seen gone before the timeout passed')
          : resultOf(ref, 'failed', 'not seen gone before the timeout passed');
      });
    }
    results.forEach((result, i) => {
      if (!(lost.has(stage.items[i]) && result.action === 'unknown')) options.onResult?.(result);
    });
    out.push(...results);
    if (
      deadline?.expired ||
      results.some((r) => r.action === 'failed' || r.action === 'unknown' || r.action === 'skipped')
    )
      break;
  }
  return out;
}

/** The truth of a delete whose answer was lost, from one read: gone or being deleted, or still there. */
async function readBackDeleted(
  client: KubeClient,
  ref: ObjectRef,
  action: 'deleted' | 'pruned',
  lost: ObjectResult,
): Promise<ObjectResult> {
  const read = await readBack(client, ref);
  if (read.error !== undefined) return { ...lost, message: `${lost.message}; not read back: ${read.error}` };
  if (!read.object) return resultOf(ref, action, 'the answer was lost; read back: gone');
  if (read.object.metadata.deletionTimestamp)
    return resultOf(ref, action, 'the answer was lost; read back: being deleted');
  return resultOf(ref, 'failed', 'the answer was lost, and reading it back shows it is still there: not deleted');
}

/**
 * Deletes every member of the plan's apply set, then the parent once all of them went. Objects of the
 * manifests that are not members are left alone (reported as skipped by the caller).
 */
export async function deleteMembers(plan: Plan, options: DeleteObjectsOptions): Promise<ObjectResult[]> {
  const deleted = await deleteObjects(plan.members, 'deleted', options);
  // The parent is the only record of the members: it goes last, once all of them went.
  if (
    !plan.parentLive ||
    deleted.length < plan.members.length ||
    Deadline.current()?.expired ||
    deleted.some((r) => r.action !== 'deleted')
  )
    return deleted;
  const ref = parentRef(plan.applySet);
  await options.client.delete(ref, { dryRun: options.dryRun });
  const parent = resultOf(ref, 'deleted', 'apply set parent');
  options.onResult?.(parent);
  return [...deleted, parent];
}
