import { LabelSelectorSpec, matchesSelector } from '../manifest/selector';
import { KubeObject } from '../manifest';
import { Endpoint, PodLike, TrafficModel, groupWorkloads, ipConnections, rulePorts } from './analyze';

/** The workload end of an exposure line. */
export type WorkloadEnd = Extract<Endpoint, { type: 'workload' }>;
import { Direction, NAMESPACE_NAME_LABEL, Policy, PolicyPeer, PolicyRule } from './model';
import { ConnectionSet, PROTOCOLS } from './ports';

/** netpol-analyzer's name of every pod of the cluster, the peer of a rule with empty selectors (or none). */
export const ENTIRE_CLUSTER = 'entire-cluster';

/** One exposure of a workload: a peer outside the inputs it may reach (egress) or be reached from (ingress). */
export interface ExposureLine {
  /** The workload, `ns/name[Kind]`. */
  readonly workload: string;
  /** The workload as an end of the connection list. */
  readonly end: WorkloadEnd;
  /** `entire-cluster`, an address range, or pods by selector (`[namespace with {...}]/[pod with {...}]`). */
  readonly peer: string;
  /** Whether the peer is an address range (a line of the connection list too). */
  readonly isAddress: boolean;
  readonly conn: ConnectionSet;
}

/** netpol-analyzer's exposure analysis of some inputs. */
export interface ExposureReport {
  /** Sorted by workload, then peer. */
  readonly egress: readonly ExposureLine[];
  /** Sorted by workload, then peer. */
  readonly ingress: readonly ExposureLine[];
  /** Workloads no NetworkPolicy selects for a direction, sorted: open to everything that way. */
  readonly unprotected: ReadonlyArray<{ readonly workload: string; readonly direction: Direction }>;
}

/**
 * Pods a rule's peer allows that the inputs may not hold, as netpol-analyzer's representative peers:
 * their selectors, as requirements (`k In v` for a label) to compare with other rules' peers.
 */
interface Representative {
  readonly name: string;
  readonly namespaces: ReadonlySet<string>;
  readonly pods: ReadonlySet<string>;
}

/**
 * The exposure analysis of netpol-analyzer (`--exposure`): for each workload, what it may open to, or
 * accept from, peers that are not workloads of the inputs: any pod of the cluster (`entire-cluster`),
 * addresses outside it, and pods that a rule's selectors allow (in namespaces the inputs may not hold).
 * - a workload no NetworkPolicy selects for a direction is exposed that way to everything;
 * - a rule without peers, or with a peer of empty namespace and pod selectors, exposes it to the entire cluster;
 * - every other pod peer is a selector peer (a missing namespaceSelector means the policy's namespace),
 *   unless its selectors are labels only, neither empty, and a workload of the inputs matches them;
 *   what it gets is what every rule whose peer takes in all of its requirements allows, shown only
 *   when that is more than the entire cluster gets;
 * - the address lines are those of the connection list, shown for each workload with some exposure.
 * It follows the NetworkPolicies (AdminNetworkPolicies are not part of it). Named ports of egress
 * rules stay names (the peer's ports are unknown): `TCP 8080,http`.
 */
