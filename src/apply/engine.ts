import { isDeepStrictEqual } from 'util';
import { KubeObject, describeObject } from '../manifest';
import {
  APPLYSET_ID_LABEL, APPLYSET_PART_OF_LABEL, ApplySetInventory, ApplySetRef, applySetId, inventoryOf, parentObject,
  readParent, unionInventory, withMemberLabel,
} from './applyset';
import { KubeApiError, KubeClient, ObjectRef, ResourceInfo, describeRef, identityKey, refOf } from './client';
import { mapLimit } from './concurrency';
import { objectDiff } from './diff';
import { SourceDocument } from '../manifest';
import { StageName, applyStages, deleteStages, stageOf } from './order';
import { listMembers, staleMembers } from './prune';
import { EnvSecretSpec, secretFromEnv } from './secrets';
import { Problem, findDuplicates, validateDocuments } from '../checks/documents';
import { Readiness, WaitResult, waitForDeletion, waitForReady } from './wait';

/** The field manager of everything the engine applies. */
export const FIELD_MANAGER = 'workshop-stacks';

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
   * Requests in flight at once within a stage.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Time between two polls while waiting.
   * @default 2000
   */
  readonly pollIntervalMs?: number;
  /** Told about progress: stages, results, readiness changes. */
  readonly onEvent?: (event: EngineEvent) => void;
}

/** What every command takes: the manifests and the apply set they form. */
export interface ManifestInput {
  /** The documents to apply, from {@link loadSources}. */
  readonly documents: readonly SourceDocument[];
  /** The apply set (parent Secret) the objects belong to; the same manifests must always name the same set. */
  readonly applySet: ApplySetRef;
  /** Secrets to create or update from environment variables. @default none */
  readonly envSecrets?: readonly EnvSecretSpec[];
  /** Where {@link envSecrets} read their values. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** `apiVersion/Kind` of custom resources the schema check cannot know. @default none */
  readonly externalKinds?: ReadonlySet<string>;
  /** Take ownership of fields other managers own, and of objects of other apply sets. @default false */
  readonly forceConflicts?: boolean;
  /** Also look for (and, for apply, delete) members of the set that are no longer in the manifests. @default false */
  readonly prune?: boolean;
}

/** Options of {@link ApplyEngine.apply}. */
export interface ApplyInput extends ManifestInput {
  /** Run the same plan as a server-side dry run: nothing is persisted. @default false */
  readonly dryRun?: boolean;
  /** Prune even when the manifests hold no object, which deletes every member of the set. @default false */
  readonly allowEmptyPrune?: boolean;
  /** Wait until every object is ready (kstatus), then prune. @default true */
  readonly wait?: boolean;
  /** Time budget for all the waiting. @default 300000 */
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
  /** @default 300000 */
  readonly timeoutMs?: number;
}

/** What happened (or would happen, in a dry run) to one object. */
export type Action = 'created' | 'configured' | 'unchanged' | 'pruned' | 'deleted' | 'skipped' | 'failed';

export interface ObjectResult {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly action: Action;
  /** Why it failed or was skipped, or a note. */
  readonly message?: string;
  /** The file (or app, or option) and document it came from. */
  readonly source?: string;
  readonly index?: number;
}

/** The diff of one object, Secrets masked. */
export interface ObjectDiff {
  readonly object: string;
  readonly action: Action;
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
  /** An error that stopped the command (e.g. the API server could not be reached). */
  readonly error?: string;
}

export type EngineEvent =
  | { readonly type: 'stage'; readonly stage: StageName; readonly count: number }
  | { readonly type: 'result'; readonly result: ObjectResult; readonly pruned?: boolean }
  | { readonly type: 'waiting'; readonly objects: readonly string[] }
  | { readonly type: 'status'; readonly object: string; readonly status: Readiness; readonly message: string };

