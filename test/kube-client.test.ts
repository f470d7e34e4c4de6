import { spawn } from 'child_process';
import { ObjectRef, identityKey, refOf } from '../src/manifest';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo, Socket, connect } from 'net';
import * as os from 'os';
import * as path from 'path';
import { TLSSocket } from 'tls';
import { stringify } from 'yaml';
import { ConnectionError, KubeApiError, LiveObjects, immutableFields } from '../src/apply/kube-api';
import { limiter, mapLimit } from '../src/apply/concurrency';
import { isRetryable } from '../src/apply/retry';
import { ClusterClient, createKubeClient } from '../src/apply/http-kube-client';
import { FAST_RETRY, configMap, deployment, namespace } from './support/cluster';
import { tokenFilePluginKubeconfig } from './support/credential-plugin';
import { FakeApiServer, FakeCertificates } from './support/fake-apiserver';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-client-test-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The fake API server's TLS certificates: a CA, a server certificate for 127.0.0.1, a client certificate (CN `admin`). */
async function certificates(): Promise<FakeCertificates> {
  const fake = await FakeApiServer.start({ tls: true });
  await fake.close();
  return fake.certificates!;
}

/**
 * A minimal API server for ConfigMaps in namespace `ns` (discovery and GET) that counts the connections
 * it accepts (TLS handshakes on https) and answers each request after a few milliseconds, so that
 * requests overlap. It does not keep the client's connections open for it: any reuse is the client's.
 */
class TinyApiServer {
  connections = 0;
  readonly requests: Array<{ method: string; url: string; user?: string; authorization?: string }> = [];
  readonly server: http.Server;

  constructor(tls?: https.ServerOptions) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket as TLSSocket;
      this.requests.push({
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
        user: tls ? String(socket.getPeerCertificate().subject?.CN) : undefined,
      });
      setTimeout(() => this.answer(req, res), 3);
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.server.on(tls ? 'secureConnection' : 'connection', () => {
      this.connections++;
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, 'http://x');
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v1') {
      json(200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }],
      });
    } else if (url.pathname.startsWith('/api/v1/namespaces/ns/configmaps/')) {
      json(200, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: path.basename(url.pathname), namespace: 'ns' },
      });
    } else {
      json(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    }
  }
}

function writeKubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }),
  );
  return file;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('an exec credential plugin', () => {
  const get = (client: ClusterClient, name: string) =>
    client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'default' });

  test('runs once for the run, as client-go keeps its credential, not once per request', async () => {
    const server = await FakeApiServer.start({ tokens: new Set(['plugin-token']) });
    try {
      const plugin = tokenFilePluginKubeconfig(server, dir, 'plugin-token');
      const client = await createKubeClient({ kubeconfig: plugin.kubeconfig, retry: FAST_RETRY });
      await mapLimit(
        Array.from({ length: 20 }, (_, i) => `cm-${i}`),
        4,
        (name) => get(client, name),
      );
      expect(server.requests.length).toBeGreaterThan(20);
      expect(server.requests.every((r) => r.authorization === 'Bearer plugin-token')).toBe(true);
      expect(plugin.runs()).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('its credential is asked for again after five minutes, so that one whose expiry came is renewed', async () => {
    const server = await FakeApiServer.start({ tokens: new Set(['plugin-token']) });
    const now = jest.spyOn(Date, 'now');
    try {
      const plugin = tokenFilePluginKubeconfig(server, dir, 'plugin-token');
      const client = await createKubeClient({ kubeconfig: plugin.kubeconfig, retry: FAST_RETRY });
      await get(client, 'first');
      await get(client, 'soon-after');
      expect(plugin.runs()).toBe(1);
      const later = Date.now() + 5 * 60_000 + 1;
      now.mockImplementation(() => later);
      await get(client, 'later');
      expect(plugin.runs()).toBe(2);
    } finally {
      now.mockRestore();
      await server.close();
    }
  });

  test('a 401 has the plugin asked again, once, and the request sent again with the new credential', async () => {
    const tokens = new Set(['old-token']);
    const server = await FakeApiServer.start({ tokens });
    try {
      const plugin = tokenFilePluginKubeconfig(server, dir, 'old-token');
      const client = await createKubeClient({ kubeconfig: plugin.kubeconfig, retry: FAST_RETRY });
      expect(await get(client, 'before')).toBeUndefined();
      // The credential expires (or is revoked); the plugin now gives another.
      tokens.delete('old-token');
      tokens.add('new-token');
      plugin.setToken('new-token');
      server.clearRequests();
      expect(await get(client, 'after')).toBeUndefined();
      expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer old-token', 'Bearer new-token']);
      expect(plugin.runs()).toBe(2);
      // A credential the server refuses still fails, after that one new try.
      tokens.clear();
      await expect(get(client, 'refused')).rejects.toThrow(/401/);
      expect(plugin.runs()).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe('connections', () => {
  test('over TLS: the kubeconfig’s CA and client certificate, and no more connections than requests in flight', async () => {
    const certs = await certificates();
    const server = await new TinyApiServer({
      key: certs.serverKey,
      cert: certs.serverCert,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    }).listen();
    try {
      const kubeconfig = writeKubeconfig(
        'tls.kubeconfig',
        { server: `https://127.0.0.1:${server.port}`, 'certificate-authority-data': b64(certs.ca) },
        { 'client-certificate-data': b64(certs.clientCert), 'client-key-data': b64(certs.clientKey) },
      );
      // Static credentials: client-node resolves them (CA, certificate, key) once, not for each request.
      const k8s = await import('@kubernetes/client-node');
      const resolve = jest.spyOn(k8s.KubeConfig.prototype, 'applyToHTTPSOptions');
      const client = await createKubeClient({ kubeconfig, maxConnections: 8 });
      const names = Array.from({ length: 300 }, (_, i) => `cm-${i}`);
      const got = await mapLimit(names, 8, (name) =>
        client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'ns' }),
      );
      expect(got.map((o) => o?.metadata.name)).toEqual(names);
      // Every request came with the client certificate (the server requires it) over at most 8 handshakes.
      expect(server.requests).toHaveLength(301);
      expect(server.requests.every((r) => r.user === 'admin')).toBe(true);
      expect(server.connections).toBeGreaterThan(0);
      expect(server.connections).toBeLessThanOrEqual(8);
      expect(resolve).toHaveBeenCalledTimes(1);
      resolve.mockRestore();
    } finally {
      await server.close();
    }
  });

  test('a server whose certificate the kubeconfig’s CA did not sign is refused, not retried into success', async () => {
    const certs = await certificates();
    const server = await new TinyApiServer({ key: certs.serverKey, cert: certs.serverCert }).listen();
    try {
      // The client certificate as the only trusted "CA": it did not sign the server's.
      const kubeconfig = writeKubeconfig(
        'wrong-ca.kubeconfig',
        { server: `https://127.0.0.1:${server.port}`, 'certificate-authority-data': b64(certs.clientCert) },
        { token: 't' },
      );
      const onRetry = jest.fn();
      const client = await createKubeClient({ kubeconfig, retry: { onRetry, sleep: async () => {} } });
      await expect(client.resourceFor('v1', 'ConfigMap')).rejects.toThrow(/certificate/);
      expect(server.requests).toEqual([]);
      // One attempt: a TLS error is not worth another.
      expect(onRetry).not.toHaveBeenCalled();
    } finally {
      await server.close();
    }
  });

  test('over plain HTTP (insecure-skip-tls-verify): a bearer token, and connections reused the same way', async () => {
    const server = await new TinyApiServer().listen();
    try {
      const kubeconfig = writeKubeconfig(
        'http.kubeconfig',
        { server: `http://127.0.0.1:${server.port}`, 'insecure-skip-tls-verify': true },
        { token: 'secret-token' },
      );
      const client = await createKubeClient({ kubeconfig, maxConnections: 4 });
      await mapLimit(
        Array.from({ length: 200 }, (_, i) => `cm-${i}`),
        4,
        (name) => client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'ns' }),
      );
      expect(server.requests.every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
      expect(server.connections).toBeLessThanOrEqual(4);
    } finally {
      await server.close();
    }
  });
});

/**
 * Runs `body` against a fresh fake API server that holds namespace `ns` and what `seed` adds, with a
 * client whose discovery of ConfigMaps is done and no request recorded yet.
 */
async function withFake(
  seed: (fake: FakeApiServer) => void,
  body: (fake: FakeApiServer, client: ClusterClient) => Promise<void>,
): Promise<void> {
  const fake = await FakeApiServer.start();
  try {
    fake.seed(namespace('ns'));
    seed(fake);
    const client = await createKubeClient({ kubeconfig: fake.writeKubeconfig(dir), retry: FAST_RETRY });
    await client.resourceFor('v1', 'ConfigMap');
    fake.clearRequests();
    await body(fake, client);
  } finally {
    await fake.close();
  }
}

test('list reads every page (limit and continue) and gives each item its apiVersion and kind', async () => {
  const names = Array.from({ length: 1234 }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
  await withFake(
    (fake) => names.forEach((name) => fake.seed(configMap(name, 'ns'))),
    async (fake, client) => {
      const items = await client.list('v1', 'ConfigMap', { namespace: 'ns' });
      expect(items.map((i) => i.metadata.name).sort()).toEqual(names);
      expect(items.every((i) => i.apiVersion === 'v1' && i.kind === 'ConfigMap')).toBe(true);
      expect(fake.requests.map((r) => [r.path, r.query.limit, Boolean(r.query.continue)])).toEqual([
        ['/api/v1/namespaces/ns/configmaps', '500', false],
        ['/api/v1/namespaces/ns/configmaps', '500', true],
        ['/api/v1/namespaces/ns/configmaps', '500', true],
      ]);
    },
  );
});

test('list reads again in one piece when a continue token expired (410 Gone), as client-go does', async () => {
  await withFake(
    (fake) => {
      for (let i = 0; i < 600; i++) fake.seed(configMap(`cm-${i}`, 'ns'));
    },
    async (fake, client) => {
      // A server whose continue token has expired by the second page.
      fake.route('GET', /\/namespaces\/ns\/configmaps$/, (req, server) => {
        const all = server.objects('ConfigMap');
        if (req.query.continue)
          return {
            status: 410,
            body: {
              kind: 'Status',
              status: 'Failure',
              reason: 'Expired',
              code: 410,
              message: 'The provided continuation parameter is too old',
            },
          };
        if (req.query.limit)
          return {
            status: 200,
            body: {
              kind: 'ConfigMapList',
              metadata: { continue: 'token' },
              items: all.slice(0, Number(req.query.limit)),
            },
          };
        return { status: 200, body: { kind: 'ConfigMapList', metadata: {}, items: all } };
      });
      const items = await client.list('v1', 'ConfigMap', { namespace: 'ns' });
      expect(items).toHaveLength(600);
      expect(fake.requests.map((r) => [r.query.limit, r.query.continue])).toEqual([
        ['500', undefined],
        ['500', 'token'],
        [undefined, undefined],
      ]);
    },
  );
});

test('isRetryable: a request that is not idempotent only when it provably did not reach the server', () => {
  const dropped = new ConnectionError('GET /x: socket hang up', 'ECONNRESET', true);
  const refused = new ConnectionError('POST /x: connect ECONNREFUSED', 'ECONNREFUSED', false);
  const tls = new ConnectionError(
    'GET /x: unable to verify the first certificate',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    true,
  );
  const api = (code: number) => new KubeApiError(code, { reason: 'X' }, 'POST /x');
  expect([dropped, refused, tls, api(429), api(500)].map((e) => isRetryable(e))).toEqual([
    true,
    true,
    false,
    true,
    true,
  ]);
  expect([dropped, refused, tls, api(429), api(500)].map((e) => isRetryable(e, false))).toEqual([
    false,
    true,
    false,
    true,
    false,
  ]);
  // Errors while resolving credentials (an OIDC refresh, an exec plugin), by the code on their cause chain.
  expect(isRetryable(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), false)).toBe(true);
  expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), false)).toBe(false);
  const refreshFailed = new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });
  expect([isRetryable(refreshFailed), isRetryable(refreshFailed, false)]).toEqual([true, true]);
  expect(
    isRetryable(
      new Error('exec: executable aws not found', {
        cause: Object.assign(new Error('spawn aws ENOENT'), { code: 'ENOENT' }),
      }),
    ),
  ).toBe(false);
});

