import * as fs from 'fs';
import * as path from 'path';
import { KubeObject } from '../src/manifest';
import { CliRun, runCli, runCliIn, writeManifest as writeManifestIn } from './support/cli';
import {
  FakeCluster,
  configMap,
  deployment,
  namespace,
  readyDeploymentStatus,
  useFakeCluster,
} from './support/cluster';

let cluster: FakeCluster;
useFakeCluster((c) => {
  cluster = c;
});

function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; tty?: boolean; kubeconfig?: string } = {},
): Promise<CliRun> {
  return runCli(cluster.dir, options.kubeconfig ?? cluster.kubeconfig, args, options);
}

function writeManifest(name: string, ...objects: KubeObject[]): string {
  return writeManifestIn(cluster.dir, name, ...objects);
}

test('apply --output json prints a machine-readable report, and a second apply reports everything unchanged', async () => {
  const file = writeManifest('app.yaml', namespace('shop'), configMap('settings', 'shop'));
  const first = await cli(['apply', file, '--output', 'json', '--no-wait']);
  expect(first.code).toBe(0);
  const report = JSON.parse(first.stdout);
  expect(report).toMatchObject({
    command: 'apply',
    ok: true,
    dryRun: false,
    applySet: { name: 'workshop-stacks-app', namespace: 'default' },
  });
  expect(report.applySet.id).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
  expect(report.objects.map((o: any) => [o.object, o.action, o.source, o.index])).toEqual([
    ['Namespace shop', 'created', 'app.yaml', 0],
    ['ConfigMap shop/settings', 'created', 'app.yaml', 1],
  ]);
  const second = JSON.parse((await cli(['apply', file, '-o', 'json', '--no-wait'])).stdout);
  expect(second.objects.map((o: any) => o.action)).toEqual(['unchanged', 'unchanged']);
});

test('an invalid document: exit 2, the problem names file and document, and nothing is sent', async () => {
  const file = writeManifest('bad.yaml', configMap('fine', 'default'), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace: 'default' },
  });
  const run = await cli(['apply', file]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('error: bad.yaml document 1: metadata.name: is missing');
  expect(run.stderr).toContain('nothing was changed');
  expect(cluster.server.requests).toEqual([]);
});

test('usage errors exit 2: an input that is neither a file nor an app, several inputs without --applyset', async () => {
  expect((await cli(['apply', 'no-such-thing'])).code).toBe(2);
  writeManifest('a.yaml', configMap('a', 'default'));
  writeManifest('b.yaml', configMap('b', 'default'));
  const several = await cli(['apply', 'a.yaml', 'b.yaml']);
  expect(several.code).toBe(2);
  expect(several.stderr).toMatch(/--applyset/);
  expect((await cli(['apply', 'a.yaml', 'b.yaml', '--applyset', 'both', '--no-wait'])).code).toBe(0);
  expect(cluster.server.requests.length).toBeGreaterThan(0);
});

test('a path the system refuses (a directory under a file) is a user error: one line naming it, no stack, exit 2', async () => {
  fs.writeFileSync(path.join(cluster.dir, 'plain-file'), '');
  for (const args of [
    ['init', 'plain-file/project'],
    ['synth', 'dockercoins', '--outdir', 'plain-file/out'],
  ]) {
    const run = await runCliIn(cluster.dir, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: ENOTDIR: not a directory, mkdir '.*plain-file\/(project|out)'\n$/);
  }
});

