import { isDeepStrictEqual } from 'util';
import { KubeObject } from '../manifest';
import { KubeClient, immutableFields } from './kube-api';
import { mapLimit } from './concurrency';
import { PlannedObject } from './plan';
import { Deadline } from './deadline';
import { NOT_SENT, answerLost, readBack, unsentAtDeadline } from './readback';
import { describeError } from './describe-error';
import { ObjectAction } from './report';
import { waitForDeletion } from './wait';

/** How {@link applyObjects} writes. */
export interface ApplyObjectsOptions {
  readonly client: KubeClient;
  readonly fieldManager: string;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Take ownership of fields other managers own (`force=true`). */
  readonly forceConflicts: boolean;
  /** Delete and create again an object whose change touches a field that cannot change (`--force`). */
  readonly recreate: boolean;
  /** Server-side dry run (`dryRun=All`): nothing is persisted. */
  readonly dryRun: boolean;
  /** Namespaces this apply creates: in a dry run, their objects cannot be checked by the server. */
  readonly newNamespaces: ReadonlySet<string>;
  /** When waiting for a replaced object to be gone gives up. */
  readonly deadline: number;
  readonly pollIntervalMs?: number;
}

/** What applying one object did. */
export interface AppliedObject {
  readonly planned: PlannedObject;
  readonly action: ObjectAction;
  readonly message?: string;
  /** The object as the server answered the apply (or the manifest, when the server could not check it). */
  readonly after?: KubeObject;
  /** An `unknown` result of a replacement: the object was deleted, and the answer to creating it again was lost. */
  readonly recreating?: boolean;
}

/**
 * Applies objects with one server-side apply each (no GET, no dry run before it), at most
 * `concurrency` in flight. Results keep the objects' order.
 */
export function applyObjects(
  objects: readonly PlannedObject[],
  options: ApplyObjectsOptions,
): Promise<AppliedObject[]> {
  return mapLimit(objects, options.concurrency, (planned) => applyObject(planned, options));
}

async function applyObject(planned: PlannedObject, options: ApplyObjectsOptions): Promise<AppliedObject> {
  const { client, dryRun } = options;
  const inNewNamespace = planned.ref.namespace !== undefined && options.newNamespaces.has(planned.ref.namespace);
  if (dryRun && (!planned.info || inNewNamespace)) {
    // A dry run cannot go through the server before its namespace or CRD exists: report the manifest as is.
    const why = planned.info
      ? `namespace ${planned.ref.namespace} is created by this apply`
      : 'its kind comes with a CustomResourceDefinition of this apply';
    return { planned, action: 'created', after: planned.object, message: `not checked by the server: ${why}` };
  }
  const apply = () =>
    client.apply(planned.object, { fieldManager: options.fieldManager, force: options.forceConflicts, dryRun });
  if (Deadline.current()?.expired) return { planned, action: 'skipped', message: NOT_SENT };
  try {
    const after = await apply();
    return { planned, action: changeOf(planned.live, after, options.fieldManager, dryRun), after };
  } catch (error) {
    const unsent = unsentAtDeadline(error);
    if (unsent) return { planned, action: 'skipped', message: unsent };
    if (answerLost(error)) {
      const what = dryRun ? ' (a dry run: nothing was changed)' : '';
      return {
        planned,
        action: 'unknown',
        message: `sent, but the answer was lost${what}: ${describeError(error, planned.ref)}`,
      };
    }
    const immutable = immutableFields(error);
    if (immutable.length === 0 || !options.recreate || !planned.live)
      return { planned, action: 'failed', message: describeError(error, planned.ref) };
    const why = `${immutable.join(', ')} cannot change`;
    if (dryRun)
      return {
        planned,
        action: 'replaced',
        after: planned.object,
        message: `${why}: would be deleted and created again`,
      };
    try {
      try {
        await client.delete(planned.ref, { propagationPolicy: 'Background' });
      } catch (deleteError) {
        // A delete whose answer was lost may have happened: waiting for the object to be gone tells.
        if (!answerLost(deleteError)) throw deleteError;
      }
      const left = await waitForDeletion(client, [planned.ref], {
        timeoutMs: Math.max(0, options.deadline - Date.now()),
        intervalMs: options.pollIntervalMs,
        concurrency: options.concurrency,
      });
      if (left.length > 0)
        return { planned, action: 'failed', message: `${why}: deleted, but still present when the timeout passed` };
      try {
        return { planned, action: 'replaced', after: await apply(), message: `${why}: deleted and created again` };
      } catch (createError) {
        if (!answerLost(createError)) throw createError;
        // Deleted for sure; whether it was created again, only reading it back tells.
        return {
          planned,
          action: 'unknown',
          recreating: true,
          message: `${why}: deleted; created again, but the answer was lost: ${describeError(createError, planned.ref)}`,
        };
      }
    } catch (retryError) {
      return {
        planned,
        action: 'failed',
        message: `${why}: replacing it failed: ${describeError(retryError, planned.ref)}`,
      };
    }
  }
}

