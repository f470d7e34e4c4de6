import { KubeObject } from '../src/manifest';
import { analyzeTraffic, formatConnection } from '../src/traffic';

// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), one rule of the
// API's precedence per case: ANP rules by ascending priority and, within one, in order (Allow, Deny,
// Pass); then the NetworkPolicies; then, for pods no NetworkPolicy selects, the BANP; then open.
const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: name } } });
const deployment = (ns: string, name: string, labels: Record<string, string> = { app: name }): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
  spec: { template: { metadata: { labels }, spec: { containers: [{ name, image: 'x:1', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
});
const anp = (name: string, priority: number, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec: { priority, subject: { namespaces: {} }, ...spec },
});
const banp = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: { namespaces: {} }, ...spec },
});
const np = (ns: string, name: string, spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, ...spec } });

const fromB = (action: string, ports?: unknown[]) => ({ name: `${action}-b`, action, from: [{ namespaces: { matchLabels: { team: 'b' } } }], ...(ports ? { ports } : {}) });
const intoA = { subject: { namespaces: { matchLabels: { team: 'a' } } } };
const base = [namespace('a'), namespace('b'), deployment('a', 'x'), deployment('b', 'y')];
/** What b/y may open to a/x, or undefined. */
const yToX = (...more: KubeObject[]) => analyzeTraffic([...base, ...more]).filter((c) => c.src.name === 'b/y[Deployment]' && c.dst.name === 'a/x[Deployment]')
  .map((c) => c.conn.toString())[0];

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy precedence', () => {
  test.each<[string, KubeObject[], string | undefined]>([
    ['without policies everything is open', [], 'All Connections'],
    ['an ANP Deny beats a NetworkPolicy that allows', [anp('deny-b', 10, { ...intoA, ingress: [fromB('Deny')] }), np('a', 'allow', { ingress: [{}] })], undefined],
    ['an ANP Allow beats a NetworkPolicy default deny', [anp('allow-b', 10, { ...intoA, ingress: [fromB('Allow')] }), np('a', 'deny', { policyTypes: ['Ingress'] })], 'All Connections'],
    ['a lower priority number comes first', [anp('allow', 10, { ...intoA, ingress: [fromB('Allow')] }), anp('deny', 20, { ...intoA, ingress: [fromB('Deny')] })], 'All Connections'],
    ['... whatever the order of the objects', [anp('deny', 5, { ...intoA, ingress: [fromB('Deny')] }), anp('allow', 10, { ...intoA, ingress: [fromB('Allow')] })], undefined],
    ['within one ANP the first rule that matches decides', [anp('p', 10, { ...intoA, ingress: [fromB('Deny', [{ portNumber: { port: 80 } }]), fromB('Allow')] }), np('a', 'deny', { policyTypes: ['Ingress'] })],
      'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535'],
    ['Pass hands the traffic to the NetworkPolicies', [anp('pass', 10, { ...intoA, ingress: [fromB('Pass')] }), anp('allow', 20, { ...intoA, ingress: [fromB('Allow')] }), np('a', 'deny', { policyTypes: ['Ingress'] })], undefined],
    ['Pass with no NetworkPolicy selecting the pod goes to the baseline', [anp('pass', 10, { ...intoA, ingress: [fromB('Pass')] }), banp({ ...intoA, ingress: [fromB('Deny')] })], undefined],
    ['the baseline does not apply to pods a NetworkPolicy selects', [banp({ ...intoA, ingress: [fromB('Deny')] }), np('a', 'allow', { ingress: [{}] })], 'All Connections'],
    ['the baseline denies what no NetworkPolicy decides', [banp({ ...intoA, ingress: [fromB('Deny', [{ portRange: { start: 1, end: 1000 } }])] })],
      'SCTP 1-65535,TCP 1001-65535,UDP 1-65535'],
    ['a baseline Allow before its Deny keeps those ports open', [banp({ ...intoA, ingress: [fromB('Allow', [{ namedPort: 'http' }]), fromB('Deny')] })], 'TCP 8080'],
    ['an ANP whose subject does not select the pod does not apply', [anp('deny', 10, { subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'other' } } } }, ingress: [fromB('Deny')] })], 'All Connections'],
    ['egress rules apply to the source', [anp('deny-out', 10, { subject: { namespaces: { matchLabels: { team: 'b' } } }, egress: [{ name: 'no-a', action: 'Deny', to: [{ pods: { namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'x' } } } }] }] })], undefined],
    ['an ANP with only ingress rules leaves egress to the NetworkPolicies', [anp('in', 10, { ...intoA, ingress: [fromB('Allow')] }), np('b', 'no-egress', { policyTypes: ['Egress'] })], undefined],
  ])('%s', (_rule, objects, expected) => {
    expect(yToX(...objects)).toBe(expected);
  });

  test('networks of an egress rule are addresses outside the cluster', () => {
    const lines = analyzeTraffic([...base, anp('no-internet', 10, { subject: { namespaces: { matchLabels: { team: 'a' } } },
      egress: [{ name: 'private', action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] }, { name: 'rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] })])
      .filter((c) => c.src.name === 'a/x[Deployment]' && c.dst.type === 'ip').map(formatConnection);
    expect(lines).toEqual(['a/x[Deployment] => 10.0.0.0-10.255.255.255 : All Connections']);
  });
});
