import { LabelSelectorSpec, matchesSelector } from '../manifest/selector';
import { KubeObject } from '../manifest';
import { IpRange, atomicRanges, formatRange, mergeRanges, parseCidr, within } from './ip';
import {
  Direction, NAMESPACE_NAME_LABEL, Policy, PolicyPeer, PolicyPort, TrafficWorkload, namespacesOf, policiesOf, workloadId, workloadsOf,
} from './model';
import { ConnectionSet } from './ports';

/**
 * One end of a connection: a workload of the inputs, a range of addresses outside them, or the pods a
 * selector allows in namespaces the inputs do not define (shown as the selector, as netpol-analyzer does).
 */
export type Endpoint =
  | { readonly type: 'workload'; readonly name: string; readonly namespace: string; readonly workload: TrafficWorkload }
  | { readonly type: 'ip'; readonly name: string; readonly ranges: readonly IpRange[] }
  | { readonly type: 'selector'; readonly name: string; readonly namespace?: string };

/** An allowed connection: `src => dst : conn`. */
export interface Connection {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly conn: ConnectionSet;
}

/** Pods as policies see them: their namespace and its labels, their labels, their container ports. */
export interface PodLike {
  /** Unset for pods of a namespace known only by a selector. */
  readonly namespace?: string;
  readonly namespaceLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly ports: TrafficWorkload['ports'];
  /**
   * A stand-in for pods whose labels anyone may choose (an attendee's own pods): every pod selector
   * selects it, so it gets the most any policy of its namespace allows.
   */
  readonly anyLabels?: boolean;
}

/** A pod, and whether it may connect across namespaces at all (see {@link TrafficModel.candidatePairs}). */
export interface Reach {
  readonly pod: PodLike;
  /** Its egress may reach pods of other namespaces. */
  readonly egressOut: boolean;
  /** Its ingress may admit pods of other namespaces. */
  readonly ingressIn: boolean;
}

/** A peer of a policy rule: pods, or one piece of the address space outside the inputs. */
export type PeerRef = { readonly pod: PodLike } | { readonly ip: IpRange };

/** The inputs, digested for NetworkPolicy evaluation. */
export class TrafficModel {
  readonly workloads: TrafficWorkload[];
  readonly policies: Policy[];
  readonly namespaces: Map<string, Record<string, string>>;
  /** The pieces of the address space that every ipBlock either wholly contains or wholly excludes. */
  readonly ipPieces: IpRange[];
  /** Pods of namespaces the inputs do not define, one per selector that allows some. */
  readonly representatives: Array<{ name: string; pod: PodLike }>;
  private readonly cidrs = new Map<string, IpRange | undefined>();
  /** The Services of the inputs, by `namespace/name`: needs name them. */
  readonly services = new Map<string, KubeObject>();
  /** Policies by namespace: a pod is selected only by those of its own. */
  private readonly policiesIn = new Map<string, Policy[]>();
  private readonly workloadsByNamespace = new Map<string, TrafficWorkload[]>();