/** One object of the plan. */
interface Item {
  readonly source: string;
  readonly index: number;
  /** The object as applied: namespace resolved, apply set label added. */
  readonly object: KubeObject;
  readonly ref: ObjectRef;
  readonly key: string;
  readonly stage: StageName;
  /** Unset while the kind waits for a CustomResourceDefinition of this apply. */
  info?: ResourceInfo;
  /** The object on the server before this command (`undefined`: absent); set once fetched. */
  live?: KubeObject;
  fetched: boolean;
}

interface Prepared {
  readonly items: Item[];
  readonly problems: Problem[];
  readonly parentLive?: KubeObject;
  readonly previous: ApplySetInventory;
  /** Namespaces of the manifests that do not exist yet. */
  readonly newNamespaces: Set<string>;
}

interface Planned {
  readonly item: Item;
  readonly action: Action;
  readonly live?: KubeObject;
  /** The object as the server would have it (or the manifest, when the server could not check it). */
  readonly after?: KubeObject;
  readonly message?: string;
}

const EMPTY_INVENTORY: ApplySetInventory = { groupKinds: [], additionalNamespaces: [] };
const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * Applies, diffs and deletes manifests on a cluster, after Flux's `ssa` package: validate everything
 * first, apply in stages by kind with server-side apply (dry run, then a write only for what drifted),
 * wait kstatus-style, then prune the members of the KEP-3659 apply set that are gone from the manifests.
 */
export class ApplyEngine {
  private readonly client: KubeClient;
  private readonly fieldManager: string;
  private readonly defaultNamespace: string;
  private readonly concurrency: number;

  constructor(private readonly options: EngineOptions) {
    this.client = options.client;
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.defaultNamespace = options.defaultNamespace ?? 'default';
    this.concurrency = options.concurrency ?? 4;
  }

