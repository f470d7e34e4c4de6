import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeObject, PodSpecLike, podTemplateOf } from '../src/manifest';
import { parseQuantity } from '../src/manifest/quantity';
import { quantityOf } from '../src/resources';
import { PropsValidator } from '../src/props-validator';
import type { AttendeeQuota } from './attendee-props';
import { ConsoleHub } from './consolehub';

/**
 * Whether a namespace's stacks fit in its quota: what the pods of its manifests take from it.
 */

/** What pods take from a quota, in cores and bytes. */
interface PodCost {
  'requests.cpu': number;
  'limits.cpu': number;
  'requests.memory': number;
  'limits.memory': number;
}

const COST_KEYS = ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory'] as const;
/** Kinds whose objects take from the quota. */
const QUOTA_KINDS = new Set(['Service', 'Job', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'CronJob']);

/** The consolehub's users' consoles the quota must hold: how many, and one's pod. */
export interface Sessions {
  readonly count: number;
  readonly cost: PodCost;
}

export function sessionsOf(hub: ConsoleHub | undefined, count: number): Sessions | undefined {
  return hub && { count, cost: podCost(podTemplateOf(hub.job.manifest)!.spec) };
}

/**
 * Fails unless the stacks fit in the quota: every pod running, plus the extra pods of the largest
 * rollout (a Deployment's surge; the largest in each resource), plus the consolehub's consoles.
 * A DaemonSet counts one pod, as on a one-node cluster.
 */
export function checkFit(
  check: PropsValidator,
  chart: Construct,
  quota: Required<AttendeeQuota>,
  scale: number,
  sessions: Sessions | undefined,
): void {
  const needs = { pods: 0, services: 0, jobs: 0, ...zeroCost() };
  const surge = { pods: 0, ...zeroCost() };
  const objects = chart.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && QUOTA_KINDS.has(c.kind))
    .map((o) => o.toJson() as KubeObject);
  for (const obj of objects) {
    if (obj.kind === 'Service') needs.services++;
    if (obj.kind === 'Job') needs.jobs++;
    const template = podTemplateOf(obj);
    if (!template) continue;
    const spec = obj.spec as Record<string, any>;
    const replicas: number = obj.kind === 'Deployment' || obj.kind === 'StatefulSet' ? (spec.replicas ?? 1) : 1;
    const extra = obj.kind === 'Deployment' ? surgeOf(spec.strategy?.rollingUpdate?.maxSurge, replicas) : 0;
    const cost = podCost(template.spec);
    needs.pods += replicas;
    surge.pods = Math.max(surge.pods, extra);
    for (const key of COST_KEYS) {
      needs[key] += cost[key] * replicas;
      surge[key] = Math.max(surge[key], cost[key] * extra);
    }
  }
  needs.pods += surge.pods + (sessions?.count ?? 0);
  needs.jobs += sessions?.count ?? 0;
  for (const key of COST_KEYS) needs[key] += surge[key] + (sessions ? sessions.cost[key] * sessions.count : 0);

  const what = `the stacks need (${[
    'their pods',
    surge.pods > 0 ? "a rollout's extra pods" : '',
    sessions ? `${sessions.count} consolehub consoles` : '',
  ]
    .filter(Boolean)
    .join(', ')})`;
  for (const key of ['pods', 'services', 'jobs'] as const) {
    if (needs[key] > quota[key])
      check.fail(`quota.${key}`, `must allow the ${needs[key]} ${key} ${what}, got ${quota[key]}`);
  }
  for (const [resource, unit, size] of [
    ['cpu', 'm', 1e-3],
    ['memory', 'Mi', 2 ** 20],
  ] as const) {
    for (const side of ['request', 'limit'] as const) {
      const given = quota[resource][side];
      // Both sides scale with the profile; the message shows them before it. The margin absorbs rounding.
      const need = needs[`${side}s.${resource}`] / scale;
      if (need > parseQuantity(quantityOf(given)) * (1 + 1e-9)) {
        check.fail(
          `quota.${resource}.${side}`,
          `must allow the ${Math.ceil(need / size - 1e-6)}${unit} of ${resource} ${side}s ${what}, got ${JSON.stringify(given)}`,
        );
      }
    }
  }
}

function zeroCost(): PodCost {
  return { 'requests.cpu': 0, 'limits.cpu': 0, 'requests.memory': 0, 'limits.memory': 0 };
}

/** A Deployment's extra pods during a rollout: `maxSurge` as a number or a percentage (rounded up), 25% by default. */
function surgeOf(maxSurge: number | string | undefined, replicas: number): number {
  if (typeof maxSurge === 'number') return maxSurge;
  const percent = Number(/^(\d+)%$/.exec(maxSurge ?? '25%')?.[1] ?? 25);
  return Math.ceil((replicas * percent) / 100);
}

/** The requests and limits of one pod: the sum of its containers'. */
function podCost(spec: PodSpecLike): PodCost {
  const cost = zeroCost();
  for (const container of spec.containers ?? []) {
    for (const key of COST_KEYS) {
      const [side, resource] = key.split('.');
      const quantity = container.resources?.[side]?.[resource];
      if (quantity !== undefined) cost[key] += parseQuantity(String(quantity));
    }
  }
  return cost;
}
