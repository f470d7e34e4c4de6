import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { standardLabels } from '../src/manifest/labels';
import { NetworkTraffic, PodGroup } from '../src/network-traffic';
import { ResourceSpec } from '../src/resources';
import { RunAs } from '../src/security';
import { StackPlacementProps } from '../src/stack-chart';
import { StackConstruct } from '../src/stack-construct';
import { DNS_NEEDS, declareNeeds } from '../src/manifest/needs';
import { AppWorkload, NodePortSetting, ServiceEndpoint } from '../src/workload';
import { ENVOY_LISTENER_PORT, GATEWAY_HEALTH_PATH } from './envoy-config';
import { EnvoyGateway } from './envoy-gateway';
import { GatewayApiProps, GatewayApiRoutes } from './gateway-api-routes';
import { GatewayRoute, ResolvedRoute, Upstream, resolveRoute } from './gateway-route';

/** The Envoy image: a pinned patch release of v1.31. */
export const DEFAULT_ENVOY_IMAGE = 'envoyproxy/envoy:v1.31.10';

/** The `envoy` user of the official Envoy image (uid and gid 101). */
export const ENVOY_RUN_AS: RunAs = { user: 101, group: 101 };

const ENVOY_RESOURCES: ResourceSpec = {
  cpu: { request: '50m', limit: '500m' },
  memory: { request: '64Mi', limit: '256Mi' },
};

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
   * How long a stopping Envoy pod keeps serving its open connections after it fails its health check
   * and leaves the Service (whole seconds); the termination grace period is 10 seconds longer.
   * @default Duration.seconds(15)
   */
  readonly drainTime?: Duration;
  /**
   * Render the routes as Gateway API HTTPRoutes attached to an existing Gateway, instead of running Envoy.
   * @default Envoy, configured from the routes
   */
  readonly gatewayApi?: GatewayApiProps;
}

/**
 * An edge gateway with typed routes. By default it runs Envoy ({@link EnvoyGateway}: two replicas behind
 * a Service on port 80) with a static configuration generated from the routes: no CRDs and no
 * controller needed. With `gatewayApi`, the same routes become `gateway.networking.k8s.io/v1`
 * HTTPRoutes ({@link GatewayApiRoutes}) for a cluster's own Gateway instead.
 *
 * Routes can be added after construction; the configuration, its hash on the pod template (which
 * rolls the pods when routes change) and the HTTPRoutes are rendered at synth time.
 */
export class ApiGateway extends StackConstruct {
  readonly name: string;
  /** How clients reach Envoy (port 80); undefined with `gatewayApi`. */
  readonly endpoint?: ServiceEndpoint;
  /** Envoy's Service as a cdk8s-plus Service (for `kplus.IngressBackend.fromService`); undefined with `gatewayApi`. */
  readonly service?: kplus.Service;
  /** The Envoy pods, as an escape hatch and a `PodGroup` for NetworkPolicies; undefined with `gatewayApi`. */
  readonly workload?: AppWorkload;

  private readonly routes: ResolvedRoute[] = [];
  private readonly httpRoutes?: GatewayApiRoutes;
  /** Who opens connections to the upstream pods (Envoy or the data plane), when policies are rendered. */
  private readonly traffic?: { readonly policies: NetworkTraffic; readonly client: PodGroup; readonly owned: boolean };
  private readonly admitted = new Set<string>();

