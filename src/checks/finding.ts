import { KubeObject, describeObject } from '../manifest';

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

export function finding(obj: KubeObject, field: string, rule: string, message: string): Finding {
  return { object: describeObject(obj), field, rule, message };
}

export function formatFinding(f: Finding): string {
  return `${f.object}: ${f.field}: [${f.rule}] ${f.message}`;
}
