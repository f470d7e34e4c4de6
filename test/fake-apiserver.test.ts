// The fake API server itself, driven by raw HTTP requests: each strictness point it shares with a real
// kube-apiserver v1.33 has a test here, so that engine tests that pass against it mean
// something on a real cluster.
import * as https from 'https';
import { parse, stringify } from 'yaml';
import { FakeApiServer, FakeApiServerOptions } from './support/fake-apiserver';
import { deployment, namespace, service } from './support/cluster';
import { KubeObject } from '../src/manifest';

let server: FakeApiServer;

async function start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  server = await FakeApiServer.start(options);
  server.seed(namespace('default'));
  return server;
}

afterEach(() => server?.close());

interface Reply {
  status: number;
  body: any;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/apply-patch+yaml' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const pathOf = (obj: KubeObject) => {
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const plural = {
    Deployment: 'deployments',
    Service: 'services',
    ConfigMap: 'configmaps',
    Namespace: 'namespaces',
    Job: 'jobs',
    StatefulSet: 'statefulsets',
    ServiceAccount: 'serviceaccounts',
  }[obj.kind]!;
  return `${base}${obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : ''}/${plural}/${obj.metadata.name}`;
};

/** A server-side apply of `obj` by `manager` (query options appended). */
const apply = (obj: KubeObject, manager = 'workshop-stacks', query = '') =>
  call('PATCH', `${pathOf(obj)}?fieldManager=${manager}${query}`, obj);

/** Polls `probe` until it returns something (controllers write in their own time). */
async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the fake server');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const configMap = (name: string, data: Record<string, string> = { key: 'value' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data,
});

describe('immutable fields (point 1)', () => {
  test('a Deployment selector change answers 422 Invalid naming spec.selector, dry run too', async () => {
    await start();
    expect((await apply(deployment('web', 'default'))).status).toBe(201);
    const changed = deployment('web', 'default');
    (changed.spec as any).selector.matchLabels = { app: 'web2' };
    (changed.spec as any).template.metadata.labels = { app: 'web2' };
    for (const query of ['&dryRun=All', '']) {
      const reply = await apply(changed, 'workshop-stacks', query);
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Invalid',
        code: 422,
        message:
          'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
        details: {
          name: 'web',
          group: 'apps',
          kind: 'Deployment',
          causes: [{ reason: 'FieldValueInvalid', field: 'spec.selector' }],
        },
      });
      expect(reply.body.details.causes[0].message).toMatch(/^Invalid value: .*: field is immutable$/);
    }
  });

  test('a Service clusterIP change answers 422; a type change to ExternalName drops the allocated IP', async () => {
    await start();
    const svc = service('web', 'default');
    expect((await apply(svc)).status).toBe(201);
    const moved = service('web', 'default');
    (moved.spec as any).clusterIP = '10.96.99.99';
    const reply = await apply(moved);
    expect(reply.status).toBe(422);
    expect(reply.body.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIPs[0]',
        message: 'Invalid value: []string{"10.96.99.99"}: may not change once set',
      },
    ]);
    const external: KubeObject = {
      ...service('web', 'default'),
      spec: { type: 'ExternalName', externalName: 'example.com' },
    };
    const ok = await apply(external);
    expect(ok.status).toBe(200);
    expect(ok.body.spec.clusterIP).toBeUndefined();
  });

  test('a Job template change and a StatefulSet spec change are refused', async () => {
    await start();
    const template = (image: string) => ({ spec: { restartPolicy: 'Never', containers: [{ name: 'main', image }] } });
    const job = (image: string): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'default' },
      spec: { template: template(image) },
    });
    expect((await apply(job('a:1'))).status).toBe(201);
    const jobReply = await apply(job('a:2'));
    expect(jobReply.status).toBe(422);
    expect(jobReply.body.details.causes.map((c: any) => c.field)).toEqual(['spec.template']);

    const sts = (serviceName: string, replicas: number): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        serviceName,
        replicas,
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, ...template('db:1') },
      },
    });
    expect((await apply(sts('db', 1))).status).toBe(201);
    expect((await apply(sts('db', 2))).status).toBe(200);
    const stsReply = await apply(sts('other', 2));
    expect(stsReply.status).toBe(422);
    expect(stsReply.body.message).toMatch(
      /^StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', .* are forbidden$/,
    );
  });
});

