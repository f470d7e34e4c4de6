import { ApiObject, App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { validateObjects } from '../src/checks';
import { checkGatewayRoutes } from '../src/checks/routes';
import { checkPolicy } from '../src/checks/policy';
import { checkReferences } from '../src/checks/references';
import { declareException, declareExternal } from '../src/manifest/exceptions';
import { matchesSelector } from '../src/manifest/selector';
import { KubeObject } from '../src/manifest';
import { runValidationPlugin } from './helpers';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'ns', ...extra });
const deployment = (name: string, podSpec: Record<string, unknown>, labels = { app: name }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: meta(name),
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
});
const container = (extra: Record<string, unknown> = {}) => ({
  name: 'c',
  image: 'app:1.0',
  resources: { requests: { cpu: '10m', memory: '8Mi' }, limits: { cpu: '20m', memory: '16Mi' } },
  readinessProbe: { tcpSocket: { port: 80 } },
  livenessProbe: { tcpSocket: { port: 80 } },
  ...extra,
});
const rules = (findings: Array<{ rule: string }>) => findings.map((f) => f.rule);

describe('policy', () => {
  test('a complete container passes', () => {
    expect(checkPolicy(deployment('a', { containers: [container()] }))).toEqual([]);
  });

  test('requests and limits, probes and pinned tags', () => {
    expect(
      rules(checkPolicy(deployment('a', { containers: [container({ resources: { requests: { cpu: '1' } } })] }))),
    ).toEqual(['policy/resources', 'policy/resources', 'policy/resources']);
    expect(rules(checkPolicy(deployment('a', { containers: [container({ readinessProbe: undefined })] })))).toEqual([
      'policy/probes',
    ]);
    for (const image of ['app', 'app:latest', 'registry:5000/app']) {
      expect(rules(checkPolicy(deployment('a', { containers: [container({ image })] })))).toEqual(['policy/image-tag']);
    }
    expect(
      checkPolicy(
        deployment('a', { containers: [container({ image: `registry:5000/app@sha256:${'a'.repeat(64)}` })] }),
      ),
    ).toEqual([]);
    for (const image of ['Redis:::bad', 'REGISTRY.example.com/app:1', 'app:1@sha256:abc', 'App:1']) {
      expect(rules(checkPolicy(deployment('a', { containers: [container({ image })] })))).toEqual([
        'policy/image-reference',
      ]);
    }
  });

  test('a Job needs no probes', () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('j'),
      spec: {
        template: { spec: { containers: [container({ readinessProbe: undefined, livenessProbe: undefined })] } },
      },
    };
    expect(checkPolicy(job)).toEqual([]);
  });

  test('credentials as env literals and Secrets with values are findings; secretKeyRef is fine', () => {
    const env = [
      { name: 'CLIENT_SECRET', value: 'x' },
      { name: 'GITHUB_TOKEN', value: 'y' },
      { name: 'DEBUG', value: 'False' },
      { name: 'CLIENT_ID', valueFrom: { secretKeyRef: { name: 's', key: 'CLIENT_ID' } } },
    ];
    const found = checkPolicy(deployment('a', { containers: [container({ env })] }));
    expect(found.map((f) => f.field)).toEqual([
      'spec.template.spec.containers[0].env[0].value',
      'spec.template.spec.containers[0].env[1].value',
    ]);
    expect(
      rules(checkPolicy({ apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), stringData: { a: 'b' } })),
    ).toEqual(['policy/secret-data']);
    expect(checkPolicy({ apiVersion: 'v1', kind: 'Secret', metadata: meta('s') })).toEqual([]);
  });

  test('wildcards in RBAC rules', () => {
    const role = (rule: Record<string, string[]>): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta('r'),
      rules: [rule],
    });
    expect(checkPolicy(role({ apiGroups: [''], resources: ['pods'], verbs: ['list'] }))).toEqual([]);
    expect(checkPolicy(role({ apiGroups: [''], resources: ['*'], verbs: ['list'] })).map((f) => f.field)).toEqual([
      'rules[0].resources',
    ]);
    expect(checkPolicy(role({ apiGroups: ['*'], resources: ['pods'], verbs: ['*'] })).map((f) => f.field)).toEqual([
      'rules[0].apiGroups',
      'rules[0].verbs',
    ]);
  });
});

