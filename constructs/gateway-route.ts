import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PropsValidator } from '../src/props-validator';
import { AppWorkload, ServiceEndpoint } from '../src/workload';

/** A Service a route sends requests to, by name: for Services that no construct of this library exposes. */
export interface ServiceReference {
  /** Service name. */
  readonly name: string;
  /**
   * Namespace of the Service.
   * @default the gateway's namespace
   */
  readonly namespace?: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The pod port behind `port`, which the gateway's egress NetworkPolicy allows (policies see pod ports,
   * not Service ports).
   * @default `port`
   */
  readonly targetPort?: number;
}

/** Conditions on which Envoy retries a request (its `retry_on`). */
export type RetryCondition = 'connect-failure' | 'refused-stream' | 'reset' | 'gateway-error' | '5xx' | 'retriable-4xx';

const RETRY_CONDITIONS: readonly RetryCondition[] = [
  'connect-failure',
  'refused-stream',
  'reset',
  'gateway-error',
  '5xx',
  'retriable-4xx',
];

/** How a route retries failed requests. */
export interface RouteRetries {
  /**
   * Retries after the first attempt; 0 turns retries off.
   * @default 2
   */
  readonly attempts?: number;
  /**
   * When to retry.
   * @default ['connect-failure', 'refused-stream', 'reset']: how requests fail when a pod goes away in a rollout
   */
  readonly on?: RetryCondition[];
  /**
   * Timeout of each attempt.
   * @default the route's timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * Retry only GET, HEAD and OPTIONS requests, which are safe to send twice.
   * @default true
   */
  readonly idempotentOnly?: boolean;
}

/** A route: requests for `host` whose path is `pathPrefix` or below it go to `service`. */
export interface GatewayRoute {
  /**
   * Path prefix, matched by whole segments: `/api` matches `/api` and `/api/x`, not `/apix`. Starts with
   * '/', and only `/` itself ends with one.
   */
  readonly pathPrefix: string;
  /**
   * Host the route is for: `api.example.com`, or `*.example.com` for its subdomains.
   * @default every host
   */
  readonly host?: string;
  /**
   * Where requests go: a construct's Service (its `ServiceEndpoint`), any `kplus.Service` (its first port,
   * or `port`), or a Service by name and port.
   */
  readonly service: ServiceEndpoint | ServiceReference | kplus.Service;
  /**
   * The Service port, for routes that say it (the workshop's `tgr:5000`): it must be the service's port.
   * @default the service's port
   */
  readonly port?: number;
  /**
   * Time for the whole request, retries included.
   * @default 15 seconds
   */
  readonly timeout?: Duration;
  /**
   * Retries of failed requests.
   * @default 2 attempts on connection failures and resets, for idempotent methods only
   */
  readonly retries?: RouteRetries;
  /**
   * What the matched prefix becomes before forwarding: with `/api` -> `/`, `/api/x` is sent as `/x`.
   * @default the path is forwarded unchanged
   */
  readonly prefixRewrite?: string;
}

/** A routed Service, resolved: what the Envoy config, the HTTPRoutes and the NetworkPolicies need. */
export interface Upstream {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  /** The pod port (a number: policies see pod ports). */
  readonly targetPort: number;
  /** The pods' labels; known for a construct's Service only. */
  readonly selector?: Record<string, string>;
}

/** A route with its defaults applied and its times in milliseconds: the input of both renderings. */
export interface ResolvedRoute {
  readonly pathPrefix: string;
  readonly host?: string;
  readonly upstream: Upstream;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly retryOn: readonly RetryCondition[];
  readonly perTryTimeoutMs?: number;
  readonly idempotentOnly: boolean;
  readonly prefixRewrite?: string;
}

const DEFAULT_TIMEOUT = Duration.seconds(15);
const ONE_MS = Duration.millis(1);

/**
 * Checks a route and applies its defaults. `field` names it in errors (`routes[2]`); `namespace` is the
 * gateway's, for Services given without one.
 */
