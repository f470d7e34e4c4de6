import { parse } from 'yaml';
import { envoyBootstrap, envoyConfigJson, GATEWAY_HEALTH_PATH } from '../constructs/envoy-config';
import { ResolvedRoute } from '../constructs/gateway-route';

const route = (over: Partial<ResolvedRoute> = {}): ResolvedRoute => ({
  pathPrefix: '/',
  upstream: { name: 'tgr', namespace: 'api', port: 5000, targetPort: 5000 },
  timeoutMs: 15000,
  attempts: 2,
  retryOn: ['connect-failure'],
  idempotentOnly: true,
  ...over,
});
const options = { clusterDomain: 'cluster.local' };
const virtualHosts = (config: any) =>
  config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts;

describe('the Envoy config generator (pure)', () => {
  test('is JSON, so that hosts YAML 1.1 reads as booleans (on, yes, no) stay strings for Envoy', () => {
    const text = envoyConfigJson(
      ['on', 'yes', 'no', 'off'].map((host) => route({ host })),
      options,
    );
    const config = JSON.parse(text);
    expect(virtualHosts(config).map((vh: any) => vh.domains[0])).toEqual(['no', 'off', 'on', 'yes', '*']);
    // Even a YAML 1.1 reader (Envoy's) gets strings: JSON quotes every one.
    expect(parse(text, { version: '1.1' })).toEqual(config);
  });

  test('is a function of its input only', () => {
    const routes = [route({ pathPrefix: '/api', prefixRewrite: '/' }), route()];
    expect(envoyConfigJson(routes, options)).toBe(envoyConfigJson([...routes], options));
  });

  test('the health check filter answers the health path and nothing else: no route is needed for it', () => {
    const config: any = envoyBootstrap([route()], options);
    const [health, router] = config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters;
    expect(health.typed_config.headers).toEqual([{ name: ':path', string_match: { exact: GATEWAY_HEALTH_PATH } }]);
    expect(router.name).toBe('envoy.filters.http.router');
    expect(JSON.stringify(virtualHosts(config))).not.toContain(GATEWAY_HEALTH_PATH);
  });

  test('segment-wise prefixes with a rewrite become an exact and a below-prefix match', () => {
    const config: any = envoyBootstrap([route({ pathPrefix: '/api', prefixRewrite: '/v1' })], options);
    expect(virtualHosts(config)[0].routes.map((r: any) => [r.match, r.route.prefix_rewrite])).toEqual([
      [{ path: '/api' }, '/v1'],
      [{ prefix: '/api/' }, '/v1/'],
    ]);
  });

  test("upstreams are STRICT_DNS clusters on the Service's cluster DNS name", () => {
    const config: any = envoyBootstrap([route()], { clusterDomain: 'corp.local' });
    expect(
      config.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
    ).toEqual({ address: 'tgr.api.svc.corp.local', port_value: 5000 });
  });
});
