// The apply engine against the strict fake API server: stages, checks, retries, conflicts, wait, secrets, and the
// guarantees that a real API server tests (reports a controller cannot fool, one write per object, LISTs, immutable fields, live YAML).
import {
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_ID_LABEL,
  APPLYSET_PART_OF_LABEL,
  APPLYSET_TOOLING_ANNOTATION,
  TOOLING,
} from '../src/apply/applyset';
import { stringify } from 'yaml';
import { KubeClient, ServerSideApplyOptions } from '../src/apply/kube-api';
import { createKubeClient } from '../src/apply/http-kube-client';
import { parseDocuments, ObjectRef } from '../src/manifest';
import { STAGES, stageOf } from '../src/apply/order';
import { KubeObject } from '../src/manifest';
import {
  FAST_RETRY,
  FakeCluster,
  configMap,
  deployment,
  docs,
  namespace,
  readyDeploymentStatus,
  service,
  startFakeCluster,
  useFakeCluster,
} from './support/cluster';
import { ID, SET, app, appliedInOrder, controllersDone } from './support/apply';

let cluster: FakeCluster;
useFakeCluster((c) => {
  cluster = c;
});

describe('apply', () => {
  test('applies in stages by kind: Namespace first, then cluster RBAC, ServiceAccounts, ConfigMaps with Services and policies, workloads last', async () => {
    const report = await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const members = appliedInOrder(cluster.server).filter((o) => o !== `Secret/${SET.name}`);
    // Within a stage the applies are in flight together, so only the stages' order is fixed.
    expect(members.slice(0, 3)).toEqual(['Namespace/shop', 'ClusterRole/reader', 'ServiceAccount/web']);
    expect(members.slice(3, 6).sort()).toEqual(['ConfigMap/settings', 'NetworkPolicy/deny', 'Service/web']);
    expect(members[6]).toBe('Deployment/web');
    const stageIndex = (o: string) => STAGES.findIndex((s) => s.name === stageOf(o.split('/')[0]));
    expect(members.map(stageIndex)).toEqual([...members.map(stageIndex)].sort((a, b) => a - b));
    // The parent lists the members before the first member is written.
    expect(appliedInOrder(cluster.server)[0]).toBe(`Secret/${SET.name}`);
    expect(report.objects.map((o) => o.action)).toEqual(Array(7).fill('created'));
  });

  test('every request is a server-side apply with the workshop-stacks field manager', async () => {
    await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
    const patches = cluster.server.writes().filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) {
      expect(p.contentType).toBe('application/apply-patch+yaml');
      expect(p.query.fieldManager).toMatch(/^workshop-stacks(-applyset)?$/);
    }
  });

  test('labels every member with the apply set id and writes a kubectl-compatible parent', async () => {
    await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
    expect(cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!.metadata.labels).toMatchObject({
      [APPLYSET_PART_OF_LABEL]: ID,
      app: 'web',
    });
    const parent = cluster.server.object('v1', 'Secret', SET.name, SET.namespace)!;
    expect(parent.metadata.labels).toEqual({ [APPLYSET_ID_LABEL]: ID });
    expect(parent.metadata.annotations).toEqual({
      [APPLYSET_TOOLING_ANNOTATION]: TOOLING,
      [APPLYSET_GROUP_KINDS_ANNOTATION]:
        'ClusterRole.rbac.authorization.k8s.io,ConfigMap,Deployment.apps,Namespace,NetworkPolicy.networking.k8s.io,Service,ServiceAccount',
      'applyset.kubernetes.io/additional-namespaces': 'shop',
    });
  });

  test('a second apply of the same input: one server-side apply per object, every object unchanged, no resourceVersion bumped', async () => {
    const engine = cluster.engine();
    await engine.apply({ documents: app(), applySet: SET, wait: false });
    await controllersDone();
    const versions = cluster.server
      .objects()
      .map((o) => `${o.kind}/${o.metadata.name}@${String(o.metadata.resourceVersion)}`);
    cluster.server.clearRequests();
    const second = await engine.apply({ documents: app(), applySet: SET, wait: false });
    expect(second.ok).toBe(true);
    expect(second.objects.map((o) => o.action)).toEqual(Array(7).fill('unchanged'));
    // No dry run first: a no-op server-side apply does not bump the resourceVersion, so it costs one request.
    expect(appliedInOrder(cluster.server)).toEqual([
      'Namespace/shop',
      'ClusterRole/reader',
      'ServiceAccount/web',
      'ConfigMap/settings',
      'Service/web',
      'NetworkPolicy/deny',
      'Deployment/web',
    ]);
    expect(cluster.server.requests.some((r) => r.query.dryRun !== undefined)).toBe(false);
    expect(
      cluster.server.objects().map((o) => `${o.kind}/${o.metadata.name}@${String(o.metadata.resourceVersion)}`),
    ).toEqual(versions);
  });

  test('a changed object is configured; the others stay unchanged', async () => {
    const engine = cluster.engine();
    await engine.apply({ documents: app(), applySet: SET, wait: false });
    const changed = app().map((d) =>
      (d.value as KubeObject).kind === 'Deployment' ? { ...d, value: deployment('web', 'shop', 3) } : d,
    );
    const report = await engine.apply({ documents: changed, applySet: SET, wait: false });
    expect(report.objects.filter((o) => o.action !== 'unchanged').map((o) => [o.object, o.action])).toEqual([
      ['Deployment shop/web', 'configured'],
    ]);
    expect((cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!.spec as any).replicas).toBe(3);
  });

  test('namespaced objects without a namespace go to the default namespace; cluster-scoped ones lose a stray namespace', async () => {
    const cm = configMap('plain', 'x');
    delete cm.metadata.namespace;
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r', namespace: 'oops' },
      rules: [],
    };
    const report = await cluster
      .engine({ defaultNamespace: 'default' })
      .apply({ documents: docs('a.yaml', cm, role), applySet: SET, wait: false });
    expect(report.ok).toBe(true);
    expect(cluster.server.object('v1', 'ConfigMap', 'plain', 'default')).toBeDefined();
    expect(
      cluster.server.object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'r')!.metadata.namespace,
    ).toBeUndefined();
  });

  test('a CRD and its custom resources in one apply: the CRD is established before its objects are applied', async () => {
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'mappings.getambassador.io' },
      spec: {
        group: 'getambassador.io',
        scope: 'Namespaced',
        names: { kind: 'Mapping', plural: 'mappings', singular: 'mapping' },
        versions: [
          {
            name: 'v3alpha1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    const mapping = {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: 'tgr', namespace: 'default' },
      spec: { prefix: '/', service: 'tgr:5000' },
    };
    const report = await cluster
      .engine()
      .apply({ documents: docs('crd.yaml', mapping, crd), applySet: SET, wait: false });
    expect(report.problems).toEqual([]);
    expect(report.objects.map((o) => [o.kind, o.action])).toEqual([
      ['CustomResourceDefinition', 'created'],
      ['Mapping', 'created'],
    ]);
    expect(cluster.server.object('getambassador.io/v3alpha1', 'Mapping', 'tgr', 'default')).toBeDefined();
  });
});

