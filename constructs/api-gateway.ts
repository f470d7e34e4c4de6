import { createHash } from 'crypto';
import { ApiObject, Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Scalar, stringify } from 'yaml';
import { NetworkTraffic, PodGroup } from '../src/network';
import { ResourceSpec } from '../src/resources';
import { RunAs } from '../src/security';
import { StackContext, StackPlacementProps, resolveStackContext, selectorLabels, standardLabels } from '../src/stack-chart';
import { PropsValidator } from '../src/validation';
import { AppWorkload, NodePortSetting, ServiceEndpoint, nodePortFor } from '../src/workload';

/** The Envoy image: a pinned patch release of v1.31. */
export const DEFAULT_ENVOY_IMAGE = 'envoyproxy/envoy:v1.31.10';

/** The `envoy` user of the official Envoy image (uid and gid 101). */
export const ENVOY_RUN_AS: RunAs = { user: 101, group: 101 };

/** Answered by Envoy itself, before any route: the kubelet's probes use it. */
export const GATEWAY_HEALTH_PATH = '/healthz';

/** Pod template annotation with a hash of the generated Envoy configuration: a change of routes rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'workshop-stacks/config-hash';

/** Above 1024, so that Envoy binds it as a non-root user without the unprivileged-port sysctl. */
const LISTENER_PORT = 8080;
const ADMIN_PORT = 9901;
const CONFIG_DIR = '/etc/envoy';
const CONFIG_FILE = 'envoy.yaml';
const LOCAL_NODE_PORT = 30080;
/** An HTTPRoute holds at most 16 rules; more routes for one host spill into further HTTPRoutes. */
const MAX_RULES_PER_HTTPROUTE = 16;

const ENVOY_RESOURCES: ResourceSpec = {
  cpu: { request: '50m', limit: '500m' },
  memory: { request: '64Mi', limit: '256Mi' },
};

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

const RETRY_CONDITIONS: readonly RetryCondition[] = ['connect-failure', 'refused-stream', 'reset', 'gateway-error', '5xx', 'retriable-4xx'];

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
  /** Where requests go: a construct's Service (its `ServiceEndpoint`), or a Service by name and port. */
  readonly service: ServiceEndpoint | ServiceReference;
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

/** The Gateway API `Gateway` the routes attach to when the cluster runs a Gateway controller. */
export interface GatewayApiProps {
  /** Name of the Gateway. */
  readonly gatewayName: string;
  /**
   * Namespace of the Gateway; its listeners must allow routes from the gateway's namespace.
   * @default the gateway's namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * The Gateway listener to attach to.
   * @default every listener of the Gateway
   */
  readonly sectionName?: string;
  /**
   * The controller's data-plane pods, which connect to the upstream pods. When given, the pods of each
   * routed `ServiceEndpoint` admit them with a NetworkPolicy of their own; otherwise their owners must.
   * @default no NetworkPolicies
   */
  readonly dataPlane?: { readonly namespace: string; readonly selector?: Record<string, string> };
}

/** Props of {@link ApiGateway}. */
export interface ApiGatewayProps extends StackPlacementProps {
  /**
   * Name of the Service, Deployment, ConfigMap (`<name>-envoy`) and PodDisruptionBudget, or of the
   * HTTPRoutes; also the `app` label.
   * @default 'api-gateway'
   */
  readonly name?: string;
  /**
   * Routes to start with; `addRoute` adds more.
   * @default none
   */
  readonly routes?: GatewayRoute[];
  /**
   * The Envoy image; the binary must be `/usr/local/bin/envoy` (true of the official and distroless images).
   * @default DEFAULT_ENVOY_IMAGE
   */
  readonly image?: string;
  /**
   * The identity Envoy runs as.
   * @default uid and gid 101, the image's `envoy` user
   */
  readonly runAs?: RunAs;
  /**
   * Envoy replicas, spread across nodes when the scheduler can.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Envoy worker threads. Envoy starts one per CPU of the node, not of the pod's limit.
   * @default 2
   */
  readonly concurrency?: number;
  /**
   * Requests and limits of each Envoy pod (scaled by the profile).
   * @default cpu 50m/500m, memory 64Mi/256Mi
   */
  readonly resources?: ResourceSpec;
  /**
   * Node port of the Service in the `local` profile; `'auto'` lets the cluster assign one (for several
   * gateways on one cluster).
   * @default 30080
   */
  readonly nodePort?: NodePortSetting;
  /**
   * The cluster's DNS domain, in the upstream Services' names (`<svc>.<ns>.svc.<domain>`).
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * NetworkPolicies: Envoy accepts anyone on its port and reaches only DNS and the routed pods, which
   * admit it (with `gatewayApi`, the routed pods admit its `dataPlane`, when given).
   * @default true
   */
  readonly networkPolicies?: boolean;
  /**
   * Render the routes as Gateway API HTTPRoutes attached to an existing Gateway, instead of running Envoy.
   * @default Envoy, configured from the routes
   */
  readonly gatewayApi?: GatewayApiProps;
}

