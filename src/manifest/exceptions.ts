import { ApiObject } from 'cdk8s';
import { KubeObject } from './kube-object';
import { Finding } from './finding';
import { isKnownRule, rulesLike } from './rules';

/**
 * Exceptions and external references are declared in code, on the object they concern, and travel
 * with it in the manifest as annotations, so that `validate` over plain YAML sees them too.
 */
export const EXCEPTION_ANNOTATION_PREFIX = 'exception.validation.workshop-stacks.io/';
export const EXTERNAL_REFS_ANNOTATION = 'validation.workshop-stacks.io/external-refs';

/**
 * Declares that `rule` (a rule id of {@link RULES} such as `policy/probes`, or a family such as
 * `pss-restricted`) does not apply to `obj`, and why. The validator lists every exception it honours.
 * A rule that does not exist is an error: an exception for it would except nothing.
 */
export function declareException(obj: ApiObject, rule: string, reason: string): void {
  if (typeof rule !== 'string' || !isKnownRule(rule)) {
    throw new Error(
      `declareException(${obj.node.path}, ${JSON.stringify(rule)}): no such rule (known: ${rulesLike(String(rule)).join(', ')})`,
    );
  }
  if (typeof reason !== 'string' || !reason.trim())
    throw new Error(`declareException(${obj.node.path}, ${rule}): a reason is required`);
  obj.metadata.addAnnotation(EXCEPTION_ANNOTATION_PREFIX + rule.replace(/\//g, '.'), reason);
}

/**
 * Declares that `obj` refers to an object that is deliberately not in the manifests (for example a
 * Secret created at apply time), so that the wiring checks do not report it missing.
 */
export function declareExternal(obj: ApiObject, kind: string, name: string): void {
  const current: string | undefined = obj.metadata.toJson().annotations?.[EXTERNAL_REFS_ANNOTATION];
  const refs = new Set((current ?? '').split(',').filter(Boolean));
  refs.add(`${kind}/${name}`);
  obj.metadata.addAnnotation(EXTERNAL_REFS_ANNOTATION, [...refs].sort().join(','));
}

/** The external references an object declares, as `Kind/name`. */
export function externalRefs(obj: KubeObject): Set<string> {
  return new Set(
    (obj.metadata.annotations?.[EXTERNAL_REFS_ANNOTATION] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** The reason an object gives for being excepted from a finding's rule, if any. */
export function exceptionFor(obj: KubeObject | undefined, rule: string): string | undefined {
  const annotations = obj?.metadata.annotations ?? {};
  const parts = rule.split('/');
  // The rule itself, then its family (`pss-restricted/seccomp`, then `pss-restricted`).
  for (let i = parts.length; i > 0; i--) {
    const reason = annotations[EXCEPTION_ANNOTATION_PREFIX + parts.slice(0, i).join('.')];
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** A finding that an exception covers, with the reason given for it. */
export interface ExceptedFinding extends Finding {
  readonly reason: string;
}