export function exposureOf(objects: readonly KubeObject[] | TrafficModel): ExposureReport {
  const model = objects instanceof TrafficModel ? objects : new TrafficModel(objects);
  const reps = representatives(model);
  const { ends, groups } = groupWorkloads(model);
  const out: Record<Direction, ExposureLine[]> = { Ingress: [], Egress: [] };
  const unprotected: Array<{ workload: string; direction: Direction }> = [];
  for (const group of groups) {
    const lines: Record<Direction, Array<[string, ConnectionSet, boolean]>> = { Ingress: [], Egress: [] };
    const open: Direction[] = [];
    for (const direction of ['Egress', 'Ingress'] as const) {
      const policies = model.selecting(group.pod, direction);
      if (policies.length === 0) {
        open.push(direction);
        lines[direction].push([ENTIRE_CLUSTER, ConnectionSet.ALL, false]);
        continue;
      }
      const entire = allowedTo(policies, direction, group.pod, undefined);
      if (!entire.isEmpty) lines[direction].push([ENTIRE_CLUSTER, entire, false]);
      for (const rep of reps) {
        const conn = allowedTo(policies, direction, group.pod, rep);
        if (!conn.isEmpty && !(!entire.isEmpty && coveredBy(conn, entire)))
          lines[direction].push([rep.name, conn, false]);
      }
    }
    // A workload with no exposure is left out, its address lines too (as netpol-analyzer does).
    if (lines.Egress.length + lines.Ingress.length === 0) continue;
    for (const direction of ['Egress', 'Ingress'] as const) {
      for (const [end, conn] of ipConnections(model, group.pod, direction))
        lines[direction].push([end.name, conn, true]);
    }
    for (const i of group.members) {
      const end = ends[i];
      for (const direction of ['Egress', 'Ingress'] as const) {
        for (const [peer, conn, isAddress] of lines[direction])
          out[direction].push({ workload: end.name, end, peer, isAddress, conn });
      }
      for (const direction of open) unprotected.push({ workload: end.name, direction });
    }
  }
  const byWorkloadThenPeer = (a: ExposureLine, b: ExposureLine) =>
    byBytes(a.workload, b.workload) || byBytes(a.peer, b.peer);
  return {
    egress: out.Egress.sort(byWorkloadThenPeer),
    ingress: out.Ingress.sort(byWorkloadThenPeer),
    unprotected: unprotected.sort((a, b) => byBytes(a.workload, b.workload) || byBytes(a.direction, b.direction)),
  };
}

/** netpol-analyzer sorts its exposure lines by Go's string order: bytes, not locale. */
function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What the rules of `policies` (those selecting `pod` for `direction`) allow with the representative
 * `rep`, or, without one, with the entire cluster: the rules without peers and, for a representative,
 * those with a peer that takes in all its requirements; for the entire cluster, those with a peer of
 * empty namespace and pod selectors.
 */
function allowedTo(
  policies: readonly Policy[],
  direction: Direction,
  pod: PodLike,
  rep: Representative | undefined,
): ConnectionSet {
  let out = ConnectionSet.NONE;
  for (const policy of policies) {
    for (const rule of policy.rules[direction]) {
      const matches =
        !rule.peers ||
        rule.peers.length === 0 ||
        rule.peers.some(
          (peer) =>
            !peer.ipBlock &&
            (rep
              ? subset(requirements(namespaceSelectorOf(peer, policy.namespace)), rep.namespaces) &&
                subset(requirements(peer.podSelector ?? {}), rep.pods)
              : isEntireCluster(peer)),
        );
      if (!matches) continue;
      out = out.union(
        direction === 'Ingress' ? rulePorts(rule.ports, pod) : rulePorts(rule.ports, undefined).union(namedPorts(rule)),
      );
    }
  }
  return out;
}

/**
 * The named ports of an egress rule, unresolved: its destinations are pods outside the inputs, whose
 * ports are unknown, so netpol-analyzer shows the names (`TCP http,local-dns`).
 */
function namedPorts(rule: PolicyRule): ConnectionSet {
  let out = ConnectionSet.NONE;
  for (const p of rule.ports ?? [])
    if (typeof p.port === 'string') out = out.union(ConnectionSet.named(p.protocol ?? 'TCP', p.port));
  return out;
}

/**
 * Whether a selector peer's connections add nothing to the entire cluster's, as netpol-analyzer decides
 * it: every protocol of `conn` is one of `entire`'s, and its port numbers are among `entire`'s; named
 * ports count for their protocol only (`TCP http` is covered by `TCP 8000`, not by `UDP 53`).
 */
function coveredBy(conn: ConnectionSet, entire: ConnectionSet): boolean {
  return (
    PROTOCOLS.every((p) => {
      const every = ConnectionSet.ports(p);
      return conn.intersect(every).isEmpty || !entire.intersect(every).isEmpty;
    }) && entire.withoutNames().contains(conn.withoutNames())
  );
}

function subset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return [...a].every((x) => b.has(x));
}

function isEmpty(selector: LabelSelectorSpec): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

function isEntireCluster(peer: PolicyPeer): boolean {
  return (
    !peer.ipBlock &&
    peer.namespaceSelector !== undefined &&
    isEmpty(peer.namespaceSelector) &&
    isEmpty(peer.podSelector ?? {})
  );
}