  /** Validates, then applies stage by stage, waits, and prunes. */
  async apply(input: ApplyInput): Promise<EngineReport> {
    const report = this.newReport('apply', input, input.dryRun ?? false);
    const dryRun = report.dryRun;
    const deadline = Date.now() + (input.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return this.run(report, async () => {
      const prep = await this.prepare(input, 'apply', input.prune && !input.allowEmptyPrune);
      report.problems.push(...prep.problems);
      if (prep.problems.length > 0) return;
      const parent = input.applySet;
      const inventory = inventoryOf(prep.items.map((i) => i.ref), parent);
      // What to prune is decided before any write, so that a dangerous prune is refused with nothing changed.
      const stale = input.prune ? await this.pruneCandidates(prep, parent) : [];
      report.problems.push(...namespaceHazards(stale, prep.items));
      if (report.problems.length > 0) return;
      // The parent lists the old and the new members before any member changes, so an interrupted apply
      // leaves no member the next prune cannot find (kubectl does the same).
      const parentAfterDefinitions = prep.newNamespaces.has(parent.namespace);
      let parentLive = prep.parentLive;
      const updateParent = async (inv: ApplySetInventory) => {
        parentLive = await this.updateParent(parent, inv, dryRun, parentLive);
      };
      if (!parentAfterDefinitions) await updateParent(unionInventory(prep.previous, inventory));

      const stages = applyStages(prep.items, (i) => i.ref);
      for (const [n, stage] of stages.entries()) {
        this.emit({ type: 'stage', stage: stage.stage, count: stage.items.length });
        const ok = await this.applyStage(stage.items, report, { dryRun, force: input.forceConflicts ?? false, newNamespaces: prep.newNamespaces });
        const later = stages.slice(n + 1).flatMap((s) => s.items);
        if (!ok) return this.skipRest(later, report, 'not applied: an earlier stage failed');
        if (stage.stage === 'definitions' && !dryRun) {
          if (!(await this.waitReady(stage.items.map((i) => i.ref), report, deadline, input))) {
            return this.skipRest(later, report, 'not applied: the definitions stage did not become ready');
          }
          const unserved = await this.resolveCustomKinds(later);
          if (unserved.length > 0) {
            for (const item of unserved) this.record(report, item, 'failed', `the server does not serve ${item.ref.apiVersion} ${item.ref.kind} although its CustomResourceDefinition is established`);
            return this.skipRest(later.filter((i) => !unserved.includes(i)), report, 'not applied: an earlier stage failed');
          }
          if (parentAfterDefinitions) await updateParent(unionInventory(prep.previous, inventory));
        }
      }
      if (report.objects.some((o) => o.action === 'failed')) return;

      if (input.wait !== false && !dryRun) {
        const rest = stages.filter((s) => s.stage !== 'definitions').flatMap((s) => s.items.map((i) => i.ref));
        if (!(await this.waitReady(rest, report, deadline, input))) return;
      }
      if (input.prune) {
        const pruned = await this.deleteAll(stale.map((o) => ({ ref: refOf(o) })), 'pruned', { dryRun, wait: false, deadline });
        report.pruned.push(...pruned);
        // Only a complete prune may shrink the inventory: a member that failed to go must stay findable.
        if (pruned.every((r) => r.action !== 'failed')) await updateParent(inventory);
      }
    });
  }

  /** Shows, per object, the live object against the result of a server-side dry run (Secrets masked). */
  async diff(input: ManifestInput): Promise<EngineReport> {
    const report = this.newReport('diff', input, true);
    return this.run(report, async () => {
      const prep = await this.prepare(input, 'diff', false);
      report.problems.push(...prep.problems);
      if (prep.problems.length > 0) return;
      for (const stage of applyStages(prep.items, (i) => i.ref)) {
        const planned = await mapLimit(stage.items, this.concurrency, (item) =>
          this.plan(item, { dryRun: true, force: input.forceConflicts ?? false, newNamespaces: prep.newNamespaces }));
        for (const p of planned) {
          this.record(report, p.item, p.action, p.message);
          if (p.action !== 'failed') report.diffs.push({ object: describeRef(p.item.ref), action: p.action, diff: objectDiff(describeRef(p.item.ref), p.live, p.after) });
        }
      }
      if (input.prune) {
        for (const stale of await this.pruneCandidates(prep, input.applySet)) {
          const result = resultOf(refOf(stale), 'pruned');
          report.pruned.push(result);
          this.emit({ type: 'result', result, pruned: true });
          report.diffs.push({ object: result.object, action: 'pruned', diff: objectDiff(result.object, stale, undefined) });
        }
      }
    });
  }

  /**
   * Deletes every member of the apply set, and the parent, in reverse stage order (workloads first,
   * namespaces and CRDs last). Objects of the manifests that are not members are left alone.
   */
  async delete(input: DeleteInput): Promise<EngineReport> {
    const report = this.newReport('delete', input, input.dryRun ?? false);
    const deadline = Date.now() + (input.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return this.run(report, async () => {
      const prep = await this.prepare(input, 'delete', false);
      report.problems.push(...prep.problems);
      if (prep.problems.length > 0) return;
      const id = report.applySet.id;
      const inventory = unionInventory(prep.previous, inventoryOf(prep.items.map((i) => i.ref), input.applySet));
      const members = await listMembers(this.client, id, input.applySet, inventory);
      const memberKeys = new Set(members.map((m) => identityKey(refOf(m))));
      for (const item of prep.items.filter((i) => !memberKeys.has(i.key))) {
        this.record(report, item, 'skipped', item.live ? `not a member of apply set ${input.applySet.name}: left alone` : 'not found');
      }
      const deleted = await this.deleteAll(members.map((m) => ({ ref: refOf(m) })), 'deleted', { dryRun: report.dryRun, wait: input.wait !== false, deadline });
      report.objects.push(...deleted);
      if (prep.parentLive && deleted.every((r) => r.action !== 'failed')) {
        const parentRef = { apiVersion: 'v1', kind: 'Secret', name: input.applySet.name, namespace: input.applySet.namespace };
        await this.client.delete(parentRef, { dryRun: report.dryRun });
        const result = { ...resultOf(parentRef, 'deleted'), message: 'apply set parent' };
        report.objects.push(result);
        this.emit({ type: 'result', result });
      }
    });
  }

  // ---- steps ----

  /**
   * Everything before the first write: validation, discovery, namespaces, the objects as they are on the
   * server, and the parent. Any problem found here stops the command with nothing changed; a problem in
   * the documents themselves stops it before any request at all.
   */
  private async prepare(input: ManifestInput, mode: 'apply' | 'diff' | 'delete', refuseEmpty: boolean | undefined): Promise<Prepared> {
    const id = applySetId(input.applySet);
    const empty = (problems: Problem[]): Prepared => ({ items: [], problems, previous: EMPTY_INVENTORY, newNamespaces: new Set() });
    const secretSource = '--secret-from-env';
    const secretProblems: Problem[] = [];
    const secretDocs: SourceDocument[] = (input.envSecrets ?? []).flatMap((spec, index) => {
      const { object, problems } = secretFromEnv(spec, input.env ?? process.env);
      const at = { source: secretSource, index, object: `Secret ${spec.namespace ? `${spec.namespace}/` : ''}${spec.name}` };
      secretProblems.push(...problems.map((message) => ({ ...at, message })));
      return object ? [{ source: secretSource, index, value: object }] : [];
    });
    const { objects, problems } = validateDocuments([...input.documents, ...secretDocs], {
      externalKinds: input.externalKinds, reservedLabels: [APPLYSET_PART_OF_LABEL, APPLYSET_ID_LABEL], applyTimeSources: [secretSource],
    });
    problems.push(...secretProblems);
    // Empty means no manifest object: a Secret from the environment alone must not license pruning the rest.
    if (refuseEmpty && objects.every((o) => o.source === secretSource) && problems.length === 0) {
      problems.push({ message: `refusing to prune with no object in the manifests: that would delete every member of apply set ${input.applySet.name}; pass --allow-empty-prune if you mean it` });
    }
    if (problems.length > 0) return empty(problems);

    // Discovery: the kinds the server serves, and whether they live in namespaces.
    const crdScope = customResourceScopes(objects.map((o) => o.object));
    const infos = new Map<string, ResourceInfo | undefined>();
    for (const { object } of objects) {
      const key = `${object.apiVersion}/${object.kind}`;
      if (!infos.has(key)) infos.set(key, await this.client.resourceFor(object.apiVersion, object.kind));
    }
    const items: Item[] = [];
    for (const doc of objects) {
      const key = `${doc.object.apiVersion}/${doc.object.kind}`;
      const info = infos.get(key);
      const namespaced = info ? info.namespaced : crdScope.get(key);
      if (namespaced === undefined) {
        problems.push({ source: doc.source, index: doc.index, object: describeObject(doc.object), message: `the server does not serve ${doc.object.apiVersion} ${doc.object.kind}` });
        continue;
      }
      const metadata = { ...doc.object.metadata };
      if (namespaced) metadata.namespace ??= this.defaultNamespace;
      else delete metadata.namespace;
      const object = withMemberLabel({ ...doc.object, metadata }, id);
      const ref = refOf(object);
      items.push({ source: doc.source, index: doc.index, object, ref, key: identityKey(ref), stage: stageOf(ref.kind), info, fetched: false });
    }
    problems.push(...findDuplicates(items, (i) => i.key));
    if (problems.length > 0) return empty(problems);

    const planned = new Set(items.filter((i) => i.ref.kind === 'Namespace' && !i.ref.apiVersion.includes('/')).map((i) => i.ref.name));
    if (mode !== 'delete') {
      const used = new Set([input.applySet.namespace, ...items.flatMap((i) => (i.ref.namespace ? [i.ref.namespace] : []))]);
      for (const ns of [...used].filter((n) => !planned.has(n))) {
        if (await this.namespaceExists(ns)) continue;
        if (ns === input.applySet.namespace) problems.push({ message: `namespace "${ns}" of the apply set parent does not exist (choose it with --namespace)` });
        problems.push(...items.filter((i) => i.ref.namespace === ns).map((i) => ({
          source: i.source, index: i.index, object: describeRef(i.ref), message: `namespace "${ns}" does not exist and is not among the manifests`,
        })));
      }
    }
    await mapLimit(items.filter((i) => i.info), this.concurrency, async (item) => {
      item.live = await this.client.get(item.ref);
      item.fetched = true;
    });
    const newNamespaces = new Set(items.filter((i) => i.ref.kind === 'Namespace' && planned.has(i.ref.name) && !i.live).map((i) => i.ref.name));
    if (mode !== 'delete' && !input.forceConflicts) {
      for (const item of items) {
        const owner = item.live?.metadata.labels?.[APPLYSET_PART_OF_LABEL];
        if (owner !== undefined && owner !== id) {
          problems.push({ source: item.source, index: item.index, object: describeRef(item.ref), message: `belongs to another apply set (${owner}); --force-conflicts moves it into this one` });
        }
      }
    }
    const parentLive = await this.client.get({ apiVersion: 'v1', kind: 'Secret', name: input.applySet.name, namespace: input.applySet.namespace });
    let previous = EMPTY_INVENTORY;
    if (parentLive) {
      try {
        previous = readParent(parentLive, input.applySet);
      } catch (error) {
        problems.push({ message: (error as Error).message });
      }
    }
    return { items, problems, parentLive, previous, newNamespaces };
  }

  /** Dry-runs every object of a stage, then writes the ones that drifted. False when any failed. */
  private async applyStage(items: Item[], report: Mutable, ctx: PlanContext): Promise<boolean> {
    const planned = await mapLimit(items, this.concurrency, (item) => this.plan(item, ctx));
    if (planned.some((p) => p.action === 'failed')) {
      // Nothing of a stage is written unless all of it passes the dry run.
      for (const p of planned) {
        if (p.action === 'failed') this.record(report, p.item, 'failed', p.message);
        else this.record(report, p.item, 'skipped', 'not applied: another object of this stage failed its dry run');
      }
      return false;
    }
    const results = await mapLimit(planned, this.concurrency, async (p): Promise<[Planned, string | undefined]> => {
      if (ctx.dryRun || p.action === 'unchanged') return [p, undefined];
      try {
        await this.client.apply(p.item.object, { fieldManager: this.fieldManager, force: ctx.force });
        return [p, undefined];
      } catch (error) {
        return [p, describeError(error, p.item.ref)];
      }
    });
    for (const [p, error] of results) this.record(report, p.item, error ? 'failed' : p.action, error ?? p.message);
    return results.every(([, error]) => !error);
  }

  /**
   * What applying one object would do: a server-side dry run compared with the live object, after
   * Flux's `ssa`. Created when the dry run has no resourceVersion; configured when labels, annotations
   * or anything outside metadata and status differ; otherwise unchanged, and then it is not written at
   * all, so its resourceVersion stays and a second apply of the same input reports all unchanged.
   */
  private async plan(item: Item, ctx: PlanContext): Promise<Planned> {
    const missingNamespace = item.ref.namespace !== undefined && ctx.newNamespaces.has(item.ref.namespace);
    if (ctx.dryRun && (!item.info || missingNamespace)) {
      // A dry run cannot go through the server before its namespace or CRD exists: report the manifest as is.
      const why = item.info ? `namespace ${item.ref.namespace} is created by this apply` : 'its kind comes with a CustomResourceDefinition of this apply';
      return { item, action: 'created', after: item.object, message: `not checked by the server: ${why}` };
    }
    try {
      const live = item.fetched ? item.live : await this.client.get(item.ref);
      const after = await this.client.apply(item.object, { fieldManager: this.fieldManager, force: ctx.force, dryRun: true });
      const action = !after.metadata.resourceVersion ? 'created' : hasDrifted(live, after) ? 'configured' : 'unchanged';
      return { item, action, live, after };
    } catch (error) {
      return { item, action: 'failed', message: describeError(error, item.ref) };
    }
  }

  /** The members of the set, old and new inventory alike, that the manifests no longer hold. */
  private async pruneCandidates(prep: Prepared, parent: ApplySetRef): Promise<KubeObject[]> {
    const id = applySetId(parent);
    const inventory = unionInventory(prep.previous, inventoryOf(prep.items.map((i) => i.ref), parent));
    return staleMembers(await listMembers(this.client, id, parent, inventory), id, new Set(prep.items.map((i) => i.key)));
  }

  /** After the definitions stage, the kinds its CRDs define are served: asks discovery again. Returns the items still unserved. */
  private async resolveCustomKinds(items: Item[]): Promise<Item[]> {
    const pending = items.filter((i) => !i.info);
    if (pending.length > 0) this.client.invalidateDiscovery();
    for (const item of pending) item.info = await this.client.resourceFor(item.ref.apiVersion, item.ref.kind);
    return pending.filter((i) => !i.info);
  }

  private async waitReady(refs: ObjectRef[], report: Mutable, deadline: number, input: ApplyInput): Promise<boolean> {
    if (refs.length === 0) return true;
    this.emit({ type: 'waiting', objects: refs.map(describeRef) });
    const results = await waitForReady(this.client, refs, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      intervalMs: this.options.pollIntervalMs,
      waitForLoadBalancer: input.waitForLoadBalancer,
      onChange: (ref, s) => this.emit({ type: 'status', object: describeRef(ref), status: s.status, message: s.message }),
    });
    report.wait.push(...results);
    return results.every((r) => r.status === 'Current');
  }

  /** Deletes in reverse stage order with background propagation; with `wait`, each stage is gone before the next starts. */
  private async deleteAll(targets: Array<{ ref: ObjectRef }>, action: 'deleted' | 'pruned', opts: { dryRun: boolean; wait: boolean; deadline: number }): Promise<ObjectResult[]> {
    const out: ObjectResult[] = [];
    for (const stage of deleteStages(targets, (t) => t.ref)) {
      const results = await mapLimit(stage.items, this.concurrency, async ({ ref }): Promise<ObjectResult> => {
        try {
          const existed = await this.client.delete(ref, { propagationPolicy: 'Background', dryRun: opts.dryRun });
          return { ...resultOf(ref, action), ...(existed ? {} : { message: 'already gone' }) };
        } catch (error) {
          return { ...resultOf(ref, 'failed'), message: describeError(error, ref) };
        }
      });
      if (opts.wait && !opts.dryRun) {
        const remaining = await waitForDeletion(this.client, stage.items.map((t) => t.ref).filter((_, i) => results[i].action !== 'failed'), {
          timeoutMs: Math.max(0, opts.deadline - Date.now()), intervalMs: this.options.pollIntervalMs,
        });
        for (const ref of remaining) {
          const i = stage.items.findIndex((t) => t.ref === ref);
          results[i] = { ...resultOf(ref, 'failed'), message: 'still present when the timeout passed' };
        }
      }
      for (const result of results) this.emit({ type: 'result', result, pruned: action === 'pruned' });
      out.push(...results);
      if (results.some((r) => r.action === 'failed')) break;
    }
    return out;
  }

  /** Applies the parent with this inventory, unless `current` already says the same; returns the parent as it is now. */
  private async updateParent(parent: ApplySetRef, inventory: ApplySetInventory, dryRun: boolean, current?: KubeObject): Promise<KubeObject> {
    const obj = parentObject(parent, inventory);
    const same = (key: 'labels' | 'annotations') => Object.entries(obj.metadata[key] ?? {}).every(([k, v]) => current?.metadata[key]?.[k] === v);
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

  private async namespaceExists(name: string): Promise<boolean> {
    try {
      return (await this.client.get({ apiVersion: 'v1', kind: 'Namespace', name })) !== undefined;
    } catch (error) {
      // Users limited to their namespaces may not read Namespace objects; the apply will tell.
      if (error instanceof KubeApiError && error.code === 403) return true;
      throw error;
    }
  }

  // ---- reporting ----

  private newReport(command: EngineReport['command'], input: { applySet: ApplySetRef }, dryRun: boolean): Mutable {
    return {
      command, ok: false, dryRun, applySet: { ...input.applySet, id: applySetId(input.applySet) },
      problems: [], objects: [], pruned: [], wait: [], diffs: [],
    };
  }

  private async run(report: Mutable, body: () => Promise<void>): Promise<EngineReport> {
    try {
      await body();
    } catch (error) {
      report.error = error instanceof KubeApiError ? describeError(error) : (error as Error).message ?? String(error);
    }
    report.ok = !report.error && report.problems.length === 0
      && [...report.objects, ...report.pruned].every((o) => o.action !== 'failed')
      && report.wait.every((w) => w.status === 'Current');
    return report;
  }

  private record(report: Mutable, item: Item, action: Action, message?: string): void {
    const result: ObjectResult = { ...resultOf(item.ref, action), ...(message ? { message } : {}), source: item.source, index: item.index };
    report.objects.push(result);
    this.emit({ type: 'result', result });
  }

  private skipRest(items: Item[], report: Mutable, message: string): void {
    for (const item of items) this.record(report, item, 'skipped', message);
  }

  private emit(event: EngineEvent): void {
    this.options.onEvent?.(event);
  }
}

type Mutable = { -readonly [K in keyof EngineReport]: EngineReport[K] } & {
  problems: Problem[]; objects: ObjectResult[]; pruned: ObjectResult[]; wait: WaitResult[]; diffs: ObjectDiff[];
};

interface PlanContext {
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly newNamespaces: ReadonlySet<string>;
}

function resultOf(ref: ObjectRef, action: Action): ObjectResult {
  return {
    object: describeRef(ref), apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name,
    ...(ref.namespace ? { namespace: ref.namespace } : {}), action,
  };
}

/** Flux's drift test: labels, annotations, or anything outside metadata and status. */
function hasDrifted(live: KubeObject | undefined, dryRun: KubeObject): boolean {
  if (!live) return true;
  const body = ({ metadata: _m, status: _s, ...rest }: KubeObject) => rest;
  return !isDeepStrictEqual(live.metadata.labels ?? {}, dryRun.metadata.labels ?? {})
    || !isDeepStrictEqual(live.metadata.annotations ?? {}, dryRun.metadata.annotations ?? {})
    || !isDeepStrictEqual(body(live), body(dryRun));
}

/**
 * Namespaces about to be pruned that still hold objects of the manifests: deleting a Namespace deletes
 * everything in it, so the prune would take the applied objects with it.
 */
function namespaceHazards(stale: readonly KubeObject[], items: readonly Item[]): Problem[] {
  return stale.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1')
    .filter((ns) => items.some((i) => i.ref.namespace === ns.metadata.name))
    .map((ns) => ({
      object: describeObject(ns),
      message: 'is no longer in the manifests, but objects of the manifests live in it: pruning it would delete them too. Put the Namespace back in the manifests, or apply without --prune',
    }));
}

/** `apiVersion/Kind` -> namespaced, for the kinds the CRDs among the objects define. */
function customResourceScopes(objects: readonly KubeObject[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    const spec = (crd.spec ?? {}) as any;
    for (const v of spec.versions ?? []) scopes.set(`${spec.group}/${v.name}/${spec.names?.kind}`, spec.scope === 'Namespaced');
  }
  return scopes;
}

/**
 * A readable reason. A field conflict names each field and the manager that owns it. A Secret's error
 * has its quoted values removed, since the server may quote the data it rejects.
 */
export function describeError(error: unknown, ref?: ObjectRef): string {
  if (!(error instanceof KubeApiError)) return (error as Error)?.message ?? String(error);
  if (error.code === 409 && error.causes.length > 0) {
    const owners = error.causes.map((c) => `${c.field ?? '?'} is owned by ${c.message?.match(/conflict with "([^"]+)"/)?.[1] ?? c.message ?? 'another manager'}`);
    return `conflict: ${owners.join('; ')} (--force-conflicts takes ownership)`;
  }
  const message = `${error.code}${error.reason ? ` ${error.reason}` : ''}: ${error.status?.message ?? 'no message'}`;
  return ref?.kind === 'Secret' ? message.replace(/"(?:[^"\\]|\\.)*"/g, '"[redacted]"') : message;
}