describe('apply body preconditions (point 2)', () => {
  test('managedFields in an apply body answers 400', async () => {
    await start();
    const cm = configMap('c');
    cm.metadata.managedFields = [];
    const reply = await apply(cm);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ reason: 'BadRequest', message: 'metadata.managedFields must be nil' });
  });

  test('a stale resourceVersion answers 409 Conflict, the current one is accepted', async () => {
    await start();
    const created = await apply(configMap('c'));
    const rv = created.body.metadata.resourceVersion;
    await apply(configMap('c', { key: 'changed' }));
    const stale = await apply({
      ...configMap('c', { key: 'again' }),
      metadata: { name: 'c', namespace: 'default', resourceVersion: rv },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      code: 409,
      details: { name: 'c', kind: 'configmaps' },
      message:
        'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    });
    // On a missing object the generic registry drops the version and creates it.
    expect(
      (await apply({ ...configMap('d'), metadata: { name: 'd', namespace: 'default', resourceVersion: '1' } })).status,
    ).toBe(201);
    const current = (await call('GET', pathOf(configMap('c')))).body.metadata.resourceVersion;
    expect(
      (
        await apply({
          ...configMap('c', { key: 'again' }),
          metadata: { name: 'c', namespace: 'default', resourceVersion: current },
        })
      ).status,
    ).toBe(200);
  });
});

