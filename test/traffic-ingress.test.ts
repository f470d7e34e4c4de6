import { KubeObject } from '../src/manifest';
import { analyzeTraffic, focusOn, formatConnection, formatConnections, workloadsOf } from '../src/traffic';

// What Ingresses, OpenShift Routes and Gateway API HTTPRoutes expose, one rule per case: the backend's
// Service port leads to a target port of the pods the Service selects, and the policies must admit the
// ingress controller (a pod of another namespace) there.
const web = (
  ns = 'n',
  ports: Array<{ name?: string; containerPort: number; protocol?: string }> = [{ name: 'http', containerPort: 8080 }],
  labels: Record<string, string> = { app: 'web' },
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns },
  spec: {
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'x:1', ports }] } },
  },
});
const service = (spec: Record<string, unknown> = {}, ns = 'n'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: ns },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
});
const ingress = (port: Record<string, unknown> = { number: 80 }, name = 'web'): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'ing', namespace: 'n' },
  spec: {
    rules: [
      { host: 'x.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port } } }] } },
    ],
  },
});
const route = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'route.openshift.io/v1',
  kind: 'Route',
  metadata: { name: 'r', namespace: 'n' },
  spec,
});
const httpRoute = (
  backendRef: Record<string, unknown>,
  parentRef: Record<string, unknown> = { name: 'gw', namespace: 'infra' },
): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'hr', namespace: 'n' },
  spec: { parentRefs: [parentRef], rules: [{ backendRefs: [backendRef] }] },
});
const policy = (name: string, spec: Record<string, unknown>, ns = 'n'): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: ns },
  spec: { podSelector: {}, ...spec },
});
const deny = policy('deny', { policyTypes: ['Ingress', 'Egress'] });

const EXPOSED = '{ingress-controller} => n/web[Deployment] : TCP 8080';
/** The ingress controller's lines only. */
const fromController = (objects: KubeObject[]) =>
  analyzeTraffic(objects)
    .filter((c) => c.src.name === '{ingress-controller}')
    .map(formatConnection);

describe('Ingress (networking.k8s.io/v1)', () => {
  test.each<[string, KubeObject[], string[]]>([
    ['a backend Service port leads to its target port on the selected pods', [web(), service(), ingress()], [EXPOSED]],
    [
      'a backend port by name is the Service port of that name',
      [web(), service(), ingress({ name: 'http' })],
      [EXPOSED],
    ],
    [
      'a Service port without targetPort targets the same number',
      [web('n', [{ containerPort: 80 }]), service({ ports: [{ port: 80 }] }), ingress()],
      ['{ingress-controller} => n/web[Deployment] : TCP 80'],
    ],
    [
      'a named targetPort resolves to the TCP container port of that name',
      [web(), service({ ports: [{ port: 80, targetPort: 'http' }] }), ingress()],
      [EXPOSED],
    ],
    [
      'a named targetPort that names no TCP container port exposes nothing',
      [
        web('n', [{ name: 'http', containerPort: 8080, protocol: 'UDP' }]),
        service({ ports: [{ port: 80, targetPort: 'http' }] }),
        ingress(),
      ],
      [],
    ],
    [
      'a target port the pods do not declare is not exposed',
      [web('n', [{ containerPort: 9090 }]), service(), ingress()],
      [],
    ],
    ['a backend port the Service does not have exposes nothing', [web(), service(), ingress({ number: 81 })], []],
    ['a Service without a selector exposes nothing', [web(), service({ selector: undefined }), ingress()], []],
    ["the Service must be in the Ingress's namespace", [web('m'), service({}, 'm'), ingress()], []],
    [
      'the default backend counts',
      [
        web(),
        service(),
        { ...ingress(), spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } },
      ],
      [EXPOSED],
    ],
    ['a default deny keeps the ingress controller out', [web(), service(), ingress(), deny], []],
    [
      'a rule admitting pods of every namespace admits it',
      [web(), service(), ingress(), deny, policy('in', { ingress: [{ from: [{ namespaceSelector: {} }] }] })],
      [EXPOSED],
    ],
    ['a rule with no from admits it', [web(), service(), ingress(), deny, policy('in', { ingress: [{}] })], [EXPOSED]],
    [
      'a rule admitting pods of its own namespace only does not',
      [web(), service(), ingress(), deny, policy('in', { ingress: [{ from: [{ podSelector: {} }] }] })],
      [],
    ],
    [
      "a rule admitting labelled namespaces does not (the controller's namespace is unknown)",
      [
        web(),
        service(),
        ingress(),
        deny,
        policy('in', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'ingress' } } }] }] }),
      ],
      [],
    ],
    [
      'what is listed is what both the Ingress and the policies allow',
      [
        web('n', [{ containerPort: 8080 }, { containerPort: 9090 }]),
        service({
          ports: [
            { name: 'a', port: 80, targetPort: 8080 },
            { name: 'b', port: 90, targetPort: 9090 },
          ],
        }),
        ingress({ name: 'a' }),
        ingress({ name: 'b' }),
        deny,
        policy('in', { ingress: [{ ports: [{ port: 9090 }] }] }),
      ],
      ['{ingress-controller} => n/web[Deployment] : TCP 9090'],
    ],
  ])('%s', (_rule, objects, expected) => {
    expect(fromController(objects)).toEqual(expected);
  });
});

