import { Composer, LineCounter, Parser } from 'yaml';

/** The file name suffix of synthesized manifests, as cdk8s writes them: `<app>.k8s.yaml`. */
export const MANIFEST_SUFFIX = '.k8s.yaml';

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

/** One YAML document of an input, before validation. */
export interface SourceDocument {
  /** Where it came from: a file path, `app <name>`, or the option that made it. */
  readonly source: string;
  /** Position of the document in its source, from 0 (empty documents count). */
  readonly index: number;
  /** The parsed value; unset when the document is not valid YAML. */
  readonly value?: unknown;
  /** The YAML syntax error, if any. */
  readonly yamlError?: string;
}

/**
 * Splits multi-document YAML (or JSON) into its documents, keeping each one's syntax error instead of
 * stopping at the first; empty documents are left out but counted. This is the one YAML reader of
 * manifests. Documents are composed one at a time and only their plain values kept, so a large input
 * costs its values, not the syntax trees of all its documents at once.
 */
export function parseDocuments(text: string, source: string): SourceDocument[] {
  const lines = new LineCounter();
  const composer = new Composer();
  const out: SourceDocument[] = [];
  let index = 0;
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text))) {
    const at = index++;
    const [error] = doc.errors;
    if (error) {
      const pos = lines.linePos(error.pos[0]);
      out.push({ source, index: at, yamlError: `line ${pos.line}, column ${pos.col}: ${error.message.split('\n')[0]}` });
      continue;
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push({ source, index: at, value });
  }
  return out;
}

/** Parses multi-document YAML into objects, failing on the first document that is not valid YAML. */
export function parseManifests(yamlText: string): KubeObject[] {
  return parseDocuments(yamlText, 'input').map((doc) => {
    if (doc.yamlError !== undefined) throw new Error(`document ${doc.index}: ${doc.yamlError}`);
    return doc.value as KubeObject;
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
