import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { createKubeClient } from '../src/apply/http-kube-client';
import { CliRun, runCli } from './support/cli';
import { FAST_RETRY, namespace } from './support/cluster';
import { FakeApiServer } from './support/fake-apiserver';

// The instructor's credentials; the fake server accepts these and every token it issues, nothing else.
const ADMIN_TOKEN = 'instructor-token';
const CA_DATA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB-fake-ca\n-----END CERTIFICATE-----\n').toString(
  'base64',
);
const NAMESPACES = ['classroom-alice', 'classroom-bob', 'classroom-zoe-martin'];

let server: FakeApiServer;
let dir: string;
let kubeconfig: string;

beforeEach(async () => {
  server = await FakeApiServer.start({ tokens: new Set([ADMIN_TOKEN]) });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-test-'));
  kubeconfig = server.writeKubeconfig(dir, { token: ADMIN_TOKEN, certificateAuthorityData: CA_DATA });
  server.seed(namespace('default'));
});

afterEach(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<CliRun> {
  return runCli(dir, kubeconfig, args);
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const out = (...parts: string[]) => path.join(dir, 'out', ...parts);

describe('workshop-stacks kubeconfig', () => {
  beforeEach(async () => {
    expect((await cli('apply', 'classroom', '--no-wait')).code).toBe(0);
    server.clearRequests();
  });

  test('writes one private kubeconfig per attendee: the cluster, a TokenRequest token, the attendee’s namespace', async () => {
    const run = await cli('kubeconfig', 'classroom', '--out-dir', 'out', '--duration', '2h');
    expect(run.code).toBe(0);
    expect(mode(out())).toBe(0o700);
    expect(fs.readdirSync(out()).sort()).toEqual(NAMESPACES.map((ns) => `${ns}.kubeconfig`));

    // One TokenRequest per attendee, for their ServiceAccount, for the asked duration.
    expect(
      server.requests
        .filter((r) => r.method !== 'GET')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual(NAMESPACES.map((ns) => `POST /api/v1/namespaces/${ns}/serviceaccounts/attendee/token`));
    expect(server.issuedTokens.map((t) => t.expirationSeconds)).toEqual([7200, 7200, 7200]);

    for (const ns of NAMESPACES) {
      const file = out(`${ns}.kubeconfig`);
      expect(mode(file)).toBe(0o600);
      const config = parse(fs.readFileSync(file, 'utf8'));
      const issued = server.issuedTokens.find((t) => t.namespace === ns)!;
      expect(config.clusters).toEqual([
        {
          name: 'fake',
          cluster: { server: server.url, 'certificate-authority-data': CA_DATA, 'insecure-skip-tls-verify': true },
        },
      ]);
      expect(config.users).toEqual([{ name: ns.replace('classroom-', ''), user: { token: issued.token } }]);
      expect(config.contexts).toEqual([
        { name: ns, context: { cluster: 'fake', user: ns.replace('classroom-', ''), namespace: ns } },
      ]);
      expect(config['current-context']).toBe(ns);
    }
    expect(run.stdout).toContain(
      `${out('classroom-zoe-martin.kubeconfig')}: Zoë Martin, namespace classroom-zoe-martin, token valid until 20`,
    );
  });

  test('the tokens appear in no output, text or JSON', async () => {
    const text = await cli('kubeconfig', 'classroom', '--out-dir', 'out');
    const json = await cli('kubeconfig', 'classroom', '--out-dir', 'out', '-o', 'json');
    expect(server.issuedTokens).toHaveLength(6);
    for (const { token } of server.issuedTokens) {
      for (const run of [text, json]) expect(run.stdout + run.stderr).not.toContain(token);
    }
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ command: 'kubeconfig', ok: true, server: server.url });
    expect(report.kubeconfigs.map((k: any) => [k.attendee, k.namespace, k.serviceAccount, k.file])).toEqual(
      NAMESPACES.map((ns) => [ns.replace('classroom-', ''), ns, 'attendee', out(`${ns}.kubeconfig`)]),
    );
  });

  test('an attendee’s kubeconfig works against the server, as that attendee, in their namespace', async () => {
    await cli('kubeconfig', 'classroom', '--out-dir', 'out', '--attendee', 'Bob');
    expect(fs.readdirSync(out())).toEqual(['classroom-bob.kubeconfig']);
    const client = await createKubeClient({ kubeconfig: out('classroom-bob.kubeconfig'), retry: FAST_RETRY });
    expect(client.contextNamespace).toBe('classroom-bob');
    expect(
      await client.get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'attendee', namespace: 'classroom-bob' }),
    ).toBeDefined();
    expect(server.requests.at(-1)!.authorization).toBe(`Bearer ${server.issuedTokens[0].token}`);
  });

  test('a CA file in the instructor’s kubeconfig is embedded as data', async () => {
    fs.writeFileSync(path.join(dir, 'ca.crt'), Buffer.from(CA_DATA, 'base64'));
    kubeconfig = server.writeKubeconfig(dir, { token: ADMIN_TOKEN, certificateAuthority: path.join(dir, 'ca.crt') });
    expect((await cli('kubeconfig', 'classroom', '--out-dir', 'out', '--attendee', 'alice')).code).toBe(0);
    expect(
      parse(fs.readFileSync(out('classroom-alice.kubeconfig'), 'utf8')).clusters[0].cluster[
        'certificate-authority-data'
      ],
    ).toBe(CA_DATA);
  });

  test('an existing file gets mode 0600 again; an existing directory open to others is refused before any request', async () => {
    fs.mkdirSync(out(), { mode: 0o700 });
    fs.writeFileSync(out('classroom-alice.kubeconfig'), 'old', { mode: 0o644 });
    expect((await cli('kubeconfig', 'classroom', '--out-dir', 'out')).code).toBe(0);
    expect(mode(out('classroom-alice.kubeconfig'))).toBe(0o600);

    fs.mkdirSync(path.join(dir, 'shared'), { mode: 0o755 });
    fs.chmodSync(path.join(dir, 'shared'), 0o755);
    server.clearRequests();
    const run = await cli('kubeconfig', 'classroom', '--out-dir', 'shared');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/open to other users \(mode 755\)/);
    expect(fs.readdirSync(path.join(dir, 'shared'))).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  test('usage errors: no attendees in the inputs, an unknown attendee, a duration under 10 minutes', async () => {
    const none = await cli('kubeconfig', 'dockercoins', '--out-dir', 'out');
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/no attendee ServiceAccount/)]);
    const unknown = await cli('kubeconfig', 'classroom', '--out-dir', 'out', '--attendee', 'mallory');
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/no attendee "mallory" \(attendees: alice, bob, zoe-martin\)/),
    ]);
    expect((await cli('kubeconfig', 'classroom', '--out-dir', 'out', '--duration', '5m')).code).toBe(2);
    expect(server.requests).toEqual([]);
    expect(fs.existsSync(out())).toBe(false);
  });
});

