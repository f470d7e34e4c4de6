import { KubeObject } from '../src/manifest';
import { analyzeTraffic, focusOn, formatConnection, workloadsOf } from '../src/traffic';

// netpol-analyzer names a Pod by its controller (ownerReference with controller: true), as given.
const pod = (
  name: string,
  owner?: { kind: string; name: string; controller?: boolean },
  labels: Record<string, string> = { app: 'web' },
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'n',
    labels,
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', uid: 'u', controller: true, ...owner }] } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'x:1' }] },
});
const replicaSet = (name: string, owner?: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name,
    namespace: 'n',
    ...(owner
      ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: 'u', controller: true }] }
      : {}),
  },
  spec: {
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
  },
});
const deny: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny', namespace: 'n' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};
const allowAllWithin: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'within', namespace: 'n' },
  spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] },
};

/** Connections between the workloads of the inputs only. */
const internal = (objects: KubeObject[]) =>
  analyzeTraffic([...objects, deny, allowAllWithin])
    .filter((c) => c.src.type === 'workload' && c.dst.type === 'workload')
    .map(formatConnection);
const names = (objects: KubeObject[]) => workloadsOf(objects).map((w) => `${w.namespace}/${w.name}[${w.kind}]`);

describe('pods are named by their controller', () => {
  test.each<[string, KubeObject[], string[]]>([
    [
      'a pod with a controller ownerReference is ns/owner[OwnerKind]',
      [pod('web-abc-1', { kind: 'ReplicaSet', name: 'web-abc' })],
      ['n/web-abc[ReplicaSet]'],
    ],
    [
      'the owner may be of any kind, as the reference names it',
      [pod('job-x', { kind: 'Job', name: 'nightly' })],
      ['n/nightly[Job]'],
    ],
    ['a bare pod is [Pod]', [pod('solo')], ['n/solo[Pod]']],
    [
      'an ownerReference that is not the controller does not name the pod',
      [pod('p', { kind: 'ReplicaSet', name: 'rs', controller: false })],
      ['n/p[Pod]'],
    ],
    [
      'a static pod (owned by its Node) stays a bare Pod',
      [pod('etcd-node1', { kind: 'Node', name: 'node1' })],
      ['n/etcd-node1[Pod]'],
    ],
    [
      'a ReplicaSet owned by a Deployment keeps its own name: owners are not followed further',
      [replicaSet('db-5f9', 'db')],
      ['n/db-5f9[ReplicaSet]'],
    ],
  ])('%s', (_rule, objects, expected) => {
    expect(names(objects)).toEqual(expected);
  });

  test('the owner need not be in the inputs', () => {
    expect(
      internal([pod('web-abc-1', { kind: 'ReplicaSet', name: 'web-abc' }), pod('solo', undefined, { app: 'x' })]),
    ).toEqual([
      'n/solo[Pod] => n/web-abc[ReplicaSet] : All Connections',
      'n/web-abc[ReplicaSet] => n/solo[Pod] : All Connections',
    ]);
  });

  test('all pods of one owner are one workload, with no connection between them', () => {
    const objects = [
      pod('web-abc-1', { kind: 'ReplicaSet', name: 'web-abc' }),
      pod('web-abc-2', { kind: 'ReplicaSet', name: 'web-abc' }),
      pod('solo', undefined, { app: 'x' }),
    ];
    expect(internal(objects)).toEqual([
      'n/solo[Pod] => n/web-abc[ReplicaSet] : All Connections',
      'n/web-abc[ReplicaSet] => n/solo[Pod] : All Connections',
    ]);
  });

  test('pods of a ReplicaSet given with it are that one workload', () => {
    const objects = [
      replicaSet('db-5f9', 'db'),
      pod('db-5f9-x', { kind: 'ReplicaSet', name: 'db-5f9' }, { app: 'db' }),
      pod('solo', undefined, { app: 'x' }),
    ];
    expect(internal(objects)).toEqual([
      'n/db-5f9[ReplicaSet] => n/solo[Pod] : All Connections',
      'n/solo[Pod] => n/db-5f9[ReplicaSet] : All Connections',
    ]);
  });

  test("--focus takes the owner's name", () => {
    const objects = [
      pod('web-abc-1', { kind: 'ReplicaSet', name: 'web-abc' }),
      pod('solo', undefined, { app: 'x' }),
      deny,
      allowAllWithin,
    ];
    const all = analyzeTraffic(objects);
    expect(focusOn(all, workloadsOf(objects), 'n/web-abc[ReplicaSet]').map(formatConnection)).toEqual([
      'n/solo[Pod] => n/web-abc[ReplicaSet] : All Connections',
      'n/web-abc[ReplicaSet] => n/solo[Pod] : All Connections',
    ]);
    expect(focusOn(all, workloadsOf(objects), 'web-abc')).toHaveLength(2);
    expect(() => focusOn(all, workloadsOf(objects), 'web-abc-1')).toThrow('no workload named "web-abc-1"');
  });

  test('objects without metadata (a List before the reader expands it) are no workloads and break nothing', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [pod('a')] } as unknown as KubeObject;
    expect(() => analyzeTraffic([list, pod('solo')])).not.toThrow();
    expect(names([list, pod('solo')])).toEqual(['n/solo[Pod]']);
  });
});
