/**
 * The Envoy bootstrap for an {@link ApiGateway}'s routes: a pure function of the routes, rendered as
 * JSON. JSON, not YAML: Envoy's YAML parser reads plain `on`, `yes` and `no` as booleans, so a route
 * host named `on` would stop Envoy from loading; in JSON every string is quoted.
 */
import type { ResolvedRoute, Upstream } from './gateway-route';

/** The port Envoy listens on: above 1024, so that it binds it as a non-root user without the unprivileged-port sysctl. */
export const ENVOY_LISTENER_PORT = 8080;
/** Envoy's admin interface, on localhost only: the preStop hook fails the health check through it. */
export const ENVOY_ADMIN_PORT = 9901;
/**
 * Answered by Envoy's health check filter, before any route: 200 until the admin interface's
 * `POST /healthcheck/fail`, 503 after it. The kubelet's readiness probe uses it.
 */
export const GATEWAY_HEALTH_PATH = '/healthz';

/** What the configuration depends on besides the routes. */
export interface EnvoyConfigOptions {
  /** The cluster's DNS domain, in the upstream Services' names (`<svc>.<ns>.svc.<domain>`). */
  readonly clusterDomain: string;
}

function socketAddress(address: string, port: number): object {
  return { socket_address: { address, port_value: port } };
}

function clusterName(upstream: Upstream): string {
  return `${upstream.name}.${upstream.namespace}:${upstream.port}`;
}

/** Protobuf JSON duration: seconds with a fraction. */
function envoyDuration(ms: number): string {
  return `${ms / 1000}s`;
}

/** Whether a route's host applies to a virtual host's domain (`*.example.com` covers `a.example.com`). */
function covers(routeHost: string, domain: string): boolean {
  return routeHost === domain || (routeHost.startsWith('*.') && domain.endsWith(routeHost.slice(1)));
}

/** Exact hosts first, then longer wildcards, then routes for any host: the Gateway API's precedence. */
function hostSpecificity(host: string | undefined): number {
  if (host === undefined) return 0;
  return host.startsWith('*.') ? host.length : 1000 + host.length;
}

/**
 * The static bootstrap (v3 API). Envoy takes the first route that matches, so the routes of each virtual
 * host are ordered as the Gateway API orders them (host specificity, then prefix length): both renderings agree.
 */
export function envoyBootstrap(routes: readonly ResolvedRoute[], options: EnvoyConfigOptions): object {
  const hosts = [...new Set(routes.flatMap((r) => (r.host ? [r.host] : [])))].sort();
  const routesFor = (domain: string | undefined) =>
    routes
      .filter((r) => r.host === undefined || (domain !== undefined && covers(r.host, domain)))
      .sort((a, b) => hostSpecificity(b.host) - hostSpecificity(a.host) || b.pathPrefix.length - a.pathPrefix.length)
      .flatMap(envoyRoutes);
  const upstreams = new Map(routes.map((r) => [clusterName(r.upstream), r.upstream]));
  return {
    // Localhost only: reachable from the pod itself (the preStop hook) and `kubectl port-forward`, never from the network.
    admin: { address: socketAddress('127.0.0.1', ENVOY_ADMIN_PORT) },
    static_resources: {
      listeners: [
        {
          name: 'http',
          address: socketAddress('0.0.0.0', ENVOY_LISTENER_PORT),
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'ingress_http',
                    // The edge of the cluster: the client is the peer, and paths are normalized before matching.
                    use_remote_address: true,
                    normalize_path: true,
                    merge_slashes: true,
                    path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT',
                    // NodePort clients send `Host: <ip>:<port>`; hosts match without the port.
                    strip_any_host_port: true,
                    request_headers_timeout: '10s',
                    common_http_protocol_options: { headers_with_underscores_action: 'REJECT_REQUEST' },
                    access_log: [
                      {
                        name: 'envoy.access_loggers.stdout',
                        typed_config: {
                          '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
                        },
                      },
                    ],
                    route_config: {
                      name: 'routes',
                      virtual_hosts: [
                        ...hosts.map((host) => ({ name: host, domains: [host], routes: routesFor(host) })),
                        { name: 'any', domains: ['*'], routes: routesFor(undefined) },
                      ],
                    },
                    http_filters: [
                      {
                        // Answers the health path itself, whatever the host, and fails it once draining starts.
                        name: 'envoy.filters.http.health_check',
                        typed_config: {
                          '@type': 'type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck',
                          pass_through_mode: false,
                          headers: [{ name: ':path', string_match: { exact: GATEWAY_HEALTH_PATH } }],
                        },
                      },
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [...upstreams].map(([name, upstream]) => ({
        name,
        // One address, the Service's: kube-proxy balances the connections across its pods.
        type: 'STRICT_DNS',
        connect_timeout: '2s',
        dns_lookup_family: 'V4_PREFERRED',
        lb_policy: 'ROUND_ROBIN',
        load_assignment: {
          cluster_name: name,
          endpoints: [
            {
              lb_endpoints: [
                {
                  endpoint: {
                    address: socketAddress(
                      `${upstream.name}.${upstream.namespace}.svc.${options.clusterDomain}`,
                      upstream.port,
                    ),
                  },
                },
              ],
            },
          ],
        },
      })),
    },
  };
}

/** The bootstrap as the file Envoy reads (`envoy.json`: Envoy picks the parser by the extension). */
export function envoyConfigJson(routes: readonly ResolvedRoute[], options: EnvoyConfigOptions): string {
  return `${JSON.stringify(envoyBootstrap(routes, options), null, 2)}\n`;
}

/**
 * One route as Envoy routes. Segment-wise prefix matching with a rewrite needs two: the exact path
 * (`/api` -> `/v1`) and everything below it (`/api/` -> `/v1/`), so that no `//` or `/v1x` appears.
 */
function envoyRoutes(route: ResolvedRoute): object[] {
  const action = {
    cluster: clusterName(route.upstream),
    timeout: envoyDuration(route.timeoutMs),
    retry_policy:
      route.attempts === 0
        ? undefined
        : {
            retry_on: route.retryOn.join(','),
            num_retries: route.attempts,
            per_try_timeout: route.perTryTimeoutMs === undefined ? undefined : envoyDuration(route.perTryTimeoutMs),
            retriable_request_headers: route.idempotentOnly
              ? ['GET', 'HEAD', 'OPTIONS'].map((method) => ({ name: ':method', string_match: { exact: method } }))
              : undefined,
          },
  };
  const below = (path: string) => (path === '/' ? '/' : `${path}/`);
  const rewrite = route.prefixRewrite;
  const matches: Array<[object, string | undefined]> =
    route.pathPrefix === '/'
      ? [[{ prefix: '/' }, rewrite && below(rewrite)]]
      : [
          [{ path: route.pathPrefix }, rewrite],
          [{ prefix: below(route.pathPrefix) }, rewrite && below(rewrite)],
        ];
  return matches.map(([match, prefixRewrite]) => ({ match, route: { ...action, prefix_rewrite: prefixRewrite } }));
}
