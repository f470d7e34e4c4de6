import { KubeObject, SourceDocument, describeLocation, describeObject, identityKey, refOf } from '../manifest';
import { Finding, subjectOf } from '../manifest/finding';
import { CHECK_KINDS, CheckKind, applyExceptions, runChecks } from './validate';

/** Something wrong with one input document (or with the request as a whole, without a source). */
export interface Problem {
  /** File, app or option the document came from. */
  readonly source?: string;
  /** Index of the document in its source, from 0. */
  readonly index?: number;
  /** Index of the object among the items of its document, when that document is a list. */
  readonly item?: number;
  /** `Kind namespace/name` when the document got that far. */
  readonly object?: string;
  /** Path of the offending field, when there is one. */
  readonly field?: string;
  /** Rule id of a check's finding, e.g. `policy/probes`. */
  readonly rule?: string;
  readonly message: string;
}

/** A problem that an exception declared on its object covers, with the reason given. */
export interface ExceptedProblem extends Problem {
  readonly reason: string;
}

/** `dist/x.k8s.yaml document 3 (Deployment ns/web): spec.replicas: [rule] message` (`document 3 item 5` in a list). */
export function formatProblem(p: Problem): string {
  const where = p.source !== undefined ? describeLocation({ source: p.source, index: p.index, item: p.item }) : '';
  const what = p.object ? (where ? ` (${p.object})` : p.object) : '';
  return `${where}${what}${where || what ? ': ' : ''}${p.field ? `${p.field}: ` : ''}${p.rule ? `[${p.rule}] ` : ''}${p.message}`;
}

/** A document that is a Kubernetes object (it may still have problems). */
export interface ValidDocument {
  readonly source: string;
  readonly index: number;
  /** Index among the items of a list document. */
  readonly item?: number;
  readonly object: KubeObject;
}

/** Options of {@link validateDocuments}. */
export interface DocumentValidationOptions {
  /**
   * `apiVersion/Kind` of custom resources the schema check cannot know, e.g. `cert-manager.io/v1/Certificate`.
   * Kinds defined by a CustomResourceDefinition among the documents are added automatically.
   * @default none
   */
  readonly externalKinds?: Iterable<string>;
  /**
   * Which kinds of checks to run.
   * @default all: schema, wiring and policy
   */
  readonly checks?: readonly CheckKind[];
  /**
   * Keep only what the API server would reject anyway (structure, schema, duplicates): `--skip-checks`, which the output must say was used.
   * @default false
   */
  readonly skipChecks?: boolean;
}

/** What {@link validateDocuments} found. */
export interface DocumentValidation {
  /** Every document that is a Kubernetes object, in input order. */
  readonly objects: ValidDocument[];
  /** What is wrong: any of these fails validation, and stops apply and diff before any request. */
  readonly problems: Problem[];
  /** What would be wrong but for an exception declared on the object, with its reason. */
  readonly exceptions: ExceptedProblem[];
}

/**
 * The one entry point of the checks, for `validate`, `apply`, `diff` and the cdk8s plugin alike: YAML
 * syntax, the fields every object needs, the same object twice, then the checks
 * (schema and what the API server rejects, wiring, policy) with the exceptions declared on objects.
 * Every problem names its file, document index and object.
 */
export function validateDocuments(
  docs: readonly SourceDocument[],
  options: DocumentValidationOptions = {},
): DocumentValidation {
  const problems: Problem[] = [];
  const objects: ValidDocument[] = [];
  for (const doc of docs) {
    const at = locationOf(doc);
    if (doc.yamlError !== undefined) {
      problems.push({ ...at, message: `invalid YAML: ${doc.yamlError}` });
      continue;
    }
    const found = structuralProblems(doc.value);
    if (found.length > 0) {
      problems.push(...found.map((p) => ({ ...at, ...p })));
      continue;
    }
    objects.push({ ...at, object: doc.value as KubeObject });
  }
  problems.push(...findDuplicates(objects, (d) => identityKey(refOf(d.object))));

  const located = new Map(objects.map((d) => [d.object, d]));
  const toProblem = (f: Finding): Problem => {
    const doc = located.get(subjectOf(f)!);
    return {
      ...(doc ? locationOf(doc) : {}),
      object: f.object,
      field: f.field === '.' ? undefined : f.field,
      rule: f.rule,
      message: f.message,
    };
  };
  const checks = options.skipChecks ? ['schema' as const] : (options.checks ?? CHECK_KINDS);
  const { findings, exceptions } = applyExceptions(
    runChecks(
      objects.map((d) => d.object),
      { checks, externalKinds: options.externalKinds },
    ),
  );
  problems.push(...findings.map(toProblem));
  return {
    objects,
    problems,
    exceptions: exceptions.map((e): ExceptedProblem => ({ ...toProblem(e), reason: e.reason })),
  };
}

/** Reports every document that names the same object as an earlier one. */
export function findDuplicates<T extends { source: string; index: number; item?: number; object: KubeObject }>(
  docs: readonly T[],
  keyOf: (doc: T) => string,
): Problem[] {
  const first = new Map<string, T>();
  const problems: Problem[] = [];
  for (const doc of docs) {
    const key = keyOf(doc);
    const earlier = first.get(key);
    if (earlier) {
      problems.push({
        ...locationOf(doc),
        object: describeObject(doc.object),
        rule: 'schema/duplicate',
        message: `duplicate of ${describeLocation(earlier)}`,
      });
    } else {
      first.set(key, doc);
    }
  }
  return problems;
}

/** Where a document is, for a problem: its source, index and, in a list, item (left out when it is not in one). */
function locationOf(doc: { source: string; index: number; item?: number }): {
  source: string;
  index: number;
  item?: number;
} {
  return doc.item === undefined
    ? { source: doc.source, index: doc.index }
    : { source: doc.source, index: doc.index, item: doc.item };
}

function structuralProblems(value: unknown): Array<{ field?: string; message: string }> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ message: 'not a Kubernetes object (a YAML mapping)' }];
  const obj = value as Record<string, any>;
  // The reader reads a list as its items: one left whole has items that are not a list.
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && 'items' in obj)
    return [
      { field: 'items', message: `must be a list of objects, got ${obj.items === null ? 'null' : typeof obj.items}` },
    ];
  const out: Array<{ field?: string; message: string }> = [];
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '')
    out.push({ field: 'apiVersion', message: 'is missing' });
  if (typeof obj.kind !== 'string' || obj.kind === '') out.push({ field: 'kind', message: 'is missing' });
  const meta = obj.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    out.push({ field: 'metadata', message: 'is missing' });
  } else if (typeof meta.name !== 'string' || meta.name === '') {
    out.push({
      field: 'metadata.name',
      message: meta.generateName
        ? 'is missing (generateName cannot be applied: server-side apply needs a name)'
        : 'is missing',
    });
  }
  return out;
}