test('--secret-from-env creates the Secret; its values appear nowhere in the output', async () => {
  const env = { GH_ID: 'the-client-id-value', GH_SECRET: 'the-client-secret-value' };
  const file = writeManifest('app.yaml', configMap('a', 'default'));
  for (const output of ['text', 'json']) {
    const run = await cli(
      [
        'apply',
        file,
        '--no-wait',
        '-o',
        output,
        '--secret-from-env',
        'default/tgr-github=CLIENT_ID:GH_ID,CLIENT_SECRET:GH_SECRET',
      ],
      { env },
    );
    expect(run.code).toBe(0);
    for (const value of Object.values(env)) {
      expect(run.stdout + run.stderr).not.toContain(value);
      expect(run.stdout + run.stderr).not.toContain(Buffer.from(value).toString('base64'));
    }
  }
  const diff = await cli(
    ['diff', file, '--secret-from-env', 'default/tgr-github=CLIENT_ID:GH_ID,CLIENT_SECRET:GH_SECRET'],
    { env: { ...env, GH_SECRET: 'rotated-secret' } },
  );
  expect(diff.code).toBe(1);
  expect(diff.stdout).toContain('*** (after)');
  expect(diff.stdout + diff.stderr).not.toMatch(/client-id-value|client-secret-value|rotated-secret/);
  expect(
    Buffer.from(
      (cluster.server.object('v1', 'Secret', 'tgr-github', 'default')!.data as any).CLIENT_ID,
      'base64',
    ).toString(),
  ).toBe('the-client-id-value');
  expect(fs.readdirSync(cluster.dir).sort()).toEqual(['app.yaml', 'kubeconfig']);
});

