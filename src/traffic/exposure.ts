import { LabelSelectorSpec, matchesSelector } from '../manifest/selector';
import { KubeObject } from '../manifest';
import { Endpoint, PeerRef, TrafficModel, groupWorkloads, ipConnections } from './analyze';

/** The workload end of an exposure line. */
export type WorkloadEnd = Extract<Endpoint, { type: 'workload' }>;
import { AdminPeer, Direction, NAMESPACE_NAME_LABEL, namespaceSelectorOf } from './model';
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
 * a rule's peer takes them in when its selectors' requirements (`k In v` for a label) are all theirs.
 */
interface Representative {
  readonly name: string;
  readonly peer: PeerRef;
}

/** Any pod of the cluster: rule peers take it in only with empty namespace and pod selectors. */
const ENTIRE_CLUSTER_PEER: PeerRef = { outside: (namespaces, pods) => isEmpty(namespaces) && isEmpty(pods) };

/**
 * The exposure analysis of netpol-analyzer (`--exposure`): for each workload, what it may open to, or
 * accept from, peers that are not workloads of the inputs: any pod of the cluster (`entire-cluster`),
 * addresses outside it, and pods that a rule's selectors allow (in namespaces the inputs may not hold).
 * - a workload that no NetworkPolicy selects for a direction, and no admin policy with rules that way
 *   applies to, is exposed that way to everything;
 * - a rule without peers, or with a peer of empty namespace and pod selectors, exposes it to the entire cluster;
 * - every other pod peer is a selector peer (a missing namespaceSelector means the policy's namespace),
 *   unless its selectors are labels only, neither empty, and a workload of the inputs matches them;
 *   a rule's peer takes it in when all of the peer's requirements are its own;
 * - the peers of admin policy rules are selector peers too; each peer, and the entire cluster, gets what
 *   {@link TrafficModel.allowed} gives (AdminNetworkPolicies, NetworkPolicies, the baseline), shown when
 *   it differs from the entire cluster's.
 * - the address lines are those of the connection list, shown for each workload with some exposure.
 * Named ports of egress rules stay names (the peer's ports are unknown): `TCP 8080,http`.
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
      if (!model.isProtected(group.pod, direction)) {
        open.push(direction);
        lines[direction].push([ENTIRE_CLUSTER, ConnectionSet.ALL, false]);
        continue;
      }
      const entire = model.allowed(group.pod, direction, ENTIRE_CLUSTER_PEER);
      if (!entire.isEmpty) lines[direction].push([ENTIRE_CLUSTER, entire, false]);
      for (const rep of reps) {
        const conn = model.allowed(group.pod, direction, rep.peer);
        // Shown when it differs from the entire cluster's: more (a rule names it), or less, even nothing
        // (an admin policy denies it, or passes it to NetworkPolicies that allow less).
        if (!(coveredBy(conn, entire) && coveredBy(entire, conn))) lines[direction].push([rep.name, conn, false]);
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
 * The representative peers of the rules of the NetworkPolicies, then of the admin policies, in the
 * order of the policies and their rules (ingress first), one per distinct pair of requirements, named
 * after the first.
 */
function representatives(model: TrafficModel): Representative[] {
  const selectors: Array<[LabelSelectorSpec, LabelSelectorSpec]> = [];
  for (const policy of model.policies) {
    for (const direction of ['Ingress', 'Egress'] as const) {
      for (const peer of policy.rules[direction].flatMap((r) => r.peers ?? [])) {
        if (!peer.ipBlock) selectors.push([namespaceSelectorOf(peer, policy.namespace), peer.podSelector ?? {}]);
      }
    }
  }
  for (const policy of model.adminPolicies) {
    for (const direction of ['Ingress', 'Egress'] as const) {
      for (const peer of policy.rules[direction].flatMap((r) => r.peers)) {
        const pair = adminSelectors(peer);
        if (pair) selectors.push(pair);
      }
    }
  }
  const out = new Map<string, Representative>();
  for (const [namespaces, pods] of selectors) {
    if (isEmpty(namespaces) && isEmpty(pods)) continue;
    const own = { namespaces: requirements(namespaces), pods: requirements(pods) };
    const key = JSON.stringify([[...own.namespaces].sort(), [...own.pods].sort()]);
    if (out.has(key) || matchedByWorkload(model, namespaces, pods)) continue;
    out.set(key, {
      name: selectorPeerName(namespaces, pods),
      peer: { outside: (ns, p) => subset(requirements(ns), own.namespaces) && subset(requirements(p), own.pods) },
    });
  }
  return [...out.values()];
}

/** An admin policy peer's selectors (namespaces, pods); none for networks. */
function adminSelectors(peer: AdminPeer): [LabelSelectorSpec, LabelSelectorSpec] | undefined {
  if (peer.namespaces) return [peer.namespaces, {}];
  if (peer.pods) return [peer.pods.namespaceSelector ?? {}, peer.pods.podSelector ?? {}];
  return undefined;
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