describe('validation before any request', () => {
  const bad = () => [
    ...docs('good.yaml', configMap('fine', 'default')),
    ...parseDocuments('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n', 'broken.yaml'),
    ...docs('nameless.yaml', configMap('x', 'default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }),
    ...docs('unknown.yaml', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    ...docs('schema.yaml', { ...deployment('web', 'default'), spec: { replicas: 'three' } }),
    ...docs('dup.yaml', configMap('fine', 'default')),
  ];

  test('one bad document among good ones: every problem is reported with file and document, and no request is sent', async () => {
    const report = await cluster.engine().apply({ documents: bad(), applySet: SET, prune: true });
    expect(report.ok).toBe(false);
    expect(cluster.server.requests).toEqual([]);
    const where = report.problems.map((p) => `${p.source}#${p.index}`);
    expect(where).toEqual(
      expect.arrayContaining(['broken.yaml#0', 'nameless.yaml#1', 'unknown.yaml#0', 'schema.yaml#0', 'dup.yaml#0']),
    );
    expect(where).not.toContain('good.yaml#0');
    const text = (source: string) =>
      report.problems
        .filter((p) => p.source === source)
        .map((p) => `${p.field ?? ''} ${p.message}`)
        .join('\n');
    expect(text('broken.yaml')).toMatch(/invalid YAML/);
    expect(text('nameless.yaml')).toMatch(/metadata.name is missing/);
    expect(text('unknown.yaml')).toMatch(/no Kubernetes schema for example.com\/v1 Widget/);
    expect(text('schema.yaml')).toMatch(/replicas/);
    expect(text('dup.yaml')).toMatch(/duplicate of good.yaml document 0/);
  });

  test('diff and delete refuse invalid input the same way', async () => {
    expect((await cluster.engine().diff({ documents: bad(), applySet: SET })).problems.length).toBeGreaterThan(0);
    expect((await cluster.engine().delete({ documents: bad(), applySet: SET })).problems.length).toBeGreaterThan(0);
    expect(cluster.server.requests).toEqual([]);
  });

  test('a kind the server does not serve, or a namespace that does not exist, stops the apply before any write', async () => {
    const report = await cluster.engine().apply({
      documents: docs('a.yaml', configMap('a', 'default'), configMap('b', 'missing'), {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'x' },
      }),
      applySet: SET,
      wait: false,
    });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => `${p.source}#${p.index}: ${p.message}`)).toEqual([
      'a.yaml#1: namespace "missing" does not exist and is not among the manifests',
    ]);
    expect(cluster.server.writes()).toEqual([]);
  });

  test("the parent's GET goes along with discovery, not after it; a kind not served is still the problem reported when that GET fails", async () => {
    const order: string[] = [];
    let failParent = false;
    const client = new Proxy(cluster.client, {
      get(target, prop) {
        if (prop === 'get') {
          return async (ref: ObjectRef) => {
            order.push(`get ${ref.kind}`);
            if (failParent) throw new Error('connection reset');
            return target.get(ref);
          };
        }
        if (prop === 'resourceFor')
          return (apiVersion: string, kind: string) => {
            order.push('discovery');
            return target.resourceFor(apiVersion, kind);
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const report = await cluster
      .engine({ client })
      .apply({ documents: docs('a.yaml', configMap('a', 'default')), applySet: SET, wait: false });
    expect(report.ok).toBe(true);
    expect(order[0]).toBe('get Secret');

    failParent = true;
    const refused = await cluster.engine({ client }).apply({
      documents: docs('a.yaml', {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w', namespace: 'default' },
      }),
      externalKinds: new Set(['example.com/v1/Widget']),
      applySet: SET,
      wait: false,
    });
    expect(refused.error).toBeUndefined();
    expect(refused.problems.map((p) => p.message)).toEqual(['the server does not serve example.com/v1 Widget']);
  });

  test('an object of another apply set is not taken over without --force-conflicts', async () => {
    cluster.server.seed({
      ...configMap('shared', 'default'),
      metadata: { name: 'shared', namespace: 'default', labels: { [APPLYSET_PART_OF_LABEL]: 'applyset-other-v1' } },
    });
    const refused = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', configMap('shared', 'default')), applySet: SET, wait: false });
    expect(refused.problems.map((p) => p.message)).toEqual([
      'belongs to another apply set (applyset-other-v1); --force-conflicts moves it into this one',
    ]);
    expect(cluster.server.writes()).toEqual([]);
    const forced = await cluster.engine().apply({
      documents: docs('a.yaml', configMap('shared', 'default')),
      applySet: SET,
      wait: false,
      forceConflicts: true,
    });
    expect(forced.ok).toBe(true);
    expect(
      cluster.server.object('v1', 'ConfigMap', 'shared', 'default')!.metadata.labels![APPLYSET_PART_OF_LABEL],
    ).toBe(ID);
  });
});

describe('retries', () => {
  const input = () => ({ documents: docs('a.yaml', configMap('a', 'default')), applySet: SET, wait: false });

  test.each([
    ['429 Too Many Requests', { status: 429, times: 2 }],
    ['500 Internal Server Error', { status: 500, times: 2 }],
    ['503 Service Unavailable', { status: 503, times: 1 }],
    ['a dropped connection', { reset: true, times: 2 }],
  ])('retries after %s and succeeds', async (_, failure) => {
    cluster.server.inject({ method: 'PATCH', path: '/configmaps/a', ...failure });
    const report = await cluster.engine().apply(input());
    expect(report.ok).toBe(true);
    const attempts = cluster.server.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/configmaps/a'));
    expect(attempts.length).toBe(failure.times + 1); // the failed ones, then the write
  });

  test.each([
    ['403 Forbidden', 403, /403 Forbidden/],
    ['422 Invalid', 422, /422 Invalid/],
  ])('does not retry %s and reports it', async (_, status, message) => {
    cluster.server.inject({ method: 'PATCH', path: '/configmaps/a', status });
    const report = await cluster.engine().apply(input());
    expect(report.ok).toBe(false);
    expect(report.objects[0]).toMatchObject({
      object: 'ConfigMap default/a',
      action: 'failed',
      message: expect.stringMatching(message),
    });
    expect(
      cluster.server.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/configmaps/a')),
    ).toHaveLength(1);
  });

  test('gives up after the configured retries on a server that keeps failing', async () => {
    cluster.server.inject({ path: '/configmaps/a', status: 500, times: 100 });
    const report = await cluster.engine().apply(input());
    expect(report.ok).toBe(false);
    expect(cluster.server.requests.filter((r) => r.path.endsWith('/configmaps/a'))).toHaveLength(6); // 1 + 5 retries
  });
});

describe('field conflicts', () => {
  beforeEach(() => {
    cluster.server.seed(namespace('shop'));
    // Someone scaled the Deployment by hand (an Update manager now owns .spec.replicas).
    cluster.server.seed(deployment('web', 'shop', 5), { manager: 'kubectl-scale' });
    cluster.server.clearRequests();
  });

  test('a field owned by another manager is reported with that manager; later stages are not applied', async () => {
    const report = await cluster.engine().apply({
      documents: docs(
        'a.yaml',
        configMap('settings', 'shop'),
        deployment('web', 'shop', 2),
        deployment('api', 'shop'),
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          metadata: { name: 'hook' },
          webhooks: [],
        },
      ),
      applySet: SET,
      wait: false,
    });
    expect(report.ok).toBe(false);
    const web = report.objects.find((o) => o.name === 'web')!;
    expect(web.action).toBe('failed');
    expect(web.message).toContain('.spec.replicas is owned by kubectl-scale');
    expect(web.message).toContain('--force-conflicts');
    // One write per object and no dry run before it: the other objects of the stage are written.
    expect(report.objects.find((o) => o.name === 'api')).toMatchObject({ action: 'created' });
    expect(report.objects.find((o) => o.name === 'hook')).toMatchObject({
      action: 'skipped',
      message: 'not applied: an earlier stage failed',
    });
    expect(cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!.spec).toMatchObject({ replicas: 5 });
  });

  test('--force-conflicts takes ownership of the field', async () => {
    const report = await cluster.engine().apply({
      documents: docs('a.yaml', deployment('web', 'shop', 2)),
      applySet: SET,
      wait: false,
      forceConflicts: true,
    });
    expect(report.ok).toBe(true);
    expect(report.objects[0].action).toBe('configured');
    const live = cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!;
    expect((live.spec as any).replicas).toBe(2);
    const owners = (live.metadata.managedFields as any[])
      .filter((m) => m.fieldsV1?.['f:spec']?.['f:replicas'])
      .map((m) => m.manager);
    expect(owners).toEqual(['workshop-stacks']);
  });
});

describe('wait', () => {
  beforeEach(() => {
    cluster.server.seed(namespace('shop'));
    cluster.server.clearRequests();
  });

  test('waits until Deployments are rolled out; a LoadBalancer Service without address does not hold it up', async () => {
    cluster.server.simulate('Deployment', readyDeploymentStatus);
    const report = await cluster.engine().apply({
      documents: docs('a.yaml', deployment('web', 'shop', 2), service('web', 'shop', 'LoadBalancer')),
      applySet: SET,
      timeoutMs: 5000,
    });
    expect(report.ok).toBe(true);
    expect(report.wait.map((w) => [w.object, w.status])).toEqual([
      ['Service shop/web', 'Current'],
      ['Deployment shop/web', 'Current'],
    ]);
    expect(report.wait[0].message).toBe('not waiting for an external address');
  });

  test('times out on a Deployment that never becomes ready, and then does not prune', async () => {
    const started = Date.now();
    const report = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', deployment('web', 'shop')), applySet: SET, timeoutMs: 300, prune: true });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(report.ok).toBe(false);
    expect(report.wait).toEqual([
      expect.objectContaining({ object: 'Deployment shop/web', status: 'Timeout', message: '0/1 replicas available' }),
    ]);
    expect(cluster.server.writes().filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  test('fails fast on a pod in CrashLoopBackOff, naming the pod and the reason', async () => {
    cluster.server.simulate('Deployment', (obj) => ({
      ...readyDeploymentStatus(obj),
      readyReplicas: 0,
      availableReplicas: 0,
    }));
    await cluster.engine().apply({ documents: docs('a.yaml', deployment('web', 'shop')), applySet: SET, wait: false });
    const live = cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!;
    const owner = (o: KubeObject) => [
      { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true },
    ];
    const rs = (hash: string, revision: string) =>
      cluster.server.seed({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `web-${hash}`,
          namespace: 'shop',
          labels: { app: 'web', 'pod-template-hash': hash },
          annotations: { 'deployment.kubernetes.io/revision': revision },
          ownerReferences: owner(live),
        },
        spec: { selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } } },
      });
    const pod = (name: string, hash: string, reason: string) =>
      cluster.server.seed({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'shop', labels: { app: 'web', 'pod-template-hash': hash } },
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'web',
              ready: false,
              restartCount: 4,
              state: { waiting: { reason, message: 'back-off 40s restarting failed container' } },
            },
          ],
        },
      });
    rs('old', '1');
    rs('new', '2');
    pod('web-old-aaaaa', 'old', 'ImagePullBackOff'); // an older revision's trouble is not this rollout's
    pod('web-new-bbbbb', 'new', 'CrashLoopBackOff');

    const started = Date.now();
    const report = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', deployment('web', 'shop')), applySet: SET, timeoutMs: 20_000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(report.ok).toBe(false);
    expect(report.wait).toEqual([
      expect.objectContaining({
        object: 'Deployment shop/web',
        status: 'Failed',
        message: 'pod web-new-bbbbb: container web: CrashLoopBackOff: back-off 40s restarting failed container',
      }),
    ]);
  });

  test('ProgressDeadlineExceeded is a failure', async () => {
    cluster.server.simulate('Deployment', (obj) => ({
      observedGeneration: obj.metadata.generation,
      replicas: 1,
      updatedReplicas: 0,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-1" has timed out progressing.',
        },
      ],
    }));
    const report = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', deployment('web', 'shop')), applySet: SET, timeoutMs: 5000 });
    expect(report.wait[0]).toMatchObject({
      status: 'Failed',
      message: expect.stringContaining('progress deadline exceeded'),
    });
  });

  test("what the apply's answers show ready is not read again: a new Namespace and a ConfigMap need no LIST, the Deployment is polled", async () => {
    cluster.server.simulate('Deployment', readyDeploymentStatus);
    const report = await cluster.engine().apply({
      documents: docs('a.yaml', namespace('fresh'), configMap('settings', 'fresh'), deployment('web', 'fresh')),
      applySet: SET,
      timeoutMs: 5000,
    });
    expect(report.ok).toBe(true);
    const firstWrite = cluster.server.requests.findIndex((r) => r.method === 'PATCH');
    const listsAfter = cluster.server.requests
      .slice(firstWrite)
      .filter((r) => r.method === 'GET')
      .map((r) => r.path);
    expect(listsAfter.filter((p) => /\/(namespaces|configmaps)$/.test(p))).toEqual([]);
    expect(listsAfter).toContain('/apis/apps/v1/namespaces/fresh/deployments');
    expect(report.wait.map((w) => [w.object, w.status])).toEqual([
      ['Namespace fresh', 'Current'],
      ['ConfigMap fresh/settings', 'Current'],
      ['Deployment fresh/web', 'Current'],
    ]);
  });

  test('reports readiness changes as events', async () => {
    cluster.server.simulate('Deployment', readyDeploymentStatus);
    await cluster
      .engine()
      .apply({ documents: docs('a.yaml', deployment('web', 'shop')), applySet: SET, timeoutMs: 5000 });
    expect(cluster.events).toEqual(
      expect.arrayContaining([
        { type: 'waiting', objects: ['Deployment shop/web'] },
        { type: 'status', object: 'Deployment shop/web', status: 'Current', message: '1/1 replicas ready' },
      ]),
    );
  });
});

