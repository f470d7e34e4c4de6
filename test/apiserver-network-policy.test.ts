// NetworkPolicies: ValidateNetworkPolicySpec, ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer and
// ValidateIPBlock in pkg/apis/networking/validation/validation.go.
import { base, table } from './apiserver-support';

const policy = () => base('NetworkPolicy', (o) => !o.spec.ingress);
const from = (o: any, peers: object[]) => {
  o.spec.ingress = [{ from: peers }];
};
const ports = (o: any, list: object[]) => {
  o.spec.ingress = [{ ports: list }];
};

table('ValidateNetworkPolicySpec', policy, [
  [
    'no podSelector (defaulted to all pods)',
    (o) => {
      delete o.spec.podSelector;
    },
    undefined,
  ],
  [
    'ipBlock with except inside',
    (o) => from(o, [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }]),
    undefined,
  ],
  ['ipBlock with host bits', (o) => from(o, [{ ipBlock: { cidr: '10.1.2.3/8' } }]), undefined],
  ['IPv6 ipBlock', (o) => from(o, [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }]), undefined],
  ['pod and namespace selectors together', (o) => from(o, [{ podSelector: {}, namespaceSelector: {} }]), undefined],
  ['port range', (o) => ports(o, [{ port: 32000, endPort: 32768 }]), undefined],
  ['named port', (o) => ports(o, [{ port: 'http' }]), undefined],
  ['cidr without prefix', (o) => from(o, [{ ipBlock: { cidr: '10.0.0.1' } }]), 'schema/network-policy'],
  ['cidr prefix 33', (o) => from(o, [{ ipBlock: { cidr: '10.0.0.0/33' } }]), 'schema/network-policy'],
  [
    'except outside the cidr',
    (o) => from(o, [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }]),
    'schema/network-policy',
  ],
  [
    'except equal to the cidr',
    (o) => from(o, [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }]),
    'schema/network-policy',
  ],
  [
    'except of another family',
    (o) => from(o, [{ ipBlock: { cidr: '10.0.0.0/8', except: ['fd00::/64'] } }]),
    'schema/network-policy',
  ],
  ['except not a CIDR', (o) => from(o, [{ ipBlock: { cidr: '10.0.0.0/8', except: ['x'] } }]), 'schema/network-policy'],
  [
    'ipBlock with a selector',
    (o) => from(o, [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }]),
    'schema/network-policy',
  ],
  ['empty peer', (o) => from(o, [{}]), 'schema/network-policy'],
  ['endPort below port', (o) => ports(o, [{ port: 100, endPort: 99 }]), 'schema/network-policy'],
  ['endPort without port', (o) => ports(o, [{ endPort: 99 }]), 'schema/network-policy'],
  ['endPort with a named port', (o) => ports(o, [{ port: 'http', endPort: 99 }]), 'schema/network-policy'],
  ['endPort 70000', (o) => ports(o, [{ port: 1, endPort: 70000 }]), 'schema/network-policy'],
  ['port 0', (o) => ports(o, [{ port: 0 }]), 'schema/network-policy'],
  ['named port invalid', (o) => ports(o, [{ port: 'HTTP' }]), 'schema/network-policy'],
  [
    'egress peer invalid',
    (o) => {
      o.spec.egress = [{ to: [{ ipBlock: { cidr: 'x' } }] }];
    },
    'schema/network-policy',
  ],
  [
    'policyTypes twice',
    (o) => {
      o.spec.policyTypes = ['Ingress', 'Ingress'];
    },
    'schema/network-policy',
  ],
  [
    'podSelector value invalid',
    (o) => {
      o.spec.podSelector = { matchLabels: { app: '-x' } };
    },
    'schema/label',
  ],
]);