test('a malformed --secret-from-env is a usage error', async () => {
  const run = await cli([
    'apply',
    writeManifest('a.yaml', configMap('a', 'default')),
    '--secret-from-env',
    'no-equals-sign',
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/invalid secret spec/);
});

test('diff exits 0 without differences and 1 with them', async () => {
  const file = writeManifest('a.yaml', configMap('a', 'default', { k: 'v1' }));
  await cli(['apply', file, '--no-wait']);
  expect((await cli(['diff', file])).code).toBe(0);
  writeManifest('a.yaml', configMap('a', 'default', { k: 'v2' }));
  const changed = await cli(['diff', file]);
  expect(changed.code).toBe(1);
  expect(changed.stdout).toMatch(/^-\s+k: v1$/m);
  expect(changed.stdout).toMatch(/^\+\s+k: v2$/m);
});

describe('progress while waiting', () => {
  beforeEach(() => {
    cluster.server.seed(namespace('shop'));
    cluster.server.simulate('Deployment', readyDeploymentStatus);
  });

  test('not a terminal (CI): plain lines, no cursor movement', async () => {
    const run = await cli(['apply', writeManifest('a.yaml', deployment('web', 'shop')), '--timeout', '10s']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Deployment shop/web: Current: 1/1 replicas ready');
    expect(run.stderr).not.toContain('\x1b[');
    expect(run.stdout).toContain('Deployment shop/web created');
    expect(run.stdout).toContain('apply finished: 1 created');
  });

  test('a terminal: one line per object, rewritten in place', async () => {
    const run = await cli(['apply', writeManifest('a.yaml', deployment('web', 'shop')), '--timeout', '10s'], {
      tty: true,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('\x1b[1A\x1b[2K✓ Deployment shop/web  1/1 replicas ready');
  });

  test('a workload that never gets ready: non-zero exit and a clear summary', async () => {
    cluster.server.simulate('Deployment', () => undefined);
    const run = await cli(['apply', writeManifest('a.yaml', deployment('web', 'shop')), '--timeout', '0.2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'not ready: Deployment shop/web: Timeout: waiting for the controller to observe generation 1',
    );
    expect(run.stderr).toContain('apply FAILED');
  });
});

test('apply and delete an app by name', async () => {
  const applied = JSON.parse((await cli(['apply', 'dockercoins', '--no-wait', '-o', 'json'])).stdout);
  expect(applied.ok).toBe(true);
  expect(applied.applySet.name).toBe('workshop-stacks-dockercoins');
  expect(applied.objects[0]).toMatchObject({
    object: 'Namespace dockercoins',
    action: 'created',
    source: 'app dockercoins',
  });
  expect(cluster.server.object('apps/v1', 'Deployment', 'worker', 'dockercoins')).toBeDefined();

  const deleted = await cli(['delete', 'dockercoins', '-o', 'json', '--timeout', '5s']);
  expect(deleted.code).toBe(0);
  expect(cluster.server.objects().filter((o) => o.metadata.namespace === 'dockercoins')).toEqual([]);
  expect(cluster.server.object('v1', 'Namespace', 'dockercoins')).toBeUndefined();
});

test('synth writes the apps into --outdir', async () => {
  const run = await cli(['synth', 'dockercoins', '--outdir', 'out', '-o', 'json']);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout).files).toEqual([path.join(cluster.dir, 'out', 'dockercoins.k8s.yaml')]);
  expect(fs.readFileSync(path.join(cluster.dir, 'out', 'dockercoins.k8s.yaml'), 'utf8')).toBe(
    fs.readFileSync(path.join(__dirname, '..', 'dist', 'dockercoins.k8s.yaml'), 'utf8'),
  );
});

describe('apply, diff and delete: errors and options', () => {
  const noStack = (run: CliRun) => expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);

  test.each([
    [['-n', 'Bad_NS'], /"Bad_NS" is not a namespace name/],
    [['--timeout', '0'], /"0" must be longer than 0/],
    [['--concurrency', '0'], /"0" is not a positive integer/],
  ])('%j is a usage error found before any request', async (args, message) => {
    for (const command of ['apply', 'delete']) {
      const run = await cli([command, writeManifest('a.yaml', configMap('a', 'default')), ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      noStack(run);
    }
    expect(cluster.server.requests).toEqual([]);
  });

  test('every error exits 2; diff keeps 1 for differences only', async () => {
    const file = writeManifest('a.yaml', configMap('a', 'default'));
    const missing = path.join(cluster.dir, 'no-such-kubeconfig');
    for (const command of ['apply', 'diff', 'delete']) {
      const run = await cli([command, file], { kubeconfig: missing });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: /m);
      noStack(run);
    }
  });

  test('a forbidden request: the summary says nothing changed and why', async () => {
    cluster.server.inject({ method: 'GET', path: '/configmaps', status: 403, times: 10 });
    const run = await cli(['apply', writeManifest('a.yaml', configMap('a', 'default')), '--no-wait']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^apply FAILED: nothing changed: 403 Forbidden: /m);
    expect(run.stdout + run.stderr).not.toContain('nothing to do');
  });

  test('writes that are all refused: the summary says nothing changed', async () => {
    cluster.server.inject({ method: 'PATCH', path: '/configmaps/', status: 403, times: 10 });
    const run = await cli([
      'apply',
      writeManifest('a.yaml', configMap('a', 'default'), configMap('b', 'default')),
      '--no-wait',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^apply FAILED: nothing changed: 2 failed$/m);
  });

  test('--skip-checks is said in the output; -v names the fields dropped from live YAML', async () => {
    await cli(['apply', writeManifest('a.yaml', configMap('a', 'default')), '--no-wait']);
    const live = cluster.server.object('v1', 'ConfigMap', 'a', 'default')!;
    const run = await cli([
      'apply',
      writeManifest('live.yaml', live),
      '--no-wait',
      '--skip-checks',
      '-v',
      '--applyset',
      'workshop-stacks-a',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('note: checks skipped (--skip-checks)');
    expect(run.stderr).toMatch(
      /^live.yaml document 0 \(ConfigMap default\/a\): dropped metadata.managedFields, metadata.resourceVersion, metadata.uid, metadata.creationTimestamp/m,
    );
    expect(run.stdout).toContain('apply finished: 1 unchanged');
    const diff = await cli(['diff', 'live.yaml', '--skip-checks', '--applyset', 'workshop-stacks-a']);
    expect(diff.code).toBe(0);
    expect(diff.stderr).toContain('note: checks skipped (--skip-checks)');
  });

  test('--force replaces an object whose selector changed, and says so', async () => {
    cluster.server.seed(namespace('shop'));
    await cli(['apply', writeManifest('a.yaml', deployment('web', 'shop')), '--no-wait']);
    const changed = deployment('web', 'shop');
    (changed.spec as any).selector.matchLabels = { app: 'web', v: '2' };
    (changed.spec as any).template.metadata.labels = { app: 'web', v: '2' };
    const refused = await cli(['apply', writeManifest('a.yaml', changed), '--no-wait']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(
      'Deployment shop/web failed (spec.selector: field is immutable; --force deletes the object and creates it again)',
    );
    const forced = await cli(['apply', 'a.yaml', '--no-wait', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(
      'Deployment shop/web replaced (spec.selector cannot change: deleted and created again)',
    );
    expect(forced.stdout).toContain('apply finished: 1 replaced');
  });
});
