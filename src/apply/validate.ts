import { checkSchema } from '../checks';
import { KubeObject, describeObject } from '../manifest';
import { identityKey, refOf } from './client';
import { SourceDocument } from './load';

/** Something wrong with one input document (or with the request as a whole, without a source). */
export interface Problem {
  /** File, app or option the document came from. */
  readonly source?: string;
  /** Index of the document in its source, from 0. */
  readonly index?: number;
  /** `Kind namespace/name` when the document got that far. */
  readonly object?: string;
  /** Path of the offending field, when there is one. */
  readonly field?: string;
  readonly message: string;
}

/** `dist/x.k8s.yaml document 3 (Deployment ns/web): spec.replicas: message`. */
export function formatProblem(p: Problem): string {
  const where = p.source !== undefined ? `${p.source}${p.index !== undefined ? ` document ${p.index}` : ''}` : '';
  const what = p.object ? (where ? ` (${p.object})` : p.object) : '';
  return `${where}${what}${where || what ? ': ' : ''}${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** A document that passed validation. */
export interface ValidDocument {
  readonly source: string;
  readonly index: number;
  readonly object: KubeObject;
}

/** Options of {@link validateDocuments}. */
export interface DocumentValidationOptions {
  /**
   * `apiVersion/Kind` of custom resources the schema check cannot know, e.g. `cert-manager.io/v1/Certificate`.
   * Kinds defined by a CustomResourceDefinition among the documents are added automatically.
   * @default none
   */
  readonly externalKinds?: ReadonlySet<string>;
  /** Labels the input must not set because the engine owns them (e.g. the apply set's). */
  readonly reservedLabels?: readonly string[];
}

/**
 * Checks every document before anything is sent: YAML syntax, the fields every object needs, the
 * Kubernetes schema (which also catches unknown kinds), reserved labels and duplicates. Returns the
 * valid objects and every problem found, each naming its file and document.
 */
export function validateDocuments(docs: readonly SourceDocument[], options: DocumentValidationOptions = {}): { objects: ValidDocument[]; problems: Problem[] } {
  const externalKinds = new Set([...(options.externalKinds ?? []), ...customResourceKinds(docs)]);
  const problems: Problem[] = [];
  const objects: ValidDocument[] = [];
  for (const doc of docs) {
    const at = { source: doc.source, index: doc.index };
    if (doc.yamlError !== undefined) {
      problems.push({ ...at, message: `invalid YAML: ${doc.yamlError}` });
      continue;
    }
    const found = structuralProblems(doc.value);
    if (found.length > 0) {
      problems.push(...found.map((p) => ({ ...at, ...p })));
      continue;
    }
    const obj = doc.value as KubeObject;
    const object = describeObject(obj);
    const labels = obj.metadata.labels ?? {};
    const reserved = (options.reservedLabels ?? []).filter((l) => l in labels);
    problems.push(...reserved.map((l) => ({ ...at, object, field: `metadata.labels.${l}`, message: 'is set by workshop-stacks and must not be in the input' })));
    const schema = checkSchema(obj, externalKinds);
    problems.push(...schema.map((f) => ({ ...at, object, field: f.field === '.' ? undefined : f.field, message: `[${f.rule}] ${f.message}` })));
    if (reserved.length === 0 && schema.length === 0) objects.push({ ...at, object: obj });
  }
  problems.push(...findDuplicates(objects, (d) => identityKey(refOf(d.object))));
  return { objects, problems };
}

/** Reports every document that names the same object as an earlier one. */
export function findDuplicates<T extends { source: string; index: number; object: KubeObject }>(docs: readonly T[], keyOf: (doc: T) => string): Problem[] {
  const first = new Map<string, T>();
  const problems: Problem[] = [];
  for (const doc of docs) {
    const key = keyOf(doc);
    const earlier = first.get(key);
    if (earlier) {
      problems.push({ source: doc.source, index: doc.index, object: describeObject(doc.object), message: `duplicate of ${earlier.source} document ${earlier.index}` });
    } else {
      first.set(key, doc);
    }
  }
  return problems;
}

function structuralProblems(value: unknown): Array<{ field?: string; message: string }> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ message: 'not a Kubernetes object (a YAML mapping)' }];
  const obj = value as Record<string, any>;
  const out: Array<{ field?: string; message: string }> = [];
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') out.push({ field: 'apiVersion', message: 'is missing' });
  if (typeof obj.kind !== 'string' || obj.kind === '') out.push({ field: 'kind', message: 'is missing' });
  const meta = obj.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    out.push({ field: 'metadata', message: 'is missing' });
  } else if (typeof meta.name !== 'string' || meta.name === '') {
    out.push({ field: 'metadata.name', message: meta.generateName ? 'is missing (generateName cannot be applied: server-side apply needs a name)' : 'is missing' });
  }
  return out;
}

/** `group/version/Kind` of every kind a CustomResourceDefinition among the documents defines. */
function customResourceKinds(docs: readonly SourceDocument[]): string[] {
  return docs.flatMap((doc) => {
    const obj = doc.value as Record<string, any> | undefined;
    if (obj?.kind !== 'CustomResourceDefinition' || !obj.spec?.group || !obj.spec?.names?.kind) return [];
    return (obj.spec.versions ?? []).map((v: { name: string }) => `${obj.spec.group}/${v.name}/${obj.spec.names.kind}`);
  });
}