interface Upstream {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly targetPort: number;
  /** Known for a construct's Service only. */
  readonly selector?: Record<string, string>;
}

interface Route {
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

/**
 * An edge gateway with typed routes. By default it runs Envoy (two replicas behind a Service on port
 * 80) with a static configuration generated from the routes and shipped in a ConfigMap: no CRDs and no
 * controller needed. With `gatewayApi`, the same routes become `gateway.networking.k8s.io/v1`
 * HTTPRoutes for a cluster's own Gateway instead.
 *
 * Routes can be added after construction; the configuration, its hash on the pod template (which
 * rolls the pods when routes change) and the HTTPRoutes are rendered at synth time.
 */
export class ApiGateway extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** How clients reach Envoy (port 80); undefined with `gatewayApi`. */
  readonly endpoint?: ServiceEndpoint;
  /** The Envoy pods, as an escape hatch and a `PodGroup` for NetworkPolicies; undefined with `gatewayApi`. */
  readonly workload?: AppWorkload;

  private readonly routes: Route[] = [];
  private readonly check: PropsValidator;
  private readonly ctx: StackContext;
  private readonly clusterDomain: string;
  private readonly gatewayApi?: GatewayApiProps;
  private readonly labels: Record<string, string>;
  /** Who opens connections to the upstream pods (Envoy or the data plane), when policies are rendered. */
  private readonly traffic?: { readonly policies: NetworkTraffic; readonly client: PodGroup; readonly owned: boolean };
  private readonly admitted = new Set<string>();
  private readonly httpRoutes = new Map<string, ApiObject[]>();
  private readonly referenceGrants = new Map<string, Set<string>>();

  constructor(scope: Construct, id: string, props: ApiGatewayProps = {}) {
    super(scope, id);
    const check = new PropsValidator(this, 'ApiGateway');
    this.check = check;
    check.serviceName('name', props.name);
    check.image('image', props.image);
    check.replicas('replicas', props.replicas);
    check.integer('concurrency', props.concurrency, 1, 64);
    check.nodePort('nodePort', props.nodePort);
    check.dnsSubdomain('clusterDomain', props.clusterDomain);
    check.runAs('runAs', props.runAs);
    const gw = props.gatewayApi;
    if (gw) {
      check.dnsSubdomain('gatewayApi.gatewayName', gw.gatewayName ?? '');
      check.dnsLabel('gatewayApi.gatewayNamespace', gw.gatewayNamespace);
      check.dnsSubdomain('gatewayApi.sectionName', gw.sectionName);
      check.dnsLabel('gatewayApi.dataPlane.namespace', gw.dataPlane && (gw.dataPlane.namespace ?? ''));
    }
    const ctx = resolveStackContext(this, props, check, 'api-gateway');
    this.ctx = ctx;
    this.name = props.name ?? 'api-gateway';
    this.namespace = ctx.namespace;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.gatewayApi = gw;
    this.labels = standardLabels(ctx, this.name, 'gateway');
    const policies = () => new NetworkTraffic(this, 'traffic', { labels: { 'app.kubernetes.io/part-of': ctx.partOf } });

    if (gw) {
      if (gw.dataPlane && (props.networkPolicies ?? true)) {
        const client = { name: gw.gatewayName, namespace: gw.dataPlane.namespace, selector: gw.dataPlane.selector ?? {} };
        this.traffic = { policies: policies(), client, owned: false };
      }
    } else {
      this.workload = this.envoy(props);
      this.endpoint = this.workload.endpoint;
      if (props.networkPolicies ?? true) {
        this.traffic = { policies: policies(), client: this.workload, owned: true };
        this.traffic.policies.allowFromAnywhere(this.workload, [{ port: LISTENER_PORT }]);
      }
    }
    for (const route of props.routes ?? []) this.addRoute(route);
  }