describe('resourceVersion and generation (point 4)', () => {
  test('a no-op apply keeps resourceVersion and generation; spec bumps generation, metadata does not', async () => {
    await start({ builtinControllers: false });
    const first = await apply(deployment('web', 'default'));
    const again = await apply(deployment('web', 'default'));
    expect(again.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    expect(again.body.metadata.generation).toBe(1);
    const labelled = deployment('web', 'default');
    labelled.metadata.labels = { ...labelled.metadata.labels, extra: 'yes' };
    const meta = await apply(labelled);
    expect(meta.body.metadata.resourceVersion).not.toBe(first.body.metadata.resourceVersion);
    expect(meta.body.metadata.generation).toBe(1);
    const scaled = deployment('web', 'default', 3);
    scaled.metadata.labels = labelled.metadata.labels;
    expect((await apply(scaled)).body.metadata.generation).toBe(2);
  });
});

describe('asynchronous controllers (point 6)', () => {
  test('the deployment controller writes the revision annotation and status after the apply answered', async () => {
    await start({ controllerDelayMs: 300 });
    const created = await apply(deployment('web', 'default'));
    expect(created.body.metadata.annotations?.['deployment.kubernetes.io/revision']).toBeUndefined();
    const read = await call('GET', pathOf(deployment('web', 'default')));
    expect(read.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    // The phantom-change race: what a GET saw before is no longer what the server holds.
    const later = await until(async () => {
      const reply = await call('GET', pathOf(deployment('web', 'default')));
      return reply.body.status ? reply : undefined;
    });
    expect(later.body.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(Number(later.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
    expect(later.body.status).toMatchObject({ observedGeneration: 1, replicas: 1 });
    const controller = later.body.metadata.managedFields.filter((m: any) => m.manager === 'kube-controller-manager');
    expect(controller.map((m: any) => [m.operation, m.subresource])).toEqual([
      ['Update', undefined],
      ['Update', 'status'],
    ]);
    expect(controller[0].fieldsV1).toEqual({
      'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } },
    });
    // A re-apply of the same object is a no-op, the controller's annotation stays.
    const again = await apply(deployment('web', 'default'));
    expect(again.body.metadata.resourceVersion).toBe(later.body.metadata.resourceVersion);
  });
});

describe('LIST paging (point 7)', () => {
  test('limit and continue page through a list in key order, maxPageSize caps the page', async () => {
    await start({ maxPageSize: 2 });
    for (const name of ['e', 'a', 'd', 'c', 'b']) await apply(configMap(name));
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let listVersion: string | undefined;
    do {
      const page = await call(
        'GET',
        `/api/v1/namespaces/default/configmaps?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      listVersion ??= page.body.metadata.resourceVersion;
      expect(page.body.metadata.resourceVersion).toBe(listVersion);
      names.push(...page.body.items.map((i: any) => i.metadata.name));
      token = page.body.metadata.continue;
      if (token) expect(page.body.metadata.remainingItemCount).toBe(5 - names.length);
      pages++;
    } while (token);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages).toBe(3);
    // Without limit, everything at once, as the real server.
    expect((await call('GET', '/api/v1/namespaces/default/configmaps')).body.items).toHaveLength(5);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps?limit=1&continue=garbage')).status).toBe(400);
  });
});

describe('TLS, latency and counts for the bench (point 9)', () => {
  test('serves HTTPS with its own CA, a client certificate or a token, keep-alive, stated latency; counts by verb', async () => {
    await start({ tls: true, latencyMs: 30, tokens: new Set(['admin-token']) });
    const tls = server.certificates!;
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const config = parse(server.kubeconfig({ clientCertificate: true }));
    expect(config.clusters[0].cluster).toEqual({
      server: server.url,
      'certificate-authority-data': Buffer.from(tls.ca).toString('base64'),
    });
    expect(Object.keys(config.users[0].user)).toEqual(['client-certificate-data', 'client-key-data']);

    const agent = new https.Agent({ keepAlive: true, ca: tls.ca, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const get = (path: string, options: https.RequestOptions = {}) =>
      new Promise<{ status: number; ms: number }>((resolve, reject) => {
        const begin = Date.now();
        const req = https.request(`${server.url}${path}`, { agent, ...options }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, ms: Date.now() - begin }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get('/api/v1/namespaces')).status).toBe(401);
    const byCert = await get('/api/v1/namespaces', {
      cert: tls.clientCert,
      key: tls.clientKey,
      agent: new https.Agent({ ca: tls.ca }),
    });
    expect(byCert.status).toBe(200);
    const byToken = await get('/api/v1/namespaces/default', { headers: { Authorization: 'Bearer admin-token' } });
    expect(byToken.status).toBe(200);
    expect(byToken.ms).toBeGreaterThanOrEqual(29);
    await get('/api/v1/namespaces/default', { headers: { Authorization: 'Bearer admin-token' } });
    expect(sockets.size).toBe(2); // the cert's own agent, and one kept-alive socket for the rest
    agent.destroy();
    expect(server.requestsByVerb()).toEqual({ get: 2, list: 2 });
  });
});

describe('per-item ownership of lists with merge keys (point 3)', () => {
  const pod = (containers: unknown[]): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  });
  const web = (image: string) => ({
    name: 'web',
    image,
    ports: [{ name: 'http', containerPort: 8080 }],
    env: [{ name: 'A', value: '1' }],
  });
  const sidecar = (image: string) => ({ name: 'sidecar', image });

  test('managers own containers by name: managedFields with k: keys, merged lists, conflicts on one item only', async () => {
    await start({ builtinControllers: false });
    expect((await apply(pod([web('web:1')]), 'engine')).status).toBe(201);
    expect((await apply(pod([sidecar('side:1')]), 'mesh')).status).toBe(200);
    const both = (await call('GET', pathOf(pod([])))).body;
    expect(both.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['web', 'sidecar']);
    expect(both.spec.template.spec.containers[0].ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
    ]);
    const engine = both.metadata.managedFields.find((m: any) => m.manager === 'engine');
    expect(engine).toMatchObject({ operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(engine.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const containers = engine.fieldsV1['f:spec']['f:template']['f:spec']['f:containers'];
    expect(Object.keys(containers)).toEqual(['k:{"name":"web"}']);
    expect(containers['k:{"name":"web"}']).toEqual({
      '.': {},
      'f:name': {},
      'f:image': {},
      'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:containerPort': {} } },
      'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
    });

    // The engine changes its own container: no conflict with the sidecar's manager.
    expect((await apply(pod([web('web:2')]), 'engine')).status).toBe(200);
    // The engine touching the sidecar's image conflicts on that one field, named with the item's key.
    const taken = await apply(pod([web('web:2'), sidecar('side:2')]), 'engine');
    expect(taken.status).toBe(409);
    expect(taken.body.message).toBe(
      'Apply failed with 1 conflict: conflict with "mesh" using apps/v1: .spec.template.spec.containers[name="sidecar"].image',
    );
    expect(taken.body.details.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "mesh" using apps/v1',
        field: '.spec.template.spec.containers[name="sidecar"].image',
      },
    ]);

    // Dropping its container removes it; the sidecar stays.
    const dropped = await apply(pod([]), 'engine');
    expect(dropped.body.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['sidecar']);
  });

  test('conflicts with several fields are worded as kube-apiserver words them, Update managers with their time', async () => {
    await start({ builtinControllers: false });
    server.seed(deployment('web', 'default', 2), { manager: 'kubectl-edit' });
    const seeded = server.object('apps/v1', 'Deployment', 'web', 'default')!;
    const mine = deployment('web', 'default', 3);
    (mine.spec as any).template.spec.containers[0].image = 'example/web:v2';
    const reply = await apply(mine);
    expect(reply.status).toBe(409);
    const at = (seeded.metadata.managedFields as Array<{ time: string }>)[0].time;
    expect(reply.body.message).toBe(
      `Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1 at ${at}:\n` +
        '- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
    expect(reply.body.details.causes.map((c: any) => c.field)).toEqual([
      '.spec.replicas',
      '.spec.template.spec.containers[name="web"].image',
    ]);
    expect((await apply(mine, 'workshop-stacks', '&force=true')).status).toBe(200);
  });

  test('Service ports are owned by port and protocol', async () => {
    await start();
    await apply(service('web', 'default'));
    const extra = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { ports: [{ name: 'metrics', port: 9090 }] },
    };
    const merged = await apply(extra, 'monitoring');
    expect(merged.body.spec.ports.map((p: any) => p.port)).toEqual([80, 9090]);
    const owner = merged.body.metadata.managedFields.find((m: any) => m.manager === 'monitoring');
    expect(Object.keys(owner.fieldsV1['f:spec']['f:ports'])).toEqual(['k:{"port":9090,"protocol":"TCP"}']);
  });
});

describe('deletion (point 5)', () => {
  test('an object with finalizers stays with a deletionTimestamp until its finalizers are gone', async () => {
    await start();
    const guarded = {
      ...configMap('kept'),
      metadata: { name: 'kept', namespace: 'default', finalizers: ['example.com/guard'] },
    };
    await apply(guarded);
    const deleted = await call('DELETE', pathOf(guarded));
    expect(deleted.status).toBe(200);
    expect(deleted.body.metadata.deletionTimestamp).toBeDefined();
    expect((await call('GET', pathOf(guarded))).body.metadata.deletionTimestamp).toBeDefined();
    // The manager that set the finalizer applies without it: the object goes.
    await apply(configMap('kept'));
    expect((await call('GET', pathOf(guarded))).status).toBe(404);
  });

  test("removeFinalizers, as the finalizer's controller would, lets an object being deleted go", async () => {
    await start();
    const guarded = {
      ...configMap('held'),
      metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/guard'] },
    };
    await apply(guarded);
    expect((await call('DELETE', pathOf(guarded))).status).toBe(200);
    expect(server.object('v1', 'ConfigMap', 'held', 'default')?.metadata.deletionTimestamp).toBeDefined();
    server.removeFinalizers('v1', 'ConfigMap', 'held', 'default');
    expect(server.object('v1', 'ConfigMap', 'held', 'default')).toBeUndefined();
    expect((await call('GET', pathOf(guarded))).status).toBe(404);
  });

  test('a Namespace terminates: 403 on new content, 409 on a second DELETE, gone after its contents', async () => {
    await start({ namespaceDeletionMs: 200 });
    const ns = namespace('shop');
    await apply(ns);
    await apply({ ...configMap('settings'), metadata: { name: 'settings', namespace: 'shop' } });
    const deleted = await call('DELETE', pathOf(ns));
    expect(deleted.status).toBe(200);
    expect(deleted.body.status.phase).toBe('Terminating');
    expect(deleted.body.metadata.deletionTimestamp).toBeDefined();
    expect(deleted.body.spec.finalizers).toEqual(['kubernetes']);

    const created = await apply({ ...configMap('new'), metadata: { name: 'new', namespace: 'shop' } });
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message:
        'configmaps "new" is forbidden: unable to create new content in namespace shop because it is being terminated',
      details: {
        name: 'new',
        kind: 'configmaps',
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: 'namespace shop is being terminated',
            field: 'metadata.namespace',
          },
        ],
      },
    });
    // Updates of what is there still work, and re-applying the namespace leaves it Terminating.
    expect(
      (await apply({ ...configMap('settings', { key: 'v2' }), metadata: { name: 'settings', namespace: 'shop' } }))
        .status,
    ).toBe(200);
    const reapplied = await apply(ns);
    expect(reapplied.status).toBe(200);
    expect(reapplied.body.status.phase).toBe('Terminating');
    expect((await call('DELETE', pathOf(ns))).status).toBe(409);

    await until(async () => ((await call('GET', pathOf(ns))).status === 404 ? true : undefined));
    expect((await call('GET', '/api/v1/namespaces/shop/configmaps')).body.items).toEqual([]);
    // Apply right after: a new namespace.
    expect((await apply(ns)).status).toBe(201);
  });
});

describe('authorizer (point 8)', () => {
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  test('a limited token works in its namespaces and gets the real 403 elsewhere', async () => {
    await start({
      tokens: new Set(['admin', 'alice']),
      grants: { alice: { user: 'system:serviceaccount:alice:attendee', namespaces: ['alice'] } },
    });
    for (const ns of ['alice', 'bob'])
      await call('PATCH', `/api/v1/namespaces/${ns}?fieldManager=t`, namespace(ns), as('admin'));
    const mine = { ...configMap('c'), metadata: { name: 'c', namespace: 'alice' } };
    expect(
      (await call('PATCH', '/api/v1/namespaces/alice/configmaps/c?fieldManager=t', mine, as('alice'))).status,
    ).toBe(201);
    const list = await call('GET', '/apis/apps/v1/namespaces/bob/deployments', undefined, as('alice'));
    expect(list.status).toBe(403);
    expect(list.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      details: { group: 'apps', kind: 'deployments' },
      message:
        'deployments.apps is forbidden: User "system:serviceaccount:alice:attendee" cannot list resource "deployments" in API group "apps" in the namespace "bob"',
    });
    const theirs = { ...configMap('c'), metadata: { name: 'c', namespace: 'bob' } };
    expect(
      (await call('PATCH', '/api/v1/namespaces/bob/configmaps/c?fieldManager=t', theirs, as('alice'))).body.message,
    ).toBe(
      'configmaps "c" is forbidden: User "system:serviceaccount:alice:attendee" cannot patch resource "configmaps" in API group "" in the namespace "bob"',
    );
    expect((await call('GET', '/api/v1/configmaps', undefined, as('alice'))).body.message).toBe(
      'configmaps is forbidden: User "system:serviceaccount:alice:attendee" cannot list resource "configmaps" in API group "" at the cluster scope',
    );
    expect((await call('GET', '/api/v1/configmaps', undefined, as('admin'))).status).toBe(200);
    expect((await call('GET', '/apis/apps/v1', undefined, as('alice'))).status).toBe(200); // discovery is for everyone
  });

  test('a token from TokenRequest is allowed in its ServiceAccount’s namespace only', async () => {
    await start();
    await apply(namespace('alice'));
    await apply(namespace('bob'));
    await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'attendee', namespace: 'alice' } });
    const issued = await call(
      'POST',
      '/api/v1/namespaces/alice/serviceaccounts/attendee/token',
      JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      }),
      { 'Content-Type': 'application/json' },
    );
    const token = issued.body.status.token;
    expect((await call('GET', '/api/v1/namespaces/alice/configmaps', undefined, as(token))).status).toBe(200);
    const other = await call('GET', '/api/v1/namespaces/bob/configmaps', undefined, as(token));
    expect(other.status).toBe(403);
    expect(other.body.message).toContain(
      'User "system:serviceaccount:alice:attendee" cannot list resource "configmaps"',
    );
  });
});

describe('controller races on demand (point 6)', () => {
  test('onRequest and runControllers make a controller write land at a chosen request', async () => {
    await start({ controllerDelayMs: 60_000 });
    await apply(deployment('web', 'default'));
    const before = await call('GET', pathOf(deployment('web', 'default')));
    server.onRequest((req) => {
      if (req.query.dryRun) server.runControllers();
    });
    const dryRun = await apply(deployment('web', 'default'), 'workshop-stacks', '&dryRun=All');
    expect(before.body.metadata.annotations).toBeUndefined();
    expect(dryRun.body.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
  });
});
