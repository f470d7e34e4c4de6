import { KubeObject } from '../src/manifest';
import { ConnectionSet, TrafficModel, analyzeTraffic, exposureOf, formatConnection } from '../src/traffic';
import { formatRange, parseCidr } from '../src/traffic/ip';

// Small manifests: namespaces, workloads and policies, each case as few objects as its rule needs.
const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

const deployment = (
  ns: string,
  name: string,
  labels: Record<string, string> = { app: name },
  ports: Array<{ name?: string; containerPort: number; protocol?: string }> = [],
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name, image: 'x:1', ports }] } },
  },
});

const policy = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: ns },
  spec: { podSelector: {}, ...spec },
});

const denyAll = (ns: string) => policy(ns, 'deny', { policyTypes: ['Ingress', 'Egress'] });

/** The connlist of the objects, as netpol-analyzer prints it. */
const connlist = (objects: KubeObject[]) => analyzeTraffic(objects).map(formatConnection);

/** Only the connections between workloads of the inputs. */
const internal = (objects: KubeObject[]) =>
  analyzeTraffic(objects)
    .filter((c) => c.src.type === 'workload' && c.dst.type === 'workload')
    .map(formatConnection);

const A = 'n/a[Deployment]';
const B = 'n/b[Deployment]';
const ANY = '0.0.0.0-255.255.255.255';
const two = (...more: KubeObject[]) => [
  namespace('n'),
  deployment('n', 'a'),
  deployment('n', 'b', { app: 'b' }, [{ name: 'http', containerPort: 8080 }]),
  ...more,
];

// Egress from a to b only on the given ports; b isolated for ingress with the given rules.
const aTo = (to: unknown[], ports?: unknown[]) =>
  policy('n', 'a-out', {
    podSelector: { matchLabels: { app: 'a' } },
    policyTypes: ['Egress'],
    egress: [{ to, ports }],
  });
const bFrom = (ingress: unknown[]) => policy('n', 'b-in', { podSelector: { matchLabels: { app: 'b' } }, ingress });

