import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { TLSSocket } from 'tls';
import { stringify } from 'yaml';
import { ConnectionError, KubeApiError, immutableFields } from '../src/apply/client';
import { mapLimit } from '../src/apply/concurrency';
import { createKubeClient } from '../src/apply/kube-client';
import { FAST_RETRY, namespace } from './support/cluster';
import { FakeApiServer } from './support/fake-apiserver';

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-client-test-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A CA, a server certificate for 127.0.0.1 and a client certificate (CN `admin`), made for this run. */
function certificates(): Record<'ca' | 'serverKey' | 'serverCert' | 'clientKey' | 'clientCert', string> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...newKey, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-subj', '/CN=test-ca', '-days', '1');
  fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [['server', '127.0.0.1', ['-extfile', file('server.ext')]], ['client', 'admin', []]] as const) {
    openssl('req', ...newKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '1', ...ext);
  }
  const read = (name: string) => fs.readFileSync(file(name), 'utf8');
  return { ca: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

const CONFIGMAPS = 1234;

/**
 * A minimal API server for ConfigMaps in namespace `ns`: discovery, GET, and LIST in pages as the real
 * one answers (`limit`, `continue`, items without apiVersion/kind). It counts the connections it accepts
 * (TLS handshakes on https) and answers each request after a few milliseconds, so requests overlap.
 */
class TinyApiServer {
  connections = 0;
  readonly requests: Array<{ method: string; url: string; user?: string; authorization?: string }> = [];
  readonly server: http.Server;

  constructor(tls?: https.ServerOptions) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket as TLSSocket;
      this.requests.push({
        method: req.method!, url: req.url!, authorization: req.headers.authorization,
        user: tls ? socket.getPeerCertificate().subject?.CN : undefined,
      });
      setTimeout(() => this.answer(req, res), 3);
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.server.on(tls ? 'secureConnection' : 'connection', () => { this.connections++; });
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
      json(200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }] });
    } else if (url.pathname === '/api/v1/namespaces/ns/configmaps') {
      const limit = Number(url.searchParams.get('limit') ?? CONFIGMAPS);
      const start = Number(url.searchParams.get('continue') ?? 0);
      const end = Math.min(CONFIGMAPS, start + limit);
      const items = Array.from({ length: end - start }, (_, i) => ({ metadata: { name: `cm-${start + i}`, namespace: 'ns' } }));
      json(200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: end < CONFIGMAPS ? { continue: String(end), remainingItemCount: CONFIGMAPS - end } : {}, items });
    } else if (url.pathname.startsWith('/api/v1/namespaces/ns/configmaps/')) {
      json(200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: path.basename(url.pathname), namespace: 'ns' } });
    } else {
      json(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    }
  }
}

function writeKubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster }], users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  }));
  return file;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('connections', () => {
  test('over TLS: the kubeconfig’s CA and client certificate, and no more connections than requests in flight', async () => {
    const certs = certificates();
    const server = await new TinyApiServer({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true }).listen();
    try {
      const kubeconfig = writeKubeconfig('tls.kubeconfig',
        { 'server': `https://127.0.0.1:${server.port}`, 'certificate-authority-data': b64(certs.ca) },
        { 'client-certificate-data': b64(certs.clientCert), 'client-key-data': b64(certs.clientKey) });
      const client = await createKubeClient({ kubeconfig, maxConnections: 8 });
      const names = Array.from({ length: 300 }, (_, i) => `cm-${i}`);
      const got = await mapLimit(names, 8, (name) => client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'ns' }));
      expect(got.map((o) => o?.metadata.name)).toEqual(names);
      // Every request came with the client certificate (the server requires it) over at most 8 handshakes.
      expect(server.requests).toHaveLength(301);
      expect(server.requests.every((r) => r.user === 'admin')).toBe(true);
      expect(server.connections).toBeGreaterThan(0);
      expect(server.connections).toBeLessThanOrEqual(8);
    } finally {
      await server.close();
    }
  });

  test('a server whose certificate the kubeconfig’s CA did not sign is refused, not retried into success', async () => {
    const certs = certificates();
    const other = certificates(); // a new CA
    const server = await new TinyApiServer({ key: certs.serverKey, cert: certs.serverCert }).listen();
    try {
      const kubeconfig = writeKubeconfig('wrong-ca.kubeconfig',
        { 'server': `https://127.0.0.1:${server.port}`, 'certificate-authority-data': b64(other.ca) }, { token: 't' });
      const client = await createKubeClient({ kubeconfig });
      await expect(client.resourceFor('v1', 'ConfigMap')).rejects.toThrow(/certificate/);
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('over plain HTTP (insecure-skip-tls-verify): a bearer token, and connections reused the same way', async () => {
    const server = await new TinyApiServer().listen();
    try {
      const kubeconfig = writeKubeconfig('http.kubeconfig', { 'server': `http://127.0.0.1:${server.port}`, 'insecure-skip-tls-verify': true }, { token: 'secret-token' });
      const client = await createKubeClient({ kubeconfig, maxConnections: 4 });
      await mapLimit(Array.from({ length: 200 }, (_, i) => `cm-${i}`), 4, (name) => client.get({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'ns' }));
      expect(server.requests.every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
      expect(server.connections).toBeLessThanOrEqual(4);
    } finally {
      await server.close();
    }
  });
});

test('list reads every page (limit and continue) and gives each item its apiVersion and kind', async () => {
  const server = await new TinyApiServer().listen();
  try {
    const kubeconfig = writeKubeconfig('list.kubeconfig', { 'server': `http://127.0.0.1:${server.port}`, 'insecure-skip-tls-verify': true }, { token: 't' });
    const client = await createKubeClient({ kubeconfig });
    const items = await client.list('v1', 'ConfigMap', { namespace: 'ns' });
    expect(items.map((i) => i.metadata.name)).toEqual(Array.from({ length: CONFIGMAPS }, (_, i) => `cm-${i}`));
    expect(items.every((i) => i.apiVersion === 'v1' && i.kind === 'ConfigMap')).toBe(true);
    const lists = server.requests.filter((r) => r.url.startsWith('/api/v1/namespaces/ns/configmaps'));
    expect(lists.map((r) => r.url)).toEqual([
      '/api/v1/namespaces/ns/configmaps?limit=500',
      '/api/v1/namespaces/ns/configmaps?limit=500&continue=500',
      '/api/v1/namespaces/ns/configmaps?limit=500&continue=1000',
    ]);
  } finally {
    await server.close();
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
    const client = await createKubeClient({ kubeconfig: fake.writeKubeconfig(dir), retry: { ...FAST_RETRY, maxDelayMs: 1 } });
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
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/namespaces/ns/serviceaccounts/sa', 'GET /api/v1/namespaces/ns/serviceaccounts/sa']);
  });

  test('a TokenRequest whose connection was refused is sent again: it never reached the server', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const kubeconfig = writeKubeconfig('refused.kubeconfig', { 'server': `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true }, { token: 't' });
    let late: TinyApiServer | undefined;
    const errors: unknown[] = [];
    const client = await createKubeClient({
      kubeconfig,
      retry: {
        retries: 1,
        onRetry: (error) => errors.push(error),
        // The server comes up while the client waits to try again.
        sleep: async () => { late = await new TinyApiServer().listen(port); },
      },
    });
    try {
      // TinyApiServer answers the token path with 404: what matters is that the POST reached it on the second try.
      await expect(client.requestToken({ namespace: 'ns', name: 'sa' }, { expirationSeconds: 600 })).rejects.toThrow(KubeApiError);
      expect(errors).toEqual([expect.objectContaining({ code: 'ECONNREFUSED', mayHaveReachedServer: false })]);
      expect(late!.requests.map((r) => r.method)).toEqual(['POST']);
    } finally {
      await late?.close();
    }
  });
});

test('immutableFields names the fields of an immutable-field 422, and nothing for other errors', () => {
  const invalid = new KubeApiError(422, {
    kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422,
    message: 'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{...}: field is immutable',
    details: {
      name: 'web', group: 'apps', kind: 'Deployment',
      causes: [
        { reason: 'FieldValueInvalid', message: 'Invalid value: v1.LabelSelector{...}: field is immutable', field: 'spec.selector' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than or equal to 0', field: 'spec.replicas' },
      ],
    },
  }, 'PATCH /apis/apps/v1/namespaces/ns/deployments/web');
  expect(invalid.causes[0].reason).toBe('FieldValueInvalid');
  expect(immutableFields(invalid)).toEqual(['spec.selector']);
  expect(immutableFields(new KubeApiError(409, { reason: 'Conflict', details: { causes: [{ field: 'x', message: 'field is immutable' }] } }, 'PATCH /x'))).toEqual([]);
  expect(immutableFields(new Error('field is immutable'))).toEqual([]);
});
