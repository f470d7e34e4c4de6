import { LabelSelectorSpec } from '../manifest/selector';
import { KubeObject, POLICY_API_VERSION, parseManifests, podTemplateOf } from '../manifest';
import { JOBS_NAMESPACE_ANNOTATION, JOB_TEMPLATE_KEY, TEMPLATE_JOBS_NAME } from '../manifest/labels';
import { TrafficProtocol } from './ports';

/** The label every namespace gets from the API server, which namespace selectors can match. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A container port, to resolve named ports against. */
export interface WorkloadPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: TrafficProtocol;
}

/** Pods of the inputs, as netpol-analyzer names them: one per workload. */
export interface TrafficWorkload {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Labels of its pods. */
  readonly labels: Record<string, string>;
  readonly ports: readonly WorkloadPort[];
  /** Annotations of the workload's own manifest (for a Job template: of the Job in it). */
  readonly annotations: Record<string, string>;
  /** The manifest object it comes from (for a Job template: the ConfigMap). */
  readonly object: KubeObject;
}

/** `ns/name[Kind]`, netpol-analyzer's name of a workload. */
export function workloadId(w: Pick<TrafficWorkload, 'namespace' | 'name' | 'kind'>): string {
  return `${w.namespace}/${w.name}[${w.kind}]`;
}

/** A NetworkPolicy peer (`from` or `to` entry). */
export interface PolicyPeer {
  readonly podSelector?: LabelSelectorSpec;
  readonly namespaceSelector?: LabelSelectorSpec;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

/** A NetworkPolicy port entry. */
export interface PolicyPort {
  readonly protocol?: TrafficProtocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

/** One ingress or egress rule: its peers (`from` or `to`) and ports. */
export interface PolicyRule {
  /** Missing or empty: every peer. */
  readonly peers?: readonly PolicyPeer[];
  /** Missing or empty: every port. */
  readonly ports?: readonly PolicyPort[];
}

export type Direction = 'Ingress' | 'Egress';

/** A NetworkPolicy, with its policy types defaulted as the API server does. */
export interface Policy {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: LabelSelectorSpec;
  readonly types: ReadonlySet<Direction>;
  readonly rules: Readonly<Record<Direction, readonly PolicyRule[]>>;
  readonly object: KubeObject;
}

/** The workloads of the inputs, including the pods consolehub will create from its Job template. */
export function workloadsOf(objects: readonly KubeObject[]): TrafficWorkload[] {
  // Copies of a stack (a classroom's) share one template text: parse it once.
  const templates = new Map<string, KubeObject[]>();
  return objects.flatMap((object): TrafficWorkload[] => {
    if (object?.kind === 'ConfigMap') return jobTemplateWorkloads(object, templates);
    // Objects without metadata (a List not yet expanded) are no workloads.
    const template = object?.metadata ? podTemplateOf(object) : undefined;
    if (!template) return [];
    const owner = object.kind === 'Pod' ? controllerOf(object) : undefined;
    return [
      {
        kind: owner?.kind ?? object.kind,
        namespace: object.metadata?.namespace ?? 'default',
        name: owner?.name ?? object.metadata?.name ?? '<unnamed>',
        labels: template.labels,
        ports: (template.spec.containers ?? []).flatMap((c) =>
          (c.ports ?? []).map((p) => ({
            name: p.name,
            port: p.containerPort,
            protocol: (p.protocol ?? 'TCP') as TrafficProtocol,
          })),
        ),
        annotations: object.metadata?.annotations ?? {},
        object,
      },
    ];
  });
}

/**
 * The controller a Pod belongs to, which netpol-analyzer names it by: its ownerReference with
 * `controller: true` (a ReplicaSet, a Job, ...), as given, even when that owner is not in the inputs or
 * is itself owned (a ReplicaSet of a Deployment stays `ns/rs[ReplicaSet]`). A Node owns static pods,
 * which stay bare Pods, as do pods without a controller.
 */
function controllerOf(pod: KubeObject): { kind: string; name: string } | undefined {
  const refs = pod.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.find((r): r is { kind: string; name: string } => r?.controller === true);
  if (!ref || ref.kind === 'Node' || typeof ref.kind !== 'string' || typeof ref.name !== 'string') return undefined;
  return { kind: ref.kind, name: ref.name };
}

/**
 * A ConfigMap with a `job-template.yaml` stands for the Jobs the hub creates from it, named
 * `webconsole-<uname>` (shown as `webconsole-*`), in the namespace the template or the ConfigMap names.
 */
function jobTemplateWorkloads(configMap: KubeObject, templates: Map<string, KubeObject[]>): TrafficWorkload[] {
  const text = (configMap.data as Record<string, string> | undefined)?.[JOB_TEMPLATE_KEY];
  if (typeof text !== 'string') return [];
  if (!templates.has(text)) {
    try {
      templates.set(text, parseManifests(text));
    } catch {
      // Not YAML: not a template the hub could use either.
      templates.set(text, []);
    }
  }
  const docs = templates.get(text)!;
  return docs
    .filter((job) => job?.kind === 'Job')
    .flatMap((job) =>
      workloadsOf([
        {
          ...job,
          metadata: {
            ...job.metadata,
            name: job.metadata?.name ?? TEMPLATE_JOBS_NAME,
            namespace:
              job.metadata?.namespace ?? configMap.metadata?.annotations?.[JOBS_NAMESPACE_ANNOTATION] ?? 'default',
          },
        },
      ]).map((w) => ({ ...w, object: configMap })),
    );
}

/** The NetworkPolicies of the inputs. */
export function policiesOf(objects: readonly KubeObject[]): Policy[] {
  return objects
    .filter((o) => o?.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1')
    .map((object) => {
      const spec = (object.spec ?? {}) as {
        podSelector?: LabelSelectorSpec;
        policyTypes?: Direction[];
        ingress?: Array<{ from?: PolicyPeer[]; ports?: PolicyPort[] }>;
        egress?: Array<{ to?: PolicyPeer[]; ports?: PolicyPort[] }>;
      };
      // The API server's defaulting: Ingress always, Egress when there are egress rules.
      const types = new Set<Direction>(
        spec.policyTypes ?? ['Ingress', ...((spec.egress ?? []).length > 0 ? ['Egress' as const] : [])],
      );
      return {
        name: object.metadata?.name ?? '<unnamed>',
        namespace: object.metadata?.namespace ?? 'default',
        podSelector: spec.podSelector ?? {},
        types,
        rules: {
          Ingress: (spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })),
          Egress: (spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })),
        },
        object,
      };
    });
}