test('a server that does not take the connection: not reached, so even a POST may be sent again', async () => {
  // A listener whose process never accepts: once its backlog is full, further connections hang.
  const child = spawn(process.execPath, [
    '-e',
    `
    const s = require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000), 50);
    });`,
  ]);
  const fillers: Socket[] = [];
  try {
    const port = Number(
      await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString()))),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const kubeconfig = writeKubeconfig(
      'stuck.kubeconfig',
      { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true },
      { token: 't' },
    );
    const client = await createKubeClient({
      kubeconfig,
      connectTimeoutMs: 300,
      requestTimeoutMs: 5000,
      retry: { retries: 0 },
    });
    const error = await client
      .requestToken({ namespace: 'ns', name: 'sa' }, { expirationSeconds: 600 })
      .catch((e) => e);
    expect(error).toMatchObject({
      code: 'ETIMEDOUT',
      mayHaveReachedServer: false,
      message: expect.stringContaining('no connection within 300 ms'),
    });
    expect(isRetryable(error, false)).toBe(true);
  } finally {
    fillers.forEach((f) => f.destroy());
    child.kill();
  }
});

describe('retries', () => {
  let fake: FakeApiServer;
  beforeEach(async () => {
    fake = await FakeApiServer.start();
    fake.seed(namespace('ns'));
    fake.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'ns' } });
    fake.clearRequests();
  });
  afterEach(() => fake.close());

  const token = async (client: Awaited<ReturnType<typeof createKubeClient>>) =>
    client.requestToken({ namespace: 'ns', name: 'sa' }, { expirationSeconds: 600 });
  const posts = () => fake.requests.filter((r) => r.method === 'POST');

  test('a TokenRequest whose connection drops after the server received it is not sent again', async () => {
    const client = await createKubeClient({ kubeconfig: fake.writeKubeconfig(dir), retry: FAST_RETRY });
    fake.inject({ method: 'POST', reset: true });
    const error = await token(client).catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.mayHaveReachedServer).toBe(true);
    expect(posts()).toHaveLength(1);
    // A 500 may come after the token was minted: not retried either.
    fake.inject({ method: 'POST', status: 500 });
    await expect(token(client)).rejects.toThrow(/500/);
    expect(posts()).toHaveLength(2);
  });

  test('a TokenRequest the server refused with 429 is sent again', async () => {
    const client = await createKubeClient({
      kubeconfig: fake.writeKubeconfig(dir),
      retry: { ...FAST_RETRY, maxDelayMs: 1 },
    });
    fake.inject({ method: 'POST', status: 429 });
    expect((await token(client)).token).toBeTruthy();
    expect(posts()).toHaveLength(2);
    expect(fake.issuedTokens).toHaveLength(1);
  });

  test('idempotent requests are sent again after a dropped connection', async () => {
    const client = await createKubeClient({ kubeconfig: fake.writeKubeconfig(dir), retry: FAST_RETRY });
    await client.resourceFor('v1', 'ServiceAccount');
    fake.clearRequests();
    fake.inject({ method: 'GET', path: '/serviceaccounts/sa', reset: true });
    expect(await client.get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'sa', namespace: 'ns' })).toBeDefined();
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/namespaces/ns/serviceaccounts/sa',
      'GET /api/v1/namespaces/ns/serviceaccounts/sa',
    ]);
  });

  test('a TokenRequest whose connection was refused is sent again: it never reached the server', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const kubeconfig = writeKubeconfig(
      'refused.kubeconfig',
      { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true },
      { token: 't' },
    );
    let late: TinyApiServer | undefined;
    const errors: unknown[] = [];
    const client = await createKubeClient({
      kubeconfig,
      retry: {
        retries: 1,
        onRetry: (error) => errors.push(error),
        // The server comes up while the client waits to try again.
        sleep: async () => {
          late = await new TinyApiServer().listen(port);
        },
      },
    });
    try {
      // TinyApiServer answers the token path with 404: what matters is that the POST reached it on the second try.
      await expect(client.requestToken({ namespace: 'ns', name: 'sa' }, { expirationSeconds: 600 })).rejects.toThrow(
        KubeApiError,
      );
      expect(errors).toEqual([expect.objectContaining({ code: 'ECONNREFUSED', mayHaveReachedServer: false })]);
      expect(late!.requests.map((r) => r.method)).toEqual(['POST']);
    } finally {
      await late?.close();
    }
  });
});

