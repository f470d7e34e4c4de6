import { KubeObject, ObjectRef, describeRef, identityKey } from '../manifest';
import { KubeApiError, KubeClient, LiveObjects } from './kube-api';
import { unsentAtDeadline } from './readback';
import { serverUnreachable } from './retry';

/** kstatus's verdict on an object: `Current` is ready, `Failed` will not get ready without a change. */
export type Readiness = 'Current' | 'InProgress' | 'Failed';

export interface ObjectStatus {
  readonly status: Readiness;
  readonly message: string;
}

/** Options of {@link computeStatus}. */
export interface StatusOptions {
  /**
   * Wait for LoadBalancer Services to get an external address. minikube never gives one, so this is off
   * unless asked.
   * @default false
   */
  readonly waitForLoadBalancer?: boolean;
}

const current = (message: string): ObjectStatus => ({ status: 'Current', message });
const inProgress = (message: string): ObjectStatus => ({ status: 'InProgress', message });
const failed = (message: string): ObjectStatus => ({ status: 'Failed', message });

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function conditionOf(obj: KubeObject, type: string): Condition | undefined {
  return ((obj.status as any)?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/**
 * Readiness of one object from its status, kstatus-style. Deployments, StatefulSets and DaemonSets are
 * current when the controller has seen the latest generation and every replica is updated, ready and
 * available; Jobs once started (kstatus); Namespaces when Active; CRDs when Established.
 */
export function computeStatus(obj: KubeObject, options: StatusOptions = {}): ObjectStatus {
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const status = (obj.status ?? {}) as Record<string, any>;
  const unobserved = needsObservation(obj, status, false);
  if (unobserved) return unobserved;
  switch (obj.kind) {
    case 'Deployment':
      return deploymentStatus(obj, spec, status);
    case 'StatefulSet':
      return statefulSetStatus(obj, spec, status);
    case 'DaemonSet':
      return daemonSetStatus(obj, status);
    case 'Job':
      return jobStatus(obj, spec, status);
    case 'Pod':
      return podStatus(obj, status);
    case 'Namespace':
      if (status.phase === 'Active') return current('active');
      return status.phase === 'Terminating'
        ? failed('the namespace is being deleted')
        : inProgress('waiting to become Active');
    case 'CustomResourceDefinition': {
      if (conditionOf(obj, 'NamesAccepted')?.status === 'False')
        return failed(`names not accepted: ${conditionOf(obj, 'NamesAccepted')?.message ?? ''}`);
      return conditionOf(obj, 'Established')?.status === 'True'
        ? current('established')
        : inProgress('waiting to become Established');
    }
    case 'Service':
      if (spec.type === 'LoadBalancer' && options.waitForLoadBalancer) {
        return (status.loadBalancer?.ingress ?? []).length > 0
          ? current('external address assigned')
          : inProgress('waiting for an external address');
      }
      return current(spec.type === 'LoadBalancer' ? 'not waiting for an external address' : 'ready');
    case 'PersistentVolumeClaim':
      return status.phase === 'Bound' ? current('bound') : inProgress(`phase ${status.phase ?? 'Pending'}`);
    default: {
      const ready = conditionOf(obj, 'Ready');
      if (ready?.status === 'False') return inProgress(`not ready${ready.message ? `: ${ready.message}` : ''}`);
      return current('ready');
    }
  }
}

/**
 * In progress while the controller has not observed the object's generation. `missingIsUnobserved`: whether a
 * status without `observedGeneration` counts as not yet observed (workload controllers always write it).
 */
function needsObservation(
  obj: KubeObject,
  status: Record<string, any>,
  missingIsUnobserved = true,
): ObjectStatus | undefined {
  const generation = obj.metadata.generation as number | undefined;
  if (generation === undefined) return undefined;
  const observed = status.observedGeneration as number | undefined;
  if (observed === undefined ? missingIsUnobserved : observed < generation) {
    return inProgress(`waiting for the controller to observe generation ${generation}`);
  }
  return undefined;
}

function deploymentStatus(obj: KubeObject, spec: Record<string, any>, status: Record<string, any>): ObjectStatus {
  const progressing = conditionOf(obj, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return failed(`progress deadline exceeded${progressing.message ? `: ${progressing.message}` : ''}`);
  }
  const unobserved = needsObservation(obj, status);
  if (unobserved) return unobserved;
  const want = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < want) return inProgress(`${updated}/${want} replicas updated`);
  if ((status.replicas ?? 0) > updated)
    return inProgress(`${status.replicas - updated} old replicas pending termination`);
  if ((status.availableReplicas ?? 0) < want)
    return inProgress(`${status.availableReplicas ?? 0}/${want} replicas available`);
  if ((status.readyReplicas ?? 0) < want) return inProgress(`${status.readyReplicas ?? 0}/${want} replicas ready`);
  return current(`${want}/${want} replicas ready`);
}

function statefulSetStatus(obj: KubeObject, spec: Record<string, any>, status: Record<string, any>): ObjectStatus {
  const unobserved = needsObservation(obj, status);
  if (unobserved) return unobserved;
  const want = spec.replicas ?? 1;
  if ((status.readyReplicas ?? 0) < want) return inProgress(`${status.readyReplicas ?? 0}/${want} replicas ready`);
  if ((status.availableReplicas ?? status.readyReplicas ?? 0) < want)
    return inProgress(`${status.availableReplicas ?? 0}/${want} replicas available`);
  if ((spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const updated = status.updatedReplicas ?? 0;
    if (updated < want - partition) return inProgress(`${updated}/${want - partition} replicas updated`);
    if (partition === 0 && status.updateRevision && status.currentRevision !== status.updateRevision) {
      return inProgress(`rolling out revision ${status.updateRevision}`);
    }
  }
  return current(`${want}/${want} replicas ready`);
}

function daemonSetStatus(obj: KubeObject, status: Record<string, any>): ObjectStatus {
  const unobserved = needsObservation(obj, status);
  if (unobserved) return unobserved;
  const desired = status.desiredNumberScheduled;
  if (desired === undefined) return inProgress('waiting for the controller to schedule pods');
  const counts: Array<[string, number | undefined]> = [
    ['scheduled', status.currentNumberScheduled],
    ['updated', status.updatedNumberScheduled],
    ['available', status.numberAvailable],
    ['ready', status.numberReady],
  ];
  const behind = counts.find(([, n]) => (n ?? 0) < desired);
  return behind
    ? inProgress(`${behind[1] ?? 0}/${desired} pods ${behind[0]}`)
    : current(`${desired}/${desired} pods ready`);
}

function jobStatus(obj: KubeObject, spec: Record<string, any>, status: Record<string, any>): ObjectStatus {
  const failedCondition = conditionOf(obj, 'Failed');
  if (failedCondition?.status === 'True')
    return failed(
      `job failed: ${failedCondition.reason ?? ''}${failedCondition.message ? `: ${failedCondition.message}` : ''}`,
    );
  if (conditionOf(obj, 'Complete')?.status === 'True') return current('complete');
  const progress = `${status.succeeded ?? 0}/${spec.completions ?? 1} completions, ${status.active ?? 0} active`;
  // kstatus: a Job is current once it started; waiting for it to finish is not what apply is for.
  return status.startTime ? current(`started: ${progress}`) : inProgress(`not started: ${progress}`);
}

function podStatus(obj: KubeObject, status: Record<string, any>): ObjectStatus {
  if (status.phase === 'Succeeded') return current('succeeded');
  if (status.phase === 'Failed') return failed(`pod failed${status.reason ? `: ${status.reason}` : ''}`);
  const problem = podProblem([obj]);
  if (problem) return failed(problem);
  return conditionOf(obj, 'Ready')?.status === 'True'
    ? current('ready')
    : inProgress(`phase ${status.phase ?? 'Pending'}`);
}

/**
 * Container states that will not fix themselves: a crash loop, an image that cannot be pulled, a
 * container the kubelet cannot create (a missing Secret key, or `runAsNonRoot` with an image whose
 * user is not numeric).
 */
const FAILING_CONTAINER_REASONS: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** The first pod with a container stuck in a failing state, as `pod <name>: container <c>: <reason>: <message>`. */
export function podProblem(pods: readonly KubeObject[]): string | undefined {
  for (const pod of pods) {
    const status = (pod.status ?? {}) as Record<string, any>;
    for (const c of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
      const waiting = c.state?.waiting;
      if (waiting && FAILING_CONTAINER_REASONS.has(waiting.reason)) {
        return `pod ${pod.metadata.name}: container ${c.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
      }
    }
  }
  return undefined;
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

const ownedBy = (obj: KubeObject, uid: unknown) =>
  ((obj.metadata.ownerReferences ?? []) as Array<{ uid: string }>).some((o) => o.uid === uid);

/**
 * The pods of a workload's current revision only, among `pods` (and `replicaSets`) of its namespace:
 * the pods of an older revision may still crash while a fix rolls out, and must not fail the apply
 * that brings the fix. Found by owner references and the labels the controllers set.
 */
function currentPods(
  workload: KubeObject,
  replicaSets: readonly KubeObject[],
  pods: readonly KubeObject[],
): KubeObject[] {
  const uid = workload.metadata.uid;
  switch (workload.kind) {
    case 'Deployment': {
      const revision = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
      const newest = replicaSets.filter((rs) => ownedBy(rs, uid)).sort((a, b) => revision(b) - revision(a))[0];
      // The ReplicaSet's pods carry its pod-template-hash: a hash of the template, unique in the namespace.
      const hash = newest?.metadata.labels?.['pod-template-hash'];
      return hash
        ? pods.filter(
            (p) =>
              p.metadata.namespace === newest.metadata.namespace && p.metadata.labels?.['pod-template-hash'] === hash,
          )
        : [];
    }
    case 'StatefulSet': {
      const revision = (workload.status as any)?.updateRevision;
      return pods.filter(
        (p) => ownedBy(p, uid) && (!revision || p.metadata.labels?.['controller-revision-hash'] === revision),
      );
    }
    case 'DaemonSet':
    case 'Job':
      return pods.filter((p) => ownedBy(p, uid));
    default:
      return [];
  }
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

/** Options of {@link waitForReady} and {@link waitForDeletion}. */
export interface WaitOptions extends StatusOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /**
   * Time between two polls.
   * @default 2000
   */
  readonly intervalMs?: number;
  /**
   * LIST requests of one poll in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
  /** Told each time an object's status or message changes. */
  readonly onChange?: (ref: ObjectRef, status: ObjectStatus) => void;
  /**
   * The objects as the server answered their apply, by identity key: those already Current there (a
   * new Namespace is Active at once, a ConfigMap needs nothing) are not read again.
   */
  readonly answers?: ReadonlyMap<string, KubeObject>;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How waiting for one object ended. `Timeout`: still in progress at the deadline, or when another object failed. */
export interface WaitResult {
  readonly ref: ObjectRef;
  readonly object: string;
  readonly status: Readiness | 'Timeout';
  readonly message: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls the objects until each is Current, one Failed (the others of that poll are checked too, then
 * waiting stops: failing fast beats a long timeout), or the timeout passes. A poll reads the objects
 * with LISTs per kind (see {@link LiveObjects}), and the pods of workloads still in progress with one
 * LIST of ReplicaSets and of Pods, to fail fast on a pod that cannot start.
 */
export async function waitForReady(
  client: KubeClient,
  refs: readonly ObjectRef[],
  options: WaitOptions,
): Promise<WaitResult[]> {
  const deadline = Date.now() + options.timeoutMs;
  const sleep = options.sleep ?? defaultSleep;
  const live = new LiveObjects(client, { concurrency: options.concurrency });
  const last = new Map<ObjectRef, ObjectStatus>();
  for (const ref of refs) {
    const answer = options.answers?.get(identityKey(ref));
    const status = answer && computeStatus(answer, options);
    if (status?.status !== 'Current') continue;
    options.onChange?.(ref, status);
    last.set(ref, status);
  }
  let pending = refs.filter((ref) => !last.has(ref));
  // Why the last poll got no answer: the objects' last statuses are then old news.
  let unanswered: string | undefined;
  for (;;) {
    const objects = await pollOnce(live, pending);
    if (!objects) break;
    unanswered = objects instanceof Error ? objects.message : undefined;
    if (objects instanceof Error) {
      if (Date.now() >= deadline) break;
      await sleep(Math.max(0, Math.min(options.intervalMs ?? 2000, deadline - Date.now())));
      continue;
    }
    const polled = pending.map((ref) => {
      const obj = objects.get(identityKey(ref));
      return { ref, obj, status: obj ? computeStatus(obj, options) : inProgress('not found') };
    });
    const problems = await podProblems(
      live,
      polled.flatMap((p) => (p.obj && p.status.status === 'InProgress' && WORKLOADS.has(p.obj.kind) ? [p.obj] : [])),
    );
    for (const { ref, obj, status: computed } of polled) {
      const problem = obj && problems.get(obj);
      const status = problem ? failed(problem) : computed;
      const before = last.get(ref);
      if (!before || before.status !== status.status || before.message !== status.message)
        options.onChange?.(ref, status);
      last.set(ref, status);
    }
    pending = pending.filter((ref) => last.get(ref)!.status === 'InProgress');
    const anyFailed = [...last.values()].some((s) => s.status === 'Failed');
    if (pending.length === 0 || anyFailed || Date.now() >= deadline) break;
    await sleep(Math.max(0, Math.min(options.intervalMs ?? 2000, deadline - Date.now())));
  }
  return refs.map((ref) => {
    const status = last.get(ref) ?? inProgress('not read yet');
    if (status.status !== 'InProgress') return { ref, object: describeRef(ref), ...status };
    const message = unanswered
      ? `the API server did not answer (${unanswered}); last seen: ${status.message}`
      : status.message;
    return { ref, object: describeRef(ref), status: 'Timeout' as const, message };
  });
}

/**
 * One poll's LISTs; a poll the API server did not answer (no connection, no answer in time, a 5xx or
 * 429 after the retries) is the error, for the wait to try again until its deadline; `undefined`: the
 * command's deadline passed before it was sent. Other errors (a 403) end the wait.
 */
async function pollOnce(
  live: LiveObjects,
  refs: readonly ObjectRef[],
): Promise<Map<string, KubeObject> | Error | undefined> {
  try {
    return await live.of(refs);
  } catch (error) {
    if (unsentAtDeadline(error)) return undefined;
    const answeredBadly = error instanceof KubeApiError && (error.code >= 500 || error.code === 429);
    if (!serverUnreachable(error) && !answeredBadly) throw error;
    return error as Error;
  }
}

/** The workloads among these whose current pods are stuck (see {@link podProblem}), with the problem. */
async function podProblems(live: LiveObjects, workloads: readonly KubeObject[]): Promise<Map<KubeObject, string>> {
  const problems = new Map<KubeObject, string>();
  if (workloads.length === 0) return problems;
  const namespaces = new Set(workloads.map((w) => w.metadata.namespace));
  // Both lists end before the wait goes on, so that no request outlives the command.
  const [replicaSets, pods] = await Promise.allSettled([
    workloads.some((w) => w.kind === 'Deployment') ? live.list('apps/v1', 'ReplicaSet', namespaces) : [],
    live.list('v1', 'Pod', namespaces),
  ]);
  // Without permission to list pods the timeout still ends the wait; nothing to report here.
  if (replicaSets.status === 'rejected' || pods.status === 'rejected') return problems;
  for (const workload of workloads) {
    const problem = podProblem(currentPods(workload, replicaSets.value, pods.value));
    if (problem) problems.set(workload, problem);
  }
  return problems;
}

/**
 * Polls (with LISTs, as {@link waitForReady}) until every object is gone; returns those not seen gone
 * at the timeout (still present, or unread because the API server did not answer).
 */
export async function waitForDeletion(
  client: KubeClient,
  refs: readonly ObjectRef[],
  options: Omit<WaitOptions, 'onChange'>,
): Promise<ObjectRef[]> {
  const deadline = Date.now() + options.timeoutMs;
  const sleep = options.sleep ?? defaultSleep;
  const live = new LiveObjects(client, { concurrency: options.concurrency });
  let present = [...refs];
  for (;;) {
    // A Namespace (or any object with finalizers) being deleted is still listed, so still present.
    const objects = await pollOnce(live, present);
    if (!objects) return present;
    if (!(objects instanceof Error)) present = present.filter((ref) => objects.has(identityKey(ref)));
    if (present.length === 0 || Date.now() >= deadline) return present;
    await sleep(Math.max(0, Math.min(options.intervalMs ?? 2000, deadline - Date.now())));
  }
}
