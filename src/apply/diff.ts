import { stringify } from 'yaml';
import { KubeObject, describeRef, refOf } from '../manifest';
import { AppliedObject, ApplyObjectsOptions, applyObjects } from './apply';
import { Plan } from './plan';
import { ObjectDiff, ObjectResult, resultOf } from './report';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Masks a Secret's values on both sides of a diff, as `kubectl diff` does: `***` where a value is the
 * same, `*** (before)` and `*** (after)` where it changed, so a diff shows which keys change without
 * showing any value. The last-applied annotation of client-side apply holds the values too, so it is
 * masked alike. Objects other than Secrets are returned as they are.
 */
export function maskSecrets(
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): [KubeObject | undefined, KubeObject | undefined] {
  if ((before ?? after)?.kind !== 'Secret') return [before, after];
  const b = before && structuredClone(before);
  const a = after && structuredClone(after);
  for (const field of ['data', 'stringData'] as const) {
    const bData = b?.[field] as Record<string, unknown> | undefined;
    const aData = a?.[field] as Record<string, unknown> | undefined;
    for (const key of new Set([...Object.keys(bData ?? {}), ...Object.keys(aData ?? {})])) {
      const changed = bData?.[key] !== aData?.[key];
      if (bData && key in bData) bData[key] = changed ? '*** (before)' : '***';
      if (aData && key in aData) aData[key] = changed ? '*** (after)' : '***';
    }
  }
  for (const side of [b, a]) {
    if (side?.metadata.annotations?.[LAST_APPLIED] !== undefined) side.metadata.annotations[LAST_APPLIED] = '***';
  }
  return [b, a];
}

/** Server-set bookkeeping a reader does not want in a diff: managed fields, version counters, uid, status. */
function forDiff(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  const { status: _status, ...rest } = structuredClone(obj);
  const metadata = { ...rest.metadata };
  for (const key of ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp'])
    delete metadata[key];
  return { ...rest, metadata };
}

/**
 * A unified diff of the live object (`undefined`: it does not exist) against the object as it will be
 * (`undefined`: it will be deleted), Secrets masked. Empty when nothing a reader cares about differs.
 */
export function objectDiff(name: string, live: KubeObject | undefined, next: KubeObject | undefined): string {
  const [before, after] = maskSecrets(forDiff(live), forDiff(next));
  const text = (obj: KubeObject | undefined) => (obj ? stringify(obj, { sortMapEntries: true }) : '');
  const beforeText = text(before);
  const afterText = text(after);
  if (beforeText === afterText) return '';
  // Loaded by the first object that differs, not with the engine: apply and delete never show a diff.
  const { createTwoFilesPatch } = require('diff') as typeof import('diff');
  return createTwoFilesPatch(
    live ? `live/${name}` : '/dev/null',
    next ? `merged/${name}` : '/dev/null',
    beforeText,
    afterText,
    undefined,
    undefined,
    { context: 3 },
  ).replace(/^=+\n/, '');
}

/** What `diff` found: each object's dry-run apply, and the members a prune would delete. */
export interface PlanDiff {
  readonly applied: readonly AppliedObject[];
  readonly pruned: ReadonlyArray<{ readonly result: ObjectResult; readonly diff: ObjectDiff }>;
}

/**
 * Dry-runs the apply of every object of the plan, stage by stage, and with `prune` lists the stale
 * members: what `apply` would do, with nothing persisted.
 */
export async function diffPlan(
  plan: Plan,
  options: Omit<ApplyObjectsOptions, 'dryRun' | 'recreate'> & { readonly prune: boolean },
): Promise<PlanDiff> {
  const applied: AppliedObject[] = [];
  for (const stage of plan.stages)
    applied.push(...(await applyObjects(stage.items, { ...options, recreate: false, dryRun: true })));
  const pruned = (options.prune ? plan.stale : []).map((live) => {
    const result = resultOf(refOf(live), 'pruned');
    return {
      result,
      diff: { object: result.object, action: result.action, diff: objectDiff(result.object, live, undefined) },
    };
  });
  return { applied, pruned };
}

/** The diff of one applied object; empty when the apply changes nothing this field manager owns. */
export function appliedDiff(a: AppliedObject): ObjectDiff {
  const name = describeRef(a.planned.ref);
  return {
    object: name,
    action: a.action,
    diff: a.action === 'unchanged' ? '' : objectDiff(name, a.planned.live, a.after),
  };
}