/** A peer's namespaces as a selector: without a namespaceSelector, the policy's own namespace. */
function namespaceSelectorOf(peer: PolicyPeer, policyNamespace: string): LabelSelectorSpec {
  return peer.namespaceSelector ?? { matchLabels: { [NAMESPACE_NAME_LABEL]: policyNamespace } };
}

/** A selector's requirements, compared as text: a label `k: v` is `k In v`, as an `In` with that one value. */
function requirements(selector: LabelSelectorSpec): Set<string> {
  return new Set([
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => JSON.stringify([k, 'In', [v]])),
    ...(selector.matchExpressions ?? []).map((e) =>
      JSON.stringify([e.key, e.operator, [...new Set(e.values ?? [])].sort()]),
    ),
  ]);
}

/**
 * The representative peers of the NetworkPolicies' rules, in the order of the policies and their
 * rules (ingress first), one per distinct pair of requirements, named after the first.
 */
function representatives(model: TrafficModel): Representative[] {
  const out = new Map<string, Representative>();
  for (const policy of model.policies) {
    for (const direction of ['Ingress', 'Egress'] as const) {
      for (const peer of policy.rules[direction].flatMap((r) => r.peers ?? [])) {
        if (peer.ipBlock || isEntireCluster(peer)) continue;
        const namespaces = namespaceSelectorOf(peer, policy.namespace);
        const pods = peer.podSelector ?? {};
        const rep = {
          name: selectorPeerName(namespaces, pods),
          namespaces: requirements(namespaces),
          pods: requirements(pods),
        };
        const key = JSON.stringify([[...rep.namespaces].sort(), [...rep.pods].sort()]);
        if (!out.has(key) && !matchedByWorkload(model, namespaces, pods)) out.set(key, rep);
      }
    }
  }
  return [...out.values()];
}

/**
 * Whether a workload of the inputs is exactly the pods a peer names, which then needs no stand-in:
 * only for selectors of labels alone, neither empty (an empty one names more than any workload).
 */
function matchedByWorkload(model: TrafficModel, namespaces: LabelSelectorSpec, pods: LabelSelectorSpec): boolean {
  if (
    (namespaces.matchExpressions ?? []).length > 0 ||
    (pods.matchExpressions ?? []).length > 0 ||
    isEmpty(namespaces) ||
    isEmpty(pods)
  )
    return false;
  return model.workloads.some(
    (w) =>
      matchesSelector(pods, w.labels) &&
      matchesSelector(namespaces, model.namespaces.get(w.namespace) ?? { [NAMESPACE_NAME_LABEL]: w.namespace }),
  );
}

/** netpol-analyzer's name of the pods two selectors allow: `ns/[all pods]`, `[all namespaces]/[pod with {app=x}]`, ... */
export function selectorPeerName(namespaces: LabelSelectorSpec, pods: LabelSelectorSpec): string {
  return `${namespacePart(namespaces)}/${podPart(pods)}`;
}

/** `ns` when the selector names one namespace only, `[all namespaces]`, or `[namespace with {...}]`. */
function namespacePart(selector: LabelSelectorSpec): string {
  const labels = Object.keys(selector.matchLabels ?? {});
  if (labels.length === 1 && labels[0] === NAMESPACE_NAME_LABEL && (selector.matchExpressions ?? []).length === 0)
    return selector.matchLabels![NAMESPACE_NAME_LABEL];
  return isEmpty(selector) ? '[all namespaces]' : `[namespace with {${selectorText(selector)}}]`;
}

function podPart(selector: LabelSelectorSpec): string {
  return isEmpty(selector) ? '[all pods]' : `[pod with {${selectorText(selector)}}]`;
}

/**
 * A selector as netpol-analyzer writes it in exposure lines: labels as `k=v` by key, then each
 * expression in Go's struct notation (`{Key:k,Operator:In,Values:[a b],}`), sorted as text.
 */
function selectorText(selector: LabelSelectorSpec): string {
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => byBytes(a, b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const expressions = (selector.matchExpressions ?? [])
    .map((e) => `{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],}`)
    .sort(byBytes)
    .join(',');
  return [labels, expressions].filter((s) => s !== '').join(',');
}