describe('NetworkPolicy semantics', () => {
  test.each<[string, KubeObject[], string[]]>([
    [
      'pods selected by no policy are open both ways, to and from any address',
      two(),
      [
        `${ANY} => ${A} : All Connections`,
        `${ANY} => ${B} : All Connections`,
        `${A} => ${ANY} : All Connections`,
        `${A} => ${B} : All Connections`,
        `${B} => ${ANY} : All Connections`,
        `${B} => ${A} : All Connections`,
      ],
    ],
    ['a default deny of both directions leaves nothing', two(denyAll('n')), []],
  ])('%s', (_rule, objects, expected) => {
    expect(connlist(objects)).toEqual(expected);
  });

  test.each<[string, KubeObject[], string[]]>([
    [
      "a connection needs both the source's egress and the destination's ingress: the intersection",
      two(
        aTo([{ podSelector: { matchLabels: { app: 'b' } } }], [{ port: 80 }, { port: 443 }]),
        bFrom([{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 80 }, { port: 8080 }] }]),
      ),
      [`${A} => ${B} : TCP 80`, `${B} => ${A} : All Connections`],
    ],
    [
      'policyTypes default to Ingress alone when a policy has no egress rules: egress stays open',
      two(policy('n', 'p', { ingress: [{ from: [{ podSelector: {} }] }] })),
      [`${A} => ${B} : All Connections`, `${B} => ${A} : All Connections`],
    ],
    [
      'policyTypes default to Ingress and Egress when a policy has egress rules',
      two(policy('n', 'p', { egress: [{ to: [{ podSelector: { matchLabels: { app: 'b' } } }] }] })),
      [],
    ],
    [
      'an explicit Egress type with no egress rules denies all egress',
      two(policy('n', 'p', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'] })),
      [`${B} => ${A} : All Connections`],
    ],
    [
      'an empty ingress list admits nothing, a rule with no from admits everyone',
      two(bFrom([]), policy('n', 'a-in', { podSelector: { matchLabels: { app: 'a' } }, ingress: [{}] })),
      [`${B} => ${A} : All Connections`],
    ],
    [
      'an egress rule with no to reaches every destination on its ports (and the policy, typed by default, isolates ingress too)',
      two(policy('n', 'a-out', { podSelector: { matchLabels: { app: 'a' } }, egress: [{ ports: [{ port: 8080 }] }] })),
      [`${A} => ${B} : TCP 8080`],
    ],
    [
      'an empty from list is the same as none: every source',
      two(bFrom([{ from: [], ports: [{ port: 8080 }] }])),
      [`${A} => ${B} : TCP 8080`, `${B} => ${A} : All Connections`],
    ],
    [
      'an empty ports list is every port, a port entry without a port every port of its protocol',
      two(
        bFrom([{ from: [{ podSelector: {} }], ports: [] }]),
        policy('n', 'a-in', {
          podSelector: { matchLabels: { app: 'a' } },
          ingress: [{ ports: [{ protocol: 'UDP' }] }],
        }),
      ),
      [`${A} => ${B} : All Connections`, `${B} => ${A} : UDP 1-65535`],
    ],
    [
      'policies selecting the same pods add up',
      two(
        bFrom([{ ports: [{ port: 80 }] }]),
        policy('n', 'b-more', {
          podSelector: { matchLabels: { app: 'b' } },
          ingress: [{ ports: [{ port: 81 }, { port: 90 }] }],
        }),
      ),
      [`${A} => ${B} : TCP 80-81,90`, `${B} => ${A} : All Connections`],
    ],
    [
      "a named port resolves against the destination's container ports (ingress)",
      two(bFrom([{ ports: [{ port: 'http' }] }])),
      [`${A} => ${B} : TCP 8080`, `${B} => ${A} : All Connections`],
    ],
    [
      "a named port resolves against the destination's container ports (egress)",
      two(aTo([], [{ port: 'http' }])),
      [`${A} => ${B} : TCP 8080`, `${B} => ${A} : All Connections`],
    ],
    [
      'a named port the destination does not have, or has for another protocol, allows nothing',
      two(bFrom([{ ports: [{ port: 'grpc' }, { port: 'http', protocol: 'UDP' }] }])),
      [`${B} => ${A} : All Connections`],
    ],
    [
      'endPort makes a range',
      two(bFrom([{ ports: [{ port: 8000, endPort: 8099 }] }])),
      [`${A} => ${B} : TCP 8000-8099`, `${B} => ${A} : All Connections`],
    ],
    [
      'protocols TCP, UDP and SCTP are kept apart, listed as netpol-analyzer sorts them',
      two(bFrom([{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }, { port: 9, protocol: 'SCTP' }] }])),
      [`${A} => ${B} : SCTP 9,TCP 53,UDP 53`, `${B} => ${A} : All Connections`],
    ],
  ])('%s', (_rule, objects, expected) => {
    expect(internal(objects)).toEqual(expected);
  });
});

