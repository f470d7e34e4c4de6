/** Services: ValidateService in pkg/apis/core/validation/validation.go (v1.33), and the node port allocator. */
import { KubeObject, describeObject } from '../../manifest';
import { Finding, finding } from '../../manifest/finding';
import { validateLabels } from './meta';
import {
  Fail,
  check,
  dns1123Label,
  dns1123Subdomain,
  duplicateKeys,
  parseCidr,
  parseIp,
  portNumOrName,
  portNumber,
} from './util';

/** The default `--service-node-port-range` of kube-apiserver. */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

export function validateService(spec: Record<string, any>, fail: Fail): void {
  const type: string = spec.type ?? 'ClusterIP';
  const ports: ServicePort[] = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!spec.externalName) fail('spec.externalName', 'service', 'is required for an ExternalName Service');
    else check(fail, 'spec.externalName', String(spec.externalName).replace(/\.$/, ''), dns1123Subdomain, 'service');
    if (spec.clusterIP) fail('spec.clusterIP', 'service', 'must be empty for an ExternalName Service');
  } else if (ports.length === 0 && !headless)
    fail('spec.ports', 'service-port', 'a Service needs at least one port (unless headless)');
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name)
      fail(`${at}.name`, 'service-port', 'is required when multiple ports are specified');
    if (p.name) {
      check(fail, `${at}.name`, p.name, dns1123Label, 'service-port');
      if (names.has(p.name)) fail(`${at}.name`, 'service-port', `duplicate port name ${p.name}`);
      names.add(p.name);
    }
    if (p.port === undefined) fail(`${at}.port`, 'service-port', 'is required');
    else if (portNumber(p.port)) fail(`${at}.port`, 'service-port', `${p.port} ${portNumber(p.port)}`);
    if (p.targetPort !== undefined && portNumOrName(p.targetPort))
      fail(`${at}.targetPort`, 'service-port', `${JSON.stringify(p.targetPort)} ${portNumOrName(p.targetPort)}`);
    if (p.nodePort !== undefined) {
      if (type === 'ClusterIP' || type === 'ExternalName')
        fail(`${at}.nodePort`, 'service-port', `may not be used when type is ${type}`);
      else if (portNumber(p.nodePort))
        fail(`${at}.nodePort`, 'service-port', `${p.nodePort} ${portNumber(p.nodePort)}`);
      else if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX)
        fail(
          `${at}.nodePort`,
          'node-port-range',
          `${p.nodePort} is not in the valid range ${NODE_PORT_MIN}-${NODE_PORT_MAX} (the default service-node-port-range)`,
        );
    }
  });
  // ValidateService rejects a repeated (port, protocol), and a repeated (nodePort, protocol).
  duplicateKeys(ports, (p) => `${p.port}/${p.protocol ?? 'TCP'}`, 'spec.ports', fail, 'port/protocol');
  duplicateKeys(
    ports,
    (p) => (p.nodePort ? `${p.nodePort}/${p.protocol ?? 'TCP'}` : undefined),
    'spec.ports',
    fail,
    'nodePort/protocol',
  );
  if (spec.clusterIP !== undefined && spec.clusterIP !== '' && !headless && !parseIp(spec.clusterIP))
    fail('spec.clusterIP', 'service', `${JSON.stringify(spec.clusterIP)} must be a valid IP address, None or empty`);
  if (headless && (type === 'NodePort' || type === 'LoadBalancer'))
    fail('spec.clusterIP', 'service', `may not be set to None for ${type} Services`);
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (spec.externalTrafficPolicy !== undefined && !external) {
    fail(
      'spec.externalTrafficPolicy',
      'service',
      'may only be set for externally-accessible services (NodePort or LoadBalancer)',
    );
  }
  if (spec.healthCheckNodePort !== undefined && !(type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    fail(
      'spec.healthCheckNodePort',
      'service',
      'may only be set when type is LoadBalancer and externalTrafficPolicy is Local',
    );
  }
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinityConfig && spec.sessionAffinity !== 'ClientIP')
    fail('spec.sessionAffinityConfig', 'service', 'may only be set when sessionAffinity is ClientIP');
  if (typeof timeout === 'number' && (timeout < 1 || timeout > 86400))
    fail('spec.sessionAffinityConfig.clientIP.timeoutSeconds', 'service', 'must be between 1 and 86400, inclusive');
  if (spec.loadBalancerSourceRanges !== undefined && type !== 'LoadBalancer')
    fail('spec.loadBalancerSourceRanges', 'service', 'may only be used when type is LoadBalancer');
  (spec.loadBalancerSourceRanges ?? []).forEach((r: string, i: number) => {
    if (!parseCidr(r.trim()))
      fail(`spec.loadBalancerSourceRanges[${i}]`, 'service', `${JSON.stringify(r)} must be a CIDR`);
  });
  (spec.externalIPs ?? []).forEach((ip: string, i: number) => {
    if (!parseIp(ip)) fail(`spec.externalIPs[${i}]`, 'service', `${JSON.stringify(ip)} must be a valid IP address`);
  });
  validateLabels(spec.selector, 'spec.selector', fail);
}

/**
 * Across all objects: two Services that claim the same nodePort (the API server allocates each port
 * once in the cluster, so the second is refused).
 */
export function checkNodePorts(objects: readonly KubeObject[]): Finding[] {
  const claimed = new Map<string, KubeObject>();
  return objects
    .filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')
    .flatMap((svc) =>
      ((svc.spec as { ports?: ServicePort[] } | undefined)?.ports ?? []).flatMap((port, i) => {
        if (port.nodePort === undefined) return [];
        // The allocator counts port numbers, whatever the protocol; one Service may use a port for TCP and UDP.
        const earlier = claimed.get(String(port.nodePort));
        if (!earlier) {
          claimed.set(String(port.nodePort), svc);
          return [];
        }
        return earlier === svc
          ? []
          : [
              finding(
                svc,
                `spec.ports[${i}].nodePort`,
                'schema/node-port-conflict',
                `nodePort ${port.nodePort} is already claimed by ${describeObject(earlier)}`,
              ),
            ];
      }),
    );
}
