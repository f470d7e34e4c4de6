import { ApplySetRef } from './applyset';
import { ObjectRef, describeRef } from '../manifest';
import { StageName } from './order';
import { Problem } from '../checks/documents';
import type { Silence } from './deadline';
import { Readiness, WaitResult } from './wait';

/**
 * What happened (or would happen, in a dry run) to one object. `replaced`: a field that cannot change
 * (a Deployment's selector, a Service's cluster IP, a Job's template) differed, and with `--force` the
 * object was deleted and created again. `unknown`: the write was sent but its answer was lost, and
 * reading the object back could not tell (the server did not answer, or the command's time ran out).
 */
export type ObjectAction =
  'created' | 'configured' | 'unchanged' | 'replaced' | 'pruned' | 'deleted' | 'skipped' | 'unknown' | 'failed';

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
  /** Set when the command stopped at its deadline (`--timeout`). */
  readonly timedOut?: TimedOut;
}

/** Where a command was when its deadline passed. */
export interface TimedOut {
  /** The time budget, in ms. */
  readonly timeoutMs: number;
  /** What it was doing, e.g. `applying stage workloads`, `waiting for 3 objects to become ready`. */
  readonly doing: string;
  /** The object (or the request) it was on. */
  readonly object?: string;
  /** Objects written (created, configured, unchanged, replaced, deleted, pruned) before it stopped. */
  readonly written: number;
  /** Objects the command had to write. */
  readonly total: number;
  /** How long the API server had not answered when it stopped, if requests were waiting for it. */
  readonly serverSilentMs?: number;
  /**
   * The kubeconfig's credential plugin that requests were waiting for when it stopped, if one was
   * (`exec plugin "aws"`); then {@link serverSilentMs} is not set.
   */
  readonly plugin?: string;
  /** Says it all in a sentence or two, with the way forward. */
  readonly message: string;
}

export type EngineEvent =
  | { readonly type: 'stage'; readonly stage: StageName; readonly count: number }
  | { readonly type: 'result'; readonly result: ObjectResult; readonly pruned?: boolean }
  | { readonly type: 'waiting'; readonly objects: readonly string[] }
  | { readonly type: 'status'; readonly object: string; readonly status: Readiness; readonly message: string }
  /**
   * Requests have waited `silentMs` for the API server, with `retries` retries meanwhile, or for the
   * kubeconfig's credential `plugin`; `answering`: an answer came again after such a silence.
   */
  | {
      readonly type: 'server';
      readonly answering: boolean;
      readonly silentMs: number;
      readonly retries: number;
      readonly plugin?: string;
    }
  /** Something to tell the user once (a skipped check, a wait for a namespace being deleted). */
  | { readonly type: 'note'; readonly message: string }
  /** Server-populated fields removed from an input document (verbose output). */
  | {
      readonly type: 'normalized';
      readonly object: string;
      readonly source: string;
      readonly index: number;
      readonly dropped: readonly string[];
    };

/** The result line of an object, without source. */
export function resultOf(ref: ObjectRef, action: ObjectAction, message?: string): ObjectResult {
  return {
    object: describeRef(ref),
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    name: ref.name,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    action,
    ...(message ? { message } : {}),
  };
}

/** A duration as people read it: `0.4 s`, `2.5 s`, `12 s`. */
export function seconds(ms: number): string {
  return `${ms < 9_950 ? String(Math.round(ms / 100) / 10) : Math.round(ms / 1000)} s`;
}

/** Who had not answered, and for how long: the API server (with its retries) or a credential plugin. */
function silenceOf(silence: Silence): string {
  if (silence.plugin) return `the ${silence.plugin} of the kubeconfig had not answered for ${seconds(silence.ms)}`;
  return `the API server had not answered for ${seconds(silence.ms)}${silence.retries ? ` (${silence.retries} retries)` : ''}`;
}

/** Where a command stood when its deadline passed, and the message that says it. */
export function timedOut(
  report: Pick<EngineReport, 'command' | 'dryRun'>,
  at: {
    readonly timeoutMs: number;
    readonly doing: string;
    readonly object?: string;
    readonly written: number;
    readonly total?: number;
    readonly silence?: Silence;
  },
): TimedOut {
  // A silence of a good part of the budget is worth naming: the server, not the objects, took the time.
  const silent = at.silence && at.silence.ms >= Math.min(1000, at.timeoutMs / 2) ? at.silence : undefined;
  const total = at.total ?? 0;
  const written =
    report.command === 'diff' || report.dryRun
      ? 'nothing was changed'
      : at.total === undefined
        ? 'no object was written yet'
        : `${at.written} of ${total} object(s) written`;
  const again =
    report.command === 'delete'
      ? 'it deletes what is left'
      : report.command === 'diff'
        ? 'it compares again'
        : 'it writes what is missing and leaves the rest unchanged';
  const message =
    `the ${seconds(at.timeoutMs)} timeout (--timeout) passed while ${at.doing}${at.object ? `, at ${at.object}` : ''}` +
    `${silent ? `; ${silenceOf(silent)}` : ''}` +
    `. ${written[0].toUpperCase()}${written.slice(1)}. Running the same command again is safe: ${again}.`;
  return {
    timeoutMs: at.timeoutMs,
    doing: at.doing,
    ...(at.object ? { object: at.object } : {}),
    written: at.written,
    total,
    ...(silent?.plugin ? { plugin: silent.plugin } : silent ? { serverSilentMs: silent.ms } : {}),
    message,
  };
}