describe('peers across namespaces', () => {
  const objects = (peer: Record<string, unknown>) => [
    namespace('x', { team: 'x' }),
    namespace('y', { team: 'y' }),
    deployment('x', 'web'),
    deployment('x', 'db'),
    deployment('y', 'web'),
    deployment('y', 'job'),
    policy('x', 'db-in', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [peer].flat() }] }),
  ];
  const intoDb = (peer: unknown) =>
    internal(objects(peer as Record<string, unknown>)).filter((l) => l.includes('=> x/db'));

  test("a podSelector alone selects pods of the policy's own namespace only", () => {
    expect(intoDb({ podSelector: { matchLabels: { app: 'web' } } })).toEqual([
      'x/web[Deployment] => x/db[Deployment] : All Connections',
    ]);
  });

  test("a namespaceSelector is matched against the namespace's labels", () => {
    expect(intoDb({ namespaceSelector: { matchLabels: { team: 'y' } } })).toEqual([
      'y/job[Deployment] => x/db[Deployment] : All Connections',
      'y/web[Deployment] => x/db[Deployment] : All Connections',
    ]);
  });

  test('a namespaceSelector matches the automatic kubernetes.io/metadata.name label', () => {
    expect(
      intoDb({
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['y'] }],
        },
      }),
    ).toHaveLength(2);
  });

  test('podSelector and namespaceSelector in one peer: both must match (AND)', () => {
    expect(
      intoDb({ namespaceSelector: { matchLabels: { team: 'y' } }, podSelector: { matchLabels: { app: 'web' } } }),
    ).toEqual(['y/web[Deployment] => x/db[Deployment] : All Connections']);
  });

  test('podSelector and namespaceSelector as two peers: either may match (OR)', () => {
    expect(
      intoDb([{ namespaceSelector: { matchLabels: { team: 'y' } } }, { podSelector: { matchLabels: { app: 'web' } } }]),
    ).toEqual([
      'x/web[Deployment] => x/db[Deployment] : All Connections',
      'y/job[Deployment] => x/db[Deployment] : All Connections',
      'y/web[Deployment] => x/db[Deployment] : All Connections',
    ]);
  });
});

describe('beyond the inputs', () => {
  test('an ipBlock with except splits the address space: the allowed pieces are listed as ranges', () => {
    const lines = connlist([
      namespace('n'),
      deployment('n', 'a'),
      denyAll('n'),
      policy('n', 'a-in', {
        podSelector: { matchLabels: { app: 'a' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80 }] }],
      }),
    ]);
    expect(lines).toEqual(['10.0.0.0-10.0.255.255,10.2.0.0-10.255.255.255 => n/a[Deployment] : TCP 80']);
  });

  test('an ipBlock does not match pods of the inputs (their addresses are unknown)', () => {
    expect(
      internal([
        namespace('n'),
        deployment('n', 'a'),
        deployment('n', 'b'),
        denyAll('n'),
        policy('n', 'a-out', { egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
        policy('n', 'b-in', { ingress: [{}] }),
      ]),
    ).toEqual([]);
  });

  test('pods of namespaces the inputs do not define are no end of the list (only of the exposure analysis)', () => {
    const objects = [
      namespace('n'),
      deployment('n', 'a'),
      denyAll('n'),
      policy('n', 'dns', {
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [{ port: 53, protocol: 'UDP' }],
          },
        ],
      }),
      policy('n', 'mon', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }] }),
    ];
    expect(connlist(objects)).toEqual([]);
    const report = exposureOf(objects);
    expect(report.ingress.map((l) => `${l.workload} <= ${l.peer} : ${l.conn}`)).toEqual([
      `${A} <= [namespace with {team=ops}]/[all pods] : All Connections`,
    ]);
    expect(report.egress.map((l) => `${l.workload} => ${l.peer} : ${l.conn}`)).toEqual([
      `${A} => kube-system/[pod with {k8s-app=kube-dns}] : UDP 53`,
    ]);
  });

  test('a namespaceSelector that names only namespaces of the inputs adds no stand-in', () => {
    const lines = connlist([
      namespace('n'),
      namespace('m'),
      deployment('n', 'a'),
      denyAll('n'),
      policy('n', 'a-in', {
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'm' } } }] }],
      }),
    ]);
    expect(lines).toEqual([]);
  });

  test('a ConfigMap with job-template.yaml stands for the Jobs created from it, in the annotated namespace', () => {
    const job =
      'apiVersion: batch/v1\nkind: Job\nmetadata: {}\nspec:\n  template:\n    metadata:\n      labels: {managed-by: provisioner}\n    spec:\n      containers: [{name: c, image: "x:1", ports: [{name: api, containerPort: 5000}]}]\n';
    const lines = internal([
      namespace('hub'),
      namespace('jobs'),
      deployment('hub', 'hub'),
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tpl', namespace: 'hub', annotations: { 'workshop-stacks.io/jobs-namespace': 'jobs' } },
        data: { 'job-template.yaml': job },
      },
      denyAll('hub'),
      denyAll('jobs'),
      policy('hub', 'out', {
        egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'managed-by': 'provisioner' } } }] }],
      }),
      policy('jobs', 'in', { ingress: [{ ports: [{ port: 'api' }] }] }),
    ]);
    expect(lines).toEqual(['hub/hub[Deployment] => jobs/webconsole-*[Job] : TCP 5000']);
  });

  test('every workload kind is a workload', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
    const objects: KubeObject[] = ['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job'].map((kind) => ({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name: kind.toLowerCase(), namespace: 'n' },
      spec: { template },
    }));
    objects.push({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cron', namespace: 'n' },
      spec: { jobTemplate: { spec: { template } } },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod', namespace: 'n', labels: { app: 'x' } },
      spec: template.spec,
    });
    const names = new Set(analyzeTraffic(objects).map((c) => c.src.name));
    expect([...names].filter((n) => n.startsWith('n/')).sort()).toEqual([
      'n/cron[CronJob]',
      'n/daemonset[DaemonSet]',
      'n/deployment[Deployment]',
      'n/job[Job]',
      'n/pod[Pod]',
      'n/replicaset[ReplicaSet]',
      'n/statefulset[StatefulSet]',
    ]);
  });
});

