import { CliRun, runCliIn } from './support/cli';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, ApiObject, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { formatProblem, validateDocuments } from '../src/checks/documents';
import { loadSources } from '../src/manifest/load';
import { KubeObject, SourceDocument, parseDocuments } from '../src/manifest';
import { expandDocument, normalizeObject } from '../src/manifest/read';
import { runValidationPlugin } from './helpers';

// The one reader every command reads its inputs with: list documents as their items, copies of live
// objects as manifests, and files of a directory that are not manifests skipped with a note.

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: 'shop', labels: { app: name } },
  spec: { containers: [{ name, image: 'x:1' }] },
  ...extra,
});
const read = (value: unknown) => expandDocument({ source: 'in.yaml', index: 3, value });
const kinds = (docs: readonly SourceDocument[]) =>
  docs.map((d) => [d.item, (d.value as any)?.apiVersion, (d.value as any)?.kind, (d.value as any)?.metadata?.name]);

describe('list documents are read as their items', () => {
  test.each([
    [
      'a List keeps the kind each item names',
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Pod', ...pod('a') },
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'b' } },
        ],
      },
      [
        [0, 'v1', 'Pod', 'a'],
        [1, 'apps/v1', 'Deployment', 'b'],
      ],
    ],
    [
      'a PodList gives items without kind and apiVersion its own',
      { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '9' }, items: [pod('a'), pod('b')] },
      [
        [0, 'v1', 'Pod', 'a'],
        [1, 'v1', 'Pod', 'b'],
      ],
    ],
    [
      'a NamespaceList',
      { apiVersion: 'v1', kind: 'NamespaceList', items: [{ metadata: { name: 'shop' } }] },
      [[0, 'v1', 'Namespace', 'shop']],
    ],
    [
      'a NetworkPolicyList of its group',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicyList',
        items: [{ metadata: { name: 'deny' }, spec: {} }],
      },
      [[0, 'networking.k8s.io/v1', 'NetworkPolicy', 'deny']],
    ],
    [
      'a DeploymentList of apps/v1',
      { apiVersion: 'apps/v1', kind: 'DeploymentList', items: [{ metadata: { name: 'web' } }] },
      [[0, 'apps/v1', 'Deployment', 'web']],
    ],
    [
      'an item of a typed list that names its kind keeps it',
      { apiVersion: 'v1', kind: 'PodList', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }] },
      [[0, 'v1', 'Pod', 'a']],
    ],
    ['an empty list stands for nothing', { apiVersion: 'v1', kind: 'List', items: [] }, []],
    [
      'a List item without a kind stays without one, for the checks to report',
      { apiVersion: 'v1', kind: 'List', items: [{ metadata: { name: 'x' } }] },
      [[0, undefined, undefined, 'x']],
    ],
    [
      'an object that is not a list stands for itself, even with items',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, items: [] },
      [[undefined, 'v1', 'ConfigMap', 'c']],
    ],
    [
      'a list whose items are not a list is left whole',
      { apiVersion: 'v1', kind: 'List', items: 'x' },
      [[undefined, 'v1', 'List', undefined]],
    ],
  ])('%s', (_name, value, expected) => {
    const docs = read(value);
    expect(kinds(docs)).toEqual(expected);
    expect(docs.every((d) => d.source === 'in.yaml' && d.index === 3)).toBe(true);
    // Reading what was read changes nothing: any code may read documents of any origin again.
    expect(docs.flatMap(expandDocument)).toEqual(docs);
  });

  test('findings name the file, the document and the item; a list whose items are not a list says so', () => {
    const text =
      stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } }) +
      '---\n' +
      stringify({
        apiVersion: 'v1',
        kind: 'ConfigMapList',
        items: [{ metadata: { name: 'ok' } }, { data: {} }, { metadata: { name: 'first' } }],
      }) +
      '---\n' +
      stringify({ apiVersion: 'v1', kind: 'List', items: { a: 1 } });
    const { objects, problems } = validateDocuments(parseDocuments(text, 'cm.yaml'), { checks: [] });
    expect(objects.map((o) => [o.index, o.item, o.object.metadata.name])).toEqual([
      [0, undefined, 'first'],
      [1, 0, 'ok'],
      [1, 2, 'first'],
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'cm.yaml document 1 item 1: metadata: is missing',
      'cm.yaml document 2: items: must be a list of objects, got object',
      'cm.yaml document 1 item 2 (ConfigMap first): [schema/duplicate] duplicate of cm.yaml document 0',
    ]);
  });
});

