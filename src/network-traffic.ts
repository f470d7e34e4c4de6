import { isIPv4 } from 'net';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { MANAGED_BY, MANAGED_BY_LABEL } from './manifest/labels';
import { CLUSTER_DNS_PODS } from './manifest/needs';

/** A set of pods traffic is allowed from or to. */
export interface PodGroup {
  /** A short name for the group: the name of its NetworkPolicy. */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels that select the pods. */
  readonly selector: Record<string, string>;
  /**
   * Set-based requirements the pods must also meet (e.g. a label `NotIn` some values).
   * @default none
   */
  readonly matchExpressions?: k8s.LabelSelectorRequirement[];
}

/** A port (of the pod, not of a Service: policies apply after Service translation). An empty list of them means every port. */
export interface TrafficPort {
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** The cluster DNS's pods as a policy peer. */
const CLUSTER_DNS: k8s.NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS_PODS.namespace } },
  podSelector: { matchLabels: { ...CLUSTER_DNS_PODS.labels } },
};
const DNS_PORTS: TrafficPort[] = [
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
];

/**
 * Ports the API server's endpoints listen on, where egress to it is allowed by default: 443 (managed
 * clusters), 6443 (kubeadm), 8443 (minikube). Policies see endpoint ports, not the `kubernetes` Service's.
 */
export const DEFAULT_API_SERVER_PORTS: readonly number[] = [443, 6443, 8443];

/** Construct context under which "anywhere" excludes the pod network: the pod network's CIDRs. */
const POD_NETWORK_CONTEXT = 'workshop-stacks/network:podNetworkCidrs';
/** Namespaces that have a default deny, per App: stacks that share a namespace share one. */
const DENIED_NAMESPACES = new WeakMap<IConstruct, Set<string>>();

/** Options of {@link NetworkTraffic.allow}, for connections whose other end belongs to another owner. */
export interface AllowOptions {
  /**
   * Where the rule that admits `from` into `to` goes:
   * - `'own'`: `to`'s policy in this NetworkTraffic, which then isolates `to` both ways;
   * - `'separate'`: a policy of its own, `<from>-to-<to>`, for Ingress only: for pods whose policy another
   *   construct owns. Policies add up, so it admits `from` without touching `to`'s other rules or egress;
   * - `'none'`: nowhere, when `to`'s owner admits `from` itself, or `to` is known only by its namespace.
   * @default 'own'
   */
  readonly ingress?: 'own' | 'separate' | 'none';
  /**
   * Whether `from`'s egress rule (and DNS) goes into `from`'s policy here. Off when another party owns
   * `from`'s pods (a Gateway controller's data plane), so that this NetworkTraffic does not isolate them.
   * @default true
   */
  readonly egress?: boolean;
}

interface PolicyRules {
  readonly ingress: k8s.NetworkPolicyIngressRule[];
  readonly egress: k8s.NetworkPolicyEgressRule[];
}

/**
 * Declares the traffic a stack needs, connection by connection, and renders one NetworkPolicy per
 * pod group that isolates those pods for both ingress and egress. Anything not declared is denied.
 * A group that dials anything also gets DNS, since the apps reach each other by Service name.
 */
export class NetworkTraffic extends Construct {
  private readonly rules = new Map<string, PolicyRules>();
  private readonly policies = new Map<string, k8s.KubeNetworkPolicy>();
  private readonly labels: Record<string, string>;

  /**
   * Below `scope`, "anywhere" ({@link allowFromAnywhere}, {@link allowToAnywhere}) means the policy's own
   * namespace and every address outside the pod network, instead of every address: other namespaces'
   * pods are not part of it. This is how copies of stacks that share a cluster (a classroom) stay apart
   * although each has a front door open to "anywhere". Nodes, load balancers and NodePort clients
   * (which kube-proxy masquerades as a node address) are outside the pod network, so they still reach
   * the front doors. An address family without a CIDR here is left out of "anywhere" altogether.
   * Call it before adding children to `scope`.
   */
  static confineAnywhere(scope: Construct, podNetworkCidrs: readonly string[]): void {
    if (podNetworkCidrs.length === 0)
      throw new Error('NetworkTraffic.confineAnywhere needs at least one pod network CIDR');
    scope.node.setContext(POD_NETWORK_CONTEXT, [...podNetworkCidrs]);
  }

  constructor(scope: Construct, id: string, props: { readonly labels?: Record<string, string> } = {}) {
    super(scope, id);
    this.labels = { [MANAGED_BY_LABEL]: MANAGED_BY, ...props.labels };
  }

