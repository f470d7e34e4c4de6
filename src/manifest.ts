import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as it appears in a manifest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** `Kind namespace/name`, the way findings and reports name an object. */
export function describeObject(obj: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const ns = obj.metadata?.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata?.name ?? '<unnamed>'}`;
}

/** Parses multi-document YAML, failing on the first document that is not valid YAML. */
export function parseManifests(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).flatMap((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`document ${index}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    return value === null || value === undefined ? [] : [value as KubeObject];
  });
}

/** A pod template inside an object, with the path to it, for the kinds that have one. */
export interface PodTemplateRef {
  readonly path: string;
  readonly labels: Record<string, string>;
  readonly spec: PodSpecLike;
}

/** The parts of a pod spec the checks read. */
export interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
  securityContext?: Record<string, any>;
  volumes?: Array<Record<string, any>>;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  [key: string]: any;
}

export interface ContainerLike {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string; hostPort?: number }>;
  securityContext?: Record<string, any>;
  [key: string]: any;
}

/** Finds the pod template of a workload (or the spec of a bare Pod). */
export function podTemplateOf(obj: KubeObject): PodTemplateRef | undefined {
  const spec = obj.spec as Record<string, any> | undefined;
  switch (obj.kind) {
    case 'Pod':
      return spec ? { path: 'spec', labels: obj.metadata.labels ?? {}, spec } : undefined;
    case 'Deployment': case 'DaemonSet': case 'StatefulSet': case 'ReplicaSet': case 'Job': case 'ReplicationController':
      return spec?.template?.spec
        ? { path: 'spec.template.spec', labels: spec.template.metadata?.labels ?? {}, spec: spec.template.spec } : undefined;
    case 'CronJob': {
      const template = spec?.jobTemplate?.spec?.template;
      return template?.spec
        ? { path: 'spec.jobTemplate.spec.template.spec', labels: template.metadata?.labels ?? {}, spec: template.spec } : undefined;
    }
    default:
      return undefined;
  }
}

/** Every container of a pod spec with the path to it. */
export function containersOf(spec: PodSpecLike, base: string): Array<{ path: string; container: ContainerLike }> {
  return (['containers', 'initContainers', 'ephemeralContainers'] as const).flatMap((key) =>
    (spec[key] ?? []).map((container, i) => ({ path: `${base}.${key}[${i}]`, container })));
}