test('the cdk8s validation plugin reads lists as validate does', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ws-plugin-')), 'app.k8s.yaml');
  fs.writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'ConfigMapList',
      items: [{ metadata: { name: 'a', namespace: 'shop' } }, { metadata: { name: 'a', namespace: 'shop' } }],
    }),
  );
  const { status, violations } = await runValidationPlugin({ checks: ['schema'] }, [file]);
  expect(status).toBe('failure');
  expect(violations.map((v) => [v.ruleName, v.violatingResources[0].resourceName, v.recommendation])).toEqual([
    ['schema/duplicate', 'ConfigMap shop/a', `duplicate of ${file} document 0 item 0`],
  ]);
});

describe('copies of live objects (kubectl get -o yaml) are read as manifests', () => {
  const live = {
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion: '' },
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'web',
          namespace: 'shop',
          uid: 'u',
          resourceVersion: '7',
          generation: 2,
          creationTimestamp: '2026-01-01T00:00:00Z',
          selfLink: '/x',
          managedFields: [{ manager: 'kubectl' }],
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { creationTimestamp: null, labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'x:1' }] },
          },
        },
        status: { replicas: 1 },
      },
    ],
  };

  test('every server field is dropped, and the reader says which', () => {
    const [doc] = parseDocuments(stringify(live), 'live.yaml');
    expect(doc).toMatchObject({ source: 'live.yaml', index: 0, item: 0 });
    expect(Object.keys((doc.value as any).metadata)).toEqual(['name', 'namespace']);
    expect((doc.value as any).status).toBeUndefined();
    expect(doc.dropped).toEqual([
      'status',
      'metadata.managedFields',
      'metadata.resourceVersion',
      'metadata.uid',
      'metadata.creationTimestamp',
      'metadata.generation',
      'metadata.selfLink',
      'spec.template.metadata.creationTimestamp',
    ]);
  });

  test('validate takes it as it takes the manifest it stands for', () => {
    const manifest = structuredClone(live.items[0]) as any;
    for (const key of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'selfLink', 'managedFields'])
      delete manifest.metadata[key];
    delete manifest.status;
    delete manifest.spec.template.metadata.creationTimestamp;
    const rules = (text: string) =>
      validateDocuments(parseDocuments(text, 'x.yaml')).problems.map((p) => `${p.field} ${p.rule}`);
    expect(rules(stringify(live))).toEqual(rules(stringify(manifest)));
  });
});