  constructor(scope: Construct, id: string, props: ApiGatewayProps = {}) {
    super(scope, id, props, 'ApiGateway', 'api-gateway');
    const { check, ctx } = this;
    check.serviceName('name', props.name);
    check.image('image', props.image);
    check.replicas('replicas', props.replicas);
    check.integer('concurrency', props.concurrency, 1, 64);
    check.nodePort('nodePort', props.nodePort);
    check.dnsSubdomain('clusterDomain', props.clusterDomain);
    check.runAs('runAs', props.runAs);
    check.resources('resources', props.resources);
    check.seconds('drainTime', props.drainTime, Duration.seconds(1), Duration.minutes(10));
    const drainTime = props.drainTime ?? Duration.seconds(15);
    const gw = props.gatewayApi;
    if (gw) {
      check.dnsSubdomain('gatewayApi.gatewayName', gw.gatewayName ?? '');
      check.dnsLabel('gatewayApi.gatewayNamespace', gw.gatewayNamespace);
      check.dnsSubdomain('gatewayApi.sectionName', gw.sectionName);
      check.dnsLabel('gatewayApi.dataPlane.namespace', gw.dataPlane && (gw.dataPlane.namespace ?? ''));
    }
    this.name = props.name ?? 'api-gateway';
    const labels = standardLabels(ctx, this.name, 'gateway');

    if (gw) {
      if (gw.dataPlane && (props.networkPolicies ?? true)) {
        const client = {
          name: gw.gatewayName,
          namespace: gw.dataPlane.namespace,
          selector: gw.dataPlane.selector ?? {},
        };
        this.traffic = { policies: this.networkTraffic(), client, owned: false };
      }
      this.httpRoutes = new GatewayApiRoutes(this, 'routes', {
        name: this.name,
        namespace: this.namespace,
        labels,
        gatewayApi: gw,
      });
    } else {
      const envoy = new EnvoyGateway(this, 'gateway', ctx, {
        name: this.name,
        image: props.image ?? DEFAULT_ENVOY_IMAGE,
        runAs: props.runAs ?? ENVOY_RUN_AS,
        replicas: props.replicas ?? 2,
        concurrency: props.concurrency ?? 2,
        resources: props.resources ?? ENVOY_RESOURCES,
        nodePort: props.nodePort,
        clusterDomain: props.clusterDomain ?? 'cluster.local',
        drainTime,
        labels,
        routes: () => this.routes,
      });
      this.workload = envoy.workload;
      this.endpoint = this.workload.endpoint;
      this.service = this.workload.service;
      this.node.defaultChild = envoy;
      // Envoy resolves the upstream Services by name (strict DNS); each route adds its upstream (addRoute).
      declareNeeds(this.workload.workload, DNS_NEEDS);
      if (props.networkPolicies ?? true) {
        this.traffic = { policies: this.networkTraffic(), client: this.workload, owned: true };
        this.traffic.policies.allowFromAnywhere(this.workload, [{ port: ENVOY_LISTENER_PORT }]);
      }
    }
    for (const route of props.routes ?? []) this.addRoute(route);
  }

  /** Routes requests for `route.host` under `route.pathPrefix` to `route.service`. */
  addRoute(route: GatewayRoute): void {
    const field = `routes[${this.routes.length}]`;
    const resolved = resolveRoute(this.check, route, field, this.namespace);
    const reserved =
      resolved.pathPrefix === GATEWAY_HEALTH_PATH || resolved.pathPrefix.startsWith(`${GATEWAY_HEALTH_PATH}/`);
    if (reserved && !this.httpRoutes)
      this.check.fail(`${field}.pathPrefix`, `${GATEWAY_HEALTH_PATH} is the gateway's own health check`);
    if (this.routes.some((r) => r.host === resolved.host && r.pathPrefix === resolved.pathPrefix)) {
      this.check.fail(
        `${field}.pathPrefix`,
        `${resolved.pathPrefix} is already routed${resolved.host ? ` for host ${resolved.host}` : ''}`,
      );
    }
    this.httpRoutes?.add(this.check, resolved, field);
    this.routes.push(resolved);
    this.admit(resolved.upstream);
    // Envoy needs each routed Service of a construct (its selector is known, so it is in the same manifests).
    const { upstream } = resolved;
    if (this.workload && upstream.selector)
      declareNeeds(this.workload.workload, [{ to: { service: upstream }, port: upstream.port }]);
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
    policies.allow(client, pods, [{ port: upstream.targetPort }], {
      egress: owned,
      ingress: upstream.selector ? 'separate' : 'none',
    });
  }
}
