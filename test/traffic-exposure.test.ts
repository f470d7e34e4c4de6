import { KubeObject } from '../src/manifest';
import { ConnectionSet, analyzeTraffic, exposureOf, formatExposureParts } from '../src/traffic';

// Cases of netpol-analyzer's exposure analysis (its docs/exposure_tests_and_results.md), one rule each,
// with its txt output: the connection list, then the exposure section.
const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

const deployment = (
  ns: string,
  name: string,
  labels: Record<string, string>,
  ports: Array<{ name?: string; containerPort: number }>,
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
  spec,
});

const ports3 = [{ containerPort: 8000 }, { containerPort: 8050 }, { containerPort: 8090 }];
const named3 = [
  { name: 'local-dns', containerPort: 8000 },
  { name: 'local-dns2', containerPort: 8050 },
  { name: 'http', containerPort: 8090 },
];
const helloWorld = (ports = ports3) => [
  namespace('hello-world'),
  deployment('hello-world', 'workload-a', { app: 'a-app' }, ports),
];
const workloadB = deployment('hello-world', 'workload-b', { app: 'b-app' }, [{ containerPort: 8050 }]);
const onA = (spec: Record<string, unknown>) =>
  policy('hello-world', 'p', { podSelector: { matchLabels: { app: 'a-app' } }, ...spec });
const managed = { matchExpressions: [{ key: 'foo.com/managed-state', operator: 'In', values: ['managed'] }] };
const tcp = (port: number | string) => [{ port, protocol: 'TCP' }];

/** What `traffic --exposure` prints in txt. */
const txt = (objects: KubeObject[]) =>
  [...formatExposureParts(analyzeTraffic(objects), exposureOf(objects), 'txt')].join('');

const A = 'hello-world/workload-a[Deployment]';
const B = 'hello-world/workload-b[Deployment]';
const ANY = '0.0.0.0-255.255.255.255';
const M = 'matching-ns/matching-workload[Deployment]';
const MANAGED = '[namespace with {{Key:foo.com/managed-state,Operator:In,Values:[managed],}}]/[all pods]';

