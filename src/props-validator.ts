import { isIP } from 'net';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DNS_1035_LABEL,
  DNS_1123_SUBDOMAIN,
  DNS_LABEL_MAX,
  DNS_SUBDOMAIN_MAX,
  isDnsLabel,
  isSystemNamespace,
  WILDCARD_HOST,
} from './manifest/names';
import { PROFILES, Profile } from './profile';
import { imageReferenceProblem } from './manifest/image-reference';
import { PropsValidationError } from './props-error';
import { compareQuantities, quantityProblem } from './manifest/quantity';
import { CpuAmount, RequestAndLimit, ResourceSpec, SizeAmount, quantityOf } from './resources';

/** A URL path a route matches or rewrites to: RFC 3986 path characters, no query or fragment. */
const URL_PATH = /^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$/;

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
    if (typeof value !== 'string' || !isDnsLabel(value)) {
      this.fail(
        field,
        `must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), got ${shown(value)}`,
      );
    }
  }

  /** A Service name: a DNS-1035 label, so it cannot start with a digit. */
  serviceName(field: string, value: string | undefined): void {
    if (value === undefined) return;
    this.dnsLabel(field, value);
    if (!DNS_1035_LABEL.test(value))
      this.fail(field, `must start with a letter to be a Service name, got ${shown(value)}`);
  }

  /** A DNS-1123 subdomain: ConfigMap, Secret and most other object names. */
  dnsSubdomain(field: string, value: string | undefined): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length > DNS_SUBDOMAIN_MAX || !DNS_1123_SUBDOMAIN.test(value)) {
      this.fail(
        field,
        `must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got ${shown(value)}`,
      );
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
    this.integer(
      field,
      value,
      30000,
      32767,
      "an integer node port from 30000 to 32767 (the default NodePort range), or 'auto'",
    );
  }

  integer(
    field: string,
    value: number | undefined,
    min: number,
    max: number,
    what = `an integer from ${min} to ${max}`,
  ): void {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be ${what}, got ${shown(value)}`);
    }
  }

  /** A numeric identity for `runAsUser`/`runAsGroup`: a uid that is not root, and a gid. */
  runAs(field: string, value: { readonly user: number; readonly group: number } | undefined): void {
    if (value === undefined) return;
    this.integer(`${field}.user`, value.user, 1, 2147483647, 'a non-root uid (1 to 2147483647)');
    this.integer(`${field}.group`, value.group, 0, 2147483647);
  }

  /** An image reference (`redis:7.2.5`, `ghcr.io/org/app@sha256:...`), as the library's one parser reads it. */
  image(field: string, value: string | undefined): void {
    if (value === undefined) return;
    this.imagePart(field, value, value);
  }

  /** The registry (or Docker Hub namespace) part of an image reference: `ghcr.io/org`, `localhost:5000`. */
  imageRegistry(field: string, value: string | undefined): void {
    if (value === undefined) return;
    this.imagePart(field, value, `${String(value).replace(/\/+$/, '')}/image:tag`);
  }

  /** The tag part of an image reference: `v1`, `7.2.5`. */
  imageTag(field: string, value: string | undefined): void {
    if (value === undefined) return;
    this.imagePart(field, value, `image:${value}`);
  }

  private imagePart(field: string, value: string, reference: string): void {
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must be non-empty');
    if (/\s/.test(value)) this.fail(field, `must not contain white space, got ${shown(value)}`);
    const problem = imageReferenceProblem(reference);
    if (problem) this.fail(field, `must make a valid image reference: ${problem}`);
  }

  /** A Kubernetes quantity: `500m`, `1`, `64Mi`, `1e3`, `2Ei`: what the API server accepts. */
  quantity(field: string, value: string | undefined): void {
    if (value === undefined) return;
    const problem = quantityProblem(value);
    if (problem) this.fail(field, `must be a Kubernetes quantity such as 500m, 1 or 64Mi: ${problem}`);
  }

  /** A request and a limit: both quantities (or `Cpu`/`Size`), the request not above the limit. */
  requestAndLimit(field: string, pair: RequestAndLimit<CpuAmount | SizeAmount> | undefined): void {
    if (pair === undefined) return;
    if (typeof pair !== 'object' || pair === null) this.fail(field, `must be { request, limit }, got ${shown(pair)}`);
    const amount = (side: 'request' | 'limit') =>
      pair[side] === undefined || pair[side] === null ? '' : quantityOf(pair[side]);
    const request = amount('request');
    const limit = amount('limit');
    this.quantity(`${field}.request`, request);
    this.quantity(`${field}.limit`, limit);
    if (compareQuantities(request, limit) > 0)
      this.fail(`${field}.request`, `must not exceed the limit (${limit}), got ${request}`);
  }

  /** Every request and limit of a container's resources: cpu and memory required, ephemeralStorage optional. */
  resources(field: string, spec: Partial<ResourceSpec> | undefined): void {
    if (spec === undefined) return;
    for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
      const pair = spec[key];
      if (pair === undefined && key === 'ephemeralStorage') continue;
      if (typeof pair !== 'object' || pair === null)
        this.fail(`${field}.${key}`, `must be { request, limit }, got ${shown(pair)}`);
      this.requestAndLimit(`${field}.${key}`, pair);
    }
  }

  /** A cdk8s Duration of whole milliseconds, from `min` (else zero) to `max`; returns it in milliseconds. */
  duration(field: string, value: Duration | undefined, min?: Duration, max?: Duration): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value?.toMilliseconds !== 'function')
      this.fail(field, 'must be a cdk8s Duration, e.g. Duration.seconds(30)');
    const ms = value.toMilliseconds({ integral: false });
    if (!Number.isInteger(ms) || ms < 0) this.fail(field, `must be a whole number of milliseconds, got ${ms}ms`);
    if (min && ms < min.toMilliseconds())
      this.fail(field, `must be at least ${min.toHumanString()}, got ${value.toHumanString()}`);
    if (max && ms > max.toMilliseconds())
      this.fail(field, `must be at most ${max.toHumanString()}, got ${value.toHumanString()}`);
    return ms;
  }

  /** A Duration in whole seconds (for fields Kubernetes counts in seconds); returns the seconds. */
  seconds(field: string, value: Duration | undefined, min?: Duration, max?: Duration): number | undefined {
    const ms = this.duration(field, value, min, max);
    if (ms === undefined) return undefined;
    if (ms % 1000 !== 0)
      this.fail(field, `must be whole seconds (Kubernetes counts this field in seconds), got ${ms}ms`);
    return ms / 1000;
  }

  /** An absolute URL path: starts with '/', no query, fragment, white space, `//`, `/./` or `/../`. */
  urlPath(field: string, value: string | undefined): void {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length > 1024 || !URL_PATH.test(value)) {
      this.fail(
        field,
        `must be an absolute URL path (starting with '/', no query, fragment or white space, at most 1024 characters), got ${shown(value)}`,
      );
    }
    if (/\/\/|\/\.\.?(\/|$)/.test(value))
      this.fail(field, `must not contain '//', '/./' or '/../', got ${shown(value)}`);
  }

  /** A lower-case DNS host name, optionally `*.` for its subdomains; not an IP address. */
  host(field: string, value: string | undefined): void {
    if (value === undefined) return;
    if (
      typeof value !== 'string' ||
      value.length > DNS_SUBDOMAIN_MAX ||
      !WILDCARD_HOST.test(value) ||
      /^[0-9.]+$/.test(value)
    ) {
      this.fail(
        field,
        `must be a lower-case DNS name, optionally starting with '*.' for its subdomains (not an IP address), got ${shown(value)}`,
      );
    }
  }

  /** A profile, one of {@link PROFILES}. */
  profile(field: string, value: Profile | undefined): void {
    this.oneOf(field, value, PROFILES);
  }

  /**
   * A namespace the library may create or fill: a DNS-1123 label that is not a system namespace
   * ({@link isSystemNamespace}). `from` says where the value came from when the prop itself is unset.
   */
  userNamespace(field: string, value: string | undefined, from?: string): void {
    if (value === undefined) return;
    this.dnsLabel(field, value);
    if (isSystemNamespace(value))
      this.fail(
        field,
        `must not be a system namespace (kube-system, kube-public, kube-node-lease or another kube-*), got ${shown(value)}${from ? ` ${from}` : ''}`,
      );
  }

  /** A non-empty list of ports. */
  ports(field: string, values: readonly number[] | undefined): void {
    if (values === undefined) return;
    if (!Array.isArray(values) || values.length === 0) this.fail(field, 'must list at least one port');
    values.forEach((port, i) => this.port(`${field}[${i}]`, port));
  }

  /** The start of DNS-1123 labels that something is appended to: `''`, or letters, digits and '-' from a letter or digit. */
  namePrefix(field: string, value: string | undefined, roomFor = 1): void {
    if (value === undefined || value === '') return;
    if (typeof value !== 'string' || value.length > DNS_LABEL_MAX - roomFor || !/^[a-z0-9][-a-z0-9]*$/.test(value)) {
      this.fail(
        field,
        `must be lower-case letters, digits and '-', start with a letter or digit and leave room for a name (at most ${DNS_LABEL_MAX - roomFor} characters), got ${shown(value)}`,
      );
    }
  }

  /** A non-empty list of address ranges in CIDR notation (`192.168.49.2/32`, `fd00::/8`). */
  cidrs(
    field: string,
    values: readonly string[] | undefined,
    whenEmpty = 'must list at least one CIDR',
    allowEveryAddress = true,
  ): void {
    if (values === undefined) return;
    if (!Array.isArray(values) || values.length === 0) this.fail(field, whenEmpty);
    values.forEach((cidr, i) => {
      const [address, prefix, extra] = String(cidr).split('/');
      const version = isIP(address);
      if (
        version === 0 ||
        extra !== undefined ||
        !/^\d+$/.test(prefix ?? '') ||
        Number(prefix) > (version === 4 ? 32 : 128)
      ) {
        this.fail(`${field}[${i}]`, `must be a CIDR such as 192.168.49.2/32, got ${shown(cidr)}`);
      }
      if (!allowEveryAddress && Number(prefix) === 0) {
        this.fail(
          `${field}[${i}]`,
          `must not be every address (then nothing would be outside the pod network), got ${shown(cidr)}`,
        );
      }
    });
  }

  oneOf<T extends string>(field: string, value: T | undefined, allowed: readonly T[]): void {
    if (value === undefined) return;
    if (!allowed.includes(value)) this.fail(field, `must be one of ${allowed.join(', ')}, got ${shown(value)}`);
  }
}

/**
 * A value as a props error shows it: as JSON, except what JSON cannot say (`NaN`, `Infinity`,
 * `undefined`, a function), which would read as `null` or nothing.
 */
function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}