  /** Routes requests for `route.host` under `route.pathPrefix` to `route.service`. */
  addRoute(route: GatewayRoute): void {
    const field = `routes[${this.routes.length}]`;
    const resolved = this.resolve(route, field);
    if (this.routes.some((r) => r.host === resolved.host && r.pathPrefix === resolved.pathPrefix)) {
      this.check.fail(`${field}.pathPrefix`, `${resolved.pathPrefix} is already routed${resolved.host ? ` for host ${resolved.host}` : ''}`);
    }
    if (this.gatewayApi) this.attachHttpRoute(resolved, field);
    this.routes.push(resolved);
    this.admit(resolved.upstream);
  }

  private envoy(props: ApiGatewayProps): AppWorkload {
    const ctx = this.ctx;
    const configMapName = `${this.name}-envoy`;
    const config = () => toYaml(envoyBootstrap(this.routes, this.clusterDomain));
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: configMapName, namespace: ctx.namespace, labels: this.labels },
      data: { [CONFIG_FILE]: Lazy.any({ produce: config }) },
    });
    const selector = selectorLabels(ctx, this.name);
    const external = ctx.settings.externalServiceType;
    const workload = new AppWorkload(this, 'envoy', ctx, {
      name: this.name,
      component: 'gateway',
      image: props.image ?? DEFAULT_ENVOY_IMAGE,
      runAs: props.runAs ?? ENVOY_RUN_AS,
      replicas: props.replicas ?? 2,
      // The image's entrypoint would only `exec` these arguments for a non-root user (its usermod,
      // chown and su-exec run as root only); calling Envoy directly also fits the distroless image.
      command: ['/usr/local/bin/envoy'],
      // No hot restart: it needs shared memory and a restart-in-place that a pod never does.
      args: ['--config-path', `${CONFIG_DIR}/${CONFIG_FILE}`, '--disable-hot-restart', '--concurrency', String(props.concurrency ?? 2)],
      port: { name: 'http', containerPort: LISTENER_PORT },
      probe: { kind: 'http', path: GATEWAY_HEALTH_PATH },
      writablePaths: [{ path: '/tmp' }],
      volumes: [{ name: 'config', configMap: { name: configMapName } }],
      volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
      resources: props.resources ?? ENVOY_RESOURCES,
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
          }],
        },
      },
      // Full capacity during a rollout: a new pod is ready before an old one goes.
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      podAnnotations: { [CONFIG_HASH_ANNOTATION]: Lazy.any({ produce: () => createHash('sha256').update(config()).digest('hex') }) },
      service: {
        port: 80,
        type: external,
        nodePort: nodePortFor(external, props.nodePort, LOCAL_NODE_PORT),
        // Keeps the client's address (as the workshop's Ambassador Service did): Envoy sees who calls.
        externalTrafficPolicy: external === 'LoadBalancer' ? 'Local' : undefined,
      },
    });
    // maxUnavailable rather than minAvailable: with one replica a drain may still evict it.
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: this.name, namespace: ctx.namespace, labels: this.labels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selector },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    return workload;
  }

  private resolve(route: GatewayRoute, field: string): Route {
    const check = this.check;
    checkPath(check, `${field}.pathPrefix`, route.pathPrefix);
    const reserved = route.pathPrefix === GATEWAY_HEALTH_PATH || route.pathPrefix.startsWith(`${GATEWAY_HEALTH_PATH}/`);
    if (reserved && !this.gatewayApi) check.fail(`${field}.pathPrefix`, `${GATEWAY_HEALTH_PATH} is the gateway's own health check`);
    if (route.prefixRewrite !== undefined) checkPath(check, `${field}.prefixRewrite`, route.prefixRewrite);
    checkHost(check, `${field}.host`, route.host);
    if (!route.service || typeof route.service !== 'object') check.fail(`${field}.service`, 'must be a ServiceEndpoint or { name, namespace?, port }');
    const upstream = this.upstream(route.service, `${field}.service`);
    check.port(`${field}.port`, route.port);
    if (route.port !== undefined && route.port !== upstream.port) {
      check.fail(`${field}.port`, `must be the port of Service ${upstream.namespace}/${upstream.name} (${upstream.port}), got ${route.port}`);
    }
    const timeoutMs = millis(check, `${field}.timeout`, route.timeout) ?? 15_000;
    const retries = route.retries ?? {};
    check.integer(`${field}.retries.attempts`, retries.attempts, 0, 10);
    const retryOn = retries.on ?? ['connect-failure', 'refused-stream', 'reset'];
    if (!Array.isArray(retryOn) || retryOn.length === 0) check.fail(`${field}.retries.on`, 'must name at least one condition (attempts: 0 turns retries off)');
    retryOn.forEach((condition, i) => check.oneOf(`${field}.retries.on[${i}]`, condition, RETRY_CONDITIONS));
    const perTryTimeoutMs = millis(check, `${field}.retries.perTryTimeout`, retries.perTryTimeout);
    if (perTryTimeoutMs !== undefined && perTryTimeoutMs > timeoutMs) {
      check.fail(`${field}.retries.perTryTimeout`, `must not exceed the route's timeout (${timeoutMs}ms), got ${perTryTimeoutMs}ms`);
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

  private upstream(service: ServiceEndpoint | ServiceReference, field: string): Upstream {
    if ('selector' in service && 'containerPort' in service) {
      return { name: service.name, namespace: service.namespace, port: service.port, targetPort: service.containerPort, selector: service.selector };
    }
    const ref = service as ServiceReference;
    if (ref.name === undefined) this.check.fail(`${field}.name`, 'is required');
    if (ref.port === undefined) this.check.fail(`${field}.port`, 'is required');
    this.check.serviceName(`${field}.name`, ref.name);
    this.check.dnsLabel(`${field}.namespace`, ref.namespace);
    this.check.port(`${field}.port`, ref.port);
    this.check.port(`${field}.targetPort`, ref.targetPort);
    return { name: ref.name, namespace: ref.namespace ?? this.namespace, port: ref.port, targetPort: ref.targetPort ?? ref.port };
  }

  /**
   * Lets the gateway reach an upstream's pods: egress for Envoy (or nothing, for a data plane we do not
   * own), and a separate Ingress policy on the upstream's pods when we know them by their selector.
   */
  private admit(upstream: Upstream): void {
    const key = `${upstream.namespace}/${upstream.name}:${upstream.targetPort}`;
    if (!this.traffic || this.admitted.has(key)) return;
    this.admitted.add(key);
    const { policies, client, owned } = this.traffic;
    if (!owned && !upstream.selector) return;
    const pods = { name: upstream.name, namespace: upstream.namespace, selector: upstream.selector ?? {} };
    policies.allow(client, pods, [{ port: upstream.targetPort }], { egress: owned, ingress: upstream.selector ? 'separate' : 'none' });
  }

  /** Creates the HTTPRoute (and ReferenceGrant) objects a new route needs; their content is rendered at synth. */
  private attachHttpRoute(route: Route, field: string): void {
    const hostKey = route.host ?? '';
    const objects = this.httpRoutes.get(hostKey) ?? [];
    this.httpRoutes.set(hostKey, objects);
    const sameHost = () => this.routes.filter((r) => (r.host ?? '') === hostKey);
    const index = sameHost().length;
    if (index % MAX_RULES_PER_HTTPROUTE === 0) {
      const chunk = objects.length;
      const name = [this.name, route.host?.replace(/^\*\./, 'wildcard.'), chunk > 0 ? String(chunk + 1) : undefined]
        .filter((part) => part !== undefined).join('-');
      if (name.length > 253) this.check.fail(`${field}.host`, `is too long to name an HTTPRoute after (${name})`);
      objects.push(new ApiObject(this, `httproute-${hostKey || 'any'}-${chunk}`, {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name, namespace: this.namespace, labels: this.labels },
        spec: Lazy.any({
          produce: () => this.httpRouteSpec(route.host, sameHost().slice(chunk * MAX_RULES_PER_HTTPROUTE, (chunk + 1) * MAX_RULES_PER_HTTPROUTE)),
        }),
      }));
    }
    const { namespace, name } = route.upstream;
    if (namespace === this.namespace) return;
    // A route to a Service in another namespace is valid only where that namespace grants it.
    let services = this.referenceGrants.get(namespace);
    if (!services) {
      services = new Set();
      this.referenceGrants.set(namespace, services);
      const granted = services;
      new ApiObject(this, `referencegrant-${namespace}`, {
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: `${this.namespace}-${this.name}`, namespace, labels: this.labels },
        spec: Lazy.any({
          produce: () => ({
            from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: this.namespace }],
            to: [...granted].sort().map((service) => ({ group: '', kind: 'Service', name: service })),
          }),
        }),
      });
    }
    services.add(name);
  }

  private httpRouteSpec(host: string | undefined, routes: readonly Route[]): object {
    const gw = this.gatewayApi!;
    const gatewayNamespace = gw.gatewayNamespace ?? this.namespace;
    return {
      parentRefs: [{
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: gw.gatewayName,
        namespace: gatewayNamespace === this.namespace ? undefined : gatewayNamespace,
        sectionName: gw.sectionName,
      }],
      hostnames: host ? [host] : undefined,
      rules: routes.map((route) => ({
        matches: [{ path: { type: 'PathPrefix', value: route.pathPrefix } }],
        filters: route.prefixRewrite === undefined ? undefined : [{
          type: 'URLRewrite',
          urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: route.prefixRewrite } },
        }],
        backendRefs: [{
          name: route.upstream.name,
          namespace: route.upstream.namespace === this.namespace ? undefined : route.upstream.namespace,
          port: route.upstream.port,
        }],
        // Retries have no field in the v1 standard channel: they stay with the Gateway implementation.
        timeouts: {
          request: gatewayApiDuration(route.timeoutMs),
          backendRequest: route.perTryTimeoutMs === undefined ? undefined : gatewayApiDuration(route.perTryTimeoutMs),
        },
      })),
    };
  }
}

