import { createHash } from 'crypto';
import { Chart, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { synthApp } from '../apps/registry';
import { ApiGateway, ApiGatewayProps } from '../constructs/api-gateway';
import { CONFIG_HASH_ANNOTATION } from '../constructs/envoy-gateway';
import { GatewayRoute } from '../constructs/gateway-route';
import { TrendingRepos } from '../constructs/trending-repos';
import { formatFinding } from '../src/checks';
import { checkGatewayRoutes } from '../src/checks/routes';
import { checkPodSecurityRestricted } from '../src/checks/pss';
import { checkSchema } from '../src/checks/schema';
import { checkServiceWiring } from '../src/checks/wiring';
import { selects } from '../src/manifest/selector';
import { KubeObject, parseManifests } from '../src/manifest';
import { PropsValidationError } from '../src/props-error';
import { PROFILES, findObject, podSpec, synthStack } from './helpers';

/** A gateway in front of tgr (which the test adds routes to through `routes`). */
function synth(
  routes: (tgr: TrendingRepos) => GatewayRoute[] = (tgr) => [{ pathPrefix: '/', service: tgr.endpoint }],
  props: ApiGatewayProps = {},
  chartProps = {},
): KubeObject[] {
  return synthStack((chart) => {
    const tgr = new TrendingRepos(chart, 'tgr');
    new ApiGateway(chart, 'gw', { ...props, routes: routes(tgr) });
  }, chartProps);
}

function envoyConfig(objects: readonly KubeObject[], name = 'api-gateway-envoy'): any {
  return parse((findObject(objects, 'ConfigMap', name) as any).data['envoy.json']);
}

function virtualHosts(config: any): any[] {
  return config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts;
}

/** Each Envoy route as `<match> -> <cluster>[ rewrite]`, per virtual host name. */
function routeTable(config: any): Record<string, string[]> {
  return Object.fromEntries(
    virtualHosts(config).map((vh: any) => [
      vh.name,
      vh.routes.map((r: any) => {
        const match = r.match.path !== undefined ? `=${r.match.path}` : r.match.prefix;
        if (r.direct_response) return `${match} -> ${r.direct_response.status}`;
        return `${match} -> ${r.route.cluster}${r.route.prefix_rewrite !== undefined ? ` as ${r.route.prefix_rewrite}` : ''}`;
      }),
    ]),
  );
}

describe('the api-gateway app', () => {
  test.each(PROFILES)(
    '%s: the Envoy configuration parses, and every route reaches a Service of the app on a port it exposes',
    (profile) => {
      const objects = parseManifests(synthApp('api-gateway', profile));
      const config = envoyConfig(objects);
      const clusters = new Map<string, any>(config.static_resources.clusters.map((c: any) => [c.name, c]));
      const routes = virtualHosts(config)
        .flatMap((vh: any) => vh.routes)
        .filter((r: any) => r.route);
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        const cluster = clusters.get(route.route.cluster);
        expect(cluster).toBeDefined();
        expect(cluster.type).toBe('STRICT_DNS');
        const endpoints = cluster.load_assignment.endpoints.flatMap((e: any) => e.lb_endpoints);
        expect(endpoints).toHaveLength(1);
        const { address, port_value: port } = endpoints[0].endpoint.address.socket_address;
        const [, name, namespace] = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(address) ?? [];
        const service = findObject(objects, 'Service', name, namespace).spec as any;
        expect(service.ports.map((p: any) => p.port)).toContain(port);
      }
    },
  );

  test("routes / to tgr:5000, as the workshop's Mapping did", () => {
    const config = envoyConfig(parseManifests(synthApp('api-gateway', 'local')));
    expect(routeTable(config)).toEqual({ any: ['/ -> tgr.api-gateway:5000'] });
  });

  test('objects are unique by kind, namespace and name', () => {
    const keys = parseManifests(synthApp('api-gateway', 'local')).map(
      (o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`,
    );
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});

describe('ApiGateway with Envoy', () => {
  test('health check filter before the router, probed for readiness; admin on localhost only', () => {
    const objects = synth();
    const config = envoyConfig(objects);
    const filters = config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters;
    expect(filters.map((f: any) => f.name)).toEqual(['envoy.filters.http.health_check', 'envoy.filters.http.router']);
    expect(filters[0].typed_config).toMatchObject({
      pass_through_mode: false,
      headers: [{ name: ':path', string_match: { exact: '/healthz' } }],
    });
    expect(config.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9901 });
    const listener = config.static_resources.listeners[0].address.socket_address;
    expect(listener).toEqual({ address: '0.0.0.0', port_value: 8080 });
    const container = podSpec(findObject(objects, 'Deployment', 'api-gateway')).containers[0];
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // Liveness must not follow the health check, which fails on purpose while Envoy drains.
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(container.ports.some((p: any) => p.containerPort === 9901)).toBe(false);
  });

  test('the config hash on the pod template follows the routes, including routes added after construction', () => {
    const hashOf = (objects: KubeObject[]) =>
      (findObject(objects, 'Deployment', 'api-gateway').spec as any).template.metadata.annotations[
        CONFIG_HASH_ANNOTATION
      ];
    const one = synth();
    const data = (findObject(one, 'ConfigMap', 'api-gateway-envoy') as any).data['envoy.json'];
    expect(hashOf(one)).toBe(createHash('sha256').update(data).digest('hex'));
    expect(hashOf(synth())).toBe(hashOf(one));
    expect(
      hashOf(synth((tgr) => [{ pathPrefix: '/', service: tgr.endpoint, timeout: Duration.seconds(20) }])),
    ).not.toBe(hashOf(one));

    const later = synthStack((chart) => {
      const gw = new ApiGateway(chart, 'gw');
      gw.addRoute({ pathPrefix: '/', service: new TrendingRepos(chart, 'tgr').endpoint });
    });
    expect(hashOf(later)).toBe(hashOf(one));
    expect(routeTable(envoyConfig(later)).any).toEqual(['/ -> tgr.test:5000']);
  });

  test('prefixes match whole segments, longest first; a rewrite never doubles or drops a slash', () => {
    const config = envoyConfig(
      synth((tgr) => [
        { pathPrefix: '/', service: tgr.endpoint },
        { pathPrefix: '/api', service: tgr.endpoint, prefixRewrite: '/' },
        { pathPrefix: '/api/v2', service: { name: 'v2', port: 8080 }, prefixRewrite: '/v2' },
      ]),
    );
    expect(routeTable(config).any).toEqual([
      '=/api/v2 -> v2.test:8080 as /v2',
      '/api/v2/ -> v2.test:8080 as /v2/',
      '=/api -> tgr.test:5000 as /',
      '/api/ -> tgr.test:5000 as /',
      '/ -> tgr.test:5000',
    ]);
  });

  test('hosts become virtual hosts that fall back as the Gateway API does: exact, wildcard, any host', () => {
    const config = envoyConfig(
      synth((tgr) => [
        { pathPrefix: '/', service: tgr.endpoint },
        { pathPrefix: '/', host: '*.example.com', service: { name: 'wild', port: 80 } },
        { pathPrefix: '/shop', host: 'shop.example.com', service: { name: 'shop', port: 80 } },
      ]),
    );
    expect(routeTable(config)).toEqual({
      '*.example.com': ['/ -> wild.test:80', '/ -> tgr.test:5000'],
      'shop.example.com': [
        '=/shop -> shop.test:80',
        '/shop/ -> shop.test:80',
        '/ -> wild.test:80',
        '/ -> tgr.test:5000',
      ],
      any: ['/ -> tgr.test:5000'],
    });
    expect(virtualHosts(config).map((vh: any) => vh.domains)).toEqual([['*.example.com'], ['shop.example.com'], ['*']]);
  });

  test('timeouts and retries: explicit defaults, idempotent methods only unless asked', () => {
    const config = envoyConfig(
      synth((tgr) => [
        { pathPrefix: '/', service: tgr.endpoint },
        {
          pathPrefix: '/slow',
          service: tgr.endpoint,
          timeout: Duration.millis(1500),
          retries: { attempts: 3, on: ['gateway-error'], perTryTimeout: Duration.millis(500), idempotentOnly: false },
        },
        { pathPrefix: '/once', service: tgr.endpoint, retries: { attempts: 0 } },
      ]),
    );
    const action = (path: string) =>
      virtualHosts(config)[0].routes.find((r: any) => r.match.path === path || r.match.prefix === path).route;
    expect(action('/')).toEqual({
      cluster: 'tgr.test:5000',
      timeout: '15s',
      retry_policy: {
        retry_on: 'connect-failure,refused-stream,reset',
        num_retries: 2,
        retriable_request_headers: ['GET', 'HEAD', 'OPTIONS'].map((m) => ({
          name: ':method',
          string_match: { exact: m },
        })),
      },
    });
    expect(action('/slow')).toEqual({
      cluster: 'tgr.test:5000',
      timeout: '1.5s',
      retry_policy: { retry_on: 'gateway-error', num_retries: 3, per_try_timeout: '0.5s' },
    });
    expect(action('/once').retry_policy).toBeUndefined();
  });

  test('one STRICT_DNS cluster per upstream Service and port, named by its cluster DNS name', () => {
    const config = envoyConfig(
      synth(
        (tgr) => [
          { pathPrefix: '/', service: tgr.endpoint },
          { pathPrefix: '/a', service: tgr.endpoint },
          { pathPrefix: '/b', service: { name: 'billing', namespace: 'finance', port: 8443 } },
        ],
        { clusterDomain: 'corp.internal' },
      ),
    );
    expect(
      config.static_resources.clusters.map((c: any) => [
        c.name,
        c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
      ]),
    ).toEqual([
      ['tgr.test:5000', { address: 'tgr.test.svc.corp.internal', port_value: 5000 }],
      ['billing.finance:8443', { address: 'billing.finance.svc.corp.internal', port_value: 8443 }],
    ]);
  });

  test('on SIGTERM Envoy first fails its health check and drains, within the grace period', () => {
    const pod = (props: ApiGatewayProps = {}) =>
      podSpec(findObject(synth(undefined, props), 'Deployment', 'api-gateway'));
    const spec = pod();
    const container = spec.containers[0];
    const [shell, flag, script] = container.lifecycle.preStop.exec.command;
    expect([shell, flag]).toEqual(['/bin/bash', '-c']);
    // The admin interface (localhost:9901) over HTTP/1.1, which Envoy accepts by default, then the drain time.
    expect(script).toMatch(
      /^exec 3<>\/dev\/tcp\/127\.0\.0\.1\/9901 && printf 'POST \/healthcheck\/fail HTTP\/1\.1\\r\\nHost: localhost\\r\\n.*' >&3; sleep 15$/,
    );
    expect(container.args.join(' ')).toContain('--drain-time-s 15');
    expect(spec.terminationGracePeriodSeconds).toBe(25);
    const longer = pod({ drainTime: Duration.seconds(40) });
    expect(longer.containers[0].lifecycle.preStop.exec.command[2]).toMatch(/sleep 40$/);
    expect(longer.terminationGracePeriodSeconds).toBe(50);
  });

  test('Envoy runs as uid 101 on a read-only root filesystem, without hot restart, with its config mounted read-only', () => {
    const objects = synth();
    expect(objects.flatMap(checkPodSecurityRestricted)).toEqual([]);
    const spec = podSpec(findObject(objects, 'Deployment', 'api-gateway'));
    const container = spec.containers[0];
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, runAsGroup: 101 });
    expect(spec.securityContext.sysctls).toBeUndefined();
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(container.image).toMatch(/^envoyproxy\/envoy:v1\.31\.\d+$/);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.command).toEqual(['/usr/local/bin/envoy']);
    expect(container.args).toEqual(
      expect.arrayContaining(['--disable-hot-restart', '--config-path', '/etc/envoy/envoy.json']),
    );
    const mount = (path: string) => container.volumeMounts.find((m: any) => m.mountPath === path);
    const volume = (name: string) => spec.volumes.find((v: any) => v.name === name);
    expect(volume(mount('/tmp').name).emptyDir).toBeDefined();
    expect(mount('/etc/envoy').readOnly).toBe(true);
    expect(volume(mount('/etc/envoy').name).configMap).toEqual({ name: 'api-gateway-envoy' });
  });

  test('two replicas spread across nodes, a PodDisruptionBudget, and rollouts at full capacity', () => {
    const objects = synth();
    const deployment = findObject(objects, 'Deployment', 'api-gateway').spec as any;
    expect(deployment.replicas).toBe(2);
    expect(deployment.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    const [term] = deployment.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    expect(term.podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(selects(term.podAffinityTerm.labelSelector.matchLabels, deployment.template.metadata.labels)).toBe(true);
    const pdb = findObject(objects, 'PodDisruptionBudget', 'api-gateway').spec as any;
    expect(pdb.maxUnavailable).toBe(1);
    expect(selects(pdb.selector.matchLabels, deployment.template.metadata.labels)).toBe(true);
  });

  test('Service port 80 -> 8080: NodePort 30080 locally, LoadBalancer keeping client addresses in the cloud', () => {
    const local = findObject(synth(), 'Service', 'api-gateway').spec as any;
    expect(local).toMatchObject({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }] });
    expect(local.externalTrafficPolicy).toBeUndefined();
    const cloud = findObject(synth(undefined, {}, { profile: 'cloud' }), 'Service', 'api-gateway').spec as any;
    expect(cloud).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 80, targetPort: 'http' }],
    });
    expect(cloud.ports[0].nodePort).toBeUndefined();
    expect(checkServiceWiring(synth())).toEqual([]);
    const assigned = findObject(synth(undefined, { nodePort: 'auto' }), 'Service', 'api-gateway').spec as any;
    expect([assigned.type, assigned.ports[0].nodePort]).toEqual(['NodePort', undefined]);
  });

  describe('NetworkPolicies', () => {
    const objects = synth((tgr) => [
      { pathPrefix: '/', service: tgr.endpoint },
      { pathPrefix: '/a', service: tgr.endpoint },
      { pathPrefix: '/ext', service: { name: 'legacy', namespace: 'old', port: 80, targetPort: 8080 } },
    ]);
    const policy = (name: string) => findObject(objects, 'NetworkPolicy', name).spec as any;

    test('Envoy accepts anyone on its port and reaches only DNS and the routed pods on their container ports', () => {
      const gw = policy('api-gateway');
      expect(gw.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
      expect(gw.egress.map((r: any) => [r.to[0].podSelector.matchLabels, r.ports.map((p: any) => p.port)])).toEqual([
        [{ 'k8s-app': 'kube-dns' }, [53, 53]],
        [{ app: 'tgr', 'app.kubernetes.io/instance': 'tgr' }, [5000]],
        [{}, [8080]],
      ]);
      expect(gw.egress[2].to[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'old' });
    });

    test("tgr admits Envoy through an Ingress-only policy of its own; tgr's own policy admits nobody", () => {
      const admit = policy('api-gateway-to-tgr');
      expect(admit.policyTypes).toEqual(['Ingress']);
      expect(admit.egress).toBeUndefined();
      expect(admit.ingress).toEqual([
        {
          from: [{ podSelector: { matchLabels: policy('api-gateway').podSelector.matchLabels } }],
          ports: [{ port: 5000, protocol: 'TCP' }],
        },
      ]);
      expect(policy('tgr').ingress).toEqual([]);
      // A Service known only by name gets no policy from the gateway: its pods are not ours to select.
      expect(
        objects
          .filter((o) => o.kind === 'NetworkPolicy')
          .map((o) => o.metadata.name)
          .sort(),
      ).toEqual(['api-gateway', 'api-gateway-to-tgr', 'tgr']);
    });

    test('can be turned off', () => {
      const names = synth(undefined, { networkPolicies: false })
        .filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => o.metadata.name);
      expect(names).toEqual(['tgr']);
    });
  });
});

describe('ApiGateway with the Gateway API', () => {
  const gatewayApi = { gatewayName: 'shared', gatewayNamespace: 'infra', sectionName: 'http' };

  test('renders HTTPRoutes that validate against their schema, and no Envoy', () => {
    const objects = synth(
      (tgr) => [
        {
          pathPrefix: '/',
          service: tgr.endpoint,
          timeout: Duration.millis(90_500),
          retries: { perTryTimeout: Duration.seconds(5) },
        },
        { pathPrefix: '/api', host: 'api.example.com', service: tgr.endpoint, prefixRewrite: '/' },
      ],
      { gatewayApi },
    );
    expect(objects.map((o) => o.kind).filter((k) => ['ConfigMap', 'PodDisruptionBudget'].includes(k))).toEqual([]);
    expect(objects.some((o) => o.metadata.name === 'api-gateway' && o.kind !== 'HTTPRoute')).toBe(false);
    const routes = objects.filter((o) => o.kind === 'HTTPRoute');
    expect(routes.map((o) => o.metadata.name)).toEqual(['api-gateway', 'api-gateway-api.example.com']);
    expect(routes.flatMap((o) => checkSchema(o)).map(formatFinding)).toEqual([]);
    expect(checkGatewayRoutes(objects)).toEqual([]);
    const [any, api] = routes.map((o) => o.spec as any);
    expect(any.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared', namespace: 'infra', sectionName: 'http' },
    ]);
    expect(any.hostnames).toBeUndefined();
    expect(any.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'tgr', port: 5000 }],
        timeouts: { request: '1m30s500ms', backendRequest: '5s' },
      },
    ]);
    expect(api.hostnames).toEqual(['api.example.com']);
    expect(api.rules[0].filters).toEqual([
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
    ]);
  });

  test('more than 16 routes for a host spill into a second HTTPRoute', () => {
    const objects = synth(
      (tgr) => Array.from({ length: 17 }, (_, i) => ({ pathPrefix: `/r${i}`, service: tgr.endpoint })),
      { gatewayApi },
    );
    const routes = objects.filter((o) => o.kind === 'HTTPRoute');
    expect(routes.map((o) => [o.metadata.name, (o.spec as any).rules.length])).toEqual([
      ['api-gateway', 16],
      ['api-gateway-2', 1],
    ]);
    expect(routes.flatMap((o) => checkSchema(o))).toEqual([]);
  });

  test('a Service in another namespace is granted to the routes with a ReferenceGrant', () => {
    const objects = synthStack((chart) => {
      const tgr = new TrendingRepos(chart, 'tgr', { namespace: 'backend' });
      new ApiGateway(chart, 'gw', { gatewayApi, routes: [{ pathPrefix: '/', service: tgr.endpoint }] });
    });
    const grant = findObject(objects, 'ReferenceGrant', 'test-api-gateway', 'backend');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'test' }],
      to: [{ group: '', kind: 'Service', name: 'tgr' }],
    });
    expect(checkSchema(grant)).toEqual([]);
    expect((findObject(objects, 'HTTPRoute', 'api-gateway').spec as any).rules[0].backendRefs).toEqual([
      { name: 'tgr', namespace: 'backend', port: 5000 },
    ]);
  });

  test('the routed pods admit the data plane when it is named; no policy otherwise', () => {
    const names = (objects: KubeObject[]) =>
      objects
        .filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => o.metadata.name)
        .sort();
    expect(names(synth(undefined, { gatewayApi }))).toEqual(['tgr']);
    const objects = synth(undefined, {
      gatewayApi: { ...gatewayApi, dataPlane: { namespace: 'envoy-gateway-system' } },
    });
    expect(names(objects)).toEqual(['shared-to-tgr', 'tgr']);
    const admit = findObject(objects, 'NetworkPolicy', 'shared-to-tgr').spec as any;
    expect(admit.policyTypes).toEqual(['Ingress']);
    expect(admit.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'envoy-gateway-system',
    });
  });
});

describe('ApiGateway props validation', () => {
  /** Asserts a PropsValidationError that names the construct and the field. */
  function expectInvalid(
    routes: (tgr: TrendingRepos) => GatewayRoute[],
    field: string,
    reason: RegExp,
    props: ApiGatewayProps = {},
  ): void {
    let error: unknown;
    try {
      synth(routes, props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropsValidationError);
    expect((error as PropsValidationError).message).toContain(`ApiGateway 'test/gw': invalid prop '${field}'`);
    expect((error as PropsValidationError).message).toMatch(reason);
  }
  const to =
    (route: Partial<GatewayRoute>) =>
    (tgr: TrendingRepos): GatewayRoute[] => [{ pathPrefix: '/', service: tgr.endpoint, ...route }];

  test('resources: a quantity Kubernetes does not accept fails at synth, naming the construct and the field', () => {
    const ok = { cpu: { request: '50m', limit: '500m' }, memory: { request: '64Mi', limit: '256Mi' } };
    expectInvalid(to({}), 'resources.cpu.request', /quantity.*"lots"/, {
      resources: { ...ok, cpu: { request: 'lots', limit: '1' } },
    });
    expectInvalid(to({}), 'resources.memory.limit', /quantity.*"64MB"/, {
      resources: { ...ok, memory: { request: '64Mi', limit: '64MB' } },
    });
    expectInvalid(to({}), 'resources.memory.request', /must not exceed the limit/, {
      resources: { ...ok, memory: { request: '1Gi', limit: '1G' } },
    });
    // Everything the API server accepts: binary and decimal suffixes up to exa, nano and micro, exponents.
    for (const [cpu, memory] of [
      ['500000u', '1Ei'],
      ['500000000n', '1Pi'],
      ['0.5', '1E'],
      ['5e-1', '1P'],
      ['500m', '64e6'],
    ]) {
      expect(() =>
        synth(to({}), { resources: { cpu: { request: cpu, limit: cpu }, memory: { request: memory, limit: memory } } }),
      ).not.toThrow();
    }
    // cdk8s types work too, rendered as quantities.
    const typed = synth(to({}), {
      resources: {
        cpu: { request: Cpu.millis(50), limit: Cpu.units(1) },
        memory: { request: Size.mebibytes(64), limit: Size.gibibytes(1) },
      },
    });
    expect(podSpec(findObject(typed, 'Deployment', 'api-gateway')).containers[0].resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  test('path prefixes and rewrites are absolute paths without a trailing slash', () => {
    expectInvalid(to({ pathPrefix: 'api' }), 'routes[0].pathPrefix', /absolute URL path/);
    expectInvalid(to({ pathPrefix: '/api/' }), 'routes[0].pathPrefix', /must not end with '\/'/);
    expectInvalid(to({ pathPrefix: '/a?b' }), 'routes[0].pathPrefix', /no query/);
    expectInvalid(to({ pathPrefix: '/a//b' }), 'routes[0].pathPrefix', /'\/\/'/);
    expectInvalid(to({ prefixRewrite: 'v1' }), 'routes[0].prefixRewrite', /absolute URL path/);
    expectInvalid(to({ pathPrefix: '/healthz' }), 'routes[0].pathPrefix', /health check/);
  });

  test('hosts, ports and names', () => {
    expectInvalid(to({ host: 'API.example.com' }), 'routes[0].host', /lower-case DNS name/);
    expectInvalid(to({ host: '10.0.0.1' }), 'routes[0].host', /not an IP address/);
    expectInvalid(to({ port: 80 }), 'routes[0].port', /must be the port of Service test\/tgr \(5000\), got 80/);
    expectInvalid(
      () => [{ pathPrefix: '/', service: { name: 'Legacy', port: 80 } }],
      'routes[0].service.name',
      /DNS-1123/,
    );
    expectInvalid(
      () => [{ pathPrefix: '/', service: { name: 'legacy', port: 0 } }],
      'routes[0].service.port',
      /1 to 65535/,
    );
    expectInvalid(
      () => [{ pathPrefix: '/', service: { name: 'legacy' } as never }],
      'routes[0].service.port',
      /required/,
    );
    expectInvalid(() => [], 'name', /DNS-1123/, { name: 'API' });
    expectInvalid(() => [], 'nodePort', /30000 to 32767/, { nodePort: 80 });
    expectInvalid(() => [], 'gatewayApi.gatewayName', /DNS-1123 subdomain/, { gatewayApi: { gatewayName: '' } });
  });

  test('a path is routed once per host', () => {
    expectInvalid(
      (tgr) => [
        { pathPrefix: '/', service: tgr.endpoint },
        { pathPrefix: '/', service: tgr.endpoint },
      ],
      'routes[1].pathPrefix',
      /\/ is already routed/,
    );
    expect(() =>
      synth((tgr) => [
        { pathPrefix: '/', service: tgr.endpoint },
        { pathPrefix: '/', host: 'a.example.com', service: tgr.endpoint },
      ]),
    ).not.toThrow();
  });

  test('timeouts and retries', () => {
    expectInvalid(to({ timeout: Duration.millis(0) }), 'routes[0].timeout', /at least 1 milli/);
    expectInvalid(to({}), 'drainTime', /whole seconds/, { drainTime: Duration.millis(1500) });
    expectInvalid(to({}), 'drainTime', /at most 10 minutes/, { drainTime: Duration.hours(1) });
    expectInvalid(to({ retries: { attempts: 11 } }), 'routes[0].retries.attempts', /0 to 10/);
    expectInvalid(to({ retries: { on: [] } }), 'routes[0].retries.on', /at least one/);
    expectInvalid(to({ retries: { on: ['always' as never] } }), 'routes[0].retries.on[0]', /must be one of/);
    expectInvalid(
      to({ timeout: Duration.seconds(1), retries: { perTryTimeout: Duration.seconds(2) } }),
      'routes[0].retries.perTryTimeout',
      /must not exceed/,
    );
  });

  test('routes added after construction are checked too', () => {
    expect(() =>
      synthStack((chart: Chart) =>
        new ApiGateway(chart, 'gw').addRoute({ pathPrefix: '', service: { name: 'x', port: 80 } }),
      ),
    ).toThrow("ApiGateway 'test/gw': invalid prop 'routes[0].pathPrefix'");
  });
});
