import { LabelSelectorSpec } from '../manifest/selector';
import { KubeObject, parseManifests, podTemplateOf } from '../manifest';
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
    if (object.kind === 'ConfigMap') return jobTemplateWorkloads(object, templates);
    const template = podTemplateOf(object);
    if (!template) return [];
    return [{
      kind: object.kind,
      namespace: object.metadata.namespace ?? 'default',
      name: object.metadata.name ?? '<unnamed>',
      labels: template.labels,
      ports: (template.spec.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({
        name: p.name, port: p.containerPort, protocol: (p.protocol ?? 'TCP') as TrafficProtocol,
      }))),
      annotations: object.metadata.annotations ?? {},
      object,
    }];
  });
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
  return docs.filter((job) => job?.kind === 'Job').flatMap((job) => workloadsOf([{
    ...job,
    metadata: {
      ...job.metadata,
      name: job.metadata?.name ?? TEMPLATE_JOBS_NAME,
      namespace: job.metadata?.namespace ?? configMap.metadata.annotations?.[JOBS_NAMESPACE_ANNOTATION] ?? 'default',
    },
  }]).map((w) => ({ ...w, object: configMap })));
}

/** The NetworkPolicies of the inputs. */
export function policiesOf(objects: readonly KubeObject[]): Policy[] {
  return objects.filter((o) => o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1').map((object) => {
    const spec = (object.spec ?? {}) as {
      podSelector?: LabelSelectorSpec;
      policyTypes?: Direction[];
      ingress?: Array<{ from?: PolicyPeer[]; ports?: PolicyPort[] }>;
      egress?: Array<{ to?: PolicyPeer[]; ports?: PolicyPort[] }>;
    };
    // The API server's defaulting: Ingress always, Egress when there are egress rules.
    const types = new Set<Direction>(spec.policyTypes ?? ['Ingress', ...((spec.egress ?? []).length > 0 ? ['Egress' as const] : [])]);
    return {
      name: object.metadata.name ?? '<unnamed>',
      namespace: object.metadata.namespace ?? 'default',
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

/**
 * The namespaces the inputs define, with their labels: those of a Namespace object, and the namespace
 * of every other object (with only the automatic name label).
 */
export function namespacesOf(objects: readonly KubeObject[], workloads: readonly TrafficWorkload[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const add = (name: string, labels: Record<string, string> = {}) =>
    out.set(name, { ...out.get(name), ...labels, [NAMESPACE_NAME_LABEL]: name });
  for (const o of objects) {
    if (o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name) add(o.metadata.name, o.metadata.labels);
    else if (o.metadata.namespace) add(o.metadata.namespace);
  }
  for (const w of workloads) add(w.namespace);
  return out;
}