// ---- Validation ----

const PATH = /^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*$/;
const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkPath(check: PropsValidator, field: string, value: string): void {
  if (typeof value !== 'string' || value.length > 1024 || !PATH.test(value)) {
    check.fail(field, `must be an absolute URL path (starting with '/', no query, fragment or white space, at most 1024 characters), got ${JSON.stringify(value)}`);
  }
  if (value !== '/' && value.endsWith('/')) check.fail(field, `must not end with '/' (prefixes match whole segments: '/api' covers '/api/x'), got ${JSON.stringify(value)}`);
  if (/\/\/|\/\.\.?(\/|$)/.test(value)) check.fail(field, `must not contain '//', '/./' or '/../', got ${JSON.stringify(value)}`);
}

function checkHost(check: PropsValidator, field: string, value: string | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > 253 || !HOST.test(value) || /^[0-9.]+$/.test(value)) {
    check.fail(field, `must be a lower-case DNS name, optionally starting with '*.' for its subdomains (not an IP address), got ${JSON.stringify(value)}`);
  }
}

function millis(check: PropsValidator, field: string, duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  if (typeof duration?.toMilliseconds !== 'function') check.fail(field, 'must be a cdk8s Duration, e.g. Duration.seconds(30)');
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms <= 0) check.fail(field, `must be a positive whole number of milliseconds, got ${ms}ms`);
  return ms;
}