describe('secrets from the environment', () => {
  const env = { GITHUB_CLIENT_ID: 'id-1234567890', GITHUB_CLIENT_SECRET: 'very-secret-value-42' };
  const spec = {
    name: 'tgr-github',
    namespace: 'default',
    keys: [
      { key: 'CLIENT_ID', env: 'GITHUB_CLIENT_ID' },
      { key: 'CLIENT_SECRET', env: 'GITHUB_CLIENT_SECRET' },
    ],
  };

  test('creates the Secret as a member of the set; no value appears in the report or the events', async () => {
    const report = await cluster.engine().apply({
      documents: docs('a.yaml', configMap('a', 'default')),
      applySet: SET,
      envSecrets: [spec],
      env,
      wait: false,
    });
    expect(report.ok).toBe(true);
    expect(report.objects.map((o) => `${o.object} ${o.action}`)).toContain('Secret default/tgr-github created');
    const secret = cluster.server.object('v1', 'Secret', 'tgr-github', 'default')!;
    expect(Buffer.from((secret.data as any).CLIENT_SECRET, 'base64').toString()).toBe('very-secret-value-42');
    expect(secret.metadata.labels![APPLYSET_PART_OF_LABEL]).toBe(ID);
    const output = JSON.stringify([report, cluster.events]);
    for (const value of Object.values(env)) {
      expect(output).not.toContain(value);
      expect(output).not.toContain(Buffer.from(value).toString('base64'));
    }
    const again = await cluster.engine().apply({
      documents: docs('a.yaml', configMap('a', 'default')),
      applySet: SET,
      envSecrets: [spec],
      env,
      wait: false,
    });
    expect(again.objects.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
  });

  test('a Secret from the environment alone is still an empty manifest set for --prune', async () => {
    const report = await cluster.engine().apply({ documents: [], applySet: SET, envSecrets: [spec], env, prune: true });
    expect(report.problems.map((p) => p.message).join()).toMatch(/refusing to prune/);
    expect(cluster.server.requests).toEqual([]);
  });

  test('an unset variable is a problem that names the variable, before any request', async () => {
    const report = await cluster
      .engine()
      .apply({ documents: [], applySet: SET, envSecrets: [spec], env: { GITHUB_CLIENT_ID: 'x' } });
    expect(report.problems.map((p) => p.message)).toEqual(['environment variable GITHUB_CLIENT_SECRET is not set']);
    expect(cluster.server.requests).toEqual([]);
  });
});

describe('reports true to a real API server', () => {
  beforeEach(() => {
    cluster.server.seed(namespace('shop'));
    cluster.server.clearRequests();
  });

  const web = (image: string, replicas = 1): KubeObject => {
    const d = deployment('web', 'shop', replicas);
    (d.spec as any).template.spec.containers[0].image = image;
    return d;
  };

  test('no phantom change: three rounds of apply, then re-apply at once while the deployment controller writes, report no change', async () => {
    const engine = cluster.engine();
    for (const round of [1, 2, 3]) {
      const input = () => ({
        documents: docs('a.yaml', configMap('settings', 'shop'), web(`example/web:v${round}`)),
        applySet: SET,
        wait: false,
      });
      const first = await engine.apply(input());
      expect(first.objects.find((o) => o.kind === 'Deployment')!.action).toBe(round === 1 ? 'created' : 'configured');
      // The controller writes the revision annotation and the status a few milliseconds after that apply.
      const again = await engine.apply(input());
      expect(again.objects.map((o) => `${o.object} ${o.action}`)).toEqual([
        'ConfigMap shop/settings unchanged',
        'Deployment shop/web unchanged',
      ]);
    }
    await controllersDone();
    expect(cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '3',
    });
  });

  /** The engine's client, with a controller's write to each Deployment just before it is applied. */
  const controllerWritesBeforeApply = (): KubeClient =>
    new Proxy(cluster.client, {
      get: (target, property) => {
        if (property !== 'apply') return (target as any)[property].bind(target);
        return async (obj: KubeObject, options: ServerSideApplyOptions) => {
          if (obj.kind === 'Deployment' && !options.fieldManager.endsWith('-applyset')) {
            const { name, namespace: ns } = obj.metadata;
            await target.apply(
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                metadata: { name, namespace: ns, annotations: { 'deployment.kubernetes.io/revision': '7' } },
              },
              { fieldManager: 'kube-controller-manager', force: true },
            );
            cluster.server.setStatus('apps/v1', 'Deployment', name!, ns, {
              observedGeneration: 1,
              replicas: 1,
              updatedReplicas: 1,
            });
          }
          return target.apply(obj, options);
        };
      },
    });

  test("a controller writing between the plan's LIST and the apply is not taken for a change; a change of ours still is", async () => {
    await cluster.engine().apply({ documents: docs('a.yaml', web('example/web:v1')), applySet: SET, wait: false });
    const racing = cluster.engine({ client: controllerWritesBeforeApply() });
    const same = await racing.apply({ documents: docs('a.yaml', web('example/web:v1')), applySet: SET, wait: false });
    expect(same.objects.map((o) => o.action)).toEqual(['unchanged']);
    const scaled = await racing.apply({
      documents: docs('a.yaml', web('example/web:v1', 3)),
      applySet: SET,
      wait: false,
    });
    expect(scaled.objects.map((o) => o.action)).toEqual(['configured']);
  });

  test('one write per object, live state from one LIST per kind, no GET of any member', async () => {
    const objects = [
      ...Array.from({ length: 30 }, (_, i) => configMap(`c${i}`, 'shop')),
      deployment('a', 'shop'),
      deployment('b', 'shop'),
    ];
    for (const expected of ['created', 'unchanged']) {
      cluster.server.clearRequests();
      const report = await cluster
        .engine()
        .apply({ documents: docs('a.yaml', ...objects), applySet: SET, wait: false });
      expect(report.objects.map((o) => o.action)).toEqual(Array(32).fill(expected));
      const member = (path: string) => /\/namespaces\/shop\/(configmaps|deployments)\/[^/]+$/.test(path);
      const writes = cluster.server.requests.filter((r) => r.method !== 'GET');
      expect(writes.filter((r) => member(r.path))).toHaveLength(32);
      expect(new Set(writes.filter((r) => member(r.path)).map((r) => r.path)).size).toBe(32);
      expect(writes.every((r) => r.method === 'PATCH' && r.query.dryRun === undefined)).toBe(true);
      const reads = cluster.server.requests.filter((r) => r.method === 'GET');
      expect(reads.filter((r) => member(r.path))).toEqual([]);
      const lists = reads
        .filter((r) => /\/(configmaps|deployments|namespaces)$/.test(r.path))
        .map((r) => r.path)
        .sort();
      // Once the parent records members in two namespaces (its own and shop), one cluster-wide LIST per kind.
      expect(lists).toEqual(
        expected === 'created'
          ? ['/api/v1/namespaces', '/api/v1/namespaces/shop/configmaps', '/apis/apps/v1/namespaces/shop/deployments']
          : ['/api/v1/configmaps', '/api/v1/namespaces', '/apis/apps/v1/deployments'],
      );
    }
  });

  test('objects in several namespaces: one cluster-wide LIST per kind, per namespace when that is forbidden', async () => {
    cluster.server.seed(namespace('zoo'));
    await cluster.engine().apply({ documents: docs('a.yaml', configMap('a', 'shop')), applySet: SET, wait: false });
    cluster.server.inject({ method: 'GET', path: /^\/apis\/apps\/v1\/deployments$/, status: 403 });
    cluster.server.clearRequests();
    const objects = [configMap('a', 'shop'), configMap('b', 'zoo'), deployment('a', 'shop'), deployment('b', 'zoo')];
    const report = await cluster.engine().apply({ documents: docs('a.yaml', ...objects), applySet: SET, wait: false });
    expect(report.ok).toBe(true);
    const lists = cluster.server.requests
      .filter((r) => r.method === 'GET' && /\/(configmaps|deployments)$/.test(r.path))
      .map((r) => r.path)
      .sort();
    expect(lists).toEqual([
      '/api/v1/configmaps',
      '/apis/apps/v1/deployments',
      '/apis/apps/v1/namespaces/shop/deployments',
      '/apis/apps/v1/namespaces/zoo/deployments',
    ]);
  });

  test('a selector change is refused naming spec.selector and --force; with --force the Deployment is replaced', async () => {
    await cluster.engine().apply({ documents: docs('a.yaml', deployment('web', 'shop')), applySet: SET, wait: false });
    const uid = cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!.metadata.uid;
    const changed = deployment('web', 'shop');
    (changed.spec as any).selector.matchLabels = { app: 'web', track: 'stable' };
    (changed.spec as any).template.metadata.labels = { app: 'web', track: 'stable' };
    const refused = await cluster.engine().apply({ documents: docs('a.yaml', changed), applySet: SET, wait: false });
    expect(refused.ok).toBe(false);
    expect(refused.objects[0]).toMatchObject({
      action: 'failed',
      message: 'spec.selector: field is immutable; --force deletes the object and creates it again',
    });
    expect(cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!.metadata.uid).toBe(uid);

    cluster.server.clearRequests();
    const forced = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', changed), applySet: SET, wait: false, force: true });
    expect(forced.ok).toBe(true);
    expect(forced.objects[0]).toMatchObject({
      action: 'replaced',
      message: 'spec.selector cannot change: deleted and created again',
    });
    const live = cluster.server.object('apps/v1', 'Deployment', 'web', 'shop')!;
    expect(live.metadata.uid).not.toBe(uid);
    expect((live.spec as any).selector.matchLabels).toEqual({ app: 'web', track: 'stable' });
    expect(
      cluster.server
        .writes()
        .filter((r) => r.path.endsWith('/deployments/web'))
        .map((r) => r.method),
    ).toEqual(['PATCH', 'DELETE', 'PATCH']);
  });

  test('a Service cluster IP and a Job template are replaced with --force too; a dry run only says it would', async () => {
    const job = (image: string): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'shop' },
      spec: {
        template: {
          metadata: { labels: { job: 'once' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'once', image }] },
        },
      },
    });
    const svc = (clusterIP?: string): KubeObject => {
      const s = service('web', 'shop');
      if (clusterIP) (s.spec as any).clusterIP = clusterIP;
      return s;
    };
    // A minimal Job: the checks (resources, security context) are not what this test is about.
    await cluster.engine().apply({
      documents: docs('a.yaml', job('example/once:v1'), svc()),
      applySet: SET,
      wait: false,
      skipChecks: true,
    });
    const changed = docs('a.yaml', job('example/once:v2'), svc('10.96.7.7'));
    const refused = await cluster.engine().apply({ documents: changed, applySet: SET, wait: false, skipChecks: true });
    expect(refused.objects.map((o) => `${o.kind} ${o.action}: ${o.message}`)).toEqual([
      'Service failed: spec.clusterIPs[0]: field is immutable; --force deletes the object and creates it again',
      'Job skipped: not applied: an earlier stage failed',
    ]);
    const dry = await cluster
      .engine()
      .apply({ documents: changed, applySet: SET, force: true, dryRun: true, skipChecks: true });
    expect(dry.objects.map((o) => o.action)).toEqual(['replaced', 'replaced']);
    expect(cluster.server.writes().filter((r) => r.method === 'DELETE')).toEqual([]);
    const forced = await cluster
      .engine()
      .apply({ documents: changed, applySet: SET, wait: false, force: true, skipChecks: true });
    expect(forced.objects.map((o) => `${o.kind} ${o.action}`)).toEqual(['Service replaced', 'Job replaced']);
    expect((cluster.server.object('v1', 'Service', 'web', 'shop')!.spec as any).clusterIP).toBe('10.96.7.7');
  });

  test('kubectl get -o yaml output (a List with managedFields, resourceVersion, status, controller annotations) applies', async () => {
    const engine = cluster.engine();
    await engine.apply({
      documents: docs('a.yaml', web('example/web:v1'), service('web', 'shop'), configMap('settings', 'shop')),
      applySet: SET,
      wait: false,
    });
    await controllersDone();
    const items = [
      ['apps/v1', 'Deployment'],
      ['v1', 'Service'],
      ['v1', 'ConfigMap'],
    ].map(([apiVersion, kind]) =>
      cluster.server.object(apiVersion, kind, kind === 'ConfigMap' ? 'settings' : 'web', 'shop')!,
    );
    const yaml = stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });
    expect(yaml).toMatch(/managedFields/);
    expect(yaml).toMatch(/deployment.kubernetes.io\/revision/);
    expect(yaml).toMatch(/clusterIP: 10\./);
    // Their resourceVersion goes stale: a real server would answer a precondition failure if it were sent.
    cluster.server.setStatus('v1', 'ConfigMap', 'settings', 'shop', {});
    cluster.server.clearRequests();
    cluster.events.length = 0;

    const report = await engine.apply({ documents: parseDocuments(yaml, 'live.yaml'), applySet: SET, wait: false });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // The live copies carry the server's defaults (ports' protocol): applying them takes ownership of those.
    expect(report.objects.map((o) => `${o.object} ${o.action}`)).toEqual([
      'ConfigMap shop/settings unchanged',
      'Service shop/web configured',
      'Deployment shop/web configured',
    ]);
    for (const body of cluster.server.writes().map((r) => r.body)) {
      expect(body).not.toMatch(
        /managedFields|resourceVersion|"uid"|creationTimestamp|"status"|deployment.kubernetes.io\/revision|clusterIP/,
      );
    }
    const dropped = cluster.events.flatMap((e) =>
      e.type === 'normalized' ? [`${e.object}: ${e.dropped.join(' ')}`] : [],
    );
    expect(dropped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Deployment shop\/web: status metadata.managedFields metadata.resourceVersion metadata.uid metadata.creationTimestamp metadata.generation metadata.labels.applyset.kubernetes.io\/part-of metadata.annotations.deployment.kubernetes.io\/revision$/,
        ),
        expect.stringMatching(/^Service shop\/web: .*spec.clusterIP spec.clusterIPs$/),
      ]),
    );
    const again = await engine.apply({ documents: parseDocuments(yaml, 'live.yaml'), applySet: SET, wait: false });
    expect(again.objects.map((o) => o.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  test("an attendee's credentials: apply in their own namespace works (LISTs per namespace); in another's, 403 and nothing changed", async () => {
    const limited = await startFakeCluster({
      grants: { 'alice-token': { user: 'system:serviceaccount:alice:attendee', namespaces: ['alice'] } },
    });
    try {
      limited.server.seed(namespace('alice'));
      limited.server.seed(namespace('bob'));
      const client = await createKubeClient({
        kubeconfig: limited.server.writeKubeconfig(limited.dir, { token: 'alice-token', namespace: 'alice' }),
        retry: FAST_RETRY,
      });
      const engine = limited.engine({ client, defaultNamespace: 'alice' });
      const own = {
        documents: docs('a.yaml', configMap('a', 'alice'), deployment('web', 'alice')),
        applySet: { name: 'mine', namespace: 'alice' },
        wait: false,
      };
      expect((await engine.apply(own)).objects.map((o) => o.action)).toEqual(['created', 'created']);
      expect((await engine.apply(own)).objects.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
      limited.server.clearRequests();
      const other = await engine.apply({
        ...own,
        documents: docs('b.yaml', configMap('b', 'bob')),
        applySet: { name: 'theirs', namespace: 'alice' },
      });
      expect(other.ok).toBe(false);
      expect(other.error).toMatch(
        /^403 Forbidden: configmaps is forbidden: User "system:serviceaccount:alice:attendee" cannot list resource "configmaps" in API group "" in the namespace "bob"/,
      );
      expect(limited.server.writes()).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  test('a forbidden LIST stops the apply before any write, with the reason', async () => {
    cluster.server.inject({ method: 'GET', path: '/namespaces/shop/configmaps', status: 403 });
    const report = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', configMap('a', 'shop')), applySet: SET, wait: false });
    expect(report.ok).toBe(false);
    expect(report.objects).toEqual([]);
    expect(report.error).toMatch(/^403 Forbidden: /);
    expect(cluster.server.writes()).toEqual([]);
  });
});
