import { KubeObject, ObjectRef, describeRef, identityKey, refOf } from '../manifest';
import { ApplySetInventory, ApplySetRef, applySetId, parentObject, parentRef, unionInventory } from './applyset';
import { AppliedObject, ApplyObjectsOptions, applyObjects, readBackApplied } from './apply';
import { Deadline, DeadlineExceededError } from './deadline';
import { NOT_SENT } from './readback';
import { KubeApiError, KubeClient } from './kube-api';
import { mapLimit } from './concurrency';
import { deleteMembers } from './delete';
import { appliedDiff, diffPlan } from './diff';
import { ManifestInput, Plan, PlanContext, PlannedObject, makePlan } from './plan';
import { prune } from './prune';
import { EngineEvent, EngineReport, ObjectAction, ObjectDiff, ObjectResult, resultOf, timedOut } from './report';
import { describeError } from './describe-error';
import { Problem } from '../checks/documents';
import { WaitResult, waitForDeletion, waitForReady } from './wait';

export type { ManifestInput } from './plan';
export * from './report';

/** The field manager of everything the engine applies. */
export const FIELD_MANAGER = 'workshop-stacks';

/**
 * Requests in flight at once. 16 was measured as a good number for a real kube-apiserver v1.33 on
 * a 2-core machine. Against the test API server (720 objects, one shared 2-core machine) 8 and 16 were
 * within noise of each other (1.9-2.3 s), 4 was slower (2.4 s), and 32 or 64 slower still (3.3-5.4 s).
 */
export const DEFAULT_CONCURRENCY = 16;

/** How the engine talks to the cluster. */
export interface EngineOptions {
  readonly client: KubeClient;
  /**
   * Field manager of applied objects (the apply set parent uses `<fieldManager>-applyset`, as kubectl does).
   * @default 'workshop-stacks'
   */
  readonly fieldManager?: string;
  /**
   * Namespace of namespaced objects that name none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * Requests in flight at once (applies within a stage, deletes, LISTs of the plan).
   * @default DEFAULT_CONCURRENCY
   */
  readonly concurrency?: number;
  /**
   * Time between two polls while waiting.
   * @default 2000
   */
  readonly pollIntervalMs?: number;
  /** Told about progress: stages, results, readiness changes, notes, dropped fields, a silent server. */
  readonly onEvent?: (event: EngineEvent) => void;
  /**
   * After this long without an answer from the API server, and again after each further stretch as
   * long, a `server` event says so.
   * @default 5000, or a quarter of the command's timeout when that is shorter (at least 500)
   */
  readonly silenceNoticeMs?: number;
}

/** Options of {@link ApplyEngine.apply}. */
export interface ApplyInput extends ManifestInput {
  /** Run the same plan as a server-side dry run: nothing is persisted. @default false */
  readonly dryRun?: boolean;
  /**
   * Delete and create again an object whose change touches a field that cannot change (a Deployment's
   * selector, a Service's cluster IP or type, a Job's template), as `kubectl replace --force` does. Its
   * result is `replaced`.
   * @default false
   */
  readonly force?: boolean;
  /** Prune even when the manifests hold no object, which deletes every member of the set. @default false */
  readonly allowEmptyPrune?: boolean;
  /** Wait until every object is ready (kstatus), then prune. @default true */
  readonly wait?: boolean;
  /** Time budget of the whole command, from its start to its end (see {@link Deadline}). @default 300000 */
  readonly timeoutMs?: number;
  /** Wait for LoadBalancer Services to get an external address. @default false */
  readonly waitForLoadBalancer?: boolean;
}

/** Options of {@link ApplyEngine.delete}. */
export interface DeleteInput extends Omit<ManifestInput, 'prune' | 'forceConflicts'> {
  /** @default false */
  readonly dryRun?: boolean;
  /** Wait until each stage's objects are gone before the next. @default true */
  readonly wait?: boolean;
  /** Time budget of the whole command, from its start to its end. @default 300000 */
  readonly timeoutMs?: number;
}

