import { KubeObject, describeObject } from './kube-object';

/** One problem in a manifest: which object, which field, which rule. */
export interface Finding {
  /** `Kind namespace/name`. */
  readonly object: string;
  /** Path of the offending field, e.g. `spec.template.spec.containers[0].securityContext`. */
  readonly field: string;
  /** Rule id, e.g. `pss-restricted/run-as-non-root`. */
  readonly rule: string;
  readonly message: string;
}

// The object each finding is about, kept out of the finding itself (which is printed as JSON) so that
// it can be traced back to its file and document, and its exceptions read, even among duplicates.
const subjects = new WeakMap<Finding, KubeObject>();

export function finding(obj: KubeObject, field: string, rule: string, message: string): Finding {
  const f = { object: describeObject(obj), field, rule, message };
  subjects.set(f, obj);
  return f;
}

/** A copy of `f` with more properties (an exception's reason), about the same object. */
export function extendFinding<T extends object>(f: Finding, extra: T): Finding & T {
  const copy = { ...f, ...extra };
  const subject = subjects.get(f);
  if (subject) subjects.set(copy, subject);
  return copy;
}

/** The object a finding made by {@link finding} is about. */
export function subjectOf(f: Finding): KubeObject | undefined {
  return subjects.get(f);
}

export function formatFinding(f: Finding): string {
  return `${f.object}: ${f.field}: [${f.rule}] ${f.message}`;
}