describe('exposure analysis, as netpol-analyzer', () => {
  test.each<[string, KubeObject[], string]>([
    [
      'a rule with an empty namespaceSelector exposes the workload to the entire cluster, on its ports',
      [
        ...helloWorld(),
        onA({
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: {} }], ports: tcp(8050) }],
          egress: [{ to: [{ namespaceSelector: {} }] }],
        }),
      ],
      `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \tentire-cluster : All Connections\n\nIngress Exposure:\n${A} \t<= \tentire-cluster : TCP 8050\n`,
    ],
    [
      'a rule without peers exposes it to the entire cluster and to every address',
      [...helloWorld(), onA({ policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] })],
      `${ANY} => ${A} : All Connections\n${A} => ${ANY} : All Connections\n\nExposure Analysis Result:\nEgress Exposure:\n` +
        `${A} \t=> \t${ANY} : All Connections\n${A} \t=> \tentire-cluster : All Connections\n\nIngress Exposure:\n` +
        `${A} \t<= \t${ANY} : All Connections\n${A} \t<= \tentire-cluster : All Connections\n`,
    ],
    [
      'a direction no policy protects is open to everything, and listed as not protected',
      [
        ...helloWorld(),
        workloadB,
        onA({
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hello-world' } },
                  podSelector: { matchLabels: { app: 'b-app' } },
                },
              ],
            },
            { from: [{ namespaceSelector: managed }], ports: tcp(8050) },
            { from: [{ namespaceSelector: {} }], ports: tcp(8050) },
          ],
        }),
      ],
      `${ANY} => ${B} : All Connections\n${A} => ${ANY} : All Connections\n${A} => ${B} : All Connections\n${B} => ${ANY} : All Connections\n${B} => ${A} : All Connections\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \tentire-cluster : All Connections\n` +
        `${B} \t=> \t${ANY} : All Connections\n${B} \t=> \tentire-cluster : All Connections\n\nIngress Exposure:\n` +
        `${A} \t<= \tentire-cluster : TCP 8050\n${B} \t<= \t${ANY} : All Connections\n${B} \t<= \tentire-cluster : All Connections\n\n` +
        `Workloads not protected by network policies:\n${A} is not protected on Egress\n${B} is not protected on Egress\n${B} is not protected on Ingress\n`,
    ],
    [
      'namespace selectors no workload matches are shown as selectors, sorted as text',
      [
        ...helloWorld(),
        onA({
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { release: 'stable' } } }] },
            { from: [{ namespaceSelector: managed }], ports: tcp(8050) },
            { from: [{ namespaceSelector: { matchLabels: { effect: 'NoSchedule' } } }], ports: tcp(8050) },
          ],
        }),
      ],
      `${A} => ${ANY} : All Connections\n\nExposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \tentire-cluster : All Connections\n\n` +
        `Ingress Exposure:\n${A} \t<= \t[namespace with {effect=NoSchedule}]/[all pods] : TCP 8050\n${A} \t<= \t[namespace with {release=stable}]/[all pods] : All Connections\n` +
        `${A} \t<= \t${MANAGED} : TCP 8050\n\nWorkloads not protected by network policies:\n${A} is not protected on Egress\n`,
    ],
    [
      "a podSelector without namespaceSelector means pods of the policy's namespace, named by it",
      [
        ...helloWorld(),
        onA({
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { role: 'monitoring' } } }], ports: tcp(8050) }],
        }),
      ],
      `${A} => ${ANY} : All Connections\n\nExposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \tentire-cluster : All Connections\n\n` +
        `Ingress Exposure:\n${A} \t<= \thello-world/[pod with {role=monitoring}] : TCP 8050\n\nWorkloads not protected by network policies:\n${A} is not protected on Egress\n`,
    ],
    [
      'an empty namespaceSelector with a podSelector means those pods in all namespaces',
      [
        ...helloWorld(),
        onA({
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'monitoring' } } }],
              ports: tcp(8050),
            },
          ],
        }),
      ],
      `${A} => ${ANY} : All Connections\n\nExposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \tentire-cluster : All Connections\n\n` +
        `Ingress Exposure:\n${A} \t<= \t[all namespaces]/[pod with {role=monitoring}] : TCP 8050\n\nWorkloads not protected by network policies:\n${A} is not protected on Egress\n`,
    ],
    [
      'selectors a rule writes differently but alike (a label, an In of one value) are one peer, named as first written',
      [
        ...helloWorld(),
        onA({
          ingress: [{ from: [{ podSelector: { matchLabels: { role: 'monitoring' } } }], ports: tcp(8050) }],
          egress: [
            { to: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['monitoring'] }] } }] },
          ],
        }),
      ],
      `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \thello-world/[pod with {role=monitoring}] : All Connections\n\n` +
        `Ingress Exposure:\n${A} \t<= \thello-world/[pod with {role=monitoring}] : TCP 8050\n`,
    ],
    [
      'a selector peer gets what every rule taking it in allows; shown when more than the entire cluster gets',
      [
        ...helloWorld(named3),
        onA({
          ingress: [
            { from: [{ namespaceSelector: managed }], ports: tcp('http') },
            { from: [{ namespaceSelector: {} }], ports: tcp('local-dns') },
          ],
          egress: [{ to: [{ namespaceSelector: managed }], ports: tcp(8050) }],
        }),
      ],
      `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${MANAGED} : TCP 8050\n\n` +
        `Ingress Exposure:\n${A} \t<= \t${MANAGED} : TCP 8000,8090\n${A} \t<= \tentire-cluster : TCP 8000\n`,
    ],
    [
      'a selector of labels alone that a workload of the inputs matches needs no stand-in',
      [
        namespace('ns1', { x: 'xval' }),
        deployment('ns1', 'pod-in-ns1', { app: 'app-1' }, [{ containerPort: 9090 }, { containerPort: 8080 }]),
        deployment('ns1', 'matching-pod-in-ns1', { app: 'foo' }, [{ containerPort: 9090 }, { containerPort: 8080 }]),
        policy('ns1', 'p1', {
          podSelector: { matchLabels: { app: 'app-1' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { x: 'xval' } }, podSelector: { matchLabels: { app: 'foo' } } },
              ],
              ports: tcp(8080),
            },
          ],
        }),
        policy('ns1', 'p2', {
          podSelector: { matchLabels: { app: 'app-1' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'foo' } } }], ports: tcp(9090) }],
        }),
      ],
      `${ANY} => ns1/matching-pod-in-ns1[Deployment] : All Connections\nns1/matching-pod-in-ns1[Deployment] => ${ANY} : All Connections\n` +
        `ns1/matching-pod-in-ns1[Deployment] => ns1/pod-in-ns1[Deployment] : TCP 8080,9090\n\nExposure Analysis Result:\nEgress Exposure:\n` +
        `ns1/matching-pod-in-ns1[Deployment] \t=> \t${ANY} : All Connections\nns1/matching-pod-in-ns1[Deployment] \t=> \tentire-cluster : All Connections\n\n` +
        `Ingress Exposure:\nns1/matching-pod-in-ns1[Deployment] \t<= \t${ANY} : All Connections\nns1/matching-pod-in-ns1[Deployment] \t<= \tentire-cluster : All Connections\n\n` +
        'Workloads not protected by network policies:\nns1/matching-pod-in-ns1[Deployment] is not protected on Egress\nns1/matching-pod-in-ns1[Deployment] is not protected on Ingress\n',
    ],
    [
      'without a matching workload each peer gets only the rules that name it, and the workloads are padded to one width',
      [
        namespace('ns1', { x: 'xval' }),
        deployment('ns1', 'pod-in-ns1', { app: 'app-1' }, [{ containerPort: 9090 }]),
        policy('ns1', 'p1', {
          podSelector: { matchLabels: { app: 'app-1' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [
                { namespaceSelector: { matchLabels: { x: 'xval' } }, podSelector: { matchLabels: { app: 'foo' } } },
              ],
              ports: tcp(8080),
            },
          ],
        }),
        policy('ns1', 'p2', {
          podSelector: { matchLabels: { app: 'app-1' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'foo' } } }], ports: tcp(9090) }],
        }),
      ],
      'Exposure Analysis Result:\nIngress Exposure:\nns1/pod-in-ns1[Deployment] \t<= \t[namespace with {x=xval}]/[pod with {app=foo}] : TCP 8080\n' +
        'ns1/pod-in-ns1[Deployment] \t<= \tns1/[pod with {app=foo}] : TCP 9090\n',
    ],
    [
      'named ports of an egress rule to the entire cluster stay names (the peers are unknown), sorted',
      [
        ...helloWorld(named3),
        onA({
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'local-dns' }, { port: 'http' }] }],
        }),
      ],
      `${ANY} => ${A} : All Connections\n\nExposure Analysis Result:\nEgress Exposure:\n${A} \t=> \tentire-cluster : TCP http,local-dns\n\n` +
        `Ingress Exposure:\n${A} \t<= \t${ANY} : All Connections\n${A} \t<= \tentire-cluster : All Connections\n\n` +
        `Workloads not protected by network policies:\n${A} is not protected on Ingress\n`,
    ],
    [
      "a named port of an egress rule to a selector peer stays a name; an ingress rule's resolves on the workload",
      [
        ...helloWorld(named3),
        onA({
          ingress: [{ from: [{ namespaceSelector: {} }], ports: tcp('local-dns') }],
          egress: [{ to: [{ namespaceSelector: managed }], ports: tcp('http') }],
        }),
      ],
      `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${MANAGED} : TCP http\n\n` +
        `Ingress Exposure:\n${A} \t<= \tentire-cluster : TCP 8000\n`,
    ],
    [
      'the connection list still resolves a named egress port on the workload it reaches; the exposure keeps the name',
      [
        namespace('matching-ns', { 'foo.com/managed-state': 'managed' }),
        deployment('matching-ns', 'matching-workload', { app: 'matching' }, [{ name: 'http', containerPort: 8090 }]),
        ...helloWorld(named3),
        onA({
          ingress: [{ from: [{ namespaceSelector: {} }], ports: tcp('local-dns') }],
          egress: [{ to: [{ namespaceSelector: managed }], ports: tcp('http') }],
        }),
      ],
      `${ANY} => ${M} : All Connections\n${A} => ${M} : TCP 8090\n${M} => ${ANY} : All Connections\n${M} => ${A} : TCP 8000\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${A}        \t=> \t${MANAGED} : TCP http\n` +
        `${M} \t=> \t${ANY} : All Connections\n${M} \t=> \tentire-cluster : All Connections\n\n` +
        `Ingress Exposure:\n${A}        \t<= \tentire-cluster : TCP 8000\n` +
        `${M} \t<= \t${ANY} : All Connections\n${M} \t<= \tentire-cluster : All Connections\n\n` +
        `Workloads not protected by network policies:\n${M} is not protected on Egress\n${M} is not protected on Ingress\n`,
    ],
    [
      "a selector peer's named ports count for their protocol only when compared with the entire cluster's ports (netpol-analyzer's ContainedIn)",
      [
        ...helloWorld(named3),
        onA({
          policyTypes: ['Egress'],
          egress: [
            { to: [{ namespaceSelector: managed }], ports: tcp('http') },
            { to: [{ namespaceSelector: {} }], ports: tcp(8000) },
          ],
        }),
        policy('hello-world', 'b', {
          podSelector: { matchLabels: { app: 'b-app' } },
          policyTypes: ['Egress'],
          egress: [
            { to: [{ namespaceSelector: managed }], ports: tcp('http') },
            { to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }] },
          ],
        }),
        workloadB,
      ],
      `${ANY} => ${A} : All Connections\n${ANY} => ${B} : All Connections\n${A} => ${B} : TCP 8000\n${B} => ${A} : UDP 53\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n` +
        `${A} \t=> \tentire-cluster : TCP 8000\n${B} \t=> \t${MANAGED} : TCP http,UDP 53\n${B} \t=> \tentire-cluster : UDP 53\n\n` +
        `Ingress Exposure:\n${A} \t<= \t${ANY} : All Connections\n${A} \t<= \tentire-cluster : All Connections\n` +
        `${B} \t<= \t${ANY} : All Connections\n${B} \t<= \tentire-cluster : All Connections\n\n` +
        `Workloads not protected by network policies:\n${A} is not protected on Ingress\n${B} is not protected on Ingress\n`,
    ],
  ])('%s', (_rule, objects, expected) => {
    expect(txt(objects)).toEqual(expected);
  });

  test('named ports print after the port ranges of their protocol, sorted by bytes; every port of a protocol takes them in', () => {
    const named = ConnectionSet.named('TCP', 'local-dns')
      .union(ConnectionSet.named('TCP', 'Zeta'))
      .union(ConnectionSet.ports('TCP', 8080, 8090))
      .union(ConnectionSet.ports('TCP', 80))
      .union(ConnectionSet.named('UDP', 'dns'))
      .union(ConnectionSet.named('TCP', 'http'))
      .union(ConnectionSet.named('TCP', 'http'));
    expect(named.toString()).toBe('TCP 80,8080-8090,Zeta,http,local-dns,UDP dns');
    expect(named.isEmpty).toBe(false);
    expect(named.contains(ConnectionSet.named('TCP', 'http'))).toBe(true);
    expect(named.contains(ConnectionSet.named('UDP', 'http'))).toBe(false);
    expect(named.minus(ConnectionSet.named('UDP', 'dns')).toString()).toBe('TCP 80,8080-8090,Zeta,http,local-dns');
    expect(named.intersect(ConnectionSet.ports('TCP', 80)).toString()).toBe('TCP 80');
    expect(named.union(ConnectionSet.ports('TCP')).toString()).toBe('TCP 1-65535,UDP dns');
    expect(named.union(ConnectionSet.ALL).toString()).toBe('All Connections');
    expect(ConnectionSet.ALL.contains(named)).toBe(true);
    expect(named.intersect(ConnectionSet.ALL).equals(named)).toBe(true);
    expect(named.minus(ConnectionSet.ports('TCP')).toString()).toBe('UDP dns');
  });

  test('expressions that a workload matches still stand for pods to come, each with its own rule', () => {
    const objects = [
      ...helloWorld(),
      workloadB,
      deployment('hello-world', 'matching-workload', { app: 'x' }, [{ name: 'http', containerPort: 8080 }]),
      onA({
        ingress: [
          {
            from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['x'] }] } }],
            ports: tcp(9090),
          },
          { from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } }], ports: tcp(8080) },
        ],
      }),
    ];
    expect(txt(objects)).toContain(
      `${A}        \t<= \thello-world/[pod with {{Key:app,Operator:Exists,Values:[],}}] : TCP 8080\n` +
        `${A}        \t<= \thello-world/[pod with {{Key:app,Operator:In,Values:[x],}}] : TCP 9090\n`,
    );
  });

  test('the namespace of a workload pinned by name is written as the name, its pods as [all pods]', () => {
    const objects = [
      ...helloWorld(),
      deployment('backend', 'backend-app', { app: 'backendservice' }, [{ containerPort: 9090 }]),
      onA({
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backend' } } }],
            ports: tcp(8050),
          },
        ],
        egress: [{ to: [{ namespaceSelector: {}, podSelector: {} }] }],
      }),
    ];
    expect(
      exposureOf(objects)
        .ingress.filter((l) => l.workload === A)
        .map((l) => `${l.peer} : ${l.conn}`),
    ).toEqual(['backend/[all pods] : TCP 8050']);
  });

  test("the minimal example of netpol-analyzer's docs, in full", () => {
    const deploy = (name: string, app: string, port: number) => ({
      ...deployment('default', name, { app }, [{ containerPort: port }]),
      metadata: { name },
    });
    const objects: KubeObject[] = [
      deploy('backend', 'backendservice', 9090),
      deploy('frontend', 'frontend', 8080),
      {
        ...policy('default', 'backend-netpol', {
          podSelector: { matchLabels: { app: 'backendservice' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: {} }], ports: tcp(9090) }],
        }),
        metadata: { name: 'backend-netpol' },
      },
      {
        ...policy('default', 'frontend-netpol', {
          podSelector: { matchLabels: { app: 'frontend' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ ports: tcp(8080) }],
          egress: [
            { ports: tcp(9090), to: [{ podSelector: { matchLabels: { app: 'backendservice' } } }] },
            { ports: [{ port: 53, protocol: 'UDP' }] },
          ],
        }),
        metadata: { name: 'frontend-netpol' },
      },
      {
        ...policy('default', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
        metadata: { name: 'default-deny' },
      },
    ];
    expect(txt(objects)).toBe(
      [
        '0.0.0.0-255.255.255.255 => default/frontend[Deployment] : TCP 8080',
        'default/frontend[Deployment] => 0.0.0.0-255.255.255.255 : UDP 53',
        'default/frontend[Deployment] => default/backend[Deployment] : TCP 9090',
        '',
        'Exposure Analysis Result:',
        'Egress Exposure:',
        'default/frontend[Deployment] \t=> \t0.0.0.0-255.255.255.255 : UDP 53',
        'default/frontend[Deployment] \t=> \tentire-cluster : UDP 53',
        '',
        'Ingress Exposure:',
        'default/backend[Deployment]  \t<= \tentire-cluster : TCP 9090',
        'default/frontend[Deployment] \t<= \t0.0.0.0-255.255.255.255 : TCP 8080',
        'default/frontend[Deployment] \t<= \tentire-cluster : TCP 8080',
        '',
      ].join('\n'),
    );
  });

  test('a workload protected both ways with no exposure is left out, its address lines too', () => {
    const objects = [
      ...helloWorld(),
      onA({ policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
    ];
    expect(txt(objects)).toBe(`10.0.0.0-10.255.255.255 => ${A} : All Connections\n\nExposure Analysis Result:\n`);
  });

  test('the other formats: json as netpol-analyzer (an empty exposure list is null), csv and md as sections after the list, graphs with the exposure peers', () => {
    const objects = [
      ...helloWorld(),
      onA({ policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: tcp(8050) }] }),
    ];
    const out = (format: 'json' | 'csv' | 'md' | 'dot') =>
      [...formatExposureParts(analyzeTraffic(objects), exposureOf(objects), format)].join('');
    expect(JSON.parse(out('json'))).toEqual({
      connlist_results: [],
      exposure_results: {
        egress_exposure: null,
        ingress_exposure: [{ src: 'entire-cluster', dst: A, conn: 'TCP 8050' }],
      },
    });
    expect(out('csv')).toBe(
      `src,dst,conn\nExposure Analysis Result:,,\nIngress Exposure:,,\ndst,src,conn\n${A},entire-cluster,TCP 8050\n`,
    );
    expect(out('md')).toBe(
      `| src | dst | conn |\n|-----|-----|-----|\n\n## Exposure Analysis Result:\n### Ingress Exposure:\n| dst | src | conn |\n|-----|-----|-----|\n| ${A} | entire-cluster | TCP 8050 |\n`,
    );
    expect(out('dot')).toContain('[label="entire-cluster" shape=diamond color="red2" fontcolor="red2"]');
    expect(out('dot')).toMatch(/n\d -> n\d \[label="TCP 8050"/);
  });
});

