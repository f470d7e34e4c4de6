/**
 * Kubernetes object names: the one set of DNS rules and the one slugifier of the library.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */

/** A DNS-1123 label (namespaces, most object names), without its 63-character limit. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1035 label (Service names): a DNS-1123 label that starts with a letter. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain (Secret and ConfigMap names), without its 253-character limit. */
export const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A host name a route matches: a DNS-1123 subdomain, optionally `*.` for its subdomains. */
export const WILDCARD_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The longest DNS-1123 label. */
export const DNS_LABEL_MAX = 63;
/** The longest DNS-1123 subdomain. */
export const DNS_SUBDOMAIN_MAX = 253;

/** Whether `s` is a DNS-1123 label within its 63-character limit (a namespace, most object names). */
export function isDnsLabel(s: string): boolean {
  return s.length <= DNS_LABEL_MAX && DNS_1123_LABEL.test(s);
}

/**
 * Whether a namespace is the system's: `kube-system`, `kube-public`, `kube-node-lease`, and any other
 * name in the `kube-` prefix, which Kubernetes reserves for them. The library never creates or fills one.
 */
export function isSystemNamespace(namespace: string): boolean {
  return namespace.startsWith('kube-');
}

/** Options of {@link slugify}. */
export interface SlugifyOptions {
  /**
   * Longest result; a cut never leaves a '-' or '.' at the end.
   * @default 63 (a DNS-1123 label)
   */
  readonly maxLength?: number;
  /**
   * Keep '.' (a DNS-1123 subdomain or a label value), instead of turning it into '-'.
   * @default false
   */
  readonly keepDots?: boolean;
}

/**
 * Any text as a DNS-1123 label (or subdomain, with `keepDots`): accents dropped (`Zoë` -> `zoe`), lower
 * case, every run of other characters one '-', nothing but a letter or digit at either end. `''` when
 * nothing is left, so that each caller chooses its own fallback.
 */
export function slugify(text: string, options: SlugifyOptions = {}): string {
  const other = options.keepDots ? /[^a-z0-9.]+/g : /[^a-z0-9]+/g;
  const ends = /^[^a-z0-9]+|[^a-z0-9]+$/g;
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(other, '-')
    .replace(ends, '')
    .slice(0, options.maxLength ?? DNS_LABEL_MAX)
    .replace(ends, '');
}
