import { DeleteObjectsOptions, deleteObjects } from './delete';
import { Plan } from './plan';
import { ObjectResult } from './report';

/** Deletes the plan's stale members (workloads first), without waiting for them to be gone. */
export function prune(plan: Plan, options: Omit<DeleteObjectsOptions, 'wait'>): Promise<ObjectResult[]> {
  return deleteObjects(plan.stale, 'pruned', { ...options, wait: false });
}