// netpol-analyzer's exposure cases with admin policies (its tests exposure_test_with_anp_*), on workload-a
// and workload-b of hello-world.
const adminPolicy = (kind: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});
const helloWorldSubject = { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'hello-world' } } };
const house = (name: string) => ({ namespaces: { matchLabels: { 'conformance-house': name } } });
const tcp80 = [{ portNumber: { port: 80, protocol: 'TCP' } }];
/** One rule each way with `peer`: an admin policy's egress and ingress. */
const bothWays = (action: string, peer: unknown, ports?: unknown[]) => ({
  egress: [{ action, to: [peer], ports }],
  ingress: [{ action, from: [peer], ports }],
});
/** An AdminNetworkPolicy on hello-world with one rule each way, on TCP 80, with `peer`. */
const anpOnHelloWorld = (action: string, peer: Record<string, unknown>) =>
  adminPolicy('AdminNetworkPolicy', 'anp', {
    priority: 10,
    subject: helloWorldSubject,
    ...bothWays(action, peer, tcp80),
  });
const denyAllOnA = onA({ policyTypes: ['Ingress', 'Egress'] });
const SLYTHERIN = '[namespace with {conformance-house=slytherin}]/[all pods]';
const GRYFFINDOR = '[namespace with {conformance-house=gryffindor}]/[all pods]';
const NOT_80 = 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535';
/** The lines of a workload that nothing restricts (workload-b in most cases), in one direction. */
const openLines = (w: string, arrow: string) =>
  `${w} \t${arrow} \t${ANY} : All Connections\n${w} \t${arrow} \tentire-cluster : All Connections\n`;
