import { KubeObject, describeObject, ObjectRef, describeRef, groupKind, identityKey, refOf } from '../manifest';
import {
  APPLYSET_PART_OF_LABEL,
  ApplySetInventory,
  ApplySetRef,
  applySetId,
  inventoryOf,
  memberSelector,
  parentRef,
  readParent,
  withMemberLabel,
} from './applyset';
import { KubeApiError, KubeClient, LiveObjects, ResourceInfo } from './kube-api';
import { mapLimit } from './concurrency';
import type { SourceDocument } from '../manifest';
import { expandDocument } from '../manifest/read';
import { PlannedStage, StageName, applyStages, stageOf } from './order';
import { namespaceHazards, onlyMembers, staleMembers } from './membership';
import { EnvSecretSpec, secretFromEnv } from './secrets';
import {
  DocumentValidationOptions,
  Problem,
  ValidDocument,
  findDuplicates,
  validateDocuments,
} from '../checks/documents';

/** What every command takes: the manifests and the apply set they form. */
export interface ManifestInput {
  /** The documents to apply (a `kind: List` stands for its items). */
  readonly documents: readonly SourceDocument[];
  /** The apply set (parent Secret) the objects belong to; the same manifests must always name the same set. */
  readonly applySet: ApplySetRef;
  /** Secrets to create or update from environment variables. @default none */
  readonly envSecrets?: readonly EnvSecretSpec[];
  /** Where {@link envSecrets} read their values. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** `apiVersion/Kind` of custom resources the schema check cannot know. @default none */
  readonly externalKinds?: ReadonlySet<string>;
  /** Run no checks beyond what is needed to send the objects at all (`--skip-checks`). @default false */
  readonly skipChecks?: boolean;
  /** Take ownership of fields other managers own, and of objects of other apply sets. @default false */
  readonly forceConflicts?: boolean;
  /** Also look for (and, for apply, delete) members of the set that are no longer in the manifests. @default false */
  readonly prune?: boolean;
}

/** What the plan needs besides the input. */
export interface PlanContext {
  readonly client: KubeClient;
  readonly defaultNamespace: string;
  readonly concurrency: number;
  readonly command: 'apply' | 'diff' | 'delete';
  /** Refuse a prune of an empty manifest set (apply --prune without --allow-empty-prune). */
  readonly refuseEmptyPrune?: boolean;
}

/** One object of the plan: normalized, namespaced and labelled as it will be applied, with its live state. */
export interface PlannedObject {
  readonly source: string;
  readonly index: number;
  readonly object: KubeObject;
  readonly ref: ObjectRef;
  /** {@link identityKey} of {@link ref}. */
  readonly key: string;
  readonly stage: StageName;
  /** `undefined` while the kind waits for a CustomResourceDefinition of this apply. */
  readonly info?: ResourceInfo;
  /** The object on the server when the plan was made; `undefined` when absent. */
  readonly live?: KubeObject;
}

/** Everything known before the first write. It is never changed: each verb reads it. */
export interface Plan {
  readonly applySet: ApplySetRef;
  readonly id: string;
  readonly objects: readonly PlannedObject[];
  /** {@link objects} by stage, in apply order. */
  readonly stages: readonly PlannedStage<PlannedObject>[];
  /** The parent Secret as it is, if it exists. */
  readonly parentLive?: KubeObject;
  /** The inventory the parent records now. */
  readonly previous: ApplySetInventory;
  /** The inventory of {@link objects}. */
  readonly inventory: ApplySetInventory;
  /** Live members of the set (labelled with its id) of every kind of either inventory. */
  readonly members: readonly KubeObject[];
  /** Members no longer in the manifests and not already being deleted: what a prune deletes. */
  readonly stale: readonly KubeObject[];
  /** Namespaces of the manifests that do not exist yet. */
  readonly newNamespaces: ReadonlySet<string>;
  /** Objects of the manifests that are being deleted (a Terminating namespace, a finalizer): wait for them first. */
  readonly terminating: readonly ObjectRef[];
  /** Anything that must stop the command before it changes anything. */
  readonly problems: readonly Problem[];
}