test('immutableFields names the fields of an immutable-field 422, and nothing for other errors', () => {
  const invalid = new KubeApiError(
    422,
    {
      kind: 'Status',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      message:
        'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{...}: field is immutable',
      details: {
        name: 'web',
        group: 'apps',
        kind: 'Deployment',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: v1.LabelSelector{...}: field is immutable',
            field: 'spec.selector',
          },
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: 0: must be greater than or equal to 0',
            field: 'spec.replicas',
          },
        ],
      },
    },
    'PATCH /apis/apps/v1/namespaces/ns/deployments/web',
  );
  expect(invalid.causes[0].reason).toBe('FieldValueInvalid');
  expect(immutableFields(invalid)).toEqual(['spec.selector']);
  expect(
    immutableFields(
      new KubeApiError(
        409,
        { reason: 'Conflict', details: { causes: [{ field: 'x', message: 'field is immutable' }] } },
        'PATCH /x',
      ),
    ),
  ).toEqual([]);
  expect(immutableFields(new Error('field is immutable'))).toEqual([]);
});

describe('mapLimit', () => {
  test('13,000 items: never more than the limit in flight, results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 13_000 }, (_, i) => i);
    const results = await mapLimit(items, 16, async (i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return i * 2;
    });
    expect(most).toBe(16);
    expect(results).toEqual(items.map((i) => i * 2));
  });

  test('after a failure no new call starts, and the failure rejects', async () => {
    const started: number[] = [];
    await expect(
      mapLimit(
        Array.from({ length: 100 }, (_, i) => i),
        4,
        async (i) => {
          started.push(i);
          await new Promise((resolve) => setImmediate(resolve));
          if (i === 5) throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(Math.max(...started)).toBeLessThan(10);
  });

  test('the failure rejects only once the calls in flight have ended, with the first error', async () => {
    const ended: number[] = [];
    const failing = mapLimit([0, 1, 2, 3], 4, async (i) => {
      if (i === 0) throw new Error('first');
      await new Promise((resolve) => setTimeout(resolve, 20 * i));
      ended.push(i);
      if (i === 2) throw new Error('second');
    });
    await expect(failing).rejects.toThrow('first');
    expect(ended).toEqual([1, 2, 3]);
  });
});

describe('limiter', () => {
  test('callers that fan out on their own still share the limit; a failed call frees its slot; every call runs', async () => {
    const run = limiter(3);
    let inFlight = 0;
    let most = 0;
    const call = (i: number) =>
      run(async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        if (i % 7 === 0) throw new Error(`boom ${i}`);
        return i;
      });
    // Ten callers with ten calls each, all at once.
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, c) => Promise.allSettled(Array.from({ length: 10 }, (_, k) => call(c * 10 + k)))),
    );
    expect(most).toBe(3);
    const flat = outcomes.flat();
    expect(flat.filter((o) => o.status === 'rejected')).toHaveLength(15);
    expect(flat.filter((o) => o.status === 'fulfilled').map((o) => o.value)).toHaveLength(85);
  });
});