export function resolveRoute(
  check: PropsValidator,
  route: GatewayRoute,
  field: string,
  namespace: string,
): ResolvedRoute {
  checkPrefix(check, `${field}.pathPrefix`, route.pathPrefix);
  if (route.prefixRewrite !== undefined) checkPrefix(check, `${field}.prefixRewrite`, route.prefixRewrite);
  check.host(`${field}.host`, route.host);
  if (!route.service || typeof route.service !== 'object')
    check.fail(`${field}.service`, 'must be a ServiceEndpoint, a kplus.Service or { name, namespace?, port }');
  const service =
    route.service instanceof kplus.Service
      ? fromKplus(check, route.service, route.port, `${field}.service`)
      : route.service;
  const upstream = resolveUpstream(check, service, `${field}.service`, namespace);
  check.port(`${field}.port`, route.port);
  if (route.port !== undefined && route.port !== upstream.port) {
    check.fail(
      `${field}.port`,
      `must be the port of Service ${upstream.namespace}/${upstream.name} (${upstream.port}), got ${route.port}`,
    );
  }
  const timeoutMs = check.duration(`${field}.timeout`, route.timeout, ONE_MS) ?? DEFAULT_TIMEOUT.toMilliseconds();
  const retries = route.retries ?? {};
  check.integer(`${field}.retries.attempts`, retries.attempts, 0, 10);
  const retryOn = retries.on ?? ['connect-failure', 'refused-stream', 'reset'];
  if (!Array.isArray(retryOn) || retryOn.length === 0)
    check.fail(`${field}.retries.on`, 'must name at least one condition (attempts: 0 turns retries off)');
  retryOn.forEach((condition, i) => check.oneOf(`${field}.retries.on[${i}]`, condition, RETRY_CONDITIONS));
  const perTryTimeoutMs = check.duration(`${field}.retries.perTryTimeout`, retries.perTryTimeout, ONE_MS);
  if (perTryTimeoutMs !== undefined && perTryTimeoutMs > timeoutMs) {
    check.fail(
      `${field}.retries.perTryTimeout`,
      `must not exceed the route's timeout (${timeoutMs}ms), got ${perTryTimeoutMs}ms`,
    );
  }
  return {
    pathPrefix: route.pathPrefix,
    host: route.host,
    upstream,
    timeoutMs,
    attempts: retries.attempts ?? 2,
    retryOn,
    perTryTimeoutMs,
    idempotentOnly: retries.idempotentOnly ?? true,
    prefixRewrite: route.prefixRewrite,
  };
}

/** A path prefix: a URL path that matches whole segments, so only `/` ends with '/'. */
function checkPrefix(check: PropsValidator, field: string, value: string): void {
  check.urlPath(field, value ?? '');
  if (value !== '/' && value.endsWith('/'))
    check.fail(
      field,
      `must not end with '/' (prefixes match whole segments: '/api' covers '/api/x'), got ${JSON.stringify(value)}`,
    );
}

/**
 * A cdk8s-plus Service: a stack's own is its workload's endpoint; any other is a reference by name (its
 * pods' selector is cdk8s-plus's private), so the gateway writes no policy for its pods, as for any
 * Service known by name.
 */
function fromKplus(
  check: PropsValidator,
  service: kplus.Service,
  port: number | undefined,
  field: string,
): ServiceEndpoint | ServiceReference {
  // A stack's own Service: its workload knows the pods, so they admit the gateway.
  const owner = service.node.scope;
  if (owner instanceof AppWorkload && owner.service === service && owner.endpoint) return owner.endpoint;
  const ports = service.ports;
  const chosen = port === undefined ? ports[0] : ports.find((p) => p.port === port);
  if (!chosen)
    check.fail(
      `${field}`,
      `Service ${service.name} has no port ${port ?? ''}(its ports: ${ports.map((p) => p.port).join(', ') || 'none'})`,
    );
  // A named target port cannot be a policy port: the Service port is the best guess, as for a reference.
  return {
    name: service.name,
    namespace: service.metadata.namespace,
    port: chosen.port,
    targetPort: chosen.targetPort,
  };
}

function resolveUpstream(
  check: PropsValidator,
  service: ServiceEndpoint | ServiceReference,
  field: string,
  namespace: string,
): Upstream {
  if ('selector' in service && 'containerPort' in service) {
    return {
      name: service.name,
      namespace: service.namespace,
      port: service.port,
      targetPort: service.containerPort,
      selector: service.selector,
    };
  }
  const ref = service;
  if (ref.name === undefined) check.fail(`${field}.name`, 'is required');
  if (ref.port === undefined) check.fail(`${field}.port`, 'is required');
  check.serviceName(`${field}.name`, ref.name);
  check.dnsLabel(`${field}.namespace`, ref.namespace);
  check.port(`${field}.port`, ref.port);
  check.port(`${field}.targetPort`, ref.targetPort);
  return {
    name: ref.name,
    namespace: ref.namespace ?? namespace,
    port: ref.port,
    targetPort: ref.targetPort ?? ref.port,
  };
}