const SECRET_SOURCE = '--secret-from-env';
const EMPTY_INVENTORY: ApplySetInventory = { groupKinds: [], additionalNamespaces: [] };

/** Told, per input document, which server-populated fields normalizing dropped (for verbose output). */
export type NormalizedListener = (doc: {
  source: string;
  index: number;
  object: string;
  dropped: readonly string[];
}) => void;

/**
 * Computes the plan once, after Flux's `ssa`: the input documents checked, normalized (server fields
 * dropped, `onNormalized` told what) and labelled; the apply set and its inventory; the stages; and the
 * live state from one LIST per kind (cluster-wide where the credentials allow, per namespace where
 * they do not), never a GET per object. A problem in the documents stops it before any request.
 */
export async function makePlan(
  input: ManifestInput,
  ctx: PlanContext,
  onNormalized: NormalizedListener = () => {},
): Promise<Plan> {
  const id = applySetId(input.applySet);
  const empty = (problems: Problem[]): Plan => ({
    applySet: input.applySet,
    id,
    objects: [],
    stages: [],
    previous: EMPTY_INVENTORY,
    inventory: EMPTY_INVENTORY,
    members: [],
    stale: [],
    newNamespaces: new Set(),
    terminating: [],
    problems,
  });
  const checked = checkDocuments(input, ctx, onNormalized);
  if (checked.problems.length > 0) return empty(checked.problems);
  // The one GET of a run: the parent must be read even when it is not labelled as ours, to refuse another
  // tool's. It needs no discovery, so it goes along with it (one round trip less); a placement problem
  // is still reported before any error of the GET.
  const parentRead = ctx.client.get(parentRef(input.applySet));
  parentRead.catch(() => undefined);
  const placed = await placeObjects(checked.objects, ctx, id);
  if (placed.problems.length > 0) return empty(placed.problems);
  const drafts = placed.objects;
  const parentLive = await parentRead;
  let previous = EMPTY_INVENTORY;
  try {
    if (parentLive) previous = readParent(parentLive, input.applySet);
  } catch (error) {
    return empty([{ message: (error as Error).message }]);
  }
  // Members of the new inventory are the planned objects themselves; old members are where the parent says.
  const live = await readLive(drafts, previous, input.applySet, id, ctx);
  const objects: PlannedObject[] = drafts.map((d) => ({ ...d, live: live.byKey.get(d.key) }));
  const deleting = (o: PlannedObject) => o.live?.metadata.deletionTimestamp !== undefined;
  const stale = staleMembers(live.members, id, new Set(objects.map((o) => o.key)));
  const problems: Problem[] = [];
  if (ctx.command !== 'delete') {
    problems.push(...namespaceProblems(objects, input.applySet, live.namespaces));
    if (!input.forceConflicts) problems.push(...foreignObjects(objects, id));
  }
  if (ctx.command === 'apply' && input.prune)
    problems.push(
      ...namespaceHazards(
        stale,
        objects.map((o) => o.ref),
      ),
    );
  return {
    applySet: input.applySet,
    id,
    objects,
    stages: applyStages(objects, (o) => o.ref),
    parentLive,
    previous,
    inventory: inventoryOf(
      objects.map((o) => o.ref),
      input.applySet,
    ),
    members: live.members,
    stale,
    newNamespaces: new Set(objects.filter((o) => isNamespace(o) && (!o.live || deleting(o))).map((o) => o.ref.name)),
    terminating: objects.filter(deleting).map((o) => o.ref),
    problems,
  };
}

/**
 * The input documents, normalized (a `List` stands for its items) and checked, and the Secrets from the
 * environment; with `refuseEmptyPrune`, a manifest set without objects is a problem.
 */
