import { selects } from '../manifest/selector';
import { KubeObject } from '../manifest';
import { NAMESPACE_NAME_LABEL, TrafficWorkload } from './model';
import { ConnectionSet } from './ports';

/**
 * The ingress controller, which netpol-analyzer does not know from the inputs: a pod without labels in
 * a namespace of its own, so that only policy rules admitting pods of other namespaces (any namespace,
 * any pod) admit it.
 */
export const INGRESS_CONTROLLER = { name: '{ingress-controller}', namespace: 'ingress-controller-ns' } as const;

/** Pod labels by which Gateway implementations mark the pods of a Gateway (Istio, kgateway; Envoy Gateway). */
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const ENVOY_GATEWAY_NAME_LABEL = 'gateway.envoyproxy.io/owning-gateway-name';
const ENVOY_GATEWAY_NAMESPACE_LABEL = 'gateway.envoyproxy.io/owning-gateway-namespace';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** A workload that an Ingress, Route or HTTPRoute makes reachable through a Service, on TCP ports. */
export interface Exposure {
  readonly workload: TrafficWorkload;
  /** The Gateway's workloads the traffic comes from; none: the ingress controller. */
  readonly gateways: readonly TrafficWorkload[];
  readonly ports: ConnectionSet;
}

/**
 * A port as a backend names it: a Service port's number or name (a Route's name may also be a target
 * port's, an Ingress's not); unset for every port of the Service.
 */
type RequiredPort = { readonly number: number } | { readonly name: string; readonly orTarget: boolean } | undefined;

interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
}

/**
 * What the Ingresses (networking.k8s.io/v1), OpenShift Routes (route.openshift.io/v1) and Gateway API
 * HTTPRoutes of `objects` expose, as netpol-analyzer derives it: a backend names a Service of the
 * route's namespace and one of its ports (or all); that port's target port (or the port itself) is
 * exposed on each workload the Service selects that declares it as a container port (a named target
 * port must name a TCP container port). A Service without a selector exposes nothing. `services`:
 * the Services of the inputs by `namespace/name`.
 */
export function exposuresOf(
  objects: readonly KubeObject[],
  workloads: readonly TrafficWorkload[],
  services: ReadonlyMap<string, KubeObject>,
): Exposure[] {
  const out = new Map<string, { workload: TrafficWorkload; gateways: TrafficWorkload[]; ports: ConnectionSet }>();
  const expose = (namespace: string, service: string, port: RequiredPort, gateways: TrafficWorkload[]) => {
    const svc = services.get(`${namespace}/${service}`);
    const spec = svc?.spec as { selector?: Record<string, string>; ports?: ServicePort[] } | undefined;
    if (!spec?.selector) return;
    const targets = targetPorts(spec.ports ?? [], port);
    for (const w of workloads) {
      if (w.namespace !== namespace || !selects(spec.selector, w.labels)) continue;
      const ports = exposedPorts(w, targets);
      if (ports.isEmpty) continue;
      const key = `${gateways.map((g) => `${g.namespace}/${g.name}[${g.kind}]`).join(',')}\u0000${w.namespace}/${w.name}[${w.kind}]`;
      const entry = out.get(key);
      if (entry) entry.ports = entry.ports.union(ports);
      else out.set(key, { workload: w, gateways, ports });
    }
  };
  for (const o of objects) {
    if (!o?.metadata) continue;
    const namespace = o.metadata.namespace ?? 'default';
    if (o.kind === 'Ingress' && o.apiVersion === 'networking.k8s.io/v1') {
      for (const backend of ingressBackends(o)) expose(namespace, backend.name, backend.port, []);
    } else if (o.kind === 'Route' && o.apiVersion === 'route.openshift.io/v1') {
      for (const backend of routeBackends(o)) expose(namespace, backend.name, backend.port, []);
    } else if (
      o.kind === 'HTTPRoute' &&
      typeof o.apiVersion === 'string' &&
      o.apiVersion.startsWith(`${GATEWAY_GROUP}/`)
    ) {
      const gateways = gatewayWorkloads(o, workloads);
      for (const backend of httpRouteBackends(o, objects))
        expose(backend.namespace, backend.name, backend.port, gateways);
    }
  }
  return [...out.values()];
}

/** The Service backends of an Ingress: its default backend and those of its rules' paths. */
function ingressBackends(ingress: KubeObject): Array<{ name: string; port: RequiredPort }> {
  type Backend = { service?: { name?: string; port?: { name?: string; number?: number } } };
  const spec = ingress.spec as
    { defaultBackend?: Backend; rules?: Array<{ http?: { paths?: Array<{ backend?: Backend }> } }> } | undefined;
  const backends = [
    spec?.defaultBackend,
    ...(spec?.rules ?? []).flatMap((r) => (r?.http?.paths ?? []).map((p) => p?.backend)),
  ];
  return backends.flatMap((b) => {
    const service = b?.service;
    if (!service?.name) return [];
    const port = service.port?.name
      ? { name: service.port.name, orTarget: false }
      : service.port?.number !== undefined
        ? { number: service.port.number }
        : undefined;
    return [{ name: service.name, port }];
  });
}

