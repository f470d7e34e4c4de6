import { KubeObject } from '../src/manifest';
import {
  ConnectionSet,
  TRAFFIC_FORMATS,
  TrafficModel,
  analyzeTraffic,
  formatConnection,
  formatConnectionParts,
  workloadId,
} from '../src/traffic';

// Grouping workloads that policies treat alike must change nothing: the list is compared with a plain
// evaluation of every ordered pair of workloads, on inputs where labels, named ports and selectors vary.
let seed = 7;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const selector = () =>
  [
    {},
    { matchLabels: { app: `a${rnd(3)}` } },
    { matchLabels: { tier: `t${rnd(2)}` } },
    { matchExpressions: [{ key: 'tier', operator: rnd(2) ? 'Exists' : 'NotIn', values: ['t0'] }] },
  ][rnd(4)];
const peer = () =>
  [
    { podSelector: selector() },
    { namespaceSelector: rnd(2) ? {} : { matchLabels: { team: 'x1' } }, podSelector: selector() },
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `n${rnd(3)}` } } },
  ][rnd(3)];
const ports = () =>
  rnd(3) === 0 ? undefined : [{ port: rnd(2) ? 80 + rnd(3) : 'http', ...(rnd(4) === 0 ? { protocol: 'UDP' } : {}) }];

function randomInput(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let n = 0; n < 3; n++)
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `n${n}`, labels: { team: `x${rnd(2)}` } } });
  for (let w = 0; w < 4 + rnd(12); w++) {
    // `unique` is looked at by no selector: workloads differing only there fall in one group.
    const labels = { app: `a${rnd(3)}`, ...(rnd(2) ? { tier: `t${rnd(2)}` } : {}), unique: `w${w}` };
    const containerPorts = rnd(2)
      ? [{ name: 'http', containerPort: 8000 + rnd(2) }]
      : [{ name: 'other', containerPort: 80 }];
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `w${w}`, namespace: `n${rnd(3)}` },
      spec: {
        template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x:1', ports: containerPorts }] } },
      },
    });
  }
  for (let p = 0; p < rnd(5); p++) {
    const rules = () =>
      Array.from({ length: rnd(3) }, () => ({
        peers: rnd(3) ? Array.from({ length: 1 + rnd(2) }, peer) : undefined,
        ports: ports(),
      }));
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `p${p}`, namespace: `n${rnd(3)}` },
      spec: {
        podSelector: selector(),
        policyTypes: [['Ingress'], ['Egress'], ['Ingress', 'Egress']][rnd(3)],
        ingress: rules().map((r) => ({ from: r.peers, ports: r.ports })),
        egress: rules().map((r) => ({ to: r.peers, ports: r.ports })),
      },
    });
  }
  // Admin policies sometimes: their Allow rules can open what the NetworkPolicies keep in a namespace.
  const action = () => ['Allow', 'Deny', 'Pass'][rnd(3)];
  const adminPeer = () =>
    rnd(2)
      ? { namespaces: rnd(2) ? {} : { matchLabels: { team: `x${rnd(2)}` } } }
      : { pods: { namespaceSelector: {}, podSelector: selector() } };
  for (let a = 0; a < rnd(3); a++) {
    objects.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: `anp${a}` },
      spec: {
        priority: a,
        subject: adminPeer(),
        ingress: [
          { action: action(), from: [adminPeer()], ports: rnd(2) ? [{ portNumber: { port: 80 } }] : undefined },
        ],
        egress: [{ action: action(), to: [adminPeer()] }],
      },
    });
  }
  if (rnd(3) === 0) {
    objects.push({
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: { subject: adminPeer(), ingress: [{ action: rnd(2) ? 'Allow' : 'Deny', from: [adminPeer()] }] },
    });
  }
  return objects;
}

/** Every ordered pair of distinct workloads, evaluated one by one. */
function pairwise(objects: KubeObject[]): string[] {
  const model = new TrafficModel(objects);
  const out: Array<[string, string, ConnectionSet]> = [];
  for (const src of model.workloads) {
    for (const dst of model.workloads) {
      if (src === dst) continue;
      const conn = model.between(model.pod(src), model.pod(dst));
      if (!conn.isEmpty) out.push([workloadId(src), workloadId(dst), conn]);
    }
  }
  return out
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]))
    .map(([s, d, c]) => `${s} => ${d} : ${c}`);
}

describe('grouping workloads changes nothing', () => {
  test.each(Array.from({ length: 100 }, (_, i) => [i, randomInput()] as const))('random input %i', (_i, objects) => {
    const listed = analyzeTraffic(objects)
      .filter((c) => c.src.type === 'workload' && c.dst.type === 'workload')
      .map(formatConnection);
    expect(listed).toEqual(pairwise(objects));
  });

  test('the cost follows the distinct groups: workloads alike to the policies are evaluated once per pair of groups', () => {
    const objects: KubeObject[] = [];
    for (let i = 0; i < 2000; i++) {
      const labels = { app: `web-${i}` };
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `web-${i}`, namespace: `ns-${i % 10}` },
        spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
      });
    }
    for (let k = 0; k < 10; k++) {
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'local', namespace: `ns-${k}` },
        spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] },
      });
    }
    const between = jest.spyOn(TrafficModel.prototype, 'between');
    const connections = analyzeTraffic(objects);
    // Ten namespaces of 200 workloads, each open within: 10 * 200 * 199 connections, ten evaluations.
    expect(connections).toHaveLength(10 * 200 * 199);
    expect(between.mock.calls.length).toBeLessThanOrEqual(10);
    between.mockRestore();
  });
});

describe('the list written as it comes', () => {
  test.each([0, 1, 3])('JSON of %i connection(s) in parts is JSON.stringify of the rows', (count) => {
    const connections = analyzeTraffic(randomInput()).slice(0, count);
    const rows = connections.map((c) => ({ src: c.src.name, dst: c.dst.name, conn: c.conn.toString() }));
    expect([...formatConnectionParts(connections, 'json')].join('')).toBe(`${JSON.stringify(rows, null, 2)}\n`);
  });

  test('every format reads the connections once, so a generator will do', () => {
    const objects = randomInput();
    for (const format of TRAFFIC_FORMATS) {
      const once = (function* () {
        yield* analyzeTraffic(objects);
      })();
      expect([...formatConnectionParts(once, format)].join('')).toBe(
        [...formatConnectionParts(analyzeTraffic(objects), format)].join(''),
      );
    }
  });
});