/** Options of {@link ApplyEngine.diff}. */
export interface DiffInput extends ManifestInput {
  /** Time budget of the whole command, from its start to its end. @default 300000 */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;

/** Results of objects whose write went through. */
const WRITTEN: ReadonlySet<ObjectAction> = new Set([
  'created',
  'configured',
  'unchanged',
  'replaced',
  'deleted',
  'pruned',
]);

/** A command on its way: its deadline, and for the message of a deadline that passes, what it does and how many objects it has to write. */
interface Step {
  readonly deadline: Deadline;
  doing: string;
  total?: number;
}

/**
 * Applies, diffs and deletes manifests on a cluster, after Flux's `ssa` package: one immutable plan
 * ({@link makePlan}), then one verb over it: apply in stages with one server-side apply per object,
 * wait kstatus-style, prune the members of the KEP-3659 apply set that are gone from the manifests;
 * diff; delete.
 */
export class ApplyEngine {
  private readonly client: KubeClient;
  private readonly fieldManager: string;
  private readonly concurrency: number;

  constructor(private readonly options: EngineOptions) {
    this.client = options.client;
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  /** Plans, then applies stage by stage (definitions first, waited for), waits, and prunes. */
  async apply(input: ApplyInput): Promise<EngineReport> {
    const report = this.newReport('apply', input, input.dryRun ?? false);
    const dryRun = report.dryRun;
    return this.run(report, input.timeoutMs, async (step) => {
      const plan = await this.plan(input, 'apply', report, step, {
        refuseEmptyPrune: input.prune && !input.allowEmptyPrune,
        waitForTerminating: !dryRun,
      });
      if (report.problems.length > 0) return;
      step.total = plan.objects.length + (input.prune ? plan.stale.length : 0);
      // The parent lists the old and the new members before any member changes, so an interrupted apply
      // leaves no member the next prune cannot find (kubectl does the same). When its namespace comes
      // with the manifests, it is written right after the definitions stage.
      let parentLive = plan.parentLive;
      const updateParent = async (inventory: ApplySetInventory) => {
        step.doing = `updating the apply set parent ${describeRef(parentRef(plan.applySet))}`;
        parentLive = await this.updateParent(plan.applySet, inventory, dryRun, parentLive);
      };
      const parentAfterDefinitions = plan.newNamespaces.has(plan.applySet.namespace);
      if (!parentAfterDefinitions) await updateParent(unionInventory(plan.previous, plan.inventory));

      const options = {
        client: this.client,
        fieldManager: this.fieldManager,
        concurrency: this.concurrency,
        forceConflicts: input.forceConflicts ?? false,
        recreate: input.force ?? false,
        dryRun,
        newNamespaces: plan.newNamespaces,
        deadline: step.deadline.at,
        pollIntervalMs: this.options.pollIntervalMs,
      };
      // The server's answers: what they already show ready is not read again by the waits.
      const answers = new Map<string, KubeObject>();
      for (const [n, stage] of plan.stages.entries()) {
        this.emit({ type: 'stage', stage: stage.stage, count: stage.items.length });
        step.doing = `applying stage ${stage.stage}`;
        const applied = await this.applyStage(stage.items, options, report);
        for (const a of applied) if (a.after) answers.set(a.planned.key, a.after);
        const later = plan.stages.slice(n + 1).flatMap((s) => s.items);
        if (step.deadline.expired) return this.skipRest(later, report, NOT_SENT);
        if (applied.some((a) => a.action === 'failed' || a.action === 'unknown'))
          return this.skipRest(later, report, 'not applied: an earlier stage failed');
        if (stage.stage !== 'definitions' || dryRun) continue;
        if (
          !(await this.waitReady(
            stage.items.map((i) => i.ref),
            report,
            step,
            input,
            answers,
          ))
        ) {
          return this.skipRest(later, report, 'not applied: the definitions stage did not become ready');
        }
        const unserved = await this.unservedKinds(later);
        if (unserved.length > 0) {
          for (const o of unserved)
            this.record(
              report,
              o,
              'failed',
              `the server does not serve ${o.ref.apiVersion} ${o.ref.kind} although its CustomResourceDefinition is established`,
            );
          return this.skipRest(
            later.filter((o) => !unserved.includes(o)),
            report,
            'not applied: an earlier stage failed',
          );
        }
        if (parentAfterDefinitions) await updateParent(unionInventory(plan.previous, plan.inventory));
      }

      if (input.wait !== false && !dryRun) {
        const rest = plan.stages.filter((s) => s.stage !== 'definitions').flatMap((s) => s.items.map((i) => i.ref));
        if (!(await this.waitReady(rest, report, step, input, answers))) return;
      }
      if (input.prune) {
        step.doing = 'pruning';
        const pruned = await prune(plan, {
          client: this.client,
          concurrency: this.concurrency,
          dryRun,
          deadline: step.deadline.at,
          onResult: (result) => this.emit({ type: 'result', result, pruned: true }),
        });
        report.pruned.push(...pruned);
        // Only a complete prune may shrink the inventory: a member that failed to go must stay findable.
        if (pruned.length === plan.stale.length && pruned.every((r) => r.action === 'pruned') && !step.deadline.expired)
          await updateParent(plan.inventory);
      }
    });
  }

  /** Applies one stage's objects and records the results; objects whose answer was lost are told, then read back. */
  private async applyStage(
    items: readonly PlannedObject[],
    options: ApplyObjectsOptions,
    report: Mutable,
  ): Promise<AppliedObject[]> {
    const applied = await applyObjects(items, options);
    for (const a of applied) this.record(report, a.planned, a.action, a.message);
    if (!applied.some((a) => a.action === 'unknown')) return applied;
    const known = await readBackApplied(applied, options);
    known.forEach((a, i) => {
      if (applied[i].action !== 'unknown') return;
      const at = report.objects.findIndex((o) => o.action === 'unknown' && o.object === describeRef(a.planned.ref));
      // Told again only when the read-back found out; the report keeps why it could not.
      this.record(report, a.planned, a.action, a.message, at, a.action !== 'unknown');
    });
    return known;
  }

  /** Shows, per object, the live object against the result of a server-side dry run (Secrets masked). */
  async diff(input: DiffInput): Promise<EngineReport> {
    const report = this.newReport('diff', input, true);
    return this.run(report, input.timeoutMs, async (step) => {
      const plan = await this.plan(input, 'diff', report, step, { waitForTerminating: false });
      if (report.problems.length > 0) return;
      step.doing = 'comparing each object with a server-side dry run';
      step.total = plan.objects.length;
      const { applied, pruned } = await diffPlan(plan, {
        client: this.client,
        fieldManager: this.fieldManager,
        concurrency: this.concurrency,
        forceConflicts: input.forceConflicts ?? false,
        newNamespaces: plan.newNamespaces,
        deadline: step.deadline.at,
        prune: input.prune ?? false,
      });
      for (const a of applied) {
        this.record(report, a.planned, a.action, a.message);
        // Only what the server answered has an "after" to compare with.
        if (a.after) report.diffs.push(appliedDiff(a));
      }
      for (const { result, diff } of pruned) {
        report.pruned.push(result);
        this.emit({ type: 'result', result, pruned: true });
        report.diffs.push(diff);
      }
    });
  }

  /**
   * Deletes every member of the apply set, and the parent, in reverse stage order (workloads first,
   * namespaces and CRDs last). Objects of the manifests that are not members are left alone.
   */
  async delete(input: DeleteInput): Promise<EngineReport> {
    const report = this.newReport('delete', input, input.dryRun ?? false);
    return this.run(report, input.timeoutMs, async (step) => {
      const plan = await this.plan(input, 'delete', report, step, { waitForTerminating: false });
      if (report.problems.length > 0) return;
      step.doing = 'deleting';
      step.total = plan.members.length;
      const memberKeys = new Set(plan.members.map((m) => identityKey(refOf(m))));
      for (const o of plan.objects.filter((x) => !memberKeys.has(x.key))) {
        this.record(
          report,
          o,
          'skipped',
          o.live ? `not a member of apply set ${plan.applySet.name}: left alone` : 'not found',
        );
      }
      report.objects.push(
        ...(await deleteMembers(plan, {
          client: this.client,
          concurrency: this.concurrency,
          dryRun: report.dryRun,
          wait: input.wait !== false,
          deadline: step.deadline.at,
          pollIntervalMs: this.options.pollIntervalMs,
          onResult: (result) => this.emit({ type: 'result', result }),
        })),
      );
    });
  }

  // ---- steps ----

  /**
   * The plan, its problems in the report. Objects of the manifests that are still being deleted (an
   * apply right after a delete: their namespace is Terminating) are waited for, then planned again, since
   * a real server refuses writes into a Terminating namespace.
   */
  private async plan(
    input: ManifestInput,
    command: EngineReport['command'],
    report: Mutable,
    step: Step,
    opts: { readonly refuseEmptyPrune?: boolean; readonly waitForTerminating: boolean },
  ): Promise<Plan> {
    step.doing = 'reading the live objects (the plan)';
    if (input.skipChecks) this.note(report, 'checks skipped (--skip-checks)');
    const ctx: PlanContext = {
      client: this.client,
      defaultNamespace: this.options.defaultNamespace ?? 'default',
      concurrency: this.concurrency,
      command,
      refuseEmptyPrune: opts.refuseEmptyPrune,
    };
    let plan = await makePlan(input, ctx, (d) => this.emit({ type: 'normalized', ...d }));
    if (plan.problems.length === 0 && plan.terminating.length > 0) {
      const names = plan.terminating.map(describeRef).join(', ');
      if (!opts.waitForTerminating) {
        this.note(report, `${names}: being deleted; apply waits until it is gone`);
      } else {
        this.note(report, `${names}: being deleted; waiting until it is gone before applying`);
        step.doing = `waiting for ${names} to be deleted, before any change`;
        const left = await waitForDeletion(this.client, plan.terminating, {
          timeoutMs: step.deadline.remaining(),
          intervalMs: this.options.pollIntervalMs,
          concurrency: this.concurrency,
        });
        if (left.length > 0)
          throw new Error(
            `${left.map(describeRef).join(', ')}: still being deleted when the timeout passed; nothing was changed`,
          );
        step.doing = 'reading the live objects (the plan)';
        plan = await makePlan(input, ctx);
      }
    }
    return this.withProblems(plan, report, []);
  }

  private withProblems(plan: Plan, report: Mutable, extra: Problem[]): Plan {
    report.problems.push(...plan.problems, ...extra);
    return plan;
  }

  /** After the definitions stage, the kinds its CRDs define must be served: asks discovery again. */
  private async unservedKinds(objects: readonly PlannedObject[]): Promise<PlannedObject[]> {
    const pending = objects.filter((o) => !o.info);
    if (pending.length === 0) return [];
    this.client.invalidateDiscovery();
    // One discovery look-up per kind, as placeObjects, at most `concurrency` at a time.
    const kinds = [...new Map(pending.map((o) => [`${o.ref.apiVersion}/${o.ref.kind}`, o.ref])).entries()];
    const served = new Map(
      await mapLimit(
        kinds,
        this.concurrency,
        async ([key, ref]) => [key, await this.client.resourceFor(ref.apiVersion, ref.kind)] as const,
      ),
    );
    return pending.filter((o) => !served.get(`${o.ref.apiVersion}/${o.ref.kind}`));
  }

  private async waitReady(
    refs: ObjectRef[],
    report: Mutable,
    step: Step,
    input: ApplyInput,
    answers: ReadonlyMap<string, KubeObject>,
  ): Promise<boolean> {
    if (refs.length === 0) return true;
    this.emit({ type: 'waiting', objects: refs.map(describeRef) });
    step.doing = `waiting for ${refs.length} object(s) to become ready`;
    const results = await waitForReady(this.client, refs, {
      timeoutMs: step.deadline.remaining(),
      intervalMs: this.options.pollIntervalMs,
      concurrency: this.concurrency,
      waitForLoadBalancer: input.waitForLoadBalancer,
      answers,
      onChange: (ref, s) =>
        this.emit({ type: 'status', object: describeRef(ref), status: s.status, message: s.message }),
    });
    report.wait.push(...results);
    return results.every((r) => r.status === 'Current');
  }

  /** Applies the parent with this inventory, unless `current` already says the same; returns the parent as it is now. */
  private async updateParent(
    parent: ApplySetRef,
    inventory: ApplySetInventory,
    dryRun: boolean,
    current?: KubeObject,
  ): Promise<KubeObject> {
    const obj = parentObject(parent, inventory);
    const same = (key: 'labels' | 'annotations') =>
      Object.entries(obj.metadata[key] ?? {}).every(([k, v]) => current?.metadata[key]?.[k] === v);
    if (current && same('labels') && same('annotations')) return current;
    const options = { fieldManager: `${this.fieldManager}-applyset`, dryRun };
    try {
      return await this.client.apply(obj, options);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.code === 409)) throw error;
      // As kubectl: the parent's fields are ours by definition, so take them back.
      return this.client.apply(obj, { ...options, force: true });
    }
  }

