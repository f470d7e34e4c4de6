import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MANAGED_BY } from './stack-chart';

/** A set of pods traffic is allowed from or to. */
export interface PodGroup {
  /** A short name for the group: the name of its NetworkPolicy. */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels that select the pods. */
  readonly selector: Record<string, string>;
}

/** A port (of the pod, not of a Service: policies apply after Service translation). */
export interface TrafficPort {
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** Where the cluster DNS runs; `k8s-app: kube-dns` is the label kubeadm, minikube, GKE and EKS all use. */
const CLUSTER_DNS: k8s.NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PORTS: TrafficPort[] = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];

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

  constructor(scope: Construct, id: string, props: { readonly labels?: Record<string, string> } = {}) {
    super(scope, id);
    this.labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, ...props.labels };
  }

  /**
   * A namespace-wide default deny of ingress and egress, so that pods no policy names are isolated too.
   * Only for namespaces the stack owns.
   */
  denyAllIn(namespace: string): void {
    new k8s.KubeNetworkPolicy(this, `default-deny-${namespace}`, {
      metadata: { name: 'default-deny', namespace, labels: this.labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }

  /** Allows `from` to open connections to `to` on the given pod ports (ingress on one, egress on the other). */
  allow(from: PodGroup, to: PodGroup, ports: TrafficPort[], options: AllowOptions = {}): void {
    if (options.egress ?? true) {
      this.group(from).egress.push({ to: [peer(to, from.namespace)], ports: ports.map(policyPort) });
      this.addDns(from);
    }
    const admit: k8s.NetworkPolicyIngressRule = { from: [peer(from, to.namespace)], ports: ports.map(policyPort) };
    switch (options.ingress ?? 'own') {
      case 'own': this.group(to).ingress.push(admit); break;
      case 'separate': this.admission(from, to).push(admit); break;
      case 'none': break;
    }
  }

  /** Allows connections to `to` from anywhere (other pods, nodes, load balancers). */
  allowFromAnywhere(to: PodGroup, ports: TrafficPort[]): void {
    this.group(to).ingress.push({ ports: ports.map(policyPort) });
  }

  /** Allows `from` to reach any address on the given ports (for example, the API server or the internet). */
  allowToAnywhere(from: PodGroup, ports: TrafficPort[]): void {
    this.group(from).egress.push({ ports: ports.map(policyPort) });
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
    this.group(from).egress.push({ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports.map(policyPort) });
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

  private addDns(group: PodGroup): void {
    const egress = this.group(group).egress;
    if (!egress.some((rule) => rule.to?.[0] === CLUSTER_DNS)) egress.unshift({ to: [CLUSTER_DNS], ports: DNS_PORTS.map(policyPort) });
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
      this.policies.set(key, new k8s.KubeNetworkPolicy(this, key, {
        metadata: { name, namespace: group.namespace, labels: this.labels },
        spec: {
          podSelector: { matchLabels: group.selector },
          policyTypes,
          ingress: rules.ingress,
          egress: policyTypes.includes('Egress') ? rules.egress : undefined,
        },
      }));
    }
    return rules;
  }
}

function policyKey(group: PodGroup): string {
  return `${group.namespace}-${group.name}`;
}

function peer(group: PodGroup, fromNamespace: string): k8s.NetworkPolicyPeer {
  const podSelector = { matchLabels: group.selector };
  return group.namespace === fromNamespace
    ? { podSelector }
    : { podSelector, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': group.namespace } } };
}

function policyPort(p: TrafficPort): k8s.NetworkPolicyPort {
  return { port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' };
}
