import { Composer, LineCounter, Parser } from 'yaml';

/** The file name suffix of synthesized manifests, as cdk8s writes them: `<app>.k8s.yaml`. */
export const MANIFEST_SUFFIX = '.k8s.yaml';

/** The API group and version of AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
export const POLICY_API_VERSION = 'policy.networking.k8s.io/v1alpha1';

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

/** One object of an input (a YAML document, or an item of a list document), before validation. */
export interface SourceDocument {
  /** Where it came from: a file path, `app <name>`, or the option that made it. */
  readonly source: string;
  /** Position of the document in its source, from 0 (empty documents count). */
  readonly index: number;
  /** Position of the object among the items of its document, when that document is a list. */
  readonly item?: number;
  /** The parsed value; unset when the document is not valid YAML. */
  readonly value?: unknown;
  /** The YAML syntax error, if any. */
  readonly yamlError?: string;
  /** What reading it dropped from a copy of a live object (`status`, `metadata.uid`, ...), if anything. */
  readonly dropped?: readonly string[];
}

/** `file.yaml document 3`, or `file.yaml document 3 item 5` for an item of a list: where an object came from. */
export function describeLocation(at: {
  readonly source: string;
  readonly index?: number;
  readonly item?: number;
}): string {
  return `${at.source}${at.index !== undefined ? ` document ${at.index}` : ''}${at.item !== undefined ? ` item ${at.item}` : ''}`;
}

/**
 * Splits multi-document YAML (or JSON) into its documents as written, keeping each one's syntax error
 * instead of stopping at the first; empty documents are left out but counted. Documents are composed
 * one at a time and only their plain values kept, so a large input costs its values, not the syntax
 * trees of all its documents at once.
 */
export function splitDocuments(text: string, source: string): SourceDocument[] {
  const lines = new LineCounter();
  const composer = new Composer();
  const out: SourceDocument[] = [];
  let index = 0;
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text))) {
    const at = index++;
    const [error] = doc.errors;
    if (error) {
      const pos = lines.linePos(error.pos[0]);
      out.push({
        source,
        index: at,
        yamlError: `line ${pos.line}, column ${pos.col}: ${error.message.split('\n')[0]}`,
      });
      continue;
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push({ source, index: at, value });
  }
  return out;
}

/**
 * Whether a file's documents (as {@link splitDocuments} gives them) are meant as Kubernetes objects:
 * some document names an `apiVersion` or a `kind`, or is not valid YAML. A file of other JSON or YAML
 * (cdk8s's `construct-metadata.json`) is not; a manifest with one document missing its `apiVersion` is,
 * so that the document is reported rather than the file skipped.
 */
export function isManifestFile(documents: readonly SourceDocument[]): boolean {
  return documents.some(
    (d) =>
      d.yamlError !== undefined ||
      (typeof d.value === 'object' && d.value !== null && ('apiVersion' in d.value || 'kind' in d.value)),
  );
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
    case 'Deployment':
    case 'DaemonSet':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'Job':
    case 'ReplicationController':
      return spec?.template?.spec
        ? { path: 'spec.template.spec', labels: spec.template.metadata?.labels ?? {}, spec: spec.template.spec }
        : undefined;
    case 'CronJob': {
      const template = spec?.jobTemplate?.spec?.template;
      return template?.spec
        ? { path: 'spec.jobTemplate.spec.template.spec', labels: template.metadata?.labels ?? {}, spec: template.spec }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** Every container of a pod spec with the path to it. */
export function containersOf(spec: PodSpecLike, base: string): Array<{ path: string; container: ContainerLike }> {
  return (['containers', 'initContainers', 'ephemeralContainers'] as const).flatMap((key) =>
    (spec[key] ?? []).map((container, i) => ({ path: `${base}.${key}[${i}]`, container })),
  );
}