test('--timeout bounds the token requests: a server that stalls fails each attendee, named, by the deadline', async () => {
  const stall = server.stall();
  try {
    const started = Date.now();
    const run = await cli('kubeconfig', 'classroom', '--out-dir', 'out', '--attendee', 'alice', '--timeout', '1s');
    expect(Date.now() - started).toBeLessThan(2500);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: Alice \(ServiceAccount classroom-alice\/attendee\): POST \/api\/v1\/namespaces\/classroom-alice\/serviceaccounts\/attendee\/token: (no answer|not sent) before the timeout passed$/m,
    );
    expect(fs.existsSync(out())).toBe(false);
  } finally {
    stall.release();
  }
});

test('an attendee whose ServiceAccount is not on the cluster fails alone, named, and gets no file: nothing is left behind', async () => {
  const run = await cli('kubeconfig', 'classroom', '--out-dir', 'out/nested', '--attendee', 'alice');
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    'error: Alice (ServiceAccount classroom-alice/attendee): POST /api/v1/namespaces/classroom-alice/serviceaccounts/attendee/token: 404 NotFound',
  );
  expect(fs.existsSync(out())).toBe(false);
});

test('against an unreachable server: exit 2, a one-line error per attendee, no stack trace, and no directory', async () => {
  await server.close();
  const run = await cli('kubeconfig', 'classroom', '--out-dir', 'out', '--attendee', 'alice');
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^error: Alice \(ServiceAccount classroom-alice\/attendee\): POST .*ECONNREFUSED/m);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(fs.existsSync(out())).toBe(false);
  server = await FakeApiServer.start(); // for afterEach
}, 20_000);

test('an out-dir that cannot be created is refused before any request', async () => {
  fs.writeFileSync(path.join(dir, 'file'), '');
  const run = await cli('kubeconfig', 'classroom', '--out-dir', 'file/out');
  expect([run.code, run.stderr]).toEqual([2, expect.stringMatching(/cannot be created: .*file is not a directory/)]);
  expect(server.requests).toEqual([]);
});