describe('references', () => {
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('hub') };
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('conf'), data: {} };

  test('pods must use ServiceAccounts, ConfigMaps and Secrets that exist, or declare them external', () => {
    const pod = deployment('a', {
      serviceAccountName: 'hub',
      volumes: [
        { name: 'v', configMap: { name: 'conf' } },
        { name: 'o', configMap: { name: 'gone', optional: true } },
      ],
      containers: [container({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'x' } } }] })],
    });
    expect(rules(checkReferences([pod, sa, cm]))).toEqual(['wiring/secret-exists']);
    expect(rules(checkReferences([pod]))).toEqual([
      'wiring/service-account-exists',
      'wiring/config-map-exists',
      'wiring/secret-exists',
    ]);
    const declared = {
      ...pod,
      metadata: { ...pod.metadata, annotations: { 'validation.workshop-stacks.io/external-refs': 'Secret/creds' } },
    };
    expect(checkReferences([declared, sa, cm])).toEqual([]);
  });

  test('RoleBindings name existing Roles and ServiceAccounts, with a namespace', () => {
    const role: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta('r'),
      rules: [],
    };
    const binding = (roleRef: object, subject: object): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('b'),
      roleRef,
      subjects: [subject],
    });
    const good = binding(
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      { kind: 'ServiceAccount', name: 'hub', namespace: 'ns' },
    );
    expect(checkReferences([good, role, sa])).toEqual([]);
    expect(rules(checkReferences([good, sa]))).toEqual(['wiring/role-binding-role']);
    expect(rules(checkReferences([good, role]))).toEqual(['wiring/role-binding-subject']);
    const noNs = binding({ kind: 'ClusterRole', name: 'edit' }, { kind: 'ServiceAccount', name: 'hub' });
    expect(checkReferences([noNs, sa]).map((f) => f.field)).toEqual(['subjects[0].namespace']);
  });

  test('NetworkPolicies must select some pod; an empty selector is a namespace default', () => {
    const policy = (podSelector: object): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('p'),
      spec: { podSelector },
    });
    const pods = deployment('a', { containers: [container()] });
    expect(checkReferences([pods, policy({ matchLabels: { app: 'a' } })])).toEqual([]);
    expect(checkReferences([pods, policy({})])).toEqual([]);
    expect(rules(checkReferences([pods, policy({ matchLabels: { app: 'b' } })]))).toEqual([
      'wiring/network-policy-selects-pods',
    ]);
  });

  test('label selectors follow the API server semantics', () => {
    const labels = { app: 'a', tier: 'web' };
    expect(
      matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }] }, labels),
    ).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(
      false,
    );
    expect(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(
      matchesSelector({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels),
    ).toBe(false);
  });
});

describe('gateway routes', () => {
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('tgr'),
    spec: { ports: [{ port: 5000 }] },
  };
  const envoy = (address: string, port: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('gw'),
    data: {
      'envoy.yaml': JSON.stringify({
        static_resources: {
          clusters: [
            {
              name: 'tgr',
              load_assignment: {
                endpoints: [
                  { lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] },
                ],
              },
            },
          ],
        },
      }),
    },
  });
  const route = (name: string, port: number): KubeObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta('r'),
    spec: { rules: [{ backendRefs: [{ name, port }] }] },
  });

  test('Envoy clusters and HTTPRoute backends must reach a Service port', () => {
    expect(checkGatewayRoutes([svc, envoy('tgr.ns.svc.cluster.local', 5000), route('tgr', 5000)])).toEqual([]);
    expect(rules(checkGatewayRoutes([svc, envoy('tgr.ns.svc.cluster.local', 80)]))).toEqual([
      'wiring/gateway-route-service',
    ]);
    expect(rules(checkGatewayRoutes([svc, envoy('web.ns.svc.cluster.local', 5000)]))).toEqual([
      'wiring/gateway-route-service',
    ]);
    expect(rules(checkGatewayRoutes([svc, route('tgr', 80), route('nope', 5000)]))).toEqual([
      'wiring/gateway-route-service',
      'wiring/gateway-route-service',
    ]);
    expect(checkGatewayRoutes([envoy('127.0.0.1', 9901)])).toEqual([]);
  });
});

describe('validateObjects and exceptions', () => {
  function objects(withException: boolean): KubeObject[] {
    const chart = new Chart(new App(), 'c', { namespace: 'ns' });
    // An untyped ApiObject: the typed KubeDeployment would synthesize plain-string quantities and ports as `{}`.
    const d = new ApiObject(chart, 'd', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: { containers: [container({ readinessProbe: undefined })] },
        },
      },
    });
    if (withException) declareException(d, 'policy/probes', 'nothing listens');
    declareExternal(d, 'Secret', 'a');
    declareExternal(d, 'Secret', 'b');
    return chart.toJson() as KubeObject[];
  }

  test('a finding covered by a declared exception is listed with its reason, not failed', () => {
    const plain = validateObjects(objects(false), { checks: ['policy'] });
    expect(rules(plain.findings)).toContain('policy/probes');
    const excepted = validateObjects(objects(true), { checks: ['policy'] });
    expect(rules(excepted.findings)).not.toContain('policy/probes');
    expect(excepted.exceptions).toEqual([
      expect.objectContaining({ rule: 'policy/probes', reason: 'nothing listens', object: 'Deployment ns/d' }),
    ]);
    expect(objects(true)[0].metadata.annotations!['validation.workshop-stacks.io/external-refs']).toBe(
      'Secret/a,Secret/b',
    );
  });

  test('a family exception covers its rules, and a reason is required', () => {
    const obj = { ...objects(false)[0] };
    obj.metadata = { ...obj.metadata, annotations: { 'exception.validation.workshop-stacks.io/policy': 'demo' } };
    const { findings, exceptions } = validateObjects([obj], { checks: ['policy'] });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.rule.startsWith('pss-restricted/'))).toBe(true);
    expect(rules(exceptions)).toContain('policy/probes');
    expect(exceptions.every((e) => e.rule.startsWith('policy/') && e.reason === 'demo')).toBe(true);
    expect(() => declareException(new k8s.KubeConfigMap(new Chart(new App(), 'x'), 'c'), 'policy/probes', ' ')).toThrow(
      /reason/,
    );
  });

  test('the cdk8s plugin reports findings as violations and fails', async () => {
    const fs = await import('fs');
    const os = await import('os');
    const path = await import('path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-')), 'app.k8s.yaml');
    fs.writeFileSync(file, JSON.stringify(objects(false)[0]));
    const { status, violations } = await runValidationPlugin({ checks: ['policy'] }, [file]);
    expect(status).toBe('failure');
    expect(violations.find((v) => v.ruleName === 'policy/probes')).toMatchObject({
      violatingResources: [{ resourceName: 'Deployment ns/d', manifestPath: file }],
    });
  });
});