/**
 * Reads back, once, each object whose apply answer was lost (`unknown`), and tells what the apply
 * really did by comparing it with the object the plan saw, as an answer would have been
 * ({@link changeOf}). What cannot be read (the server still does not answer, the time ran out) stays
 * `unknown`, and so does a dry run's. Other results are returned as they are.
 */
export function readBackApplied(
  applied: readonly AppliedObject[],
  options: Pick<ApplyObjectsOptions, 'client' | 'concurrency' | 'fieldManager' | 'dryRun'>,
): Promise<AppliedObject[]> {
  return mapLimit(applied, options.concurrency, async (a): Promise<AppliedObject> => {
    // A dry run's answer is all there is to know: the object on the server did not change.
    if (a.action !== 'unknown' || options.dryRun) return a;
    const read = await readBack(options.client, a.planned.ref);
    if (read.error !== undefined) return { ...a, message: `${a.message}; not read back: ${read.error}` };
    if (a.recreating) {
      // The old object was gone before the create was sent: one there now is the new one.
      return read.object
        ? {
            planned: a.planned,
            action: 'replaced',
            after: read.object,
            message: 'the answer was lost; read back: deleted and created again',
          }
        : {
            ...a,
            action: 'failed',
            message: 'deleted, and reading it back shows it was not created again: a re-run creates it',
          };
    }
    if (!read.object) {
      return {
        ...a,
        action: 'failed',
        message: `the answer was lost, and reading it back shows ${a.planned.live ? 'it is gone' : 'it was not created'}`,
      };
    }
    const action = changeOf(a.planned.live, read.object, options.fieldManager);
    return {
      planned: a.planned,
      action,
      after: read.object,
      message:
        action === 'unchanged'
          ? 'the answer was lost; read back: as before the apply'
          : 'the answer was lost; read back',
    };
  });
}

/**
 * Created, configured or unchanged, in a way a controller writing status or annotations in parallel
 * cannot fool. Created: the plan's LIST did not have it. Unchanged: the apply's answer has the
 * resourceVersion the LIST saw (a no-op server-side apply does not bump it; a dry run never does, so it
 * is not asked). Otherwise someone wrote: configured only when this field manager's managedFields entry
 * changed, or a value of a field it owns did (the apply set it back); a change by anyone else is theirs.
 */
export function changeOf(
  live: KubeObject | undefined,
  after: KubeObject,
  fieldManager: string,
  dryRun = false,
): 'created' | 'configured' | 'unchanged' {
  if (!live) return 'created';
  const version = live.metadata.resourceVersion;
  if (!dryRun && version !== undefined && version === after.metadata.resourceVersion) return 'unchanged';
  const before = managedFieldsOf(live, fieldManager);
  const now = managedFieldsOf(after, fieldManager);
  if (!isDeepStrictEqual(before ?? {}, now ?? {})) return 'configured';
  return isDeepStrictEqual(ownedValues(live, now ?? {}), ownedValues(after, now ?? {})) ? 'unchanged' : 'configured';
}

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly apiVersion?: string;
  readonly fieldsV1?: FieldSet;
}
type FieldSet = { readonly [key: string]: FieldSet };

/** The `fieldsV1` of a manager's apply entry (for the object's apiVersion first). */
function managedFieldsOf(obj: KubeObject, fieldManager: string): FieldSet | undefined {
  const entries = ((obj.metadata.managedFields ?? []) as ManagedFieldsEntry[]).filter(
    (e) => e.manager === fieldManager && e.operation === 'Apply',
  );
  return (entries.find((e) => e.apiVersion === obj.apiVersion) ?? entries[0])?.fieldsV1;
}

/**
 * The part of `value` a `fieldsV1` set names: `f:<name>` a map key, `k:{...}` the list element with
 * those key fields, `v:<json>` a set element, `i:<n>` a list index; an empty set is the whole value.
 */
export function ownedValues(value: unknown, fields: FieldSet): unknown {
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (keys.length === 0) return value;
  if (Array.isArray(value)) return keys.map((k) => [k, ownedValues(element(value, k), fields[k])]);
  if (value === null || typeof value !== 'object') return value;
  const map = value as Record<string, unknown>;
  return Object.fromEntries(
    keys.filter((k) => k.startsWith('f:')).map((k) => [k, ownedValues(map[k.slice(2)], fields[k])]),
  );
}

function element(list: readonly unknown[], key: string): unknown {
  const json = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'k:': {
      const wanted = JSON.parse(json) as Record<string, unknown>;
      return list.find(
        (e) =>
          e !== null &&
          typeof e === 'object' &&
          Object.entries(wanted).every(([k, v]) => isDeepStrictEqual((e as Record<string, unknown>)[k], v)),
      );
    }
    case 'v:':
      return list.find((e) => isDeepStrictEqual(e, JSON.parse(json)));
    case 'i:':
      return list[Number(json)];
    default:
      return undefined;
  }
}
