import { isIP } from 'net';
import { Construct } from 'constructs';
import { quantityValue } from './resources';

/** A construct prop that cannot produce a valid manifest. Thrown at synth time, before any output. */
export class PropsValidationError extends Error {
  constructor(
    /** The construct, as `ClassName 'path'`. */
    public readonly construct: string,
    /** The prop, in dotted form (`services.webui.nodePort`). */
    public readonly field: string,
    reason: string,
  ) {
    super(`${construct}: invalid prop '${field}': ${reason}`);
    this.name = 'PropsValidationError';
  }
}

/** A DNS-1123 label (namespaces, most object names), without its 63-character limit. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain (Secret and ConfigMap names), without its 253-character limit. */
export const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks props for one construct. Every failure names the construct and the field.
 * Checks skip `undefined` so that optional props can be passed straight through.
 */
export class PropsValidator {
  private readonly label: string;

  constructor(scope: Construct, kind = scope.constructor.name) {
    this.label = `${kind} '${scope.node.path || scope.node.id}'`;
  }

  fail(field: string, reason: string): never {
    throw new PropsValidationError(this.label, field, reason);
  }

  /** A DNS-1123 label: object names, namespaces. */
  dnsLabel(field: string, value: string | undefined): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length > 63 || !DNS_1123_LABEL.test(value)) {
      this.fail(field, `must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), got ${JSON.stringify(value)}`);
    }
  }

  /** A Service name: a DNS-1035 label, so it cannot start with a digit. */
  serviceName(field: string, value: string | undefined): void {
    if (value === undefined) return;
    this.dnsLabel(field, value);
    if (!DNS_1035_LABEL.test(value)) this.fail(field, `must start with a letter to be a Service name, got ${JSON.stringify(value)}`);
  }

  /** A DNS-1123 subdomain: ConfigMap, Secret and most other object names. */
  dnsSubdomain(field: string, value: string | undefined): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length > 253 || !DNS_1123_SUBDOMAIN.test(value)) {
      this.fail(field, `must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got ${JSON.stringify(value)}`);
    }
  }

  replicas(field: string, value: number | undefined): void {
    this.integer(field, value, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
  }

  port(field: string, value: number | undefined): void {
    this.integer(field, value, 1, 65535, 'an integer port from 1 to 65535');
  }

  /** A node port to pin, or `'auto'` (the cluster assigns one). */
  nodePort(field: string, value: number | 'auto' | undefined): void {
    if (value === 'auto') return;
    this.integer(field, value, 30000, 32767, "an integer node port from 30000 to 32767 (the default NodePort range), or 'auto'");
  }

  integer(field: string, value: number | undefined, min: number, max: number, what = `an integer from ${min} to ${max}`): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be ${what}, got ${JSON.stringify(value)}`);
    }
  }

  /** A numeric identity for `runAsUser`/`runAsGroup`: a uid that is not root, and a gid. */
  runAs(field: string, value: { readonly user: number; readonly group: number } | undefined): void {
    if (value === undefined) return;
    this.integer(`${field}.user`, value.user, 1, 2147483647, 'a non-root uid (1 to 2147483647)');
    this.integer(`${field}.group`, value.group, 0, 2147483647);
  }

  /** An image reference or a part of one (registry, repository, tag): non-empty, no white space. */
  image(field: string, value: string | undefined): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must be a non-empty image reference');
    if (/\s/.test(value)) this.fail(field, `must not contain white space, got ${JSON.stringify(value)}`);
  }

  /** A Kubernetes quantity: `500m`, `1`, `64Mi`. */
  quantity(field: string, value: string | undefined): void {
    if (value === undefined) return;
    try {
      quantityValue(value);
    } catch {
      this.fail(field, `must be a Kubernetes quantity such as 500m, 1 or 64Mi, got ${JSON.stringify(value)}`);
    }
  }

  /** A non-empty list of address ranges in CIDR notation (`192.168.49.2/32`, `fd00::/8`). */
  cidrs(field: string, values: readonly string[] | undefined, whenEmpty = 'must list at least one CIDR'): void {
    if (values === undefined) return;
    if (!Array.isArray(values) || values.length === 0) this.fail(field, whenEmpty);
    values.forEach((cidr, i) => {
      const [address, prefix, extra] = String(cidr).split('/');
      const version = isIP(address);
      if (version === 0 || extra !== undefined || !/^\d+$/.test(prefix ?? '') || Number(prefix) > (version === 4 ? 32 : 128)) {
        this.fail(`${field}[${i}]`, `must be a CIDR such as 192.168.49.2/32, got ${JSON.stringify(cidr)}`);
      }
    });
  }

  oneOf<T extends string>(field: string, value: T | undefined, allowed: readonly T[]): void {
    if (value === undefined) return;
    if (!allowed.includes(value)) this.fail(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
}