  /**
   * A namespace-wide default deny of ingress and egress, so that pods no policy names are isolated too.
   * Only for namespaces the stack owns. Once per namespace and App: stacks that share a namespace share it.
   */
  denyAllIn(namespace: string): void {
    let denied = DENIED_NAMESPACES.get(this.node.root);
    if (!denied) DENIED_NAMESPACES.set(this.node.root, (denied = new Set()));
    if (denied.has(namespace)) return;
    denied.add(namespace);
    new k8s.KubeNetworkPolicy(this, `default-deny-${namespace}`, {
      metadata: { name: 'default-deny', namespace, labels: this.labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }

  /** Allows `from` to open connections to `to` on the given pod ports (ingress on one, egress on the other). */
  allow(from: PodGroup, to: PodGroup, ports: TrafficPort[], options: AllowOptions = {}): void {
    if (options.egress ?? true) {
      this.group(from).egress.push({ to: [peer(to, from.namespace)], ports: policyPorts(ports) });
      this.addDns(from);
    }
    const admit: k8s.NetworkPolicyIngressRule = { from: [peer(from, to.namespace)], ports: policyPorts(ports) };
    switch (options.ingress ?? 'own') {
      case 'own':
        this.group(to).ingress.push(admit);
        break;
      case 'separate':
        this.admission(from, to).push(admit);
        break;
      case 'none':
        break;
    }
  }

  /** Allows connections to `to` from anywhere (other pods, nodes, load balancers; see {@link confineAnywhere}). */
  allowFromAnywhere(to: PodGroup, ports: TrafficPort[]): void {
    this.group(to).ingress.push({ from: this.anywhere(), ports: policyPorts(ports) });
  }

  /** Allows `from` to reach any address on the given ports (the API server, the internet; see {@link confineAnywhere}). */
  allowToAnywhere(from: PodGroup, ports: TrafficPort[]): void {
    this.group(from).egress.push({ to: this.anywhere(), ports: policyPorts(ports) });
    this.addDns(from);
  }

  /**
   * Allows `from` to reach the given address ranges on the given ports: for destinations no pod selector
   * can name, such as the API server. Policies see traffic after Service translation, so the ranges are
   * those of the endpoints (`kubectl get endpoints kubernetes`), not of a Service's cluster IP.
   */
  allowToCidrs(from: PodGroup, cidrs: readonly string[], ports: TrafficPort[]): void {
    // An empty `to` list would mean every destination: the opposite of what a caller with no ranges meant.
    if (cidrs.length === 0) throw new Error(`NetworkTraffic: allowToCidrs for ${from.name} needs at least one CIDR`);
    this.group(from).egress.push({ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: policyPorts(ports) });
    this.addDns(from);
  }

  /** The NetworkPolicy of a group, once a rule names it: an escape hatch, e.g. to declare a check exception on it. */
  policyOf(group: PodGroup): k8s.KubeNetworkPolicy | undefined {
    return this.policies.get(policyKey(group));
  }

  /** Isolates a group with no allowed traffic beyond what is declared for it (possibly nothing). */
  isolate(group: PodGroup): void {
    this.group(group);
  }

  /** The peers "anywhere" stands for: unset (every address), or the confinement of {@link confineAnywhere}. */
  private anywhere(): k8s.NetworkPolicyPeer[] | undefined {
    const cidrs = this.node.tryGetContext(POD_NETWORK_CONTEXT) as string[] | undefined;
    if (!cidrs) return undefined;
    const outside = (any: string, family: string[]) =>
      family.length > 0 ? [{ ipBlock: { cidr: any, except: family } }] : [];
    return [
      ...outside(
        '0.0.0.0/0',
        cidrs.filter((c) => isIPv4(c.split('/')[0])),
      ),
      ...outside(
        '::/0',
        cidrs.filter((c) => !isIPv4(c.split('/')[0])),
      ),
      // Without a namespaceSelector: the pods of the policy's own namespace.
      { podSelector: {} },
    ];
  }

  private addDns(group: PodGroup): void {
    const egress = this.group(group).egress;
    if (!egress.some((rule) => rule.to?.[0] === CLUSTER_DNS))
      egress.unshift({ to: [CLUSTER_DNS], ports: policyPorts(DNS_PORTS) });
  }

  // The policy is created on first use; its rule arrays are filled in by later calls and read at synth.
  private group(group: PodGroup): PolicyRules {
    return this.policy(group, group.name, ['Ingress', 'Egress']);
  }

  private admission(from: PodGroup, to: PodGroup): k8s.NetworkPolicyIngressRule[] {
    return this.policy(to, `${from.name}-to-${to.name}`, ['Ingress']).ingress;
  }

  private policy(group: PodGroup, name: string, policyTypes: Array<'Ingress' | 'Egress'>): PolicyRules {
    const key = policyKey({ ...group, name });
    let rules = this.rules.get(key);
    if (!rules) {
      rules = { ingress: [], egress: [] };
      this.rules.set(key, rules);
      this.policies.set(
        key,
        new k8s.KubeNetworkPolicy(this, key, {
          metadata: { name, namespace: group.namespace, labels: this.labels },
          spec: {
            podSelector: podSelector(group),
            policyTypes,
            ingress: rules.ingress,
            egress: policyTypes.includes('Egress') ? rules.egress : undefined,
          },
        }),
      );
    }
    return rules;
  }
}

function policyKey(group: PodGroup): string {
  return `${group.namespace}-${group.name}`;
}

function podSelector(group: PodGroup): k8s.LabelSelector {
  const onlyExpressions = group.matchExpressions && Object.keys(group.selector).length === 0;
  return { matchLabels: onlyExpressions ? undefined : group.selector, matchExpressions: group.matchExpressions };
}

function peer(group: PodGroup, fromNamespace: string): k8s.NetworkPolicyPeer {
  return group.namespace === fromNamespace
    ? { podSelector: podSelector(group) }
    : {
        podSelector: podSelector(group),
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': group.namespace } },
      };
}

/** The rule's ports; none (every port) for an empty list. */
function policyPorts(ports: readonly TrafficPort[]): k8s.NetworkPolicyPort[] | undefined {
  if (ports.length === 0) return undefined;
  return ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}