const bToAddresses = `${ANY} => ${B} : All Connections\n${B} => ${ANY} : All Connections\n\n`;
const aOpen = `${ANY} => ${A} : All Connections\n${A} => ${ANY} : All Connections\n\n`;
const NOT_9090 = 'SCTP 1-65535,TCP 1-9089,9091-65535,UDP 1-65535';
const portNumber = (p: { port: number | string; protocol: string }) => ({ portNumber: p });
const subjectA = {
  pods: {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hello-world' } },
    podSelector: { matchLabels: { app: 'a-app' } },
  },
};
const helloWorldPods = {
  pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hello-world' } } },
};
const allPods = { pods: { namespaceSelector: {}, podSelector: {} } };
const newApp = {
  pods: {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'new-ns' } },
    podSelector: { matchLabels: { app: 'new-app' } },
  },
};
const monitoring = { pods: { podSelector: { matchLabels: { role: 'monitoring' } } } };
const MONITORING = '[all namespaces]/[pod with {role=monitoring}]';
const allowAll = { action: 'Allow', to: [{ namespaces: {} }] };
const tcp9090 = tcp(9090).map(portNumber);
/** An AdminNetworkPolicy on workload-a with egress rules only. */
const anpEgressOnA = (egress: unknown[]) =>
  adminPolicy('AdminNetworkPolicy', 'anp', { priority: 10, subject: subjectA, egress });