function checkDocuments(
  input: ManifestInput,
  ctx: PlanContext,
  onNormalized: NormalizedListener,
): { objects: ValidDocument[]; problems: Problem[] } {
  const documents = input.documents.flatMap((doc) => normalizedDocuments(doc, onNormalized));
  // The checks module decides what `skipChecks` leaves out; the structure every object needs is always checked.
  const options: DocumentValidationOptions & { skipChecks?: boolean } = {
    externalKinds: input.externalKinds,
    skipChecks: input.skipChecks,
  };
  const { objects, problems } = validateDocuments(documents, options);
  // Empty means no manifest object: a Secret from the environment alone must not license pruning the rest.
  if (ctx.refuseEmptyPrune && objects.length === 0 && problems.length === 0) {
    problems.push({
      message: `refusing to prune with no object in the manifests: that would delete every member of apply set ${input.applySet.name}; pass --allow-empty-prune if you mean it`,
    });
  }
  // Secrets from the environment are made here, not written by the user: the checks of manifests (a
  // Secret with values in the manifests is a finding) are not theirs. Duplicates are found with the rest.
  (input.envSecrets ?? []).forEach((spec, index) => {
    const { object, problems: missing } = secretFromEnv(spec, input.env ?? process.env);
    const at = {
      source: SECRET_SOURCE,
      index,
      object: `Secret ${spec.namespace ? `${spec.namespace}/` : ''}${spec.name}`,
    };
    problems.push(...missing.map((message) => ({ ...at, message })));
    if (object) objects.push({ source: SECRET_SOURCE, index, object });
  });
  return { objects, problems };
}

/**
 * Where each object goes, through discovery (or the CRDs among the objects): namespaced objects get the
 * default namespace when they name none, cluster-scoped ones lose a stray one; each is labelled as a
 * member of the set. Kinds the server does not serve and the same object twice are problems.
 */
async function placeObjects(
  docs: readonly ValidDocument[],
  ctx: PlanContext,
  id: string,
): Promise<{ objects: Array<Omit<PlannedObject, 'live'>>; problems: Problem[] }> {
  const crdScope = customResourceScopes(docs.map((o) => o.object));
  // Discovery of every kind at once: one request per group version, not one after the other.
  const kinds = [...new Map(docs.map(({ object }) => [`${object.apiVersion}/${object.kind}`, object])).entries()];
  const infos = new Map(
    await mapLimit(
      kinds,
      ctx.concurrency,
      async ([key, o]) => [key, await ctx.client.resourceFor(o.apiVersion, o.kind)] as const,
    ),
  );
  const objects: Array<Omit<PlannedObject, 'live'>> = [];
  const problems: Problem[] = [];
  for (const doc of docs) {
    const key = `${doc.object.apiVersion}/${doc.object.kind}`;
    const info = infos.get(key);
    const namespaced = info ? info.namespaced : crdScope.get(key);
    if (namespaced === undefined) {
      problems.push({
        source: doc.source,
        index: doc.index,
        object: describeObject(doc.object),
        message: `the server does not serve ${doc.object.apiVersion} ${doc.object.kind}`,
      });
      continue;
    }
    const metadata = { ...doc.object.metadata };
    if (namespaced) metadata.namespace ??= ctx.defaultNamespace;
    else delete metadata.namespace;
    const object = withMemberLabel({ ...doc.object, metadata }, id);
    const ref = refOf(object);
    objects.push({
      source: doc.source,
      index: doc.index,
      object,
      ref,
      key: identityKey(ref),
      stage: stageOf(ref.kind),
      info,
    });
  }
  problems.push(...findDuplicates(objects, (o) => o.key));
  return { objects, problems };
}

/**
 * The objects one input document stands for, as the reader reads them (it may have done so already:
 * reading again changes nothing); what normalizing dropped is told.
 */
