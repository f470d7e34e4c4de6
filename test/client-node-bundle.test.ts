// The command loads client-node from the build's bundle (scripts/build-client-node.js), which leaves out
// what KubeConfig imports for methods the engine never calls. These tests build that bundle and run the
// engine's client on it: every way of authenticating that the engine relies on must still work there.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import type * as ClientNode from '../src/apply/client-node';
import { FakeApiServer } from './support/fake-apiserver';

const { buildClientNode } = require('../scripts/build-client-node') as {
  buildClientNode(outfile: string, options?: { metafile?: string }): Promise<void>;
};

let dir: string;
let bundle: typeof ClientNode;
let inputs: string[];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-node-bundle-'));
  const outfile = path.join(dir, 'client-node.js');
  const metafile = path.join(dir, 'meta.json');
  await buildClientNode(outfile, { metafile });
  inputs = Object.keys((JSON.parse(fs.readFileSync(metafile, 'utf8')) as { inputs: object }).inputs);
  bundle = jest.requireActual<typeof ClientNode>(outfile);
  jest.doMock('../src/apply/client-node', () => bundle);
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The engine's client on the bundle, for `kubeconfig`. */
async function clientOn(kubeconfig: string) {
  const { createKubeClient } = jest.requireActual<typeof import('../src/apply/http-kube-client')>(
    '../src/apply/http-kube-client',
  );
  const load = jest.spyOn(bundle.KubeConfig.prototype, 'loadFromFile');
  try {
    return await createKubeClient({ kubeconfig, retry: { retries: 0 } });
  } finally {
    // The client was made by the bundle's KubeConfig, not by the package's.
    expect(load).toHaveBeenCalledWith(kubeconfig);
    load.mockRestore();
  }
}

test('leaves out the generated API clients and node-fetch, and keeps every authentication and proxy', () => {
  const has = (part: string) => inputs.some((i) => i.includes(part));
  expect(has('client-node/dist/gen/')).toBe(false);
  expect(has('node_modules/node-fetch/')).toBe(false);
  expect(has('node_modules/tr46/')).toBe(false);
  for (const kept of [
    'exec_auth.js',
    'oidc_auth.js',
    'azure_auth.js',
    'gcp_auth.js',
    'file_auth.js',
    'socks-proxy-agent',
    'hpagent',
  ])
    expect(has(kept)).toBe(true);
  expect(bundle.PatchStrategy.ServerSideApply).toBe('application/apply-patch+yaml');
});

test('a method that needs what was left out says so', async () => {
  const kc = new bundle.KubeConfig();
  kc.loadFromString(
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
      users: [{ name: 'u', user: { username: 'me', password: 'pw' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
  );
  expect(() => kc.makeApiClient(class {})).toThrow(/the generated API clients are left out of this bundle/);
  // applyToFetchOptions takes Node's own Headers in place of node-fetch's.
  const fetchOptions = await kc.applyToFetchOptions({});
  expect((fetchOptions.headers as unknown as Headers).get('Authorization')).toBe(
    `Basic ${Buffer.from('me:pw').toString('base64')}`,
  );
});

describe('the engine’s client on the bundle', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    // Only these tokens and the client certificate authenticate: a request without credentials gets 401.
    server = await FakeApiServer.start({ tls: true, tokens: new Set(['static-token', 'exec-token']) });
  });
  afterAll(() => server.close());
  beforeEach(() => server.clearRequests());

  test('TLS with the kubeconfig’s CA and a client certificate', async () => {
    const client = await clientOn(server.writeKubeconfig(dir, { clientCertificate: true }));
    expect(await client.resourceFor('v1', 'ConfigMap')).toMatchObject({ resource: 'configmaps', namespaced: true });
    expect(server.requests[0].authorization).toBeUndefined();
  });

  test('a bearer token', async () => {
    const client = await clientOn(server.writeKubeconfig(dir, { token: 'static-token' }));
    await client.resourceFor('v1', 'ConfigMap');
    expect(server.requests.map((r) => r.authorization)).toContain('Bearer static-token');
  });

  test('an exec credential plugin', async () => {
    const config = parse(server.kubeconfig()) as { users: Array<{ user: object }> };
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 'exec-token' },
    };
    config.users[0].user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', `process.stdout.write(${JSON.stringify(JSON.stringify(credential))})`],
        interactiveMode: 'Never',
      },
    };
    const kubeconfig = path.join(dir, 'exec.kubeconfig');
    fs.writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });
    const client = await clientOn(kubeconfig);
    await client.resourceFor('v1', 'ConfigMap');
    expect(server.requests.map((r) => r.authorization)).toContain('Bearer exec-token');
  });
});
