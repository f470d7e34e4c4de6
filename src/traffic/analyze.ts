import { LabelSelectorSpec, matchesSelector } from '../manifest/selector';
import { KubeObject } from '../manifest';
import { IpRange, atomicRanges, formatRange, mergeRanges, parseCidr, within } from './ip';
import {
  AdminPeer,
  AdminPolicy,
  AdminPort,
  Direction,
  NAMESPACE_NAME_LABEL,
  Policy,
  PolicyPeer,
  PolicyPort,
  TrafficWorkload,
  adminPoliciesOf,
  namespaceSelectorOf,
  namespacesOf,
  policiesOf,
  workloadId,
  workloadsOf,
} from './model';
import { Exposure, INGRESS_CONTROLLER, exposuresOf, ingressControllerPod } from './ingress';
import { ConnectionSet } from './ports';

/**
 * One end of a connection: a workload of the inputs, a range of addresses outside them, or the ingress
 * controller. Pods outside the inputs that selectors allow are no end of the list: as in
 * netpol-analyzer, they appear only in the exposure analysis (see exposure.ts).
 */
export type Endpoint =
  | { readonly type: 'workload'; readonly name: string; readonly namespace: string; readonly workload: TrafficWorkload }
  | { readonly type: 'ip'; readonly name: string; readonly ranges: readonly IpRange[] }
  | { readonly type: 'ingress-controller'; readonly name: string }
  /** A peer of the exposure analysis only (`entire-cluster`, pods by selector), in its graphs. */
  | { readonly type: 'exposure'; readonly name: string };

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

/**
 * A peer of a policy rule: pods, one piece of the address space outside the inputs, or pods outside the
 * inputs known only by which pairs of selectors (namespaces, pods) of rule peers take them in (the
 * exposure analysis's entire cluster and representative peers).
 */
export type PeerRef =
  | { readonly pod: PodLike }
  | { readonly ip: IpRange }
  | { readonly outside: (namespaces: LabelSelectorSpec, pods: LabelSelectorSpec) => boolean };

/** The inputs, digested for NetworkPolicy evaluation. */
export class TrafficModel {
  readonly workloads: TrafficWorkload[];
  readonly policies: Policy[];
  /** AdminNetworkPolicies by precedence, then the BaselineAdminNetworkPolicy. */
  readonly adminPolicies: AdminPolicy[];
  readonly namespaces: Map<string, Record<string, string>>;
  /** The pieces of the address space that every ipBlock either wholly contains or wholly excludes. */
  readonly ipPieces: IpRange[];
  private readonly cidrs = new Map<string, IpRange | undefined>();
  /** The Services of the inputs, by `namespace/name`: needs name them. */
  readonly services = new Map<string, KubeObject>();
  /** Policies by namespace: a pod is selected only by those of its own. */
  private readonly policiesIn = new Map<string, Policy[]>();
  private readonly objects: readonly KubeObject[];
  private exposed?: Exposure[];
  private readonly workloadsByNamespace = new Map<string, TrafficWorkload[]>();

