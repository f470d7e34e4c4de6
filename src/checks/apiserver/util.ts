/**
 * The string and number predicates of the API server's validation, ported from
 * k8s.io/apimachinery/pkg/util/validation/validation.go (v1.33), plus the small helpers every area's
 * rules share. Regexes are compiled once: the rules run on every object of large inputs.
 */
import { KubeObject } from '../../manifest';
import { Finding, finding } from '../../manifest/finding';
import { ApiServerRule } from '../../manifest/rules';

/** Reports one problem of the object being checked; `rule` is the part after `schema/`. */
export type Fail = (field: string, rule: ApiServerRule, message: string) => void;

/** A {@link Fail} that appends to `out` findings about `obj`. */
export function failInto(obj: KubeObject, out: Finding[]): Fail {
  return (field, rule, message) =>
    out.push(finding(obj, field, `schema/${rule}`, `${message}: the API server rejects it`));
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[-a-z0-9]+$/;
const HAS_LETTER = /[a-z]/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// IsRelaxedEnvVarName: printable ASCII but `=` (RelaxedEnvironmentVariableValidation, on by default in v1.33).
const RELAXED_ENV_VAR_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;

/** IsDNS1123Label: why `v` is not one, or undefined. */
export function dns1123Label(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  return DNS1123_LABEL.test(v)
    ? undefined
    : "must be a lowercase RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
}

/** IsDNS1123Subdomain. */
export function dns1123Subdomain(v: string): string | undefined {
  if (v.length > 253) return 'must be no more than 253 characters';
  return DNS1123_SUBDOMAIN.test(v)
    ? undefined
    : "must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
}

/** IsDNS1035Label. */
export function dns1035Label(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  return DNS1035_LABEL.test(v)
    ? undefined
    : "must be a lowercase RFC 1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
}

/** path.IsValidPathSegmentName (apimachinery/pkg/api/validation/path), the RBAC kinds' names. */
export function pathSegmentName(v: string): string | undefined {
  if (v === '.' || v === '..') return `may not be '${v}'`;
  return /[/%]/.test(v) ? "may not contain '/' or '%'" : undefined;
}

/** IsQualifiedName: `[prefix/]name`, the syntax of label and annotation keys. */
export function qualifiedName(v: string): string | undefined {
  const parts = v.split('/');
  if (parts.length > 2) return "a qualified name has at most one '/'";
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    if (parts[0] === '') return 'prefix part must be non-empty';
    const prefix = dns1123Subdomain(parts[0]);
    if (prefix) return `prefix part ${prefix}`;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  return QUALIFIED_NAME_PART.test(name)
    ? undefined
    : "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
}

/** IsValidLabelValue. */
export function labelValue(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  return v === '' || QUALIFIED_NAME_PART.test(v)
    ? undefined
    : "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
}

/** IsValidPortName: an IANA_SVC_NAME (RFC 6335). */
export function portName(v: string): string | undefined {
  if (v.length < 1 || v.length > 15) return 'must be 1 to 15 characters';
  if (!IANA_SVC_NAME.test(v)) return "must contain only lowercase alphanumeric characters and '-'";
  if (!HAS_LETTER.test(v)) return 'must contain at least one letter';
  if (v.includes('--')) return 'must not contain consecutive hyphens';
  return v.startsWith('-') || v.endsWith('-') ? 'must not begin or end with a hyphen' : undefined;
}

/** IsValidPortNum. */
export function portNumber(v: number): string | undefined {
  return Number.isInteger(v) && v >= 1 && v <= 65535 ? undefined : 'must be between 1 and 65535, inclusive';
}

/** validatePortNumOrName (core validation): an int-or-string port. */
export function portNumOrName(v: number | string): string | undefined {
  return typeof v === 'number' ? portNumber(v) : portName(v);
}

/** IsConfigMapKey: the keys of ConfigMap and Secret data, and of projected items. */
export function configMapKey(v: string): string | undefined {
  if (v.length > 253) return 'must be no more than 253 characters';
  if (!CONFIG_MAP_KEY.test(v)) return "must consist of alphanumeric characters, '-', '_' or '.'";
  if (v === '.' || v === '..' || v.startsWith('..')) return "must not be '.', '..' or start with '..'";
  return undefined;
}

/** IsRelaxedEnvVarName, what v1.33 accepts for env var names by default. */
export function envVarName(v: string): string | undefined {
  return RELAXED_ENV_VAR_NAME.test(v) ? undefined : "must consist only of printable ASCII characters other than '='";
}

/** IsCIdentifier. */
export function cIdentifier(v: string): string | undefined {
  return C_IDENTIFIER.test(v)
    ? undefined
    : "must be a C identifier: letters, digits and '_', not starting with a digit";
}

/** IsValidUserID / IsValidGroupID. */
export function linuxId(v: number): string | undefined {
  return Number.isInteger(v) && v >= 0 && v <= 2147483647 ? undefined : 'must be between 0 and 2147483647, inclusive';
}

/** IsValidCIDR: an IPv4 or IPv6 CIDR; its address and prefix length, or undefined when it is not one. */
export function parseCidr(v: string): { family: 4 | 6; bits: bigint; prefix: number } | undefined {
  const slash = v.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseIp(v.slice(0, slash));
  const prefixText = v.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= (addr.family === 4 ? 32 : 128) ? { ...addr, prefix } : undefined;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 or IPv6 address as an integer, or undefined. */
export function parseIp(v: string): { family: 4 | 6; bits: bigint } | undefined {
  const m = IPV4.exec(v);
  if (m) {
    const octets = m.slice(1).map(Number);
    return octets.every((o) => o <= 255)
      ? { family: 4, bits: octets.reduce((a, o) => (a << 8n) | BigInt(o), 0n) }
      : undefined;
  }
  if (!v.includes(':') || !/^[0-9a-fA-F:.]+$/.test(v)) return undefined;
  const halves = v.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    const last = parts[parts.length - 1];
    if (last.includes('.')) {
      const v4 = parseIp(last);
      if (!v4 || v4.family !== 4) return undefined;
      parts.splice(-1, 1, (v4.bits >> 16n).toString(16), (v4.bits & 0xffffn).toString(16));
    }
    return parts.every((p) => /^[0-9a-fA-F]{1,4}$/.test(p)) ? parts : undefined;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return { family: 6, bits: all.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** intstr percent (`GetScaledValueFromIntOrPercent`): the number of `N%`, or undefined when not one. */
export function percent(v: string): number | undefined {
  return /^[0-9]+%$/.test(v) ? Number(v.slice(0, -1)) : undefined;
}

/**
 * ValidatePositiveIntOrPercent (apps validation): a non-negative int or an `N%` string. The name is
 * upstream's; zero is accepted.
 */
export function positiveIntOrPercent(v: number | string): string | undefined {
  if (typeof v === 'number') return v < 0 ? 'must be greater than or equal to 0' : undefined;
  return percent(v) === undefined ? "must be an integer or a percentage, e.g. '10%'" : undefined;
}

/** Reports a negative number (ValidateNonnegativeField). */
export function nonNegative(fail: Fail, field: string, v: unknown, rule: ApiServerRule): void {
  if (typeof v === 'number' && v < 0) fail(field, rule, `${v} must be greater than or equal to 0`);
}

/**
 * Entries of a keyed list (`x-kubernetes-list-map-keys`) with a key an earlier entry has: server-side
 * apply (structured-merge-diff) rejects the whole object for it, and plain create keeps only one.
 */
export function duplicateKeys<T>(
  items: readonly T[] | undefined,
  keyOf: (item: T) => string | undefined,
  path: string,
  fail: Fail,
  what: string,
): void {
  const seen = new Set<string>();
  (items ?? []).forEach((item, i) => {
    const key = keyOf(item);
    if (key === undefined) return;
    if (seen.has(key)) fail(`${path}[${i}]`, 'duplicate-key', `duplicate ${what} ${key}`);
    seen.add(key);
  });
}

/** Reports a value that is not one of `allowed` (field.NotSupported). */
export function oneOf(fail: Fail, field: string, v: unknown, allowed: ReadonlySet<string>, rule: ApiServerRule): void {
  if (v !== undefined && !allowed.has(v as string))
    fail(field, rule, `unsupported value ${JSON.stringify(v)}: supported values are ${[...allowed].join(', ')}`);
}

/** Checks one string with a predicate and reports its reason. */
export function check(
  fail: Fail,
  field: string,
  v: string | undefined,
  predicate: (v: string) => string | undefined,
  rule: ApiServerRule,
): void {
  if (v === undefined) return;
  const problem = predicate(v);
  if (problem) fail(field, rule, `${JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v)} ${problem}`);
}
