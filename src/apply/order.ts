import { ObjectRef, groupOf } from '../manifest';

/**
 * Apply order by kind, after Flux's `ssa` package: definitions first, then what other objects refer to
 * (classes, RBAC, configuration, Services), then workloads; webhooks last, so that they cannot block
 * the objects applied with them. Kinds not listed go between the list and the webhooks.
 */
export const KIND_ORDER: readonly string[] = [
  'CustomResourceDefinition',
  'Namespace',
  'ClusterRole',
  'RuntimeClass',
  'PriorityClass',
  'StorageClass',
  'IngressClass',
  'GatewayClass',
  'ClusterRoleBinding',
  'ResourceQuota',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'Service',
  'LimitRange',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const LAST_KINDS: readonly string[] = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/** A group of kinds applied together; one stage finishes before the next starts. */
export type StageName = 'definitions' | 'cluster' | 'access' | 'config' | 'workloads' | 'webhooks';

/**
 * The stages and their kinds. `definitions` are waited for (Established, Active) before anything else,
 * since the objects after them need their kinds served and their namespaces present. ResourceQuota and
 * LimitRange come in `cluster`, before any workload, because pods are admitted against them;
 * ServiceAccounts in `access`, before the Secrets of `config` (a service-account token Secret needs
 * its account). `config` holds what pods read, reach or are held by (ConfigMaps, Secrets, Services,
 * NetworkPolicies): nothing among them needs another, so they go together, and all before the
 * workloads, so that no pod ever runs before its policy exists. Each stage costs a round trip or more.
 */
export const STAGES: ReadonlyArray<{ readonly name: StageName; readonly kinds: readonly string[] }> = [
  { name: 'definitions', kinds: ['CustomResourceDefinition', 'Namespace'] },
  {
    name: 'cluster',
    kinds: [
      'ClusterRole',
      'RuntimeClass',
      'PriorityClass',
      'StorageClass',
      'IngressClass',
      'GatewayClass',
      'ClusterRoleBinding',
      'ResourceQuota',
      'LimitRange',
    ],
  },
  { name: 'access', kinds: ['ServiceAccount', 'Role', 'RoleBinding'] },
  { name: 'config', kinds: ['ConfigMap', 'Secret', 'Service', 'NetworkPolicy'] },
  { name: 'workloads', kinds: [] },
  { name: 'webhooks', kinds: LAST_KINDS },
];

export function stageOf(kind: string): StageName {
  return STAGES.find((s) => s.kinds.includes(kind))?.name ?? 'workloads';
}

function kindRank(kind: string): number {
  const first = KIND_ORDER.indexOf(kind);
  if (first >= 0) return first;
  const last = LAST_KINDS.indexOf(kind);
  return last >= 0 ? KIND_ORDER.length + 1 + last : KIND_ORDER.length;
}

/** Compares two objects in apply order: kind rank, then group, kind, namespace and name, so the order does not depend on the input's. */
export function compareForApply(a: ObjectRef, b: ObjectRef): number {
  return (
    kindRank(a.kind) - kindRank(b.kind) ||
    groupOf(a.apiVersion).localeCompare(groupOf(b.apiVersion)) ||
    a.kind.localeCompare(b.kind) ||
    (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
    a.name.localeCompare(b.name)
  );
}

/** One stage of a plan and its items, in apply order. */
export interface PlannedStage<T> {
  readonly stage: StageName;
  readonly items: T[];
}

/** Groups items into their stages, in apply order; empty stages are left out. */
export function applyStages<T>(items: readonly T[], refOf: (item: T) => ObjectRef): PlannedStage<T>[] {
  return STAGES.map((s) => ({
    stage: s.name,
    items: items.filter((i) => stageOf(refOf(i).kind) === s.name).sort((a, b) => compareForApply(refOf(a), refOf(b))),
  })).filter((s) => s.items.length > 0);
}

/** The reverse of {@link applyStages}: workloads first, namespaces and definitions last. */
export function deleteStages<T>(items: readonly T[], refOf: (item: T) => ObjectRef): PlannedStage<T>[] {
  return applyStages(items, refOf)
    .reverse()
    .map((s) => ({ stage: s.stage, items: [...s.items].reverse() }));
}