  // ---- reporting ----

  private newReport(command: EngineReport['command'], input: { applySet: ApplySetRef }, dryRun: boolean): Mutable {
    return {
      command,
      ok: false,
      dryRun,
      applySet: { ...input.applySet, id: applySetId(input.applySet) },
      problems: [],
      objects: [],
      pruned: [],
      wait: [],
      diffs: [],
      notes: [],
    };
  }

  /**
   * Runs a command's body within its deadline (`timeoutMs` from now), telling about long silences of
   * the API server meanwhile. A body that ends unfinished after the deadline passed is reported as
   * {@link TimedOut}: where it was, and what it wrote.
   */
  private async run(
    report: Mutable,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    body: (step: Step) => Promise<void>,
  ): Promise<EngineReport> {
    const deadline = new Deadline(timeoutMs);
    const step: Step = { deadline, doing: 'starting' };
    const noticeAfter = this.options.silenceNoticeMs ?? Math.min(5000, Math.max(500, timeoutMs / 4));
    const stopWatching = deadline.watchSilence(noticeAfter, (silence, answering) => {
      this.emit({
        type: 'server',
        answering,
        silentMs: silence.ms,
        retries: silence.retries,
        ...(silence.plugin ? { plugin: silence.plugin } : {}),
      });
    });
    let interrupted = false;
    let stoppedAt: string | undefined;
    try {
      await deadline.run(() => body(step));
    } catch (error) {
      interrupted = true;
      if (deadline.expired) stoppedAt = error instanceof DeadlineExceededError ? error.request : undefined;
      else report.error = describeError(error);
    } finally {
      stopWatching();
    }
    const all = [...report.objects, ...report.pruned];
    report.ok =
      !interrupted &&
      report.problems.length === 0 &&
      all.every(
        (o) => o.action !== 'failed' && o.action !== 'unknown' && !(o.action === 'skipped' && o.message === NOT_SENT),
      ) &&
      report.wait.every((w) => w.status === 'Current');
    if (!report.ok && !report.error && report.problems.length === 0 && deadline.expired) {
      const object =
        all.find((o) => o.action === 'unknown')?.object ??
        all.find((o) => o.action === 'skipped' && o.message === NOT_SENT)?.object ??
        report.wait.find((w) => w.status !== 'Current')?.object ??
        stoppedAt;
      report.timedOut = timedOut(report, {
        ...step,
        timeoutMs,
        object,
        written: all.filter((o) => WRITTEN.has(o.action)).length,
        silence: deadline.silence(),
      });
    }
    return report;
  }

  /** Records a result and tells it; `at`: the index of an earlier result of the object that this one replaces. */
  private record(
    report: Mutable,
    planned: PlannedObject,
    action: ObjectAction,
    message?: string,
    at = -1,
    tell = true,
  ): void {
    const result: ObjectResult = {
      ...resultOf(planned.ref, action, message),
      source: planned.source,
      index: planned.index,
    };
    if (at >= 0) report.objects[at] = result;
    else report.objects.push(result);
    if (tell) this.emit({ type: 'result', result });
  }

  private skipRest(objects: readonly PlannedObject[], report: Mutable, message: string): void {
    for (const o of objects) this.record(report, o, 'skipped', message);
  }

  private note(report: Mutable, message: string): void {
    report.notes.push(message);
    this.emit({ type: 'note', message });
  }

  private emit(event: EngineEvent): void {
    this.options.onEvent?.(event);
  }
}

type Mutable = { -readonly [K in keyof EngineReport]: EngineReport[K] } & {
  problems: Problem[];
  objects: ObjectResult[];
  pruned: ObjectResult[];
  wait: WaitResult[];
  diffs: ObjectDiff[];
  notes: string[];
};
