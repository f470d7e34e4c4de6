/** NetworkPolicies: ValidateNetworkPolicySpec in pkg/apis/networking/validation/validation.go (v1.33). */
import { validateLabelSelector } from './meta';
import { Fail, parseCidr, portName, portNumber } from './util';

interface Peer {
  podSelector?: object;
  namespaceSelector?: object;
  ipBlock?: { cidr?: string; except?: string[] };
}
interface Port {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface Rule {
  ports?: Port[];
  from?: Peer[];
  to?: Peer[];
}

/**
 * A missing `podSelector` is not reported: the server defaults it to `{}` (all pods of the namespace).
 */
export function validateNetworkPolicy(spec: Record<string, any>, fail: Fail): void {
  validateLabelSelector(spec.podSelector, 'spec.podSelector', fail);
  for (const [direction, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    ((spec[direction] ?? []) as Rule[]).forEach((rule, i) => {
      const at = `spec.${direction}[${i}]`;
      (rule.ports ?? []).forEach((port, j) => validatePort(port, `${at}.ports[${j}]`, fail));
      (rule[peersKey] ?? []).forEach((peer, j) => validatePeer(peer, `${at}.${peersKey}[${j}]`, fail));
    });
  }
  const types: string[] = spec.policyTypes ?? [];
  if (types.length > 2 || new Set(types).size !== types.length)
    fail('spec.policyTypes', 'network-policy', 'may list Ingress and Egress once each');
}

/** ValidateNetworkPolicyPort. */
function validatePort(port: Port, at: string, fail: Fail): void {
  if (typeof port.port === 'number') {
    if (portNumber(port.port)) fail(`${at}.port`, 'network-policy', `${port.port} ${portNumber(port.port)}`);
  } else if (typeof port.port === 'string') {
    if (portName(port.port))
      fail(`${at}.port`, 'network-policy', `${JSON.stringify(port.port)} ${portName(port.port)}`);
  }
  if (port.endPort === undefined) return;
  if (port.port === undefined)
    fail(`${at}.endPort`, 'network-policy', 'may not be specified when `port` is not specified');
  else if (typeof port.port === 'string')
    fail(`${at}.endPort`, 'network-policy', 'may not be specified when `port` is non-numeric');
  else if (port.endPort < port.port) fail(`${at}.endPort`, 'network-policy', 'must be greater than or equal to `port`');
  if (portNumber(port.endPort)) fail(`${at}.endPort`, 'network-policy', `${port.endPort} ${portNumber(port.endPort)}`);
}

/** ValidateNetworkPolicyPeer and ValidateIPBlock. */
function validatePeer(peer: Peer, at: string, fail: Fail): void {
  const selectors = (peer.podSelector ? 1 : 0) + (peer.namespaceSelector ? 1 : 0);
  if (selectors === 0 && !peer.ipBlock)
    fail(at, 'network-policy', 'must specify a peer: podSelector, namespaceSelector or ipBlock');
  if (selectors > 0 && peer.ipBlock) fail(at, 'network-policy', 'may not specify both ipBlock and another peer');
  validateLabelSelector(peer.podSelector, `${at}.podSelector`, fail);
  validateLabelSelector(peer.namespaceSelector, `${at}.namespaceSelector`, fail);
  const block = peer.ipBlock;
  if (!block) return;
  if (!block.cidr) {
    fail(`${at}.ipBlock.cidr`, 'network-policy', 'is required');
    return;
  }
  const cidr = parseCidr(block.cidr);
  if (!cidr) fail(`${at}.ipBlock.cidr`, 'network-policy', `${JSON.stringify(block.cidr)} must be a valid CIDR`);
  (block.except ?? []).forEach((e, i) => {
    const field = `${at}.ipBlock.except[${i}]`;
    const inner = parseCidr(e);
    if (!inner) fail(field, 'network-policy', `${JSON.stringify(e)} must be a valid CIDR`);
    else if (cidr && !strictlyInside(inner, cidr))
      fail(field, 'network-policy', `${e} must be a strict subset of the cidr ${block.cidr}`);
  });
}

type Cidr = NonNullable<ReturnType<typeof parseCidr>>;

function strictlyInside(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const width = BigInt(inner.family === 4 ? 32 : 128);
  const shift = width - BigInt(outer.prefix);
  return inner.bits >> shift === outer.bits >> shift;
}