describe('scale', () => {
  test('pairs across namespaces are considered only between ends whose policies may cross', () => {
    const nsCount = 50;
    const objects = Array.from({ length: nsCount }, (_, i) => [
      namespace(`n${i}`),
      deployment(`n${i}`, 'a'),
      deployment(`n${i}`, 'b'),
      denyAll(`n${i}`),
      policy(`n${i}`, 'local', { ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] }),
    ]).flat();
    const model = new TrafficModel(objects);
    const ends = model.workloads.map((w) => model.withReach(model.pod(w)));
    expect([...model.candidatePairs(ends)]).toHaveLength(nsCount * 2);
    // One namespace that admits every other: every other end may now reach it.
    objects.push(
      policy('n0', 'open', { ingress: [{ from: [{ namespaceSelector: {} }] }] }),
      policy('n1', 'out', { egress: [{ to: [{ namespaceSelector: {} }] }] }),
    );
    const open = new TrafficModel(objects);
    const pairs = [...open.candidatePairs(open.workloads.map((w) => open.withReach(open.pod(w))))];
    expect(pairs).toHaveLength(nsCount * 2 + 2 * 2);
    expect(internal(objects)).toContain('n1/a[Deployment] => n0/a[Deployment] : All Connections');
  });
});

describe('notation', () => {
  test('connection sets print as netpol-analyzer prints them', () => {
    expect(ConnectionSet.ALL.toString()).toBe('All Connections');
    expect(ConnectionSet.NONE.toString()).toBe('No Connections');
    expect(
      ConnectionSet.ports('TCP', 80)
        .union(ConnectionSet.ports('TCP', 81, 90))
        .union(ConnectionSet.ports('UDP', 53))
        .toString(),
    ).toBe('TCP 80-90,UDP 53');
    expect(ConnectionSet.ports('TCP').toString()).toBe('TCP 1-65535');
    expect(
      ConnectionSet.ports('TCP', 1, 100)
        .intersect(ConnectionSet.ports('TCP', 50, 200))
        .toString(),
    ).toBe('TCP 50-100');
  });

  test('address ranges of both families', () => {
    expect(formatRange(parseCidr('10.1.2.3/16'))).toBe('10.1.0.0-10.1.255.255');
    expect(formatRange(parseCidr('fd00::/8'))).toBe('fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(formatRange(parseCidr('::ffff:10.0.0.0/120'))).toBe('::ffff:a00:0-::ffff:a00:ff');
    expect(() => parseCidr('10.0.0.0/33')).toThrow('is not a CIDR');
  });
});
