import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { App, Chart } from 'cdk8s';
import { WebConsoleJob } from '../constructs/webconsole-job';
import { KubeObject } from '../src/manifest';
import { DEFAULT_RUN_AS } from '../src/security';
import { FakeApiServer } from './support/fake-apiserver';

/**
 * The images' apps (images/webconsole, images/consolehub) run here as plain `python3` processes on free
 * ports; the hub talks TLS to the test API server through a TLS terminator with a CA made by openssl, so
 * it runs exactly its in-cluster code path (https, the ServiceAccount's ca.crt and token).
 */
const IMAGES = path.join(__dirname, '..', 'images');

interface RunningApp {
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** Starts `python3 <script> --port 0` and waits for its `listening on http://127.0.0.1:<port>` line. */
function startApp(script: string, env: Record<string, string> = {}, cwd?: string): Promise<RunningApp> {
  const child = spawn('python3', [path.join(IMAGES, script), '--host', '127.0.0.1', '--port', '0'], {
    cwd,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  // 'close', not 'exit': by then all of the process's output has been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve({ port: Number(listening[1]), process: child, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening:\n${output}`));
    });
  });
}

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: any;
}

function call(port: number, method: string, urlPath: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        headers:
          payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('images/webconsole', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp('webconsole/webconsole.py');
  });
  const run = (uname: string, input: string) => call(app.port, 'POST', `/api/${uname}/run/`, { input });

  test("keeps each user's interpreter across requests and echoes a last expression", async () => {
    expect(await run('alice', 'x = 6 * 7')).toMatchObject({ status: 200, body: { output: '' } });
    expect((await run('alice', 'print(x)\nx + 1')).body).toEqual({ output: '42\n43\n' });
    expect((await run('alice', 'def double(n):\n    return 2 * n\n\ndouble(x)')).body).toEqual({ output: '84\n' });
    expect((await run('alice', '_')).body).toEqual({ output: '84\n' });
  });

  test("isolates users: another user has none of alice's names", async () => {
    await run('alice', 'secret = "a"');
    const { body } = await run('bob', 'secret');
    expect(body.output).toContain('Traceback (most recent call last)');
    expect(body.output).toContain("NameError: name 'secret' is not defined");
  });

  test('prints tracebacks and syntax errors in the output, in order with the prints', async () => {
    const failed = (await run('carol', 'print("before")\n1 / 0')).body.output;
    expect(failed).toMatch(
      /^before\nTraceback \(most recent call last\):\n {2}File "<input>", line 2, in <module>\nZeroDivisionError: division by zero\n$/,
    );
    expect((await run('carol', 'def f(:')).body.output).toMatch(/SyntaxError/);
    expect((await run('carol', 'import sys; print("err", file=sys.stderr)')).body.output).toBe('err\n');
    // exit() ends the snippet, not the console.
    expect((await run('carol', 'exit(3)')).body.output).toContain('SystemExit: 3');
    expect((await run('carol', 'print("still here")')).body.output).toBe('still here\n');
  });

  test('captures the output of concurrent users separately', async () => {
    const [slow, fast] = await Promise.all([
      run('dave', 'import time\nprint("dave 1")\ntime.sleep(0.3)\nprint("dave 2")'),
      (async () => {
        await new Promise((r) => setTimeout(r, 100));
        return run('erin', 'print("erin")');
      })(),
    ]);
    expect(fast.body).toEqual({ output: 'erin\n' });
    expect(slow.body).toEqual({ output: 'dave 1\ndave 2\n' });
  });

  test('answers bad requests with a JSON error', async () => {
    const bad = await call(app.port, 'POST', '/api/alice/run/', '{"input": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not valid JSON/);
    expect(await call(app.port, 'POST', '/api/alice/run/', { code: 'x' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('"input"') },
    });
    expect(await call(app.port, 'POST', '/api/alice/run/', [1])).toMatchObject({ status: 400 });
    expect(await call(app.port, 'GET', '/api/alice/run/')).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(await call(app.port, 'GET', '/nothing')).toMatchObject({ status: 404, body: { error: expect.any(String) } });
    expect(await call(app.port, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  test('SIGTERM ends the process at once and cleanly (as PID 1 it would otherwise be ignored)', async () => {
    const stopped = await startApp('webconsole/webconsole.py');
    stopped.process.kill('SIGTERM');
    expect(await stopped.exited).toBe(0);
  });

  test('GET /api/crash/ ends the process with a failure code', async () => {
    const victim = await startApp('webconsole/webconsole.py');
    expect((await call(victim.port, 'GET', '/api/crash/')).status).toBe(200);
    expect(await victim.exited).toBe(1);
    expect(victim.output()).toContain('crash requested: exiting');
  });
});

/** A CA and a server certificate for 127.0.0.1, as a cluster's API server has (strict X.509 checks pass). */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=test-cluster-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver');
  fs.writeFileSync(
    file('server.ext'),
    [
      'subjectAltName=IP:127.0.0.1',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid,issuer',
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'server.ext',
  );
  return { ca: file('ca.crt'), key: file('server.key'), cert: file('server.crt') };
}

/** Terminates TLS in front of the (plain HTTP) test API server, as the cluster's API server endpoint would. */
async function tlsFront(key: string, cert: string, backendPort: number): Promise<tls.Server> {
  const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (socket) => {
    const backend = net.connect(backendPort, '127.0.0.1');
    socket.pipe(backend).pipe(socket);
    socket.on('error', () => backend.destroy());
    backend.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** `POST .../jobs` (create), which the test API server does not serve itself: 201, or 409 AlreadyExists. */
function serveJobCreate(server: FakeApiServer): void {
  server.route('POST', /^\/apis\/batch\/v1\/namespaces\/[^/]+\/jobs$/, (req, fake) => {
    const namespace = req.path.split('/')[5];
    const job = JSON.parse(req.body) as KubeObject;
    const name = job.metadata.name!;
    if (job.metadata.namespace !== undefined && job.metadata.namespace !== namespace) {
      return {
        status: 400,
        body: {
          kind: 'Status',
          status: 'Failure',
          reason: 'BadRequest',
          code: 400,
          message: 'the namespace of the provided object does not match the namespace sent on the request',
        },
      };
    }
    if (fake.object('batch/v1', 'Job', name, namespace)) {
      return {
        status: 409,
        body: {
          kind: 'Status',
          status: 'Failure',
          reason: 'AlreadyExists',
          code: 409,
          message: `jobs.batch "${name}" already exists`,
        },
      };
    }
    return {
      status: 201,
      body: fake.seed({ ...job, metadata: { ...job.metadata, namespace } }, { manager: 'consolehub' }),
    };
  });
}

/** The status of a pod whose console listens, on 127.0.0.1 (where the test's stand-in console is). */
const READY = { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] };

const pod = (name: string, labels: Record<string, string>, status: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'sessions', labels },
  spec: { containers: [{ name: 'webconsole', image: 'workshop-stacks/webconsole:v1' }] },
  status,
});

describe('images/consolehub', () => {
  const tokens = new Set(['token-1']);
  let api: FakeApiServer;
  let front: tls.Server;
  let dir: string;
  let hub: RunningApp;
  let template: WebConsoleJob;
  /** A stand-in for users' webconsole pods: records what the hub forwards, answers with `answer`. */
  let session: http.Server;
  const forwarded: Array<{ method: string; url: string; contentType?: string; body: string }> = [];
  let answer = { status: 200, body: '{"output": "42\\n"}' };
  let clusterEnv: Record<string, string>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consolehub-'));
    const certs = makeCertificates(dir);
    api = await FakeApiServer.start({ tokens });
    serveJobCreate(api);
    api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sessions' } });
    front = await tlsFront(certs.key, certs.cert, Number(new URL(api.url).port));

    const account = path.join(dir, 'serviceaccount');
    fs.mkdirSync(account);
    fs.copyFileSync(certs.ca, path.join(account, 'ca.crt'));
    fs.writeFileSync(path.join(account, 'token'), 'token-1\n');

    session = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        forwarded.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
        res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => session.listen(0, '127.0.0.1', resolve));

    // The hub reads job-template.yaml from its working directory, as the library renders it for this hub: JSON.
    template = new WebConsoleJob(new Chart(new App(), 'consolehub'), 'job', { namespace: 'sessions' });
    fs.writeFileSync(path.join(dir, 'job-template.yaml'), template.json);
    clusterEnv = {
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String((front.address() as net.AddressInfo).port),
      HUB_SERVICEACCOUNT_DIR: account,
    };
    hub = await startApp(
      'consolehub/consolehub.py',
      {
        ...clusterEnv,
        HUB_NAMESPACE: 'sessions',
        SESSION_PORT: String((session.address() as net.AddressInfo).port),
      },
      dir,
    );
  });

  afterAll(async () => {
    await new Promise((resolve) => session?.close(resolve));
    await new Promise((resolve) => front?.close(resolve));
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (uname: string) => call(hub.port, 'POST', `/api/${uname}/start/`);

  test("start creates the Job webconsole-<uname> from the template, in HUB_NAMESPACE, with the user's pod labels", async () => {
    expect(await start('alice')).toMatchObject({
      status: 201,
      body: { status: 'created', job: 'webconsole-alice', namespace: 'sessions' },
    });
    const job = api.object('batch/v1', 'Job', 'webconsole-alice', 'sessions')!;
    expect(job).toBeDefined();
    expect(job.metadata.namespace).toBe('sessions');
    const spec = job.spec as any;
    expect(spec.template.metadata.labels).toEqual({ uname: 'alice', 'managed-by': 'provisioner' });
    // Everything else is the template as the library rendered it, read by the hub's own YAML reader.
    const { template: podTemplate, ...jobSpec } = spec;
    const { template: wantPodTemplate, ...wantJobSpec } = template.manifest.spec as any;
    expect(jobSpec).toEqual(wantJobSpec);
    expect(podTemplate.spec).toEqual(wantPodTemplate.spec);
    const create = api.requests.find((r) => r.method === 'POST')!;
    expect(create.path).toBe('/apis/batch/v1/namespaces/sessions/jobs');
    expect(create.authorization).toBe('Bearer token-1');
  });

  test('start is idempotent while the Job lives, 409 once it has ended', async () => {
    expect((await start('bob')).status).toBe(201);
    expect(await start('bob')).toMatchObject({ status: 200, body: { status: 'exists', job: 'webconsole-bob' } });
    api.setStatus('batch/v1', 'Job', 'webconsole-bob', 'sessions', {
      conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
    });
    expect(await start('bob')).toMatchObject({
      status: 409,
      body: { error: expect.stringMatching(/has ended \(Failed\)/) },
    });
  });

  test('rejects a user name that cannot be part of a Job name with 400, without calling the API', async () => {
    const before = api.requests.length;
    for (const uname of ['Alice', 'a_b', '-a', 'a-', 'a.b', 'x'.repeat(53), '%C3%A9']) {
      for (const verb of ['start', 'run']) {
        const answer = await call(hub.port, 'POST', `/api/${uname}/${verb}/`, { input: '1' });
        expect([uname, verb, answer.status]).toEqual([uname, verb, 400]);
        expect(answer.body.error).toMatch(/invalid user name/);
      }
    }
    expect(api.requests.length).toBe(before);
    expect((await start('x'.repeat(52))).status).toBe(201);
  });

  test("run forwards the body to the user's running pod on /api/<uname>/run/ and relays the answer", async () => {
    // Listed first, but not a pod the hub started (no managed-by): never forwarded to.
    api.seed(pod('impostor', { uname: 'carol' }, { ...READY, podIP: '127.0.0.2' }));
    api.seed(pod('webconsole-carol-abcde', { uname: 'carol', 'managed-by': 'provisioner' }, READY));
    forwarded.length = 0;
    answer = { status: 200, body: '{"output": "42\\n"}' };
    const input = '{"input": "print(6 * 7)"}';
    expect(await call(hub.port, 'POST', '/api/carol/run/', input)).toMatchObject({
      status: 200,
      body: { output: '42\n' },
    });
    expect(forwarded).toEqual([
      { method: 'POST', url: '/api/carol/run/', contentType: 'application/json', body: input },
    ]);
    const list = api.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/sessions/pods').pop()!;
    expect(list.query.labelSelector).toBe('uname=carol,managed-by=provisioner');

    // The console's own errors come back as they are.
    answer = { status: 400, body: '{"error": "the body is not valid JSON"}' };
    expect(await call(hub.port, 'POST', '/api/carol/run/', '{')).toMatchObject({
      status: 400,
      body: { error: 'the body is not valid JSON' },
    });
  });

  test('run answers 404 when the user has no pod, 503 until it is ready, 409 once it has ended', async () => {
    forwarded.length = 0;
    expect(await call(hub.port, 'POST', '/api/nobody/run/', { input: '1' })).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining('POST /api/nobody/start/ first') },
    });
    const labels = (uname: string) => ({ uname, 'managed-by': 'provisioner' });
    api.seed(pod('webconsole-dave-1', labels('dave'), { phase: 'Pending' }));
    // Running, but the console does not listen yet: its readiness probe has not passed.
    api.seed(pod('webconsole-erin-1', labels('erin'), { ...READY, conditions: [{ type: 'Ready', status: 'False' }] }));
    api.seed(pod('webconsole-frank-1', labels('frank'), { phase: 'Failed' }));
    for (const uname of ['dave', 'erin']) {
      const answer = await call(hub.port, 'POST', `/api/${uname}/run/`, { input: '1' });
      expect(answer).toMatchObject({
        status: 503,
        headers: { 'retry-after': '2' },
        body: { error: expect.stringMatching(/not ready yet/) },
      });
    }
    expect(await call(hub.port, 'POST', '/api/frank/run/', { input: '1' })).toMatchObject({
      status: 409,
      body: { error: expect.stringMatching(/has ended \(Failed\)/) },
    });
    expect(forwarded).toEqual([]);
  });

  test('reads the token on every call, so a rotated token is used at once', async () => {
    fs.writeFileSync(path.join(clusterEnv.HUB_SERVICEACCOUNT_DIR, 'token'), 'token-2\n');
    tokens.delete('token-1');
    tokens.add('token-2');
    expect((await start('erin')).status).toBe(201);
    expect(api.requests[api.requests.length - 1].authorization).toBe('Bearer token-2');
  });

  test('an API refusal is a 502 that quotes the API server', async () => {
    api.inject({
      method: 'POST',
      path: '/jobs',
      status: 403,
      message: 'jobs.batch is forbidden: exceeded quota: consolehub-jobs',
    });
    expect(await start('frank')).toMatchObject({
      status: 502,
      body: { error: expect.stringContaining('exceeded quota') },
    });
  });

  test("defaults: Jobs in `default` and job-template.yaml in the working directory, as the workshop's hub; other pod labels stay", async () => {
    const workdir = path.join(dir, 'workdir');
    fs.mkdirSync(workdir);
    const labelled = structuredClone(template.manifest) as any;
    labelled.spec.template.metadata.labels = { 'app.kubernetes.io/name': 'webconsole', uname: 'template-value' };
    fs.writeFileSync(path.join(workdir, 'job-template.yaml'), JSON.stringify(labelled));
    const plain = await startApp('consolehub/consolehub.py', clusterEnv, workdir);
    expect((await call(plain.port, 'POST', '/api/grace/start/')).status).toBe(201);
    const job = api.object('batch/v1', 'Job', 'webconsole-grace', 'default')!;
    expect((job.spec as any).template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'webconsole',
      uname: 'grace',
      'managed-by': 'provisioner',
    });
    plain.process.kill();
  });

  test('stops at start with a clear message when the template or the cluster is missing', async () => {
    const noTemplate = startApp('consolehub/consolehub.py', {
      ...clusterEnv,
      JOB_TEMPLATE: path.join(dir, 'missing.yaml'),
    });
    await expect(noTemplate).rejects.toThrow(/cannot read the Job template .*missing\.yaml/);
    const noCluster = startApp('consolehub/consolehub.py', {
      KUBERNETES_SERVICE_HOST: '',
      JOB_TEMPLATE: path.join(dir, 'job-template.yaml'),
    });
    await expect(noCluster).rejects.toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set/);
  });
});

