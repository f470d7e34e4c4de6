import { ApplySetRef } from './applyset';
import { ObjectRef, describeRef } from '../manifest';
import { KubeApiError, immutableFields } from './kube-api';
import { StageName } from './order';
import { Problem } from '../checks/documents';
import { Readiness, WaitResult } from './wait';

/**
 * What happened (or would happen, in a dry run) to one object. `replaced`: a field that cannot change
 * (a Deployment's selector, a Service's cluster IP, a Job's template) differed, and with `--force` the
 * object was deleted and created again.
 */
export type ObjectAction = 'created' | 'configured' | 'unchanged' | 'replaced' | 'pruned' | 'deleted' | 'skipped' | 'failed';

export interface ObjectResult {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly action: ObjectAction;
  /** Why it failed or was skipped, or a note. */
  readonly message?: string;
  /** The file (or app, or option) and document it came from. */
  readonly source?: string;
  readonly index?: number;
}

/** The diff of one object, Secrets masked. */
export interface ObjectDiff {
  readonly object: string;
  readonly action: ObjectAction;
  /** Unified diff; empty when unchanged. */
  readonly diff: string;
}

/** The outcome of a command, fit for `--output json`. No Secret value is ever in it. */
export interface EngineReport {
  readonly command: 'apply' | 'diff' | 'delete';
  /** Nothing failed, every waited object is ready. */
  readonly ok: boolean;
  readonly dryRun: boolean;
  readonly applySet: ApplySetRef & { readonly id: string };
  /** Problems found before any write; when there are any, nothing was changed. */
  readonly problems: readonly Problem[];
  readonly objects: readonly ObjectResult[];
  readonly pruned: readonly ObjectResult[];
  readonly wait: readonly WaitResult[];
  readonly diffs: readonly ObjectDiff[];
  /** What the user should know about how the command ran (e.g. that the checks were skipped). */
  readonly notes: readonly string[];
  /** An error that stopped the command (e.g. the API server could not be reached). */
  readonly error?: string;
}

export type EngineEvent =
  | { readonly type: 'stage'; readonly stage: StageName; readonly count: number }
  | { readonly type: 'result'; readonly result: ObjectResult; readonly pruned?: boolean }
  | { readonly type: 'waiting'; readonly objects: readonly string[] }
  | { readonly type: 'status'; readonly object: string; readonly status: Readiness; readonly message: string }
  /** Something to tell the user once (a skipped check, a wait for a namespace being deleted). */
  | { readonly type: 'note'; readonly message: string }
  /** Server-populated fields removed from an input document (verbose output). */
  | { readonly type: 'normalized'; readonly object: string; readonly source: string; readonly index: number; readonly dropped: readonly string[] };

/** The result line of an object, without source. */
export function resultOf(ref: ObjectRef, action: ObjectAction, message?: string): ObjectResult {
  return {
    object: describeRef(ref), apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name,
    ...(ref.namespace ? { namespace: ref.namespace } : {}), action, ...(message ? { message } : {}),
  };
}

/**
 * A readable reason. A field conflict names each field and the manager that owns it; an immutable field
 * names the field and the way forward. A Secret's error has its quoted values removed, since the server
 * may quote the data it rejects.
 */
export function describeError(error: unknown, ref?: ObjectRef): string {
  if (!(error instanceof KubeApiError)) return (error as Error)?.message ?? String(error);
  if (error.code === 409 && error.causes.length > 0) {
    const owners = error.causes.map((c) => `${c.field ?? '?'} is owned by ${c.message?.match(/conflict with "([^"]+)"/)?.[1] ?? c.message ?? 'another manager'}`);
    return `conflict: ${owners.join('; ')} (--force-conflicts takes ownership)`;
  }
  if (error.code === 403 && error.causes.some((c) => c.reason === 'NamespaceTerminating')) {
    // The plan waits for namespaces it sees Terminating; this one began after the plan was made.
    return `namespace ${ref?.namespace ?? ''} is being deleted (Terminating): nothing can be created in it; apply again once it is gone`;
  }
  const immutable = immutableFields(error);
  if (immutable.length > 0) {
    return `${immutable.join(', ')}: field is immutable; --force deletes the object and creates it again`;
  }
  const message = `${error.code}${error.reason ? ` ${error.reason}` : ''}: ${error.status?.message ?? 'no message'}`;
  return ref?.kind === 'Secret' ? message.replace(/"(?:[^"\\]|\\.)*"/g, '"[redacted]"') : message;
}