describe('Route (route.openshift.io/v1)', () => {
  test.each<[string, KubeObject[], string[]]>([
    [
      'to a Service, on port.targetPort',
      [web(), service(), route({ to: { kind: 'Service', name: 'web' }, port: { targetPort: 8080 } })],
      [EXPOSED],
    ],
    [
      'port.targetPort may name the Service port',
      [web(), service(), route({ to: { kind: 'Service', name: 'web' }, port: { targetPort: 'http' } })],
      [EXPOSED],
    ],
    [
      'without a port, every port of the Service',
      [
        web('n', [{ containerPort: 8080 }, { containerPort: 9090 }]),
        service({
          ports: [
            { port: 80, targetPort: 8080 },
            { port: 90, targetPort: 9090 },
          ],
        }),
        route({ to: { name: 'web' } }),
      ],
      ['{ingress-controller} => n/web[Deployment] : TCP 8080,9090'],
    ],
    [
      'alternate backends count',
      [
        web(),
        service(),
        route({ to: { kind: 'Service', name: 'none' }, alternateBackends: [{ kind: 'Service', name: 'web' }] }),
      ],
      [EXPOSED],
    ],
    ['a target of another kind is ignored', [web(), service(), route({ to: { kind: 'Other', name: 'web' } })], []],
  ])('%s', (_rule, objects, expected) => {
    expect(fromController(objects)).toEqual(expected);
  });
});

describe('HTTPRoute (gateway.networking.k8s.io)', () => {
  const grant: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'g', namespace: 'm' },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'n' }],
      to: [{ group: '', kind: 'Service' }],
    },
  };
  const gatewayPods = (labels: Record<string, string>): KubeObject => ({
    ...web('infra', [], labels),
    metadata: { name: 'gw-proxy', namespace: 'infra' },
  });
  test.each<[string, KubeObject[], string[]]>([
    [
      'a backendRef port is the Service port; a Gateway whose workload is not in the inputs is the ingress controller',
      [web(), service(), httpRoute({ name: 'web', port: 80 })],
      [EXPOSED],
    ],
    [
      'a backendRef to another namespace needs a ReferenceGrant there',
      [web('m'), service({}, 'm'), httpRoute({ name: 'web', namespace: 'm', port: 80 })],
      [],
    ],
    [
      'with the grant it counts',
      [web('m'), service({}, 'm'), grant, httpRoute({ name: 'web', namespace: 'm', port: 80 })],
      ['{ingress-controller} => m/web[Deployment] : TCP 8080'],
    ],
    [
      'a backendRef of another kind is ignored',
      [web(), service(), httpRoute({ name: 'web', kind: 'ServiceImport', group: 'multicluster.x-k8s.io', port: 80 })],
      [],
    ],
    [
      'traffic of a Gateway whose pods are in the inputs (gateway-name label) comes from them, already listed',
      [
        web(),
        service(),
        gatewayPods({ 'gateway.networking.k8s.io/gateway-name': 'gw' }),
        httpRoute({ name: 'web', port: 80 }),
      ],
      [],
    ],
    [
      "Envoy Gateway marks its proxies with the owning Gateway's name and namespace",
      [
        web(),
        service(),
        {
          ...gatewayPods({
            'gateway.envoyproxy.io/owning-gateway-name': 'gw',
            'gateway.envoyproxy.io/owning-gateway-namespace': 'infra',
          }),
          metadata: { name: 'envoy', namespace: 'envoy-gateway-system' },
        },
        httpRoute({ name: 'web', port: 80 }),
      ],
      [],
    ],
  ])('%s', (_rule, objects, expected) => {
    expect(fromController(objects)).toEqual(expected);
  });

  test("the Gateway's workload reaches the backend by the policies, as any workload", () => {
    const objects = [
      web(),
      service(),
      gatewayPods({ 'gateway.networking.k8s.io/gateway-name': 'gw' }),
      httpRoute({ name: 'web', port: 80 }),
      deny,
      policy('in', {
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'infra' } } }],
            ports: [{ port: 8080 }],
          },
        ],
      }),
    ];
    expect(analyzeTraffic(objects).map(formatConnection)).toContain(
      'infra/gw-proxy[Deployment] => n/web[Deployment] : TCP 8080',
    );
  });
});

describe('the ingress controller in the list', () => {
  test('pods of one owner are exposed as that one workload', () => {
    const pod = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'n',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u', controller: true }],
      },
      spec: { containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 8080 }] }] },
    });
    expect(fromController([pod('web-1-a'), pod('web-1-b'), service(), ingress()])).toEqual([
      '{ingress-controller} => n/web-1[ReplicaSet] : TCP 8080',
    ]);
  });

  test('--focus ingress-controller lists its connections', () => {
    const objects = [web(), service(), ingress()];
    expect(focusOn(analyzeTraffic(objects), workloadsOf(objects), 'ingress-controller').map(formatConnection)).toEqual([
      EXPOSED,
    ]);
  });
});

describe('order', () => {
  test("the ingress controller's lines come last, as netpol-analyzer lists them", () => {
    const lines = analyzeTraffic([web(), service(), ingress()]).map(formatConnection);
    expect(lines[lines.length - 1]).toBe(EXPOSED);
    expect(lines[0].startsWith('0.0.0.0-255.255.255.255 => ')).toBe(true);
  });
});

describe('graphs', () => {
  test('the ingress controller is a node outside the namespaces, as selectors are', () => {
    const connections = analyzeTraffic([web(), service(), ingress()]);
    const mermaid = formatConnections(connections, 'mermaid');
    expect(mermaid).toMatch(/\n {2}n\d+\(\["\{ingress-controller\}"\]\)\n/);
    expect(formatConnections(connections, 'dot')).toMatch(/label="\{ingress-controller\}" shape=ellipse/);
  });
});