/** The Services of a Route (`to` and its alternate backends, of kind Service), all on its `port.targetPort`. */
function routeBackends(route: KubeObject): Array<{ name: string; port: RequiredPort }> {
  type Target = { kind?: string; name?: string };
  const spec = route.spec as
    { to?: Target; alternateBackends?: Target[]; port?: { targetPort?: number | string } } | undefined;
  const target = spec?.port?.targetPort;
  const port =
    typeof target === 'number'
      ? { number: target }
      : typeof target === 'string' && target !== ''
        ? { name: target, orTarget: true }
        : undefined;
  return [spec?.to, ...(spec?.alternateBackends ?? [])]
    .filter(
      (t): t is Target & { name: string } =>
        !!t?.name && (t.kind === undefined || t.kind === '' || t.kind === 'Service'),
    )
    .map((t) => ({ name: t.name, port }));
}

/**
 * The Service backends of an HTTPRoute's rules. One in another namespace counts only when a
 * ReferenceGrant there allows HTTPRoutes of the route's namespace to refer to it, as the Gateway API requires.
 */
function httpRouteBackends(
  route: KubeObject,
  objects: readonly KubeObject[],
): Array<{ namespace: string; name: string; port: RequiredPort }> {
  type Ref = { group?: string; kind?: string; name?: string; namespace?: string; port?: number };
  const spec = route.spec as { rules?: Array<{ backendRefs?: Ref[] }> } | undefined;
  const routeNamespace = route.metadata.namespace ?? 'default';
  return (spec?.rules ?? [])
    .flatMap((r) => r?.backendRefs ?? [])
    .flatMap((ref) => {
      if (!ref?.name || (ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return [];
      const namespace = ref.namespace ?? routeNamespace;
      if (namespace !== routeNamespace && !referenceGranted(objects, routeNamespace, namespace, ref.name)) return [];
      return [{ namespace, name: ref.name, port: ref.port !== undefined ? { number: ref.port } : undefined }];
    });
}

function referenceGranted(objects: readonly KubeObject[], from: string, namespace: string, service: string): boolean {
  type Grant = {
    from?: Array<{ group?: string; kind?: string; namespace?: string }>;
    to?: Array<{ group?: string; kind?: string; name?: string }>;
  };
  return objects.some((o) => {
    if (
      o?.kind !== 'ReferenceGrant' ||
      !o.apiVersion?.startsWith(`${GATEWAY_GROUP}/`) ||
      (o.metadata?.namespace ?? 'default') !== namespace
    )
      return false;
    const spec = o.spec as Grant | undefined;
    return (
      (spec?.from ?? []).some((f) => f?.group === GATEWAY_GROUP && f.kind === 'HTTPRoute' && f.namespace === from) &&
      (spec?.to ?? []).some(
        (t) => (t?.group ?? '') === '' && t?.kind === 'Service' && (t.name === undefined || t.name === service),
      )
    );
  });
}

/** The workloads of the Gateways an HTTPRoute attaches to, found by the labels implementations give their pods. */
function gatewayWorkloads(route: KubeObject, workloads: readonly TrafficWorkload[]): TrafficWorkload[] {
  type Parent = { group?: string; kind?: string; name?: string; namespace?: string };
  const parents = ((route.spec as { parentRefs?: Parent[] } | undefined)?.parentRefs ?? []).filter(
    (p) => p?.name && (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (p.kind ?? 'Gateway') === 'Gateway',
  );
  return workloads.filter((w) =>
    parents.some((p) => {
      const namespace = p.namespace ?? route.metadata.namespace ?? 'default';
      return (
        (w.namespace === namespace && w.labels[GATEWAY_NAME_LABEL] === p.name) ||
        (w.labels[ENVOY_GATEWAY_NAME_LABEL] === p.name && w.labels[ENVOY_GATEWAY_NAMESPACE_LABEL] === namespace)
      );
    }),
  );
}

/**
 * The pod ports a backend's port reaches: the target port (else the port) of the first Service port
 * that has the required name or number (or whose target port is the required one); of every Service
 * port when none is required.
 */
function targetPorts(ports: readonly ServicePort[], required: RequiredPort): Array<number | string> {
  const target = (p: ServicePort) => p.targetPort ?? p.port;
  if (!required) return ports.map(target);
  const match = ports.find((p) =>
    'name' in required
      ? (p.name !== undefined && p.name !== '' && p.name === required.name) ||
        (required.orTarget && p.targetPort === required.name)
      : p.port === required.number || p.targetPort === required.number,
  );
  return match ? [target(match)] : [];
}

/**
 * The TCP ports among `targets` that the workload declares as container ports; a named target must
 * name a TCP container port. Like netpol-analyzer, a port number counts whatever protocol declares it.
 */
function exposedPorts(w: TrafficWorkload, targets: ReadonlyArray<number | string>): ConnectionSet {
  let out = ConnectionSet.NONE;
  for (const t of targets) {
    const number = typeof t === 'number' ? t : w.ports.find((p) => p.name === t && p.protocol === 'TCP')?.port;
    if (number !== undefined && w.ports.some((p) => p.port === number))
      out = out.union(ConnectionSet.ports('TCP', number));
  }
  return out;
}

/** The ingress controller as policies see it. */
export function ingressControllerPod(): {
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
  ports: [];
} {
  return {
    namespace: INGRESS_CONTROLLER.namespace,
    namespaceLabels: { [NAMESPACE_NAME_LABEL]: INGRESS_CONTROLLER.namespace },
    labels: {},
    ports: [],
  };
}
