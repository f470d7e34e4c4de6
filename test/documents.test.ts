import { App } from 'cdk8s';
import { Dockercoins } from '../constructs/dockercoins';
import { validateDocuments } from '../src/checks';
import { KubeObject, SourceDocument, parseDocuments } from '../src/manifest';
import { StackChart } from '../src/stack-chart';
import { synthYaml } from '../src/synth';

const docs = (source: string, ...objects: unknown[]): SourceDocument[] =>
  objects.map((value, index) => ({ source, index, value }));
const hardened = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'web',
            image: 'web:1',
            ports: [{ containerPort: 80 }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '10m', memory: '8Mi' }, limits: { cpu: '20m', memory: '16Mi' } },
            readinessProbe: { tcpSocket: { port: 80 } },
            livenessProbe: { tcpSocket: { port: 80 } },
            ...extra,
          },
        ],
      },
    },
  },
});

describe('validateDocuments', () => {
  test('a sound object passes every check', () => {
    expect(validateDocuments(docs('a.yaml', hardened({ app: 'web' }))).problems).toEqual([]);
  });

  test('two Dockercoins in one chart: every object of the second is a duplicate', () => {
    const app = new App();
    const chart = new StackChart(app, 'dockercoins', { profile: 'local', partOf: 'dockercoins' });
    new Dockercoins(chart, 'one');
    new Dockercoins(chart, 'two');
    const { problems } = validateDocuments(parseDocuments(synthYaml(app), 'app'));
    const duplicates = problems.filter((p) => p.rule === 'schema/duplicate');
    expect(duplicates.length).toBe(14);
    expect(duplicates[0].message).toMatch(/^duplicate of app document \d+$/);
  });

  test('matchExpressions count in the selector-vs-template check', () => {
    const obj = hardened({ app: 'web' }) as any;
    obj.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] };
    expect(validateDocuments(docs('a.yaml', obj)).problems).toEqual([]);
    obj.spec.selector = { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] };
    expect(validateDocuments(docs('a.yaml', obj)).problems.map((p) => p.rule)).toEqual([
      'schema/selector-matches-template',
    ]);
  });

  test('skipChecks keeps what the server rejects and drops wiring and policy', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'shop' },
      spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] },
    };
    const root = hardened({ app: 'web' }, { securityContext: { runAsUser: 0 } });
    const full = validateDocuments(docs('a.yaml', root, svc)).problems.map((p) => p.rule);
    expect(full).toEqual(expect.arrayContaining(['wiring/service-selects-pods', 'pss-restricted/run-as-user']));
    const dup = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, datta: {} };
    const skipped = validateDocuments(docs('a.yaml', root, svc, dup, dup), { skipChecks: true }).problems.map(
      (p) => p.rule,
    );
    expect(skipped).toEqual(['schema/duplicate', 'schema/unknown-field', 'schema/unknown-field']);
  });

  test('a request above its limit, compared across suffixes', () => {
    const obj = hardened(
      { app: 'web' },
      { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1G' } } },
    );
    expect(validateDocuments(docs('a.yaml', obj)).problems.map((p) => [p.rule, p.field])).toEqual([
      ['schema/request-above-limit', 'spec.template.spec.containers[0].resources.requests.memory'],
    ]);
  });

  test('unknown fields are found in Gateway API kinds too (their models validate through the prototype)', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'shop' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        hostnamez: ['a.example.com'],
        rules: [{ backendRefs: [{ name: 'web', port: 80, weihgt: 1 }] }],
      },
    };
    expect(
      validateDocuments(docs('a.yaml', route), { checks: ['schema'] }).problems.map((p) => [p.rule, p.field]),
    ).toEqual([
      ['schema/unknown-field', 'spec.hostnamez'],
      ['schema/unknown-field', 'spec.rules[0].backendRefs[0].weihgt'],
    ]);
  });

  test('labels that are not a mapping are a schema finding, not a crash', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: 'oops' } };
    expect(validateDocuments(docs('a.yaml', cm)).problems.map((p) => [p.rule, p.field])).toEqual([
      ['schema/invalid', 'metadata.labels'],
    ]);
  });

  test('the same nodePort twice in one Service (TCP and UDP) is fine', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'shop' },
      spec: {
        type: 'NodePort',
        ports: [
          { name: 'a', port: 53, nodePort: 30053, protocol: 'TCP' },
          { name: 'b', port: 53, nodePort: 30053, protocol: 'UDP' },
        ],
      },
    };
    expect(validateDocuments(docs('a.yaml', svc), { checks: ['schema'] }).problems).toEqual([]);
  });
});