  constructor(objects: readonly KubeObject[]) {
    this.workloads = workloadsOf(objects);
    this.policies = policiesOf(objects);
    this.namespaces = namespacesOf(objects, this.workloads);
    for (const p of this.policies) push(this.policiesIn, p.namespace, p);
    for (const w of this.workloads) push(this.workloadsByNamespace, w.namespace, w);
    for (const o of objects) if (o.kind === 'Service' && o.apiVersion === 'v1') this.services.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o);
    const peers = this.policies.flatMap((p) => [...p.rules.Ingress, ...p.rules.Egress].flatMap((r) => r.peers ?? []));
    const blocks = peers.flatMap((p) => (p.ipBlock ? [p.ipBlock.cidr, ...(p.ipBlock.except ?? [])] : []))
      .flatMap((text) => this.cidr(text) ?? []);
    this.ipPieces = atomicRanges(blocks, new Set([4, ...blocks.map((b) => b.family)]));
    const reps = new Map<string, PodLike>();
    for (const peer of peers) {
      const rep = this.representative(peer);
      if (rep) reps.set(rep.name, rep.pod);
    }
    this.representatives = [...reps].sort(([a], [b]) => a.localeCompare(b)).map(([name, pod]) => ({ name, pod }));
  }

  /** The workloads of a namespace. */
  workloadsIn(namespace: string): readonly TrafficWorkload[] {
    return this.workloadsByNamespace.get(namespace) ?? [];
  }

  /** A workload as a pod. */
  pod(w: TrafficWorkload): PodLike {
    return { namespace: w.namespace, namespaceLabels: this.namespaces.get(w.namespace) ?? { [NAMESPACE_NAME_LABEL]: w.namespace }, labels: w.labels, ports: w.ports };
  }

  /** The policies of `pod`'s namespace that select it for `direction`. */
  selecting(pod: PodLike, direction: Direction): Policy[] {
    return (this.policiesIn.get(pod.namespace ?? '') ?? []).filter((p) => p.types.has(direction)
      && (pod.anyLabels || matchesSelector(p.podSelector, pod.labels)));
  }

  /**
   * Whether `pod` may have any connection in `direction` with pods of other namespaces: it is open that
   * way, or a rule has no peers or a peer with a namespaceSelector. When either end of a pair in two
   * namespaces may not, nothing flows between them: this spares the pairwise work in large inputs.
   */
  crossesNamespaces(pod: PodLike, direction: Direction): boolean {
    const policies = this.selecting(pod, direction);
    return policies.length === 0 || policies.some((p) => p.rules[direction].some((r) =>
      !r.peers || r.peers.length === 0 || r.peers.some((peer) => !peer.ipBlock && peer.namespaceSelector !== undefined)));
  }

  /** A pod with what {@link candidatePairs} needs to know about it. */
  withReach(pod: PodLike): Reach {
    return { pod, egressOut: this.crossesNamespaces(pod, 'Egress'), ingressIn: this.crossesNamespaces(pod, 'Ingress') };
  }

  /**
   * The ordered pairs of distinct ends between which something may flow: those of one namespace, and
   * across namespaces only from an end that may send out of its namespace to one that may receive
   * from others. Linear in the ends when policies keep namespaces apart, as a classroom's do.
   */
  *candidatePairs<T extends Reach>(ends: readonly T[]): Generator<[T, T]> {
    const byNamespace = new Map<string, T[]>();
    for (const e of ends) push(byNamespace, e.pod.namespace ?? '', e);
    const receivers = ends.filter((e) => e.ingressIn);
    for (const src of ends) {
      const local = byNamespace.get(src.pod.namespace ?? '')!;
      const remote = src.egressOut ? receivers.filter((dst) => dst.pod.namespace !== src.pod.namespace) : [];
      for (const dst of [...local, ...remote]) if (dst !== src) yield [src, dst];
    }
  }

  /**
   * What `subject` may do in `direction` with `other`: its ingress from `other`, or its egress to it.
   * Open when no policy selects it for that direction, else the union of the rules that match `other`.
   * Named ports are resolved against the destination's container ports.
   */
  allowed(subject: PodLike, direction: Direction, other: PeerRef): ConnectionSet {
    const policies = this.selecting(subject, direction);
    if (policies.length === 0) return ConnectionSet.ALL;
    const destination = direction === 'Ingress' ? subject : 'pod' in other ? other.pod : undefined;
    let out = ConnectionSet.NONE;
    for (const policy of policies) {
      for (const rule of policy.rules[direction]) {
        if (!rule.peers || rule.peers.length === 0 || rule.peers.some((peer) => this.peerMatches(peer, policy.namespace, other))) {
          out = out.union(rulePorts(rule.ports, destination));
        }
      }
    }
    return out;
  }

  /** What may flow from `src` to `dst`: both the source's egress and the destination's ingress must allow it. */
  between(src: PodLike, dst: PodLike): ConnectionSet {
    return this.allowed(src, 'Egress', { pod: dst }).intersect(this.allowed(dst, 'Ingress', { pod: src }));
  }

  /** Whether a peer of a rule of a policy in `policyNamespace` matches `other`. */
  peerMatches(peer: PolicyPeer, policyNamespace: string, other: PeerRef): boolean {
    if ('ip' in other) {
      // Pod addresses are not known from manifests: ipBlocks match only addresses outside the inputs.
      const block = peer.ipBlock && this.cidr(peer.ipBlock.cidr);
      if (!block) return false;
      return within(other.ip, block) && !(peer.ipBlock!.except ?? []).some((e) => { const x = this.cidr(e); return x !== undefined && within(other.ip, x); });
    }
    if (peer.ipBlock) return false;
    const pod = other.pod;
    const inNamespace = peer.namespaceSelector
      ? matchesSelector(peer.namespaceSelector, pod.namespaceLabels)
      : pod.namespace === policyNamespace;
    return inNamespace && (pod.anyLabels === true || matchesSelector(peer.podSelector, pod.labels));
  }

  /** A CIDR of a policy, parsed once; none for one the API server would reject (checkIpBlocks reports it). */
  private cidr(text: string): IpRange | undefined {
    if (!this.cidrs.has(text)) {
      try {
        this.cidrs.set(text, parseCidr(text));
      } catch {
        this.cidrs.set(text, undefined);
      }
    }
    return this.cidrs.get(text);
  }

  /**
   * The stand-in for pods a peer allows outside the namespaces of the inputs, if it may allow any: a
   * namespaceSelector that does not pin the name of namespaces all defined here. Its labels are those
   * the selectors require, so that it matches the peer it comes from.
   */
  private representative(peer: PolicyPeer): { name: string; pod: PodLike } | undefined {
    if (peer.ipBlock || !peer.namespaceSelector) return undefined;
    const pinned = pinnedNames(peer.namespaceSelector);
    if (pinned && pinned.every((n) => this.namespaces.has(n))) return undefined;
    const namespace = pinned?.length === 1 ? pinned[0] : undefined;
    const namespaceLabels = { ...labelsRequiredBy(peer.namespaceSelector), ...(namespace ? { [NAMESPACE_NAME_LABEL]: namespace } : {}) };
    const allNamespaces = isEmptySelector(peer.namespaceSelector);
    const allPods = !peer.podSelector || isEmptySelector(peer.podSelector);
    const nsPart = namespace ?? (allNamespaces ? '[all namespaces]' : `[namespace with ${formatSelector(peer.namespaceSelector)}]`);
    const name = allNamespaces && allPods ? 'entire-cluster' : `${nsPart}/${allPods ? '[all pods]' : `[pod with ${formatSelector(peer.podSelector!)}]`}`;
    return { name, pod: { namespace, namespaceLabels, labels: labelsRequiredBy(peer.podSelector ?? {}), ports: [] } };
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Every connection the NetworkPolicies of `objects` allow, sorted as netpol-analyzer lists them. */
export function analyzeTraffic(objects: readonly KubeObject[]): Connection[] {
  const model = new TrafficModel(objects);
  const ends = model.workloads.map((w) => ({ end: workloadEnd(w), ...model.withReach(model.pod(w)) }));
  const out: Connection[] = [];
  for (const [src, dst] of model.candidatePairs(ends)) {
    const conn = model.between(src.pod, dst.pod);
    if (!conn.isEmpty) out.push({ src: src.end, dst: dst.end, conn });
  }
  for (const src of ends) {
    // Outside the inputs nothing is known to restrict: only this end's policies count.
    for (const rep of model.representatives) {
      const end: Endpoint = { type: 'selector', name: rep.name, namespace: rep.pod.namespace };
      const egress = model.allowed(src.pod, 'Egress', { pod: rep.pod });
      if (!egress.isEmpty) out.push({ src: src.end, dst: end, conn: egress });
      const ingress = model.allowed(src.pod, 'Ingress', { pod: rep.pod });
      if (!ingress.isEmpty) out.push({ src: end, dst: src.end, conn: ingress });
    }
    for (const [conn, ranges] of byConnection(model.ipPieces, (ip) => model.allowed(src.pod, 'Egress', { ip }))) {
      out.push({ src: src.end, dst: ipEnd(ranges), conn });
    }
    for (const [conn, ranges] of byConnection(model.ipPieces, (ip) => model.allowed(src.pod, 'Ingress', { ip }))) {
      out.push({ src: ipEnd(ranges), dst: src.end, conn });
    }
  }
  return out.sort((a, b) => a.src.name.localeCompare(b.src.name) || a.dst.name.localeCompare(b.dst.name));
}

/** netpol-analyzer's line: `src => dst : conn`. */
export function formatConnection(c: Connection): string {
  return `${c.src.name} => ${c.dst.name} : ${c.conn}`;
}

function workloadEnd(w: TrafficWorkload): Endpoint {
  return { type: 'workload', name: workloadId(w), namespace: w.namespace, workload: w };
}

function ipEnd(ranges: readonly IpRange[]): Endpoint {
  return { type: 'ip', name: mergeRanges(ranges).map(formatRange).join(','), ranges };
}

/** Groups address pieces by what is allowed with them, leaving out those with nothing allowed. */
function byConnection(pieces: readonly IpRange[], allowed: (ip: IpRange) => ConnectionSet): Array<[ConnectionSet, IpRange[]]> {
  const groups = new Map<string, [ConnectionSet, IpRange[]]>();
  for (const ip of pieces) {
    const conn = allowed(ip);
    if (conn.isEmpty) continue;
    const group = groups.get(conn.toString());
    if (group) group[1].push(ip);
    else groups.set(conn.toString(), [conn, [ip]]);
  }
  return [...groups.values()];
}

/** The ports a rule allows towards `destination`; named ports resolve against its container ports. */
function rulePorts(ports: readonly PolicyPort[] | undefined, destination: PodLike | undefined): ConnectionSet {
  if (!ports || ports.length === 0) return ConnectionSet.ALL;
  let out = ConnectionSet.NONE;
  for (const p of ports) {
    const protocol = p.protocol ?? 'TCP';
    if (p.port === undefined) {
      out = out.union(ConnectionSet.ports(protocol));
    } else if (typeof p.port === 'number') {
      out = out.union(ConnectionSet.ports(protocol, p.port, p.endPort ?? p.port));
    } else {
      // A named port means the destination's container port of that name and protocol; none, no port.
      // Pods whose ports are unknown (outside the inputs) count as having none, but pods whose owner
      // chooses their labels (an attendee's) may also give any port that name.
      if (destination?.anyLabels) out = out.union(ConnectionSet.ports(protocol));
      for (const cp of destination?.ports ?? []) {
        if (cp.name === p.port && cp.protocol === protocol) out = out.union(ConnectionSet.ports(protocol, cp.port));
      }
    }
  }
  return out;
}

/** The namespace names a selector pins through the automatic name label, if it does. */
function pinnedNames(selector: LabelSelectorSpec): string[] | undefined {
  const byLabel = selector.matchLabels?.[NAMESPACE_NAME_LABEL];
  if (byLabel !== undefined) return [byLabel];
  const expr = selector.matchExpressions?.find((e) => e.key === NAMESPACE_NAME_LABEL && e.operator === 'In');
  return expr ? [...(expr.values ?? [])] : undefined;
}

/** Labels that satisfy what a selector requires (`matchLabels`, one value of `In`, `Exists`). */
function labelsRequiredBy(selector: LabelSelectorSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In' && e.values?.length) out[e.key] = e.values[0];
    if (e.operator === 'Exists') out[e.key] = '';
  }
  return { ...out, ...selector.matchLabels };
}

function isEmptySelector(selector: LabelSelectorSpec): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** `{app=x,env Exists,role NotIn (a,b)}`, as netpol-analyzer writes selectors. */
export function formatSelector(selector: LabelSelectorSpec): string {
  const terms = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((e) => (e.values?.length ? `${e.key} ${e.operator} (${[...e.values].sort().join(',')})` : `${e.key} ${e.operator}`)),
  ];
  return `{${terms.sort().join(',')}}`;
}

/**
 * The connections of the workloads named `name`, `namespace/name` or `namespace/name[Kind]` (a bare
 * name matches that workload in every namespace); a clear error when none has that name.
 */
export function focusOn(connections: readonly Connection[], workloads: readonly TrafficWorkload[], focus: string): Connection[] {
  const matches = workloads.filter((w) => [w.name, `${w.namespace}/${w.name}`, workloadId(w)].includes(focus));
  if (matches.length === 0) throw new Error(`no workload named "${focus}" in the inputs`);
  const ids = new Set(matches.map(workloadId));
  return connections.filter((c) => ids.has(c.src.name) || ids.has(c.dst.name));
}