  constructor(objects: readonly KubeObject[]) {
    this.objects = objects;
    this.workloads = workloadsOf(objects);
    this.policies = policiesOf(objects);
    this.adminPolicies = adminPoliciesOf(objects);
    this.namespaces = namespacesOf(objects, this.workloads);
    for (const p of this.policies) push(this.policiesIn, p.namespace, p);
    for (const w of this.workloads) push(this.workloadsByNamespace, w.namespace, w);
    for (const o of objects)
      if (o?.kind === 'Service' && o.apiVersion === 'v1' && o.metadata?.name)
        this.services.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o);
    const peers = this.policies.flatMap((p) => [...p.rules.Ingress, ...p.rules.Egress].flatMap((r) => r.peers ?? []));
    const networks = this.adminPolicies.flatMap((p) =>
      p.rules.Egress.flatMap((r) => r.peers.flatMap((peer) => peer.networks ?? [])),
    );
    const blocks = [
      ...peers.flatMap((p) => (p.ipBlock ? [p.ipBlock.cidr, ...(p.ipBlock.except ?? [])] : [])),
      ...networks,
    ].flatMap((text) => this.cidr(text) ?? []);
    this.ipPieces = atomicRanges(blocks, new Set([4, ...blocks.map((b) => b.family)]));
  }

  /** What Ingresses, Routes and HTTPRoutes expose (computed when first asked). */
  get exposures(): readonly Exposure[] {
    this.exposed ??= exposuresOf(this.objects, this.workloads, this.services);
    return this.exposed;
  }

  /** The workloads of a namespace. */
  workloadsIn(namespace: string): readonly TrafficWorkload[] {
    return this.workloadsByNamespace.get(namespace) ?? [];
  }

  /** The label keys some pod selector of a policy looks at: other labels cannot change what is allowed. */
  selectedLabelKeys(): Set<string> {
    const keys = new Set<string>();
    const add = (selector: LabelSelectorSpec | undefined) => {
      for (const k of Object.keys(selector?.matchLabels ?? {})) keys.add(k);
      for (const e of selector?.matchExpressions ?? []) keys.add(e.key);
    };
    for (const p of this.policies) {
      add(p.podSelector);
      for (const r of [...p.rules.Ingress, ...p.rules.Egress]) for (const peer of r.peers ?? []) add(peer.podSelector);
    }
    for (const p of this.adminPolicies) {
      for (const peer of [p.subject, ...[...p.rules.Ingress, ...p.rules.Egress].flatMap((r) => r.peers)])
        add(peer.pods?.podSelector);
    }
    return keys;
  }

  /** The port names rules name: other container ports cannot change what is allowed. */
  namedPorts(): Set<string> {
    return new Set([
      ...this.policies.flatMap((p) =>
        [...p.rules.Ingress, ...p.rules.Egress].flatMap((r) =>
          (r.ports ?? []).flatMap((port) => (typeof port.port === 'string' ? [port.port] : [])),
        ),
      ),
      ...this.adminPolicies.flatMap((p) =>
        [...p.rules.Ingress, ...p.rules.Egress].flatMap((r) => (r.ports ?? []).flatMap((port) => port.namedPort ?? [])),
      ),
    ]);
  }

  /** A workload as a pod. */
  pod(w: TrafficWorkload): PodLike {
    return {
      namespace: w.namespace,
      namespaceLabels: this.namespaces.get(w.namespace) ?? { [NAMESPACE_NAME_LABEL]: w.namespace },
      labels: w.labels,
      ports: w.ports,
    };
  }

  /**
   * Whether some policy decides `pod`'s traffic in `direction`: a NetworkPolicy selects it for that
   * direction, or it is the subject of an admin policy with rules that way (as netpol-analyzer counts it).
   */
  isProtected(pod: PodLike, direction: Direction): boolean {
    return (
      this.selecting(pod, direction).length > 0 ||
      this.adminPolicies.some((p) => p.rules[direction].length > 0 && this.adminPeerMatches(p.subject, { pod }))
    );
  }

  /** The policies of `pod`'s namespace that select it for `direction`. */
  selecting(pod: PodLike, direction: Direction): Policy[] {
    return (this.policiesIn.get(pod.namespace ?? '') ?? []).filter(
      (p) => p.types.has(direction) && (pod.anyLabels || matchesSelector(p.podSelector, pod.labels)),
    );
  }

  /**
   * Whether `pod` may have any connection in `direction` with pods of other namespaces: it is open that
   * way, or a rule has no peers or a peer with a namespaceSelector. When either end of a pair in two
   * namespaces may not, nothing flows between them: this spares the pairwise work in large inputs.
   */
  crossesNamespaces(pod: PodLike, direction: Direction): boolean {
    // Only an admin policy's Allow rule can let through what the NetworkPolicies keep in (its Deny and
    // Pass rules, and the baseline, only take away).
    if (
      this.adminPolicies.some(
        (p) =>
          !p.baseline &&
          p.rules[direction].some((r) => r.action === 'Allow') &&
          this.adminPeerMatches(p.subject, { pod }),
      )
    )
      return true;
    const policies = this.selecting(pod, direction);
    return (
      policies.length === 0 ||
      policies.some((p) =>
        p.rules[direction].some(
          (r) =>
            !r.peers ||
            r.peers.length === 0 ||
            r.peers.some((peer) => !peer.ipBlock && peer.namespaceSelector !== undefined),
        ),
      )
    );
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
   * In the policy API's precedence: the AdminNetworkPolicies' Allow and Deny rules decide first; what
   * they pass or leave is up to the NetworkPolicies (open when none selects it for that direction, else
   * the union of their rules that match `other`), and when none selects it, to the
   * BaselineAdminNetworkPolicy (open unless denied). Named ports resolve against the destination's
   * container ports.
   */
  allowed(subject: PodLike, direction: Direction, other: PeerRef): ConnectionSet {
    if (this.adminPolicies.length === 0) return this.allowedByNetworkPolicies(subject, direction, other);
    const destination = direction === 'Ingress' ? subject : 'pod' in other ? other.pod : undefined;
    // The AdminNetworkPolicies first: the first rule to match a connection decides it.
    const anp = this.adminVerdict(
      this.adminPolicies.filter((p) => !p.baseline),
      subject,
      direction,
      other,
      destination,
    );
    const rest = ConnectionSet.ALL.minus(anp.Allow).minus(anp.Deny);
    // What they pass or leave: the NetworkPolicies if any selects the pod, else the baseline, else open.
    const below =
      this.selecting(subject, direction).length > 0
        ? this.allowedByNetworkPolicies(subject, direction, other)
        : ConnectionSet.ALL.minus(
            this.adminVerdict(
              this.adminPolicies.filter((p) => p.baseline),
              subject,
              direction,
              other,
              destination,
            ).Deny,
          );
    return anp.Allow.union(below.intersect(rest));
  }

  /**
   * What the rules of admin policies (in precedence order) that apply to `subject` do with the traffic
   * with `other`: each rule decides the connections it matches that no rule before it decided.
   */
  private adminVerdict(
    policies: readonly AdminPolicy[],
    subject: PodLike,
    direction: Direction,
    other: PeerRef,
    destination: PodLike | undefined,
  ): Record<'Allow' | 'Deny' | 'Pass', ConnectionSet> {
    const out = { Allow: ConnectionSet.NONE, Deny: ConnectionSet.NONE, Pass: ConnectionSet.NONE };
    let decided = ConnectionSet.NONE;
    for (const policy of policies) {
      if (!this.adminPeerMatches(policy.subject, { pod: subject })) continue;
      for (const rule of policy.rules[direction]) {
        if (!rule.peers.some((peer) => this.adminPeerMatches(peer, other))) continue;
        const conns = adminPorts(rule.ports, destination).minus(decided);
        out[rule.action] = out[rule.action].union(conns);
        decided = decided.union(conns);
      }
    }
    return out;
  }

  /** Whether an admin policy's subject or rule peer (exactly one of namespaces, pods, networks) matches `other`. */
  private adminPeerMatches(peer: AdminPeer, other: PeerRef): boolean {
    if ('ip' in other) {
      return (peer.networks ?? []).some((text) => {
        const block = this.cidr(text);
        return block !== undefined && within(other.ip, block);
      });
    }
    if ('outside' in other) {
      if (peer.namespaces) return other.outside(peer.namespaces, {});
      return peer.pods !== undefined && other.outside(peer.pods.namespaceSelector ?? {}, peer.pods.podSelector ?? {});
    }
    const pod = other.pod;
    if (peer.namespaces) return matchesSelector(peer.namespaces, pod.namespaceLabels);
    if (peer.pods) {
      return (
        matchesSelector(peer.pods.namespaceSelector ?? {}, pod.namespaceLabels) &&
        (pod.anyLabels === true || matchesSelector(peer.pods.podSelector ?? {}, pod.labels))
      );
    }
    return false;
  }

  /** What the NetworkPolicies alone allow: open when none selects `subject` that way, else what their rules allow. */
  private allowedByNetworkPolicies(subject: PodLike, direction: Direction, other: PeerRef): ConnectionSet {
    const policies = this.selecting(subject, direction);
    if (policies.length === 0) return ConnectionSet.ALL;
    const destination = direction === 'Ingress' ? subject : 'pod' in other ? other.pod : undefined;
    let out = ConnectionSet.NONE;
    for (const policy of policies) {
      for (const rule of policy.rules[direction]) {
        if (
          !rule.peers ||
          rule.peers.length === 0 ||
          rule.peers.some((peer) => this.peerMatches(peer, policy.namespace, other))
        ) {
          out = out.union(rulePorts(rule.ports, destination));
          // Pods outside the inputs have unknown ports: egress to them keeps the names (`TCP http`).
          if ('outside' in other && direction === 'Egress') out = out.union(namedPorts(rule.ports));
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
      return (
        within(other.ip, block) &&
        !(peer.ipBlock.except ?? []).some((e) => {
          const x = this.cidr(e);
          return x !== undefined && within(other.ip, x);
        })
      );
    }
    if (peer.ipBlock) return false;
    if ('outside' in other) return other.outside(namespaceSelectorOf(peer, policyNamespace), peer.podSelector ?? {});
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
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Every connection the policies of `objects` allow, sorted as netpol-analyzer lists them. */
export function analyzeTraffic(objects: readonly KubeObject[]): Connection[] {
  return [...trafficConnections(objects)];
}

/**
 * The connections of {@link analyzeTraffic} one at a time, in the same order, without holding them all:
 * an input whose policies allow most pairs has a list quadratic in its workloads.
 */
export function* trafficConnections(objects: readonly KubeObject[] | TrafficModel): Generator<Connection> {
  yield* new ConnectionLister(objects instanceof TrafficModel ? objects : new TrafficModel(objects)).connections();
}

/**
 * How netpol-analyzer's list is sorted (by source, then destination): `localeCompare`, with one collator,
 * made on first use since making one costs milliseconds that commands without traffic analysis need not pay.
 */
let collator: Intl.Collator | undefined;
const byName = (a: string, b: string): number => (collator ??= new Intl.Collator()).compare(a, b);

/**
 * Workloads that every policy treats alike: same namespace, same values of the labels some pod selector
 * looks at, same container ports of the names some rule names. What is allowed is computed once per
 * group (and pair of groups), so the cost follows the distinct groups, not the workloads.
 */
interface WorkloadGroup extends Reach {
  readonly index: number;
  /** Indexes into the sorted ends, ascending. */
  readonly members: number[];
  /** Connections with addresses outside the inputs: to them (egress) and from them (ingress). */
  readonly outgoing: Array<[Endpoint, ConnectionSet]>;
  readonly incoming: Array<[Endpoint, ConnectionSet]>;
  /** What may flow to each group it may reach (by index into the groups), itself included. */
  readonly reaches: Array<[number, ConnectionSet]>;
}

/** The workloads of a model, one end per name, sorted, and their groups of workloads that every policy treats alike. */
export interface WorkloadGrouping {
  /** One end per workload name (netpol-analyzer counts all pods of one owner as one workload), sorted. */
  readonly ends: Array<Extract<Endpoint, { type: 'workload' }>>;
  /** The group of each end, by index. */
  readonly groupOf: number[];
  /** One pod per group, and the ends (by index, ascending) it stands for. */
  readonly groups: Array<{ readonly pod: PodLike; readonly members: number[] }>;
}

/** Groups a model's workloads as {@link WorkloadGroup} describes: by namespace, selected labels and named ports. */
export function groupWorkloads(model: TrafficModel): WorkloadGrouping {
  const unique = new Map<string, TrafficWorkload>();
  for (const w of model.workloads) if (!unique.has(workloadId(w))) unique.set(workloadId(w), w);
  const ends = [...unique.values()].map(workloadEnd).sort((a, b) => byName(a.name, b.name));
  const keys = model.selectedLabelKeys();
  const portNames = model.namedPorts();
  const bySignature = new Map<string, number>();
  const groups: Array<{ pod: PodLike; members: number[] }> = [];
  const groupOf = ends.map((end, i) => {
    const w = end.workload;
    const labels = Object.keys(w.labels)
      .filter((k) => keys.has(k))
      .sort()
      .map((k) => [k, w.labels[k]]);
    const ports = w.ports
      .filter((p) => p.name !== undefined && portNames.has(p.name))
      .map((p) => `${p.name}/${p.protocol}/${p.port}`)
      .sort();
    const signature = JSON.stringify([w.namespace, labels, ports]);
    let g = bySignature.get(signature);
    if (g === undefined) {
      g = groups.length;
      bySignature.set(signature, g);
      groups.push({ pod: model.pod(w), members: [] });
    }
    groups[g].members.push(i);
    return g;
  });
  return { ends, groupOf, groups };
}

/**
 * What the policies of `pod` allow with addresses outside the inputs in `direction`: to them (egress)
 * or from them (ingress), one end per distinct connection set.
 */
export function ipConnections(
  model: TrafficModel,
  pod: PodLike,
  direction: Direction,
): Array<[Endpoint, ConnectionSet]> {
  return byConnection(model.ipPieces, (ip) => model.allowed(pod, direction, { ip })).map(([conn, ranges]) => [
    ipEnd(ranges),
    conn,
  ]);
}

/** Lists connections from the model's workloads grouped as {@link WorkloadGroup}. */
class ConnectionLister {
  private readonly ends: WorkloadGrouping['ends'];
  private readonly groupOf: number[];
  private readonly groups: WorkloadGroup[];
  /** What the ingress controller may open to each end (by index) it reaches. */
  private readonly fromIngressController = new Map<number, ConnectionSet>();

  constructor(private readonly model: TrafficModel) {
    const grouping = groupWorkloads(model);
    this.ends = grouping.ends;
    this.groupOf = grouping.groupOf;
    this.groups = grouping.groups.map((g, index) => ({
      index,
      ...model.withReach(g.pod),
      members: g.members,
      outgoing: ipConnections(model, g.pod, 'Egress'),
      incoming: ipConnections(model, g.pod, 'Ingress'),
      reaches: [],
    }));
    for (const [src, dst] of model.candidatePairs(this.groups)) this.reach(src, dst);
    for (const g of this.groups) if (g.members.length > 1) this.reach(g, g);
    this.ingress();
  }

  /**
   * What Ingresses, Routes and HTTPRoutes without a Gateway workload in the inputs expose, as far as the
   * policies let the ingress controller in. Traffic from a Gateway's own workload is already listed.
   */
  private ingress(): void {
    const index = new Map(this.ends.map((e, i) => [e.name, i]));
    const controller = ingressControllerPod();
    const allowed = new Map<number, ConnectionSet>();
    for (const x of this.model.exposures) {
      if (x.gateways.length > 0) continue;
      const i = index.get(workloadId(x.workload))!;
      const g = this.groupOf[i];
      if (!allowed.has(g)) allowed.set(g, this.model.between(controller, this.groups[g].pod));
      const conn = x.ports.intersect(allowed.get(g)!).union(this.fromIngressController.get(i) ?? ConnectionSet.NONE);
      if (!conn.isEmpty) this.fromIngressController.set(i, conn);
    }
  }

  private reach(src: WorkloadGroup, dst: WorkloadGroup): void {
    const conn = this.model.between(src.pod, dst.pod);
    if (!conn.isEmpty) src.reaches.push([dst.index, conn]);
  }

  /**
   * The workloads end `i` (of group `g`) reaches, ascending: a merge of its groups' members when they
   * are few, else one pass over all ends, which needs no sort when the list is most of them.
   */
  private reachedFrom(i: number, g: WorkloadGroup): Array<[number, ConnectionSet]> {
    const out: Array<[number, ConnectionSet]> = [];
    const total = g.reaches.reduce((n, [d]) => n + this.groups[d].members.length, 0);
    if (total * 8 < this.ends.length) {
      for (const [d, conn] of g.reaches) for (const j of this.groups[d].members) if (j !== i) out.push([j, conn]);
      return out.sort(([a], [b]) => a - b);
    }
    const conns: Array<ConnectionSet | undefined> = new Array(this.groups.length);
    for (const [d, conn] of g.reaches) conns[d] = conn;
    for (let j = 0; j < this.ends.length; j++) {
      const conn = conns[this.groupOf[j]];
      if (conn && j !== i) out.push([j, conn]);
    }
    return out;
  }

  /** Every connection, sorted by source then destination name, the ingress controller's last. */
  *connections(): Generator<Connection> {
    const { ends, groups, groupOf } = this;
    // Sources outside the workloads (addresses) with the workloads they reach.
    const external = new Map<string, { end: Endpoint; to: Array<[number, ConnectionSet]> }>();
    groups.forEach((g) => {
      for (const [end, conn] of g.incoming) {
        const entry = external.get(end.name) ?? { end, to: [] };
        external.set(end.name, entry);
        for (const i of g.members) entry.to.push([i, conn]);
      }
    });
    const externalSources = [...external.values()].sort((a, b) => byName(a.end.name, b.end.name));
    let next = 0;
    const flushExternalBefore = function* (name: string | undefined): Generator<Connection> {
      for (
        ;
        next < externalSources.length && (name === undefined || byName(externalSources[next].end.name, name) < 0);
        next++
      ) {
        const { end, to } = externalSources[next];
        for (const [i, conn] of to.sort(([a], [b]) => a - b)) yield { src: end, dst: ends[i], conn };
      }
    };
    for (let i = 0; i < ends.length; i++) {
      const src = ends[i];
      yield* flushExternalBefore(src.name);
      const g = groups[groupOf[i]];
      const toWorkloads = this.reachedFrom(i, g);
      const toOutside = [...g.outgoing].sort(([a], [b]) => byName(a.name, b.name));
      // Merge the two sorted lists by destination name.
      let k = 0;
      for (const [j, conn] of toWorkloads) {
        for (; k < toOutside.length && byName(toOutside[k][0].name, ends[j].name) < 0; k++)
          yield { src, dst: toOutside[k][0], conn: toOutside[k][1] };
        yield { src, dst: ends[j], conn };
      }
      for (; k < toOutside.length; k++) yield { src, dst: toOutside[k][0], conn: toOutside[k][1] };
    }
    yield* flushExternalBefore(undefined);
    // Last, where netpol-analyzer's byte order puts `{`.
    const controller: Endpoint = { type: 'ingress-controller', name: INGRESS_CONTROLLER.name };
    for (const [i, conn] of [...this.fromIngressController].sort(([a], [b]) => a - b))
      yield { src: controller, dst: ends[i], conn };
  }
}

/** netpol-analyzer's line: `src => dst : conn`. */
export function formatConnection(c: Connection): string {
  return `${c.src.name} => ${c.dst.name} : ${c.conn}`;
}

function workloadEnd(w: TrafficWorkload): Extract<Endpoint, { type: 'workload' }> {
  return { type: 'workload', name: workloadId(w), namespace: w.namespace, workload: w };
}

function ipEnd(ranges: readonly IpRange[]): Endpoint {
  return { type: 'ip', name: mergeRanges(ranges).map(formatRange).join(','), ranges };
}

/** Groups address pieces by what is allowed with them, leaving out those with nothing allowed. */
function byConnection(
  pieces: readonly IpRange[],
  allowed: (ip: IpRange) => ConnectionSet,
): Array<[ConnectionSet, IpRange[]]> {
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
export function rulePorts(ports: readonly PolicyPort[] | undefined, destination: PodLike | undefined): ConnectionSet {
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

/** A rule's named ports, unresolved, for destinations whose container ports are unknown. */
function namedPorts(ports: readonly PolicyPort[] | undefined): ConnectionSet {
  let out = ConnectionSet.NONE;
  for (const p of ports ?? [])
    if (typeof p.port === 'string') out = out.union(ConnectionSet.named(p.protocol ?? 'TCP', p.port));
  return out;
}

/** The ports of an admin policy rule towards `destination`: a named port is its container port of that name. */
function adminPorts(ports: readonly AdminPort[] | undefined, destination: PodLike | undefined): ConnectionSet {
  if (!ports) return ConnectionSet.ALL;
  let out = ConnectionSet.NONE;
  for (const p of ports) {
    if (p.portNumber) out = out.union(ConnectionSet.ports(p.portNumber.protocol ?? 'TCP', p.portNumber.port));
    else if (p.portRange)
      out = out.union(ConnectionSet.ports(p.portRange.protocol ?? 'TCP', p.portRange.start, p.portRange.end));
    else if (p.namedPort !== undefined) {
      if (destination?.anyLabels) out = ConnectionSet.ALL;
      for (const cp of destination?.ports ?? [])
        if (cp.name === p.namedPort) out = out.union(ConnectionSet.ports(cp.protocol, cp.port));
    }
  }
  return out;
}

/** `{app=x,env Exists,role NotIn (a,b)}`, as netpol-analyzer writes selectors. */
export function formatSelector(selector: LabelSelectorSpec): string {
  const terms = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((e) =>
      e.values?.length ? `${e.key} ${e.operator} (${[...e.values].sort().join(',')})` : `${e.key} ${e.operator}`,
    ),
  ];
  return `{${terms.sort().join(',')}}`;
}

/**
 * The connections of the workloads named `name`, `namespace/name` or `namespace/name[Kind]` (a bare
 * name matches that workload in every namespace), or of `ingress-controller`; a clear error when none
 * has that name.
 */
export function focusOn(
  connections: readonly Connection[],
  workloads: readonly TrafficWorkload[],
  focus: string,
): Connection[] {
  return connections.filter(focusFilter(workloads, focus));
}

/** Whether a connection is one of the focused workload's (see {@link focusOn}); throws when none has that name. */
export function focusFilter(workloads: readonly TrafficWorkload[], focus: string): (c: Connection) => boolean {
  const ids = focusedWorkloads(workloads, focus);
  if (ids === undefined) return (c) => c.src.name === INGRESS_CONTROLLER.name;
  return (c) => ids.has(c.src.name) || ids.has(c.dst.name);
}

/**
 * The names (`ns/name[Kind]`) of the workloads a focus name means (see {@link focusOn}), none for the
 * ingress controller; throws when no workload has that name.
 */
export function focusedWorkloads(
  workloads: readonly TrafficWorkload[],
  focus: string,
): ReadonlySet<string> | undefined {
  // netpol-analyzer's focus name for the ingress controller, with or without its braces.
  if (focus === INGRESS_CONTROLLER.name || `{${focus}}` === INGRESS_CONTROLLER.name) return undefined;
  const matches = workloads.filter((w) => [w.name, `${w.namespace}/${w.name}`, workloadId(w)].includes(focus));
  if (matches.length === 0) throw new Error(`no workload named "${focus}" in the inputs`);
  return new Set(matches.map(workloadId));
}