function normalizedDocuments(doc: SourceDocument, onNormalized: NormalizedListener): SourceDocument[] {
  return expandDocument(doc).map((d) => {
    if (d.dropped?.length)
      onNormalized({
        source: d.source,
        index: d.index,
        object: describeObject(d.value as KubeObject),
        dropped: d.dropped,
      });
    return d;
  });
}

function isNamespace(o: { ref: ObjectRef }): boolean {
  return o.ref.kind === 'Namespace' && o.ref.apiVersion === 'v1';
}

/** What the LISTs found. */
interface LiveState {
  /** Live objects of the plan, by key. */
  readonly byKey: ReadonlyMap<string, KubeObject>;
  /** Live members of the set. */
  readonly members: KubeObject[];
  /** Namespaces as they are; `undefined` when the credentials may not list them. */
  readonly namespaces?: ReadonlyMap<string, KubeObject>;
}

/** One kind to list, and where (filled in while the plan's kinds and the inventory are read). */
interface KindQuery {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Namespaces that hold objects of the plan of this kind: listed whole, so that objects of others are seen. */
  readonly planNamespaces: Set<string>;
  /** Namespaces where only members matter: listed by the set's label. */
  readonly memberNamespaces: Set<string>;
  /** The plan has objects of this (cluster-scoped) kind, or needs all of them (Namespaces). */
  whole: boolean;
  /** A 403 leaves the kind unknown instead of failing the plan. */
  optional: boolean;
}

/**
 * Lists every kind of the plan and of the inventory, once: whole in the namespaces the plan writes to
 * (to see objects of other sets and hand-made ones), by the set's label elsewhere (old members).
 */
async function readLive(
  drafts: ReadonlyArray<Omit<PlannedObject, 'live'>>,
  inventory: ApplySetInventory,
  parent: ApplySetRef,
  id: string,
  ctx: PlanContext,
): Promise<LiveState> {
  const { client } = ctx;
  const queries = new Map<string, KindQuery>();
  const query = (apiVersion: string, kind: string, namespaced: boolean): KindQuery => {
    const gk = groupKind(apiVersion, kind);
    let q = queries.get(gk);
    if (!q)
      queries.set(
        gk,
        (q = {
          apiVersion,
          kind,
          namespaced,
          planNamespaces: new Set(),
          memberNamespaces: new Set(),
          whole: false,
          optional: false,
        }),
      );
    return q;
  };
  for (const d of drafts.filter((x) => x.info)) {
    const q = query(d.ref.apiVersion, d.ref.kind, d.info!.namespaced);
    if (d.ref.namespace) q.planNamespaces.add(d.ref.namespace);
    else q.whole = true;
  }
  const memberNamespaces = [parent.namespace, ...inventory.additionalNamespaces];
  const unplanned = inventory.groupKinds.filter((gk) => !queries.has(gk));
  const discovered = await mapLimit(unplanned, ctx.concurrency, (gk) => {
    const [kind, ...group] = gk.split('.');
    return client.resourceForGroupKind(group.join('.'), kind);
  });
  // Kinds of a deleted CRD have no members left to find.
  for (const info of discovered)
    if (info) query(info.group ? `${info.group}/${info.version}` : info.version, info.kind, info.namespaced);
  for (const gk of inventory.groupKinds) {
    const q = queries.get(gk);
    if (q?.namespaced) for (const ns of memberNamespaces) q.memberNamespaces.add(ns);
  }
  // Namespaces are always listed whole: whether they exist, and whether they are being deleted, matters.
  const namespaceQuery = query('v1', 'Namespace', false);
  namespaceQuery.optional = !namespaceQuery.whole;
  namespaceQuery.whole = true;

  const byKey = new Map<string, KubeObject>();
  const wanted = new Set(drafts.map((d) => d.key));
  const members: KubeObject[] = [];
  let namespaces: Map<string, KubeObject> | undefined;
  const whole = new LiveObjects(client, { concurrency: ctx.concurrency });
  const byLabel = new LiveObjects(client, { concurrency: ctx.concurrency, labelSelector: memberSelector(id) });
  await mapLimit([...queries.values()], ctx.concurrency, async (q) => {
    const found = await listKind(q, whole, byLabel);
    if (!found) return;
    if (q.kind === 'Namespace' && q.apiVersion === 'v1') namespaces = new Map(found.map((n) => [n.metadata.name!, n]));
    for (const obj of found) {
      const key = identityKey(refOf(obj));
      if (wanted.has(key)) byKey.set(key, obj);
    }
    members.push(...onlyMembers(found, id));
  });
  return { byKey, members, namespaces };
}