test('LiveObjects: one LIST per kind for objects in many namespaces, with the label selector', async () => {
  const labelled = (name: string, ns: string) => ({
    ...configMap(name, ns),
    metadata: { name, namespace: ns, labels: { team: 'a' } },
  });
  let ours: ObjectRef[] = [];
  let foreign: ObjectRef;
  await withFake(
    (fake) => {
      fake.seed(namespace('b'));
      ours = [fake.seed(labelled('one', 'ns')), fake.seed(labelled('two', 'b'))].map(refOf);
      foreign = refOf(fake.seed(configMap('three', 'b')));
    },
    async (fake, client) => {
      const live = await new LiveObjects(client, { labelSelector: 'team=a' }).of([...ours, foreign]);
      expect([...live.keys()].sort()).toEqual(ours.map(identityKey).sort());
      expect(fake.requests.map((r) => [r.path, r.query.labelSelector])).toEqual([['/api/v1/configmaps', 'team=a']]);
    },
  );
});

test('LiveObjects: after cluster-wide 403s, the LISTs per kind and namespace stay within its concurrency together', async () => {
  let inFlight = 0;
  let most = 0;
  const lists: string[] = [];
  // An attendee's credentials: no cluster-wide LIST, one per namespace, each answered a little later.
  const client = {
    list: async (_apiVersion: string, kind: string, options: { namespace?: string }) => {
      if (!options.namespace) throw new KubeApiError(403, { reason: 'Forbidden', message: 'forbidden' }, `GET ${kind}`);
      lists.push(`${kind} ${options.namespace}`);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return [];
    },
  } as unknown as ClusterClient;
  const kinds = ['ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Role', 'RoleBinding'];
  const refs = kinds.flatMap((kind) =>
    Array.from({ length: 6 }, (_, i) => ({ apiVersion: 'v1', kind, name: 'x', namespace: `ns${i}` })),
  );
  await new LiveObjects(client, { concurrency: 4 }).of(refs);
  expect(lists).toHaveLength(36);
  expect(most).toBe(4);
});

test('immutableFields reads the fake API server’s 422 for a changed Deployment selector, as kube-apiserver words it', async () => {
  await withFake(
    () => undefined,
    async (_fake, client) => {
      const web = deployment('web', 'ns');
      await client.apply(web, { fieldManager: 'test' });
      const changed = JSON.parse(JSON.stringify(web));
      changed.spec.selector.matchLabels = { app: 'web', tier: 'front' };
      changed.spec.template.metadata.labels = { app: 'web', tier: 'front' };
      const error = await client.apply(changed, { fieldManager: 'test' }).catch((e) => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect(immutableFields(error)).toEqual(['spec.selector']);
    },
  );
});
