import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { PropsValidator } from '../src/props-validator';
import { ResolvedRoute } from './gateway-route';

/** An HTTPRoute holds at most 16 rules; more routes for one host spill into further HTTPRoutes. */
const MAX_RULES_PER_HTTPROUTE = 16;

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

/** Where the HTTPRoutes go and what they are called. */
export interface GatewayApiRoutesSpec {
  /** Name of the HTTPRoutes (`<name>[-<host>][-<n>]`). */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly gatewayApi: GatewayApiProps;
}

/** Gateway API duration: up to four `<n><unit>` parts, e.g. `1m30s`. */
function gatewayApiDuration(ms: number): string {
  let rest = ms;
  let out = '';
  for (const [unit, suffix] of [
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ] as const) {
    const n = Math.floor(rest / unit);
    if (n > 0) out += `${n}${suffix}`;
    rest -= n * unit;
  }
  return out;
}

/**
 * The routes as `gateway.networking.k8s.io/v1` HTTPRoutes attached to a cluster's own Gateway: one per
 * host (16 rules each), and a ReferenceGrant in each other namespace a route sends requests to. Objects
 * are created as routes are added; their content is rendered at synth time.
 */
export class GatewayApiRoutes extends Construct {
  private readonly routes: ResolvedRoute[] = [];
  private readonly httpRoutes = new Map<string, ApiObject[]>();
  private readonly referenceGrants = new Map<string, Set<string>>();

  constructor(
    scope: Construct,
    id: string,
    private readonly spec: GatewayApiRoutesSpec,
  ) {
    super(scope, id);
  }

  /** Adds a route; `field` names it in errors. */
  add(check: PropsValidator, route: ResolvedRoute, field: string): void {
    const { name: gatewayName, namespace, labels } = this.spec;
    const hostKey = route.host ?? '';
    const objects = this.httpRoutes.get(hostKey) ?? [];
    this.httpRoutes.set(hostKey, objects);
    const sameHost = () => this.routes.filter((r) => (r.host ?? '') === hostKey);
    const index = sameHost().length;
    this.routes.push(route);
    if (index % MAX_RULES_PER_HTTPROUTE === 0) {
      const chunk = objects.length;
      const name = [gatewayName, route.host?.replace(/^\*\./, 'wildcard.'), chunk > 0 ? String(chunk + 1) : undefined]
        .filter((part) => part !== undefined)
        .join('-');
      if (name.length > 253) check.fail(`${field}.host`, `is too long to name an HTTPRoute after (${name})`);
      objects.push(
        new ApiObject(this, `httproute-${hostKey || 'any'}-${chunk}`, {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name, namespace, labels },
          spec: Lazy.any({
            produce: () =>
              this.httpRouteSpec(
                route.host,
                sameHost().slice(chunk * MAX_RULES_PER_HTTPROUTE, (chunk + 1) * MAX_RULES_PER_HTTPROUTE),
              ),
          }),
        }),
      );
    }
    const upstream = route.upstream;
    if (upstream.namespace === namespace) return;
    // A route to a Service in another namespace is valid only where that namespace grants it.
    let services = this.referenceGrants.get(upstream.namespace);
    if (!services) {
      services = new Set();
      this.referenceGrants.set(upstream.namespace, services);
      const granted = services;
      new ApiObject(this, `referencegrant-${upstream.namespace}`, {
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: `${namespace}-${gatewayName}`, namespace: upstream.namespace, labels },
        spec: Lazy.any({
          produce: () => ({
            from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace }],
            to: [...granted].sort().map((service) => ({ group: '', kind: 'Service', name: service })),
          }),
        }),
      });
    }
    services.add(upstream.name);
  }

  private httpRouteSpec(host: string | undefined, routes: readonly ResolvedRoute[]): object {
    const { gatewayApi: gw, namespace } = this.spec;
    const gatewayNamespace = gw.gatewayNamespace ?? namespace;
    return {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gw.gatewayName,
          namespace: gatewayNamespace === namespace ? undefined : gatewayNamespace,
          sectionName: gw.sectionName,
        },
      ],
      hostnames: host ? [host] : undefined,
      rules: routes.map((route) => ({
        matches: [{ path: { type: 'PathPrefix', value: route.pathPrefix } }],
        filters:
          route.prefixRewrite === undefined
            ? undefined
            : [
                {
                  type: 'URLRewrite',
                  urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: route.prefixRewrite } },
                },
              ],
        backendRefs: [
          {
            name: route.upstream.name,
            namespace: route.upstream.namespace === namespace ? undefined : route.upstream.namespace,
            port: route.upstream.port,
          },
        ],
        // Retries have no field in the v1 standard channel: they stay with the Gateway implementation.
        timeouts: {
          request: gatewayApiDuration(route.timeoutMs),
          backendRequest: route.perTryTimeoutMs === undefined ? undefined : gatewayApiDuration(route.perTryTimeoutMs),
        },
      })),
    };
  }
}