describe('images/*/Dockerfile', () => {
  const contexts = ['webconsole', 'consolehub'];

  /** Instructions of a Dockerfile (continuation lines joined, comments dropped). */
  function instructions(file: string): Array<{ op: string; args: string }> {
    return fs
      .readFileSync(file, 'utf8')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const [op, ...rest] = line.split(/\s+/);
        return { op: op.toUpperCase(), args: rest.join(' ') };
      });
  }

  test.each(contexts)(
    '%s: pinned base, numeric non-root USER of the constructs, EXPOSE 5000, exec-form CMD, COPY sources exist',
    (name) => {
      const steps = instructions(path.join(IMAGES, name, 'Dockerfile'));
      const all = (op: string) => steps.filter((s) => s.op === op).map((s) => s.args);

      const [base] = all('FROM');
      expect(base).toMatch(/^python:3\.\d+\.\d+-(alpine|slim)[\w.-]*$|@sha256:[0-9a-f]{64}$/);
      // The last USER is the one the container runs as: numeric (runAsNonRoot can verify it) and the constructs' uid.
      expect(all('USER').pop()).toBe(`${DEFAULT_RUN_AS.user}:${DEFAULT_RUN_AS.group}`);
      expect(all('EXPOSE')).toEqual(['5000']);
      // Exec form: no shell at run time.
      const cmd = JSON.parse(all('CMD').pop()!) as string[];
      expect(cmd[0]).toBe('python');

      // The build context is images/ (see the Dockerfile's header).
      const copied: string[] = [];
      for (const copy of all('COPY')) {
        const parts = copy.split(/\s+/).filter((p) => !p.startsWith('--'));
        const dest = parts.pop()!;
        for (const source of parts) {
          expect(fs.existsSync(path.join(IMAGES, source))).toBe(true);
          copied.push(path.posix.join(dest, path.posix.basename(source)));
        }
      }
      // The command runs a file the image copied in.
      expect(copied).toContain(cmd[1]);
      expect(all('ENV').join(' ')).toContain('PYTHONDONTWRITEBYTECODE=1');
    },
  );
});