describe('files of a directory that are not manifests', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-reader-'));
  });

  /** What `cdk8s synth` writes: the manifests and, with construct metadata on, `construct-metadata.json`. */
  function synthProject(): string {
    const outdir = path.join(dir, 'dist');
    const app = new App({ outdir, recordConstructMetadata: true });
    new ApiObject(new Chart(app, 'shop'), 'cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'shop' },
      data: { a: 'b' },
    });
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['construct-metadata.json', 'shop.k8s.yaml']);
    return outdir;
  }

  test("cdk8s's construct-metadata.json is skipped with a note naming it; the manifests are read", () => {
    synthProject();
    const notes: string[] = [];
    const docs = loadSources(['dist'], { cwd: dir, onNote: (m) => notes.push(m) });
    expect(docs.map((d) => [d.source, (d.value as any).kind])).toEqual([
      [path.join('dist', 'shop.k8s.yaml'), 'ConfigMap'],
    ]);
    expect(notes).toEqual([
      `skipped ${path.join('dist', 'construct-metadata.json')}: not a Kubernetes manifest (no document has an apiVersion or a kind)`,
    ]);
  });

  test.each([
    [
      'a manifest with one document missing apiVersion',
      'kind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      2,
    ],
    ['a document with only a kind', 'kind: ConfigMap\n', 1],
    ['a file that is not valid YAML', 'apiVersion: [v1\n', 1],
  ])('%s is read, not skipped', (_name, text, count) => {
    fs.writeFileSync(path.join(dir, 'm.yaml'), text);
    const notes: string[] = [];
    expect(loadSources(['.'], { cwd: dir, onNote: (m) => notes.push(m) })).toHaveLength(count);
    expect(notes).toEqual([]);
  });

  test('a file given by name is read even when it is not a manifest: its documents are findings', () => {
    const outdir = synthProject();
    const notes: string[] = [];
    const docs = loadSources([path.join(outdir, 'construct-metadata.json')], { onNote: (m) => notes.push(m) });
    expect(notes).toEqual([]);
    expect(validateDocuments(docs, { checks: [] }).problems.map((p) => p.field)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
    ]);
  });

  function run(...args: string[]): Promise<CliRun> {
    return runCliIn(dir, args);
  }

  test('validate and traffic pass on what cdk8s synth writes, with the note on stderr', async () => {
    synthProject();
    for (const command of [['validate', '--checks', 'schema'], ['traffic']]) {
      const result = await run(...command, 'dist');
      expect([command[0], result.code]).toEqual([command[0], 0]);
      expect(result.stderr).toBe(
        `note: skipped ${path.join('dist', 'construct-metadata.json')}: not a Kubernetes manifest (no document has an apiVersion or a kind)\n`,
      );
    }
  });

  test('validate and traffic read typed lists: a NetworkPolicy of a NetworkPolicyList counts', async () => {
    const deployment = (name: string) => ({
      metadata: { name, namespace: 'shop', uid: name, resourceVersion: '1' },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x:1' }] } },
      },
      status: { readyReplicas: 1 },
    });
    fs.writeFileSync(
      path.join(dir, 'live.yaml'),
      [
        { apiVersion: 'v1', kind: 'NamespaceList', items: [{ metadata: { name: 'shop' } }] },
        { apiVersion: 'apps/v1', kind: 'DeploymentList', items: [deployment('web'), deployment('db')] },
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicyList',
          items: [
            {
              metadata: { name: 'db', namespace: 'shop' },
              spec: {
                podSelector: { matchLabels: { app: 'db' } },
                ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
              },
            },
          ],
        },
      ]
        .map((d) => stringify(d))
        .join('---\n'),
    );
    const validated = JSON.parse((await run('validate', '--checks', 'schema', '-o', 'json', 'live.yaml')).stdout);
    expect(validated).toMatchObject({ ok: true, objects: 4 });
    const connections = (await run('traffic', 'live.yaml')).stdout;
    expect(connections).toContain('shop/web[Deployment] => shop/db[Deployment] : TCP 5432');
    expect(connections).not.toMatch(/=> shop\/db\[Deployment\] : All Connections/);
  });
});

describe('normalize (live YAML in, a manifest out)', () => {
  const liveDeployment = (): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'workshop-stacks', operation: 'Apply' }],
      labels: { app: 'web', 'applyset.kubernetes.io/part-of': 'applyset-x-v1' },
      annotations: {
        'deployment.kubernetes.io/revision': '3',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        team: 'blue',
      },
    },
    spec: {
      replicas: 2,
      template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [] } },
    },
    status: { replicas: 2 },
  });

  test('drops what the server and controllers write, and says what; keeps what the user wrote; leaves the input alone', () => {
    const input = liveDeployment();
    const { object, dropped } = normalizeObject(input);
    expect(object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { team: 'blue' } },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } },
    });
    expect(dropped).toEqual([
      'status',
      'metadata.managedFields',
      'metadata.resourceVersion',
      'metadata.uid',
      'metadata.creationTimestamp',
      'metadata.generation',
      'metadata.labels.applyset.kubernetes.io/part-of',
      'metadata.annotations.deployment.kubernetes.io/revision',
      'metadata.annotations.kubectl.kubernetes.io/last-applied-configuration',
      'spec.template.metadata.creationTimestamp',
    ]);
    expect(input).toEqual(liveDeployment());
  });

  test('a manifest comes out as it went in', () => {
    const manifest: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', labels: { a: 'b' } },
      spec: { clusterIP: '10.0.0.9', ports: [{ port: 80 }] },
    };
    expect(normalizeObject(manifest)).toEqual({ object: manifest, dropped: [] });
  });

  test('a live Service loses its allocated cluster IPs, a headless one keeps None', () => {
    const svc = (clusterIP: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', uid: 'u' },
      spec: { clusterIP, clusterIPs: [clusterIP], ports: [{ port: 80 }] },
    });
    expect(normalizeObject(svc('10.96.0.7')).object.spec).toEqual({ ports: [{ port: 80 }] });
    expect(normalizeObject(svc('None')).object.spec).toEqual({
      clusterIP: 'None',
      clusterIPs: ['None'],
      ports: [{ port: 80 }],
    });
  });
});
