import { KubeObject } from '../manifest';
import { KubeClient, ObjectRef, describeRef } from './client';

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

interface Condition { type: string; status: string; reason?: string; message?: string }

function conditionOf(obj: KubeObject, type: string): Condition | undefined {
  return ((obj.status as any)?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/**
 * Readiness of one object from its status, kstatus-style. Deployments, StatefulSets and DaemonSets are
 * current when the controller has seen the latest generation and every replica is updated, ready and
 * available; Jobs when Complete; Namespaces when Active; CRDs when Established.
 */
export function computeStatus(obj: KubeObject, options: StatusOptions = {}): ObjectStatus {
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const status = (obj.status ?? {}) as Record<string, any>;
  const generation = obj.metadata.generation as number | undefined;
  if (generation !== undefined && status.observedGeneration !== undefined && status.observedGeneration < generation) {
    return inProgress(`waiting for the controller to observe generation ${generation}`);
  }
  switch (obj.kind) {
    case 'Deployment': return deploymentStatus(obj, spec, status);
    case 'StatefulSet': return statefulSetStatus(obj, spec, status);
    case 'DaemonSet': return daemonSetStatus(obj, status);
    case 'Job': return jobStatus(obj, spec, status);
    case 'Pod': return podStatus(obj, status);
    case 'Namespace':
      if (status.phase === 'Active') return current('active');
      return status.phase === 'Terminating' ? failed('the namespace is being deleted') : inProgress('waiting to become Active');
    case 'CustomResourceDefinition': {
      if (conditionOf(obj, 'NamesAccepted')?.status === 'False') return failed(`names not accepted: ${conditionOf(obj, 'NamesAccepted')?.message ?? ''}`);
      return conditionOf(obj, 'Established')?.status === 'True' ? current('established') : inProgress('waiting to become Established');
    }
    case 'Service':
      if (spec.type === 'LoadBalancer' && options.waitForLoadBalancer) {
        return (status.loadBalancer?.ingress ?? []).length > 0 ? current('external address assigned') : inProgress('waiting for an external address');
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

function needsObservation(obj: KubeObject, status: Record<string, any>): ObjectStatus | undefined {
  const generation = obj.metadata.generation as number | undefined;
  if (generation !== undefined && (status.observedGeneration === undefined || status.observedGeneration < generation)) {
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
  if ((status.replicas ?? 0) > updated) return inProgress(`${status.replicas - updated} old replicas pending termination`);
  if ((status.availableReplicas ?? 0) < want) return inProgress(`${status.availableReplicas ?? 0}/${want} replicas available`);
  if ((status.readyReplicas ?? 0) < want) return inProgress(`${status.readyReplicas ?? 0}/${want} replicas ready`);
  return current(`${want}/${want} replicas ready`);
}

function statefulSetStatus(obj: KubeObject, spec: Record<string, any>, status: Record<string, any>): ObjectStatus {
  const unobserved = needsObservation(obj, status);
  if (unobserved) return unobserved;
  const want = spec.replicas ?? 1;
  if ((status.readyReplicas ?? 0) < want) return inProgress(`${status.readyReplicas ?? 0}/${want} replicas ready`);
  if ((status.availableReplicas ?? status.readyReplicas ?? 0) < want) return inProgress(`${status.availableReplicas ?? 0}/${want} replicas available`);
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
    ['scheduled', status.currentNumberScheduled], ['updated', status.updatedNumberScheduled],
    ['available', status.numberAvailable], ['ready', status.numberReady],
  ];
  const behind = counts.find(([, n]) => (n ?? 0) < desired);
  return behind ? inProgress(`${behind[1] ?? 0}/${desired} pods ${behind[0]}`) : current(`${desired}/${desired} pods ready`);
}

function jobStatus(obj: KubeObject, spec: Record<string, any>, status: Record<string, any>): ObjectStatus {
  const failedCondition = conditionOf(obj, 'Failed');
  if (failedCondition?.status === 'True') return failed(`job failed: ${failedCondition.reason ?? ''}${failedCondition.message ? `: ${failedCondition.message}` : ''}`);
  if (conditionOf(obj, 'Complete')?.status === 'True') return current('complete');
  return inProgress(`${status.succeeded ?? 0}/${spec.completions ?? 1} completions, ${status.active ?? 0} active`);
}

function podStatus(obj: KubeObject, status: Record<string, any>): ObjectStatus {
  if (status.phase === 'Succeeded') return current('succeeded');
  if (status.phase === 'Failed') return failed(`pod failed${status.reason ? `: ${status.reason}` : ''}`);
  const problem = podProblem([obj]);
  if (problem) return failed(problem);
  return conditionOf(obj, 'Ready')?.status === 'True' ? current('ready') : inProgress(`phase ${status.phase ?? 'Pending'}`);
}

/**
 * Container states that will not fix themselves: a crash loop, an image that cannot be pulled, a
 * container the kubelet cannot create (a missing Secret key, or `runAsNonRoot` with an image whose
 * user is not numeric).
 */
export const FAILING_CONTAINER_REASONS: ReadonlySet<string> = new Set([
  'CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName',
  'CreateContainerConfigError', 'CreateContainerError',
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

/** A LabelSelector (`matchLabels`, `matchExpressions`) in the query-string form. */
export function formatLabelSelector(selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }): string {
  const terms = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In': terms.push(`${e.key} in (${(e.values ?? []).join(',')})`); break;
      case 'NotIn': terms.push(`${e.key} notin (${(e.values ?? []).join(',')})`); break;
      case 'Exists': terms.push(e.key); break;
      case 'DoesNotExist': terms.push(`!${e.key}`); break;
      default: throw new Error(`unknown label selector operator ${e.operator}`);
    }
  }
  return terms.join(',');
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/**
 * The pods of a workload's current revision only: the pods of an older revision may still crash while
 * a fix rolls out, and must not fail the apply that brings the fix.
 */
export async function currentPods(client: KubeClient, obj: KubeObject): Promise<KubeObject[]> {
  const namespace = obj.metadata.namespace;
  const selector = (obj.spec as any)?.selector;
  if (!selector || !namespace) return [];
  const base = formatLabelSelector(selector);
  const pods = (extra: string) => client.list('v1', 'Pod', { namespace, labelSelector: [base, extra].filter(Boolean).join(',') });
  switch (obj.kind) {
    case 'Deployment': {
      const sets = (await client.list('apps/v1', 'ReplicaSet', { namespace, labelSelector: base }))
        .filter((rs) => ((rs.metadata.ownerReferences ?? []) as Array<{ uid: string }>).some((o) => o.uid === obj.metadata.uid));
      const revision = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
      const newest = sets.sort((a, b) => revision(b) - revision(a))[0];
      const hash = newest?.metadata.labels?.['pod-template-hash'];
      return hash ? pods(`pod-template-hash=${hash}`) : [];
    }
    case 'StatefulSet': {
      const revision = (obj.status as any)?.updateRevision;
      return pods(revision ? `controller-revision-hash=${revision}` : '');
    }
    case 'DaemonSet':
    case 'Job':
      return pods('');
    default:
      return [];
  }
}

/** Options of {@link waitForReady} and {@link waitForDeletion}. */
export interface WaitOptions extends StatusOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /**
   * Time between two polls.
   * @default 2000
   */
  readonly intervalMs?: number;
  /** Told each time an object's status or message changes. */
  readonly onChange?: (ref: ObjectRef, status: ObjectStatus) => void;
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
 * waiting stops: failing fast beats a long timeout), or the timeout passes.
 */
export async function waitForReady(client: KubeClient, refs: readonly ObjectRef[], options: WaitOptions): Promise<WaitResult[]> {
  const deadline = Date.now() + options.timeoutMs;
  const sleep = options.sleep ?? defaultSleep;
  const last = new Map<ObjectRef, ObjectStatus>();
  let pending = [...refs];
  for (;;) {
    const polled = await Promise.all(pending.map(async (ref) => [ref, await checkReady(client, ref, options)] as const));
    for (const [ref, status] of polled) {
      const before = last.get(ref);
      if (!before || before.status !== status.status || before.message !== status.message) options.onChange?.(ref, status);
      last.set(ref, status);
    }
    pending = pending.filter((ref) => last.get(ref)!.status === 'InProgress');
    const anyFailed = [...last.values()].some((s) => s.status === 'Failed');
    if (pending.length === 0 || anyFailed || Date.now() >= deadline) break;
    await sleep(Math.max(0, Math.min(options.intervalMs ?? 2000, deadline - Date.now())));
  }
  return refs.map((ref) => {
    const status = last.get(ref)!;
    return { ref, object: describeRef(ref), ...(status.status === 'InProgress' ? { status: 'Timeout' as const, message: status.message } : status) };
  });
}

async function checkReady(client: KubeClient, ref: ObjectRef, options: StatusOptions): Promise<ObjectStatus> {
  const obj = await client.get(ref);
  if (!obj) return inProgress('not found');
  const status = computeStatus(obj, options);
  if (status.status !== 'InProgress') return status;
  let problem: string | undefined;
  try {
    problem = podProblem(await currentPods(client, obj));
  } catch {
    // Without permission to list pods the timeout still ends the wait; nothing to report here.
  }
  return problem ? failed(problem) : status;
}

/** Polls until every object is gone; returns those still present at the timeout. */
export async function waitForDeletion(client: KubeClient, refs: readonly ObjectRef[], options: Omit<WaitOptions, 'onChange'>): Promise<ObjectRef[]> {
  const deadline = Date.now() + options.timeoutMs;
  const sleep = options.sleep ?? defaultSleep;
  let present = [...refs];
  for (;;) {
    const found = await Promise.all(present.map(async (ref) => (await client.get(ref)) !== undefined));
    present = present.filter((_, i) => found[i]);
    if (present.length === 0 || Date.now() >= deadline) return present;
    await sleep(Math.max(0, Math.min(options.intervalMs ?? 2000, deadline - Date.now())));
  }
}