// ---- Envoy configuration (v3 API) ----

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

/** Gateway API duration: up to four `<n><unit>` parts, e.g. `1m30s`. */
function gatewayApiDuration(ms: number): string {
  let rest = ms;
  let out = '';
  for (const [unit, suffix] of [[3_600_000, 'h'], [60_000, 'm'], [1000, 's'], [1, 'ms']] as const) {
    const n = Math.floor(rest / unit);
    if (n > 0) out += `${n}${suffix}`;
    rest -= n * unit;
  }
  return out;
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
 * The static bootstrap. Envoy takes the first route that matches, so the routes of each virtual host are
 * ordered as the Gateway API orders them (host specificity, then prefix length): both renderings agree.
 */
function envoyBootstrap(routes: readonly Route[], clusterDomain: string): object {
  const hosts = [...new Set(routes.flatMap((r) => (r.host ? [r.host] : [])))].sort();
  const routesFor = (domain: string | undefined) => routes
    .filter((r) => r.host === undefined || (domain !== undefined && covers(r.host, domain)))
    .sort((a, b) => hostSpecificity(b.host) - hostSpecificity(a.host) || b.pathPrefix.length - a.pathPrefix.length)
    .flatMap(envoyRoutes);
  const health = { name: 'health', match: { path: GATEWAY_HEALTH_PATH }, direct_response: { status: 200, body: { inline_string: 'ok' } } };
  const upstreams = new Map(routes.map((r) => [clusterName(r.upstream), r.upstream]));
  return {
    // Localhost only: reachable with `kubectl port-forward`, never from the network.
    admin: { address: socketAddress('127.0.0.1', ADMIN_PORT) },
    static_resources: {
      listeners: [{
        name: 'http',
        address: socketAddress('0.0.0.0', LISTENER_PORT),
        filter_chains: [{
          filters: [{
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
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
              access_log: [{
                name: 'envoy.access_loggers.stdout',
                typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog' },
              }],
              route_config: {
                name: 'routes',
                virtual_hosts: [
                  ...hosts.map((host) => ({ name: host, domains: [host], routes: routesFor(host) })),
                  // The kubelet probes by pod IP, which only this catch-all virtual host matches.
                  { name: 'any', domains: ['*'], routes: [health, ...routesFor(undefined)] },
                ],
              },
              http_filters: [{
                name: 'envoy.filters.http.router',
                typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
              }],
            },
          }],
        }],
      }],
      clusters: [...upstreams].map(([name, upstream]) => ({
        name,
        // One address, the Service's: kube-proxy balances the connections across its pods.
        type: 'STRICT_DNS',
        connect_timeout: '2s',
        dns_lookup_family: 'V4_PREFERRED',
        lb_policy: 'ROUND_ROBIN',
        load_assignment: {
          cluster_name: name,
          endpoints: [{
            lb_endpoints: [{
              endpoint: { address: socketAddress(`${upstream.name}.${upstream.namespace}.svc.${clusterDomain}`, upstream.port) },
            }],
          }],
        },
      })),
    },
  };
}

/** Pseudo-header names (`:method`) are quoted rather than left to the plain-scalar rules of Envoy's YAML parser. */
function toYaml(config: object): string {
  return stringify(config, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(':')
    ? Object.assign(new Scalar(value), { type: Scalar.QUOTE_DOUBLE })
    : value));
}

/**
 * One route as Envoy routes. Segment-wise prefix matching with a rewrite needs two: the exact path
 * (`/api` -> `/v1`) and everything below it (`/api/` -> `/v1/`), so that no `//` or `/v1x` appears.
 */
function envoyRoutes(route: Route): object[] {
  const action = {
    cluster: clusterName(route.upstream),
    timeout: envoyDuration(route.timeoutMs),
    retry_policy: route.attempts === 0 ? undefined : {
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
  const matches: Array<[object, string | undefined]> = route.pathPrefix === '/'
    ? [[{ prefix: '/' }, rewrite && below(rewrite)]]
    : [
      [{ path: route.pathPrefix }, rewrite],
      [{ prefix: below(route.pathPrefix) }, rewrite && below(rewrite)],
    ];
  return matches.map(([match, prefixRewrite]) => ({ match, route: { ...action, prefix_rewrite: prefixRewrite } }));
}
