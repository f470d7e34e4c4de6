import { parse } from 'yaml';
import { KubeObject } from '../manifest';
import { externalRefs } from '../manifest/exceptions';
import { Finding, finding } from '../manifest/finding';

const CLUSTER_DNS_NAME = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?\.?$/;
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** A Service a route sends traffic to: by port number, or (an Ingress's) by port name. */
interface Upstream {
  readonly name: string;
  readonly namespace: string;
  readonly port?: number | string;
  readonly field: string;
  readonly rule: 'wiring/gateway-route-service' | 'wiring/ingress-backend';
  /** Why a Service of another namespace is not reachable, if it is not; `undefined` when it is. */
  readonly crossNamespace?: string;
}

/**
 * Routes reach existing Services on ports they expose: upstream clusters of Envoy bootstraps shipped in
 * ConfigMaps (addressed by cluster DNS name, in any namespace), `backendRefs` of Gateway API HTTPRoutes
 * (in another namespace only where a ReferenceGrant of the inputs allows it), and Ingress backends
 * (in the Ingress's namespace: an Ingress has no way to name another). A Service the route's object
 * declares external (`declareExternal(obj, 'Service', name)`) is not looked for.
 */
export function checkGatewayRoutes(objects: readonly KubeObject[]): Finding[] {
  const services = new Map(
    objects
      .filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')
      .map((s) => [`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s]),
  );
  const grants = objects.filter((o) => o.kind === 'ReferenceGrant' && o.apiVersion.startsWith(`${GATEWAY_GROUP}/`));
  return objects.flatMap((obj) => {
    const external = externalRefs(obj);
    return upstreamsOf(obj, grants).flatMap((up): Finding[] => {
      const target = `Service ${up.namespace}/${up.name}`;
      if (up.crossNamespace !== undefined)
        return [finding(obj, up.field, up.rule, `routes to ${target}, in another namespace: ${up.crossNamespace}`)];
      if (external.has(`Service/${up.name}`)) return [];
      const svc = services.get(`${up.namespace}/${up.name}`);
      if (!svc) {
        const elsewhere = [...services.values()]
          .filter((s) => s.metadata.name === up.name)
          .map((s) => s.metadata.namespace ?? 'default');
        const only =
          up.rule === 'wiring/ingress-backend' ? ' (an Ingress routes only to Services of its own namespace)' : '';
        const hint = elsewhere.length > 0 ? `; there is one in namespace ${elsewhere.join(', ')}${only}` : '';
        return [
          finding(
            obj,
            up.field,
            up.rule,
            `routes to ${target}, which is not in the manifests (declare it external if it is created elsewhere)${hint}`,
          ),
        ];
      }
      if (up.port === undefined) return [];
      const ports = asArray((svc.spec as { ports?: unknown } | undefined)?.ports) as Array<{
        port?: number;
        name?: string;
      }>;
      const exposed = ports.some((p) => (typeof up.port === 'string' ? p.name === up.port : p.port === up.port));
      return exposed
        ? []
        : [
            finding(
              obj,
              up.field,
              up.rule,
              `routes to port ${up.port} of ${target}, which exposes ${ports.map((p) => p.name ?? p.port).join(', ') || 'no port'}`,
            ),
          ];
    });
  });
}

function upstreamsOf(obj: KubeObject, grants: readonly KubeObject[]): Upstream[] {
  if (obj.kind === 'ConfigMap' && obj.apiVersion === 'v1') {
    const data = obj.data;
    if (typeof data !== 'object' || data === null) return [];
    return Object.entries(data as Record<string, unknown>).flatMap(([key, text]) =>
      envoyUpstreams(text, `data.${key}`),
    );
  }
  if (obj.kind === 'HTTPRoute' && obj.apiVersion.startsWith(`${GATEWAY_GROUP}/`))
    return httpRouteUpstreams(obj, grants);
  if (obj.kind === 'Ingress' && obj.apiVersion === 'networking.k8s.io/v1') return ingressUpstreams(obj);
  return [];
}

function httpRouteUpstreams(route: KubeObject, grants: readonly KubeObject[]): Upstream[] {
  const namespace = route.metadata.namespace ?? 'default';
  return asArray((route.spec as { rules?: unknown } | undefined)?.rules).flatMap((rule, i) =>
    asArray(rule?.backendRefs)
      .map((ref, j) => ({ ref, field: `spec.rules[${i}].backendRefs[${j}]` }))
      .filter(
        ({ ref }) => typeof ref?.name === 'string' && (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '',
      )
      .map(({ ref, field }): Upstream => {
        const target = typeof ref.namespace === 'string' ? ref.namespace : namespace;
        const granted = target === namespace || grants.some((g) => grantsServiceTo(g, namespace, target, ref.name));
        return {
          name: ref.name,
          namespace: target,
          port: typeof ref.port === 'number' ? ref.port : undefined,
          field,
          rule: 'wiring/gateway-route-service',
          crossNamespace: granted
            ? undefined
            : `no ReferenceGrant of the manifests in namespace ${target} allows HTTPRoutes of namespace ${namespace} to reach it (Gateway API refuses the reference without one)`,
        };
      }),
  );
}

/** Whether a ReferenceGrant in `target` lets HTTPRoutes of `from` refer to its Service `name`. */
function grantsServiceTo(grant: KubeObject, from: string, target: string, name: string): boolean {
  const spec = grant.spec as { from?: unknown; to?: unknown } | undefined;
  return (
    (grant.metadata.namespace ?? 'default') === target &&
    asArray(spec?.from).some((f) => f?.group === GATEWAY_GROUP && f?.kind === 'HTTPRoute' && f?.namespace === from) &&
    asArray(spec?.to).some(
      (t) => (t?.group ?? '') === '' && t?.kind === 'Service' && (t?.name === undefined || t.name === name),
    )
  );
}

/** An Ingress's backends: `spec.defaultBackend` and each path's, by Service name and port (number or name). */
function ingressUpstreams(ingress: KubeObject): Upstream[] {
  const namespace = ingress.metadata.namespace ?? 'default';
  const spec = ingress.spec as { defaultBackend?: any; rules?: unknown } | undefined;
  const backends = [
    { backend: spec?.defaultBackend, field: 'spec.defaultBackend' },
    ...asArray(spec?.rules).flatMap((rule, i) =>
      asArray(rule?.http?.paths).map((path, j) => ({
        backend: path?.backend,
        field: `spec.rules[${i}].http.paths[${j}].backend`,
      })),
    ),
  ];
  return backends.flatMap(({ backend, field }): Upstream[] => {
    const service = backend?.service;
    if (typeof service?.name !== 'string') return [];
    const port =
      typeof service.port?.number === 'number'
        ? service.port.number
        : typeof service.port?.name === 'string'
          ? service.port.name
          : undefined;
    return [{ name: service.name, namespace, port, field: `${field}.service`, rule: 'wiring/ingress-backend' }];
  });
}

function envoyUpstreams(text: unknown, field: string): Upstream[] {
  // Only a text that can be an Envoy bootstrap is parsed: a large ConfigMap of anything else would
  // otherwise be parsed once more as YAML, doubling the cost of validating it.
  if (typeof text !== 'string' || !text.includes('static_resources')) return [];
  let config: any;
  try {
    config = parse(text);
  } catch {
    return [];
  }
  return asArray(config?.static_resources?.clusters).flatMap((cluster: any) =>
    asArray(cluster?.load_assignment?.endpoints)
      .flatMap((e: any) => asArray(e?.lb_endpoints))
      .flatMap((lb: any): Upstream[] => {
        const address = lb?.endpoint?.address?.socket_address;
        const match = CLUSTER_DNS_NAME.exec(address?.address ?? '');
        return match
          ? [
              {
                name: match[1],
                namespace: match[2],
                port: Number(address.port_value),
                field: `${field} (cluster ${cluster.name})`,
                rule: 'wiring/gateway-route-service',
              },
            ]
          : [];
      }),
  );
}

/** A list-typed field as a list: anything else (a wrong type, for the schema check to report) as none. */
function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