describe('exposure analysis with admin policies, as netpol-analyzer', () => {
  test.each<[string, KubeObject[], string]>([
    [
      "an ANP Allow exposes its subject to the peer's namespaces beyond a deny-all NetworkPolicy; a workload selected by an ANP only is protected",
      [...helloWorld(), workloadB, anpOnHelloWorld('Allow', house('slytherin')), denyAllOnA],
      bToAddresses +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${SLYTHERIN} : TCP 80\n${openLines(B, '=>')}\n` +
        `Ingress Exposure:\n${A} \t<= \t${SLYTHERIN} : TCP 80\n${openLines(B, '<=')}`,
    ],
    [
      'the peers of the ANP and of the NetworkPolicies each get their own line',
      [
        ...helloWorld(),
        workloadB,
        anpOnHelloWorld('Allow', house('slytherin')),
        onA({
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'conformance-house': 'gryffindor' } } }] }],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { 'conformance-house': 'gryffindor' } } }] }],
        }),
      ],
      bToAddresses +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${GRYFFINDOR} : All Connections\n${A} \t=> \t${SLYTHERIN} : TCP 80\n${openLines(B, '=>')}\n` +
        `Ingress Exposure:\n${A} \t<= \t${GRYFFINDOR} : All Connections\n${A} \t<= \t${SLYTHERIN} : TCP 80\n${openLines(B, '<=')}`,
    ],
    [
      'what an ANP passes and no NetworkPolicy decides goes to the BANP, whose deny of all namespaces holds for the entire cluster',
      [
        ...helloWorld(),
        workloadB,
        anpOnHelloWorld('Pass', house('slytherin')),
        adminPolicy('BaselineAdminNetworkPolicy', 'default', {
          subject: helloWorldSubject,
          ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ports: tcp80 }],
        }),
      ],
      `${ANY} => ${A} : All Connections\n${ANY} => ${B} : All Connections\n${A} => ${ANY} : All Connections\n${A} => ${B} : ${NOT_80}\n` +
        `${B} => ${ANY} : All Connections\n${B} => ${A} : ${NOT_80}\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${openLines(A, '=>')}${openLines(B, '=>')}\nIngress Exposure:\n` +
        `${A} \t<= \t${ANY} : All Connections\n${A} \t<= \tentire-cluster : ${NOT_80}\n` +
        `${B} \t<= \t${ANY} : All Connections\n${B} \t<= \tentire-cluster : ${NOT_80}\n`,
    ],
    [
      'an ANP Allow with all namespaces exposes its subject to the entire cluster',
      [...helloWorld(), workloadB, anpOnHelloWorld('Allow', { namespaces: {} }), denyAllOnA],
      `${ANY} => ${B} : All Connections\n${A} => ${B} : TCP 80\n${B} => ${ANY} : All Connections\n${B} => ${A} : TCP 80\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \tentire-cluster : TCP 80\n${openLines(B, '=>')}\n` +
        `Ingress Exposure:\n${A} \t<= \tentire-cluster : TCP 80\n${openLines(B, '<=')}`,
    ],
    [
      'an ANP Deny with all namespaces takes its ports from the entire cluster',
      [
        ...helloWorld(),
        workloadB,
        adminPolicy('AdminNetworkPolicy', 'anp', {
          priority: 10,
          subject: helloWorldSubject,
          ingress: [{ action: 'Deny', from: [{ namespaces: {} }], ports: tcp80 }],
          egress: [{ action: 'Deny', to: [{ namespaces: {} }], ports: tcp80 }],
        }),
      ],
      `${ANY} => ${A} : All Connections\n${ANY} => ${B} : All Connections\n${A} => ${ANY} : All Connections\n${A} => ${B} : ${NOT_80}\n` +
        `${B} => ${ANY} : All Connections\n${B} => ${A} : ${NOT_80}\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n` +
        `${A} \t=> \t${ANY} : All Connections\n${A} \t=> \tentire-cluster : ${NOT_80}\n` +
        `${B} \t=> \t${ANY} : All Connections\n${B} \t=> \tentire-cluster : ${NOT_80}\n\nIngress Exposure:\n` +
        `${A} \t<= \t${ANY} : All Connections\n${A} \t<= \tentire-cluster : ${NOT_80}\n` +
        `${B} \t<= \t${ANY} : All Connections\n${B} \t<= \tentire-cluster : ${NOT_80}\n`,
    ],
    [
      'an ANP Pass with all namespaces leaves the entire cluster to the NetworkPolicies',
      [
        ...helloWorld(),
        workloadB,
        anpOnHelloWorld('Pass', { namespaces: {} }),
        onA({
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 9090 }] }],
          egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 80 }, { port: 9090 }] }],
        }),
      ],
      `${ANY} => ${B} : All Connections\n${A} => ${B} : TCP 80,9090\n${B} => ${ANY} : All Connections\n${B} => ${A} : TCP 9090\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \tentire-cluster : TCP 80,9090\n${openLines(B, '=>')}\n` +
        `Ingress Exposure:\n${A} \t<= \tentire-cluster : TCP 9090\n${openLines(B, '<=')}`,
    ],
    [
      'admin policies protect only the directions they have rules for; a BANP subject of pods is protected on Ingress',
      [
        ...helloWorld(),
        workloadB,
        adminPolicy('AdminNetworkPolicy', 'anp', {
          priority: 10,
          subject: helloWorldSubject,
          ingress: [{ action: 'Pass', from: [{ namespaces: {} }] }],
        }),
        adminPolicy('BaselineAdminNetworkPolicy', 'default', {
          subject: {
            pods: {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hello-world' } },
              podSelector: { matchLabels: { app: 'a-app' } },
            },
          },
          ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
        }),
      ],
      `${ANY} => ${A} : All Connections\n${ANY} => ${B} : All Connections\n${A} => ${ANY} : All Connections\n${A} => ${B} : All Connections\n` +
        `${B} => ${ANY} : All Connections\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${openLines(A, '=>')}${openLines(B, '=>')}\nIngress Exposure:\n` +
        `${A} \t<= \t${ANY} : All Connections\n${openLines(B, '<=')}\n` +
        `Workloads not protected by network policies:\n${A} is not protected on Egress\n${B} is not protected on Egress\n`,
    ],
    [
      "a peer an ANP denies some ports of gets its own line, less than the entire cluster's",
      [...helloWorld(), anpEgressOnA([{ action: 'Deny', to: [house('slytherin')], ports: tcp9090 }, allowAll])],
      aOpen +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \t${SLYTHERIN} : ${NOT_9090}\n${A} \t=> \tentire-cluster : All Connections\n\n` +
        `Ingress Exposure:\n${openLines(A, '<=')}\nWorkloads not protected by network policies:\n${A} is not protected on Ingress\n`,
    ],
    [
      'a peer an ANP denies everything to is shown with No Connections',
      [...helloWorld(), anpEgressOnA([{ action: 'Deny', to: [house('slytherin')] }, allowAll])],
      aOpen +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \t${SLYTHERIN} : No Connections\n${A} \t=> \tentire-cluster : All Connections\n\n` +
        `Ingress Exposure:\n${openLines(A, '<=')}\nWorkloads not protected by network policies:\n${A} is not protected on Ingress\n`,
    ],
    [
      "a pods peer with a namespace's name only is that namespace's pods; the BANP's deny of all pods holds for the entire cluster",
      [
        ...helloWorld(),
        workloadB,
        adminPolicy('AdminNetworkPolicy', 'anp', {
          priority: 10,
          subject: subjectA,
          ...bothWays('Allow', helloWorldPods, tcp9090),
        }),
        adminPolicy('BaselineAdminNetworkPolicy', 'default', {
          subject: subjectA,
          ...bothWays('Deny', allPods, tcp9090),
        }),
      ],
      `${ANY} => ${A} : All Connections\n${ANY} => ${B} : All Connections\n${A} => ${ANY} : All Connections\n${A} => ${B} : All Connections\n` +
        `${B} => ${ANY} : All Connections\n${B} => ${A} : All Connections\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \tentire-cluster : ${NOT_9090}\n` +
        `${A} \t=> \thello-world/[all pods] : All Connections\n${openLines(B, '=>')}\nIngress Exposure:\n` +
        `${A} \t<= \t${ANY} : All Connections\n${A} \t<= \tentire-cluster : ${NOT_9090}\n${A} \t<= \thello-world/[all pods] : All Connections\n` +
        `${openLines(B, '<=')}\nWorkloads not protected by network policies:\n${B} is not protected on Egress\n${B} is not protected on Ingress\n`,
    ],
    [
      'ANPs in priority order: Allow, then Deny, of one peer; Pass and Allow of another; a default deny of all pods',
      [
        ...helloWorld(),
        workloadB,
        adminPolicy('AdminNetworkPolicy', 'anp-10', {
          priority: 10,
          subject: subjectA,
          ...bothWays('Allow', helloWorldPods, tcp9090),
        }),
        adminPolicy('AdminNetworkPolicy', 'anp-100', {
          priority: 100,
          subject: subjectA,
          ...bothWays('Deny', helloWorldPods),
        }),
        adminPolicy('AdminNetworkPolicy', 'anp-25', {
          priority: 25,
          subject: helloWorldPods,
          egress: [
            { action: 'Pass', to: [newApp], ports: [{ portNumber: { port: 53, protocol: 'UDP' } }] },
            { action: 'Allow', to: [newApp], ports: [{ portNumber: { port: 58, protocol: 'UDP' } }] },
          ],
        }),
        adminPolicy('AdminNetworkPolicy', 'anp-200', {
          priority: 200,
          subject: subjectA,
          ...bothWays('Deny', { pods: { namespaceSelector: {} } }),
        }),
      ],
      `${ANY} => ${A} : All Connections\n${ANY} => ${B} : All Connections\n${A} => ${ANY} : All Connections\n${A} => ${B} : TCP 9090\n` +
        `${B} => ${ANY} : All Connections\n${B} => ${A} : TCP 9090\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${ANY} : All Connections\n${A} \t=> \thello-world/[all pods] : TCP 9090\n` +
        `${A} \t=> \tnew-ns/[pod with {app=new-app}] : UDP 53,58\n${openLines(B, '=>')}\nIngress Exposure:\n` +
        `${A} \t<= \t${ANY} : All Connections\n${A} \t<= \thello-world/[all pods] : TCP 9090\n${openLines(B, '<=')}\n` +
        `Workloads not protected by network policies:\n${B} is not protected on Ingress\n`,
    ],
    [
      'a pods peer without a namespaceSelector means those pods in all namespaces; denied, it shows No Connections',
      [
        ...helloWorld(),
        workloadB,
        adminPolicy('AdminNetworkPolicy', 'anp', {
          priority: 10,
          subject: subjectA,
          ...bothWays('Deny', monitoring),
        }),
        onA({
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ namespaceSelector: {} }] }],
          egress: [{ to: [{ namespaceSelector: {} }] }],
        }),
      ],
      `${ANY} => ${B} : All Connections\n${A} => ${B} : All Connections\n${B} => ${ANY} : All Connections\n${B} => ${A} : All Connections\n\n` +
        `Exposure Analysis Result:\nEgress Exposure:\n${A} \t=> \t${MONITORING} : No Connections\n${A} \t=> \tentire-cluster : All Connections\n${openLines(B, '=>')}\n` +
        `Ingress Exposure:\n${A} \t<= \t${MONITORING} : No Connections\n${A} \t<= \tentire-cluster : All Connections\n${openLines(B, '<=')}\n` +
        `Workloads not protected by network policies:\n${B} is not protected on Egress\n${B} is not protected on Ingress\n`,
    ],
  ])('%s', (_rule, objects, expected) => {
    expect(txt(objects)).toEqual(expected);
  });
});
