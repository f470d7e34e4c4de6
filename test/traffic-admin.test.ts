import { App } from 'cdk8s';
import { Classroom, ClassroomProps } from '../constructs/classroom';
import { KubeObject, parseManifests } from '../src/manifest';
import { synthYaml } from '../src/synth';
import { analyzeTraffic, formatConnection } from '../src/traffic';

// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), one rule of the
// API's precedence per case: ANP rules by ascending priority and, within one, in order (Allow, Deny,
// Pass); then the NetworkPolicies; then, for pods no NetworkPolicy selects, the BANP; then open.
const namespace = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { team: name } },
});
const deployment = (ns: string, name: string, labels: Record<string, string> = { app: name }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    template: {
      metadata: { labels },
      spec: { containers: [{ name, image: 'x:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
  },
});
const anp = (name: string, priority: number, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name },
  spec: { priority, subject: { namespaces: {} }, ...spec },
});
const banp = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'BaselineAdminNetworkPolicy',
  metadata: { name: 'default' },
  spec: { subject: { namespaces: {} }, ...spec },
});
const np = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: ns },
  spec: { podSelector: {}, ...spec },
});

const fromB = (action: string, ports?: unknown[]) => ({
  name: `${action}-b`,
  action,
  from: [{ namespaces: { matchLabels: { team: 'b' } } }],
  ...(ports ? { ports } : {}),
});
const intoA = { subject: { namespaces: { matchLabels: { team: 'a' } } } };
const base = [namespace('a'), namespace('b'), deployment('a', 'x'), deployment('b', 'y')];
/** What b/y may open to a/x, or undefined. */
const yToX = (...more: KubeObject[]) =>
  analyzeTraffic([...base, ...more])
    .filter((c) => c.src.name === 'b/y[Deployment]' && c.dst.name === 'a/x[Deployment]')
    .map((c) => c.conn.toString())[0];

describe('AdminNetworkPolicy and BaselineAdminNetworkPolicy precedence', () => {
  test.each<[string, KubeObject[], string | undefined]>([
    ['without policies everything is open', [], 'All Connections'],
    [
      'an ANP Deny beats a NetworkPolicy that allows',
      [anp('deny-b', 10, { ...intoA, ingress: [fromB('Deny')] }), np('a', 'allow', { ingress: [{}] })],
      undefined,
    ],
    [
      'an ANP Allow beats a NetworkPolicy default deny',
      [anp('allow-b', 10, { ...intoA, ingress: [fromB('Allow')] }), np('a', 'deny', { policyTypes: ['Ingress'] })],
      'All Connections',
    ],
    [
      'a lower priority number comes first',
      [
        anp('allow', 10, { ...intoA, ingress: [fromB('Allow')] }),
        anp('deny', 20, { ...intoA, ingress: [fromB('Deny')] }),
      ],
      'All Connections',
    ],
    [
      '... whatever the order of the objects',
      [
        anp('deny', 5, { ...intoA, ingress: [fromB('Deny')] }),
        anp('allow', 10, { ...intoA, ingress: [fromB('Allow')] }),
      ],
      undefined,
    ],
    [
      'within one ANP the first rule that matches decides',
      [
        anp('p', 10, { ...intoA, ingress: [fromB('Deny', [{ portNumber: { port: 80 } }]), fromB('Allow')] }),
        np('a', 'deny', { policyTypes: ['Ingress'] }),
      ],
      'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535',
    ],
    [
      'Pass hands the traffic to the NetworkPolicies',
      [
        anp('pass', 10, { ...intoA, ingress: [fromB('Pass')] }),
        anp('allow', 20, { ...intoA, ingress: [fromB('Allow')] }),
        np('a', 'deny', { policyTypes: ['Ingress'] }),
      ],
      undefined,
    ],
    [
      'Pass with no NetworkPolicy selecting the pod goes to the baseline',
      [anp('pass', 10, { ...intoA, ingress: [fromB('Pass')] }), banp({ ...intoA, ingress: [fromB('Deny')] })],
      undefined,
    ],
    [
      'the baseline does not apply to pods a NetworkPolicy selects',
      [banp({ ...intoA, ingress: [fromB('Deny')] }), np('a', 'allow', { ingress: [{}] })],
      'All Connections',
    ],
    [
      'the baseline denies what no NetworkPolicy decides',
      [banp({ ...intoA, ingress: [fromB('Deny', [{ portRange: { start: 1, end: 1000 } }])] })],
      'SCTP 1-65535,TCP 1001-65535,UDP 1-65535',
    ],
    [
      'a baseline Allow before its Deny keeps those ports open',
      [banp({ ...intoA, ingress: [fromB('Allow', [{ namedPort: 'http' }]), fromB('Deny')] })],
      'TCP 8080',
    ],
    [
      'an ANP whose subject does not select the pod does not apply',
      [
        anp('deny', 10, {
          subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'other' } } } },
          ingress: [fromB('Deny')],
        }),
      ],
      'All Connections',
    ],
    [
      'egress rules apply to the source',
      [
        anp('deny-out', 10, {
          subject: { namespaces: { matchLabels: { team: 'b' } } },
          egress: [
            {
              name: 'no-a',
              action: 'Deny',
              to: [
                {
                  pods: {
                    namespaceSelector: { matchLabels: { team: 'a' } },
                    podSelector: { matchLabels: { app: 'x' } },
                  },
                },
              ],
            },
          ],
        }),
      ],
      undefined,
    ],
    [
      'an ANP with only ingress rules leaves egress to the NetworkPolicies',
      [anp('in', 10, { ...intoA, ingress: [fromB('Allow')] }), np('b', 'no-egress', { policyTypes: ['Egress'] })],
      undefined,
    ],
  ])('%s', (_rule, objects, expected) => {
    expect(yToX(...objects)).toBe(expected);
  });

  test('networks of an egress rule are addresses outside the cluster', () => {
    const lines = analyzeTraffic([
      ...base,
      anp('no-internet', 10, {
        subject: { namespaces: { matchLabels: { team: 'a' } } },
        egress: [
          { name: 'private', action: 'Allow', to: [{ networks: ['10.0.0.0/8'] }] },
          { name: 'rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] },
        ],
      }),
    ])
      .filter((c) => c.src.name === 'a/x[Deployment]' && c.dst.type === 'ip')
      .map(formatConnection);
    expect(lines).toEqual(['a/x[Deployment] => 10.0.0.0-10.255.255.255 : All Connections']);
  });
});