/**
 * The objects of one kind the plan needs, through {@link LiveObjects} (cluster-wide, or per namespace
 * when that is forbidden): whole where the plan writes, by the set's label where only old members
 * matter. `undefined` when an optional kind may not be listed.
 */
async function listKind(q: KindQuery, whole: LiveObjects, members: LiveObjects): Promise<KubeObject[] | undefined> {
  const namespaces = new Set(q.namespaced ? [...q.planNamespaces, ...q.memberNamespaces] : [undefined]);
  const lister = q.whole || q.planNamespaces.size > 0 ? whole : members;
  try {
    // A cluster-wide LIST answers every namespace: keep the ones asked for.
    return (await lister.list(q.apiVersion, q.kind, namespaces)).filter(
      (o) => !q.namespaced || namespaces.has(o.metadata.namespace),
    );
  } catch (error) {
    if (q.optional && error instanceof KubeApiError && error.code === 403) return undefined;
    throw error;
  }
}

/** Namespaces the objects need that neither exist nor come with the manifests, or are being deleted. */
function namespaceProblems(
  objects: readonly PlannedObject[],
  parent: ApplySetRef,
  namespaces: ReadonlyMap<string, KubeObject> | undefined,
): Problem[] {
  // Users limited to their namespaces may not list Namespaces; the apply will tell.
  if (!namespaces) return [];
  const planned = new Set(objects.filter(isNamespace).map((o) => o.ref.name));
  const problems: Problem[] = [];
  const used = new Set([parent.namespace, ...objects.flatMap((o) => (o.ref.namespace ? [o.ref.namespace] : []))]);
  for (const ns of [...used].filter((n) => !planned.has(n))) {
    const live = namespaces.get(ns);
    if (live && !live.metadata.deletionTimestamp) continue;
    const why = live
      ? `namespace "${ns}" is being deleted and is not among the manifests`
      : `namespace "${ns}" does not exist and is not among the manifests`;
    if (ns === parent.namespace)
      problems.push({
        message: live
          ? `namespace "${ns}" of the apply set parent is being deleted`
          : `namespace "${ns}" of the apply set parent does not exist (choose it with --namespace)`,
      });
    problems.push(
      ...objects
        .filter((o) => o.ref.namespace === ns)
        .map((o) => ({ source: o.source, index: o.index, object: describeRef(o.ref), message: why })),
    );
  }
  return problems;
}

/** Objects that exist as members of another apply set: taking them needs --force-conflicts. */
function foreignObjects(objects: readonly PlannedObject[], id: string): Problem[] {
  return objects.flatMap((o) => {
    const owner = o.live?.metadata.labels?.[APPLYSET_PART_OF_LABEL];
    if (owner === undefined || owner === id) return [];
    return [
      {
        source: o.source,
        index: o.index,
        object: describeRef(o.ref),
        message: `belongs to another apply set (${owner}); --force-conflicts moves it into this one`,
      },
    ];
  });
}

/** `apiVersion/Kind` -> namespaced, for the kinds the CRDs among the objects define. */
function customResourceScopes(objects: readonly KubeObject[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    const spec = (crd.spec ?? {}) as any;
    for (const v of spec.versions ?? [])
      scopes.set(`${spec.group}/${v.name}/${spec.names?.kind}`, spec.scope === 'Namespaced');
  }
  return scopes;
}