/** A peer's namespaces as a selector: without a namespaceSelector, the policy's own namespace. */
export function namespaceSelectorOf(peer: PolicyPeer, policyNamespace: string): LabelSelectorSpec {
  return peer.namespaceSelector ?? { matchLabels: { [NAMESPACE_NAME_LABEL]: policyNamespace } };
}

/** Whom an admin policy applies to, or a peer of its rules: pods of selected namespaces, or selected pods of them. */
export interface AdminPeer {
  readonly namespaces?: LabelSelectorSpec;
  readonly pods?: { readonly namespaceSelector?: LabelSelectorSpec; readonly podSelector?: LabelSelectorSpec };
  /** Egress only: CIDRs outside the cluster's pods. */
  readonly networks?: readonly string[];
}

/** A port of an admin policy rule: exactly one of a number, a range or a container port name. */
export interface AdminPort {
  readonly portNumber?: { readonly protocol?: TrafficProtocol; readonly port: number };
  readonly portRange?: { readonly protocol?: TrafficProtocol; readonly start: number; readonly end: number };
  readonly namedPort?: string;
}

/** What an admin policy rule does with the traffic it matches; `Pass` hands it to the NetworkPolicies (ANP only). */
export type AdminAction = 'Allow' | 'Deny' | 'Pass';

export interface AdminRule {
  readonly action: AdminAction;
  readonly peers: readonly AdminPeer[];
  /** Missing: every port. */
  readonly ports?: readonly AdminPort[];
}

/**
 * An AdminNetworkPolicy or the BaselineAdminNetworkPolicy: cluster-wide rules that come before the
 * NetworkPolicies (ANP, by ascending priority; within one, in the order written) or after them (BANP).
 */
export interface AdminPolicy {
  readonly name: string;
  readonly baseline: boolean;
  /** ANP only: lower comes first. */
  readonly priority: number;
  readonly subject: AdminPeer;
  readonly rules: Readonly<Record<Direction, readonly AdminRule[]>>;
  readonly object: KubeObject;
}

/** The AdminNetworkPolicies of the inputs by precedence, then the BaselineAdminNetworkPolicy if any. */
export function adminPoliciesOf(objects: readonly KubeObject[]): AdminPolicy[] {
  type Rule = { action?: AdminAction; from?: AdminPeer[]; to?: AdminPeer[]; ports?: AdminPort[] };
  const out = objects
    .filter(
      (o) =>
        o?.apiVersion === POLICY_API_VERSION &&
        (o.kind === 'AdminNetworkPolicy' || o.kind === 'BaselineAdminNetworkPolicy'),
    )
    .map((object) => {
      const spec = (object.spec ?? {}) as { priority?: number; subject?: AdminPeer; ingress?: Rule[]; egress?: Rule[] };
      const rules = (list: Rule[] | undefined, peers: 'from' | 'to') =>
        (list ?? []).map((r) => ({ action: r.action ?? 'Deny', peers: r[peers] ?? [], ports: r.ports }));
      return {
        name: object.metadata?.name ?? '<unnamed>',
        baseline: object.kind === 'BaselineAdminNetworkPolicy',
        priority: spec.priority ?? 0,
        subject: spec.subject ?? {},
        rules: { Ingress: rules(spec.ingress, 'from'), Egress: rules(spec.egress, 'to') },
        object,
      };
    });
  return out.sort((a, b) => Number(a.baseline) - Number(b.baseline) || a.priority - b.priority);
}

/**
 * The namespaces the inputs define, with their labels: those of a Namespace object, and the namespace
 * of every other object (with only the automatic name label).
 */
export function namespacesOf(
  objects: readonly KubeObject[],
  workloads: readonly TrafficWorkload[],
): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const add = (name: string, labels: Record<string, string> = {}) =>
    out.set(name, { ...out.get(name), ...labels, [NAMESPACE_NAME_LABEL]: name });
  for (const o of objects) {
    if (o?.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata?.name) add(o.metadata.name, o.metadata.labels);
    else if (o?.metadata?.namespace) add(o.metadata.namespace);
  }
  for (const w of workloads) add(w.namespace);
  return out;
}