describe('Classroom attendee isolation as an admin policy', () => {
  // Each attendee runs a pod of their own that their NetworkPolicies do not cover once deleted.
  function room(props: Partial<ClassroomProps>): KubeObject[] {
    const app = new App();
    new Classroom(app, 'class', { attendees: ['a', 'b', 'c'], ...props });
    const objects = parseManifests(synthYaml(app));
    return [...objects, ...['a', 'b', 'c'].map((n) => deployment(`class-${n}`, 'own')), deployment('class-a', 'other')];
  }
  /** Connections from one attendee's namespace to another's. */
  const crossing = (objects: KubeObject[]) =>
    analyzeTraffic(objects)
      .filter((c) => c.src.type === 'workload' && c.dst.type === 'workload' && c.src.namespace !== c.dst.namespace)
      .map(formatConnection);
  /** As if attendees a and b (both with `edit` access) deleted their NetworkPolicies. */
  const withoutPoliciesOfAB = (objects: KubeObject[]) =>
    objects.filter((o) => !(o.kind === 'NetworkPolicy' && ['class-a', 'class-b'].includes(o.metadata.namespace!)));

  test('by default no admin policy is emitted', () => {
    expect(room({}).filter((o) => o.apiVersion === 'policy.networking.k8s.io/v1alpha1')).toEqual([]);
  });

  test('without one, two attendees who delete their NetworkPolicies reach each other', () => {
    expect(crossing(withoutPoliciesOfAB(room({})))).toContain(
      'class-b/own[Deployment] => class-a/own[Deployment] : All Connections',
    );
  });

  test.each(['admin', 'baseline'] as const)(
    "%s: deleting attendees' NetworkPolicies opens nothing across attendees",
    (policy) => {
      const objects = room({ adminIsolation: { policy } });
      expect(crossing(objects)).toEqual([]);
      expect(crossing(withoutPoliciesOfAB(objects))).toEqual([]);
    },
  );

  test('admin: one AdminNetworkPolicy per attendee, at consecutive priorities; an attendee keeps their own namespace', () => {
    const objects = room({ adminIsolation: { policy: 'admin', priority: 10 } });
    const anps = objects.filter((o) => o.kind === 'AdminNetworkPolicy');
    expect(anps.map((o) => [o.metadata.name, (o.spec as { priority: number }).priority])).toEqual([
      ['class-a-isolation', 10],
      ['class-b-isolation', 11],
      ['class-c-isolation', 12],
    ]);
    const lines = analyzeTraffic(withoutPoliciesOfAB(objects)).map(formatConnection);
    expect(lines).toContain('class-a/other[Deployment] => class-a/own[Deployment] : All Connections');
  });

  test('baseline: the one BaselineAdminNetworkPolicy, named default', () => {
    const banps = room({ adminIsolation: { policy: 'baseline' } }).filter(
      (o) => o.kind === 'BaselineAdminNetworkPolicy',
    );
    expect(banps.map((o) => o.metadata.name)).toEqual(['default']);
  });

  test('priorities must stay within 0-1000 for every attendee', () => {
    expect(() => room({ adminIsolation: { policy: 'admin', priority: 999 } })).toThrow(/adminIsolation\.priority/);
  });
});
