import { parse } from 'yaml';
import { KubeObject } from '../manifest';
import { Finding, finding } from '../manifest/finding';

const CLUSTER_DNS_NAME = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?\.?$/;

interface Upstream { readonly name: string; readonly namespace: string; readonly port: number; readonly field: string }

/**
 * Gateway routes reach existing Services on ports they expose: upstream clusters of Envoy
 * bootstraps shipped in ConfigMaps (addressed by cluster DNS name), and `backendRefs` of Gateway API
 * HTTPRoutes.
 */
export function checkGatewayRoutes(objects: readonly KubeObject[]): Finding[] {
  const services = new Map(objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')
    .map((s) => [`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s]));
  return objects.flatMap((obj) => upstreamsOf(obj).flatMap((up) => {
    const svc = services.get(`${up.namespace}/${up.name}`);
    if (!svc) return [finding(obj, up.field, 'wiring/gateway-route-service', `routes to Service ${up.namespace}/${up.name}, which is not in the manifests`)];
    const ports = ((svc.spec as { ports?: Array<{ port: number }> }).ports ?? []).map((p) => p.port);
    return ports.includes(up.port) ? []
      : [finding(obj, up.field, 'wiring/gateway-route-service', `routes to port ${up.port} of Service ${up.namespace}/${up.name}, which exposes ${ports.join(', ') || 'no port'}`)];
  }));
}

function upstreamsOf(obj: KubeObject): Upstream[] {
  if (obj.kind === 'ConfigMap' && obj.apiVersion === 'v1') {
    return Object.entries((obj.data ?? {}) as Record<string, string>).flatMap(([key, text]) => envoyUpstreams(text, `data.${key}`));
  }
  if (obj.kind === 'HTTPRoute' && obj.apiVersion.startsWith('gateway.networking.k8s.io/')) {
    const rules = ((obj.spec as any)?.rules ?? []) as Array<{ backendRefs?: any[] }>;
    return rules.flatMap((rule, i) => (rule.backendRefs ?? [])
      .filter((ref) => (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '')
      .map((ref, j) => ({
        name: ref.name, namespace: ref.namespace ?? obj.metadata.namespace ?? 'default', port: ref.port,
        field: `spec.rules[${i}].backendRefs[${j}]`,
      })));
  }
  return [];
}

function envoyUpstreams(text: string, field: string): Upstream[] {
  // Only a text that can be an Envoy bootstrap is parsed: a large ConfigMap of anything else would
  // otherwise be parsed once more as YAML, doubling the cost of validating it.
  if (typeof text !== 'string' || !text.includes('static_resources')) return [];
  let config: any;
  try { config = parse(text); } catch { return []; }
  const clusters = config?.static_resources?.clusters;
  if (!Array.isArray(clusters)) return [];
  return clusters.flatMap((cluster: any) => (cluster.load_assignment?.endpoints ?? [])
    .flatMap((e: any) => e.lb_endpoints ?? [])
    .flatMap((lb: any) => {
      const address = lb.endpoint?.address?.socket_address;
      const match = CLUSTER_DNS_NAME.exec(address?.address ?? '');
      return match ? [{ name: match[1], namespace: match[2], port: Number(address.port_value), field: `${field} (cluster ${cluster.name})` }] : [];
    }));
}
