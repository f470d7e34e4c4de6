// The command's time budget (--timeout) under a server that stalls, and true reports when answers are lost.
import * as fs from 'fs';
import * as path from 'path';
import { ConnectionError } from '../src/apply/kube-api';
import { KubeObject } from '../src/manifest';
import { Deadline, DeadlineExceededError } from '../src/apply/deadline';
import { EngineEvent, EngineReport } from '../src/apply/engine';
import { describeError } from '../src/apply/describe-error';
import { WaitProgress, printSummary, serverLine } from '../src/cli/output';
import { withRetry } from '../src/apply/retry';
import { SET, app } from './support/apply';
import { runCli, writeManifest } from './support/cli';
import { hangingPluginKubeconfig } from './support/credential-plugin';
import { FakeCluster, configMap, deployment, docs, namespace, useFakeCluster } from './support/cluster';

let cluster: FakeCluster;
useFakeCluster((c) => {
  cluster = c;
});

/** Resolves with the elapsed ms of `fn`. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const result = await fn();
  return [result, Date.now() - start];
}

const resultsOf = (events: readonly EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'result' ? [`${e.result.object} ${e.result.action}`] : []));

describe('the test API server', () => {
  test('a stall answers nothing until released, then serves what it held, writes included', async () => {
    const stall = cluster.server.stall();
    const pending = cluster.client.apply(configMap('held', 'default'), { fieldManager: 'test' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(cluster.server.object('v1', 'ConfigMap', 'held', 'default')).toBeUndefined();
    stall.release();
    await expect(pending).resolves.toMatchObject({ metadata: { name: 'held' } });
  });

  test('a stall of N ms ends by itself', async () => {
    cluster.server.stall(300);
    const [, ms] = await timed(() => cluster.client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'default' }));
    expect(ms).toBeGreaterThanOrEqual(280);
  });

  test('a lost answer: the write is done, the connection dropped without an answer', async () => {
    cluster.server.inject({ method: 'PATCH', lostAnswer: true, times: 6 });
    await expect(cluster.client.apply(configMap('x', 'default'), { fieldManager: 'test' })).rejects.toMatchObject({
      code: 'ECONNRESET',
      mayHaveReachedServer: true,
    });
    expect(cluster.server.object('v1', 'ConfigMap', 'x', 'default')).toBeDefined();
  });
});

describe('withRetry within a deadline', () => {
  const reset = () => Promise.reject(new ConnectionError('GET /x: socket hang up', 'ECONNRESET', true));

  test('no backoff sleeps beyond the deadline, and no retry starts past it', async () => {
    const deadline = new Deadline(300);
    let attempts = 0;
    const [error, ms] = await timed(() =>
      deadline.run(() =>
        withRetry(
          () => {
            attempts++;
            return reset();
          },
          { minDelayMs: 1000 },
          true,
          'GET /x',
        ).catch((e) => e),
      ),
    );
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(600);
    expect(attempts).toBe(1);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ request: 'GET /x', mayHaveReachedServer: true });
  });

  test('after the deadline nothing is sent', async () => {
    const deadline = new Deadline(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    let attempts = 0;
    const error = await deadline.run(() =>
      withRetry(
        async () => {
          attempts++;
        },
        {},
        true,
        'GET /x',
      ).catch((e) => e),
    );
    expect(attempts).toBe(0);
    expect(error).toMatchObject({ message: 'GET /x: not sent before the timeout passed', mayHaveReachedServer: false });
  });

  test('a request whose earlier attempt may have reached the server says so, even if the last one never connected', async () => {
    const errors = [
      new ConnectionError('PATCH /x: socket hang up', 'ECONNRESET', true),
      new ConnectionError('PATCH /x: connect ECONNREFUSED', 'ECONNREFUSED', false),
    ];
    const error = await withRetry(() => Promise.reject(errors.shift() as ConnectionError), {
      retries: 1,
      sleep: async () => {},
    }).catch((e) => e);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', mayHaveReachedServer: true });
  });

  test('each request of the client ends at the deadline, and the silence is measured', async () => {
    cluster.server.stall();
    const deadline = new Deadline(500);
    const [error, ms] = await timed(() =>
      deadline.run(() => cluster.client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'default' }).catch((e) => e)),
    );
    expect(ms).toBeLessThan(1500);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.message).toMatch(/^GET \/api\/v1\S*: no answer before the timeout passed$/);
    expect(deadline.silence()!.ms).toBeGreaterThanOrEqual(450);
  });
});

describe('apply under a stalled server', () => {
  test('stops within 2 s of its deadline, names where it was, counts what it wrote; a re-run after the stall converges', async () => {
    await cluster.engine().apply({ documents: docs('a.yaml', namespace('shop')), applySet: SET, wait: false });
    // The server stalls once the workloads stage begins: the earlier stages are written.
    const off = cluster.server.onRequest((req) => {
      if (req.method === 'PATCH' && req.path.includes('/deployments/')) cluster.server.stall();
    });
    const input = { documents: app(), applySet: SET, timeoutMs: 1500, wait: false };
    const [report, ms] = await timed(() => cluster.engine().apply(input));
    expect(ms).toBeLessThan(1500 + 2000);
    expect(report.ok).toBe(false);
    expect(report.error).toBeUndefined();
    expect(report.timedOut).toMatchObject({
      doing: 'applying stage workloads',
      object: 'Deployment shop/web',
      written: 6,
      total: 7,
    });
    expect(report.timedOut!.message).toMatch(
      /^the 1.5 s timeout \(--timeout\) passed while applying stage workloads, at Deployment shop\/web; the API server had not answered for 1(\.\d)? s\. 6 of 7 object\(s\) written\. Running the same command again is safe/,
    );
    // The Deployment's apply was sent, and its answer never came: not known, not "failed".
    expect(report.objects.find((o) => o.object === 'Deployment shop/web')).toMatchObject({
      action: 'unknown',
      message: expect.stringMatching(
        /^sent, but the answer was lost: PATCH .*: no answer before the timeout passed; not read back: the timeout passed$/,
      ),
    });

    off();
    cluster.server.stall().release(); // the held apply is carried out now, after the deadline
    const again = await cluster.engine().apply({ ...input, timeoutMs: 5000 });
    expect(again.ok).toBe(true);
    expect(again.objects.every((o) => o.action === 'unchanged')).toBe(true);
  });

  test('a stall from the start: the plan stops at the deadline, nothing was written', async () => {
    cluster.server.stall();
    const [report, ms] = await timed(() =>
      cluster.engine().apply({ documents: app(), applySet: SET, timeoutMs: 1000 }),
    );
    expect(ms).toBeLessThan(3000);
    expect(report.timedOut).toMatchObject({ doing: 'reading the live objects (the plan)', written: 0 });
    expect(report.timedOut!.message).toContain('No object was written yet');
    expect(report.objects).toEqual([]);
  });

  test('a wait that ends because the server did not answer says so, not what the controller was doing', async () => {
    cluster.server.seed(namespace('shop'));
    cluster.server.simulate('Deployment', () => ({ observedGeneration: 0 }));
    let polls = 0;
    cluster.server.onRequest((req) => {
      if (req.method === 'GET' && req.path.endsWith('/deployments') && ++polls === 3) cluster.server.stall(); // the plan's LIST, then the wait's first poll
    });
    const events: EngineEvent[] = [];
    const report = await cluster
      .engine({ silenceNoticeMs: 300, onEvent: (e) => events.push(e) })
      .apply({ documents: docs('a.yaml', deployment('web', 'shop')), applySet: SET, timeoutMs: 1500 });
    expect(report.wait).toEqual([
      expect.objectContaining({
        status: 'Timeout',
        message: expect.stringMatching(
          /^the API server did not answer \(GET \/apis\/apps\/v1\/namespaces\/shop\/deployments: no answer before the timeout passed\); last seen: waiting for the controller to observe generation 1$/,
        ),
      }),
    ]);
    expect(report.timedOut).toMatchObject({
      doing: 'waiting for 1 object(s) to become ready',
      object: 'Deployment shop/web',
      written: 1,
    });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'server', answering: false, silentMs: expect.any(Number) }),
    );
  });
});

test('a diff stopped at its deadline shows no difference for what it did not compare', async () => {
  await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
  const off = cluster.server.onRequest((req) => {
    if (req.method === 'PATCH' && req.query.dryRun) cluster.server.stall();
  });
  const report = await cluster.engine({ concurrency: 1 }).diff({ documents: app(), applySet: SET, timeoutMs: 1000 });
  off();
  expect(report.timedOut).toMatchObject({
    doing: 'comparing each object with a server-side dry run',
    written: 0,
    total: 7,
  });
  expect(report.objects.map((o) => o.action)).toEqual(['unknown', ...Array(6).fill('skipped')]);
  expect(report.diffs).toEqual([]);
});

describe('lost answers', () => {
  /** A Deployment `web` in `default` whose selector the next apply changes, and that changed manifest. */
  async function selectorChange(): Promise<KubeObject> {
    await cluster
      .engine()
      .apply({ documents: docs('a.yaml', deployment('web', 'default')), applySet: SET, wait: false });
    const changed = deployment('web', 'default');
    (changed.spec as any).selector.matchLabels = { app: 'web', track: 'stable' };
    (changed.spec as any).template.metadata.labels = { app: 'web', track: 'stable' };
    return changed;
  }

  test.each([
    [
      'carried out: read back, it is replaced',
      { lostAnswer: true },
      'replaced',
      'the answer was lost; read back: deleted and created again',
    ],
    [
      'not carried out: read back, it is failed, and says a re-run creates it',
      { reset: true },
      'failed',
      'deleted, and reading it back shows it was not created again: a re-run creates it',
    ],
  ])('--force: the create after the delete lost its answer, %s', async (_, failure, action, message) => {
    const changed = await selectorChange();
    const uid = cluster.server.object('apps/v1', 'Deployment', 'web', 'default')!.metadata.uid;
    // Every attempt to create it again, once the old one was deleted, loses its answer.
    const off = cluster.server.onRequest((req) => {
      if (req.method === 'DELETE' && req.path.endsWith('/deployments/web'))
        cluster.server.inject({ method: 'PATCH', path: '/deployments/web', times: 6, ...failure });
    });
    const report = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', changed), applySet: SET, wait: false, force: true });
    off();
    expect(report.objects[0]).toMatchObject({ object: 'Deployment default/web', action, message });
    // After the first apply's `created`: this apply's result, first unknown, then as read back.
    expect(resultsOf(cluster.events).slice(1)).toEqual([
      'Deployment default/web unknown',
      `Deployment default/web ${action}`,
    ]);
    const live = cluster.server.object('apps/v1', 'Deployment', 'web', 'default');
    if (action === 'replaced') expect(live!.metadata.uid).not.toBe(uid);
    else expect(live).toBeUndefined();
  });

  test('an apply whose every answer was lost is told as unknown, read back once, and reported as it is', async () => {
    cluster.server.inject({ method: 'PATCH', path: '/configmaps/', lostAnswer: true, times: 6 });
    const report = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', configMap('a', 'default')), applySet: SET, wait: false });
    expect(report.ok).toBe(true);
    expect(report.objects).toEqual([
      expect.objectContaining({
        object: 'ConfigMap default/a',
        action: 'created',
        message: 'the answer was lost; read back',
      }),
    ]);
    expect(resultsOf(cluster.events)).toEqual(['ConfigMap default/a unknown', 'ConfigMap default/a created']);
    const gets = cluster.server.requests.filter(
      (r) => r.method === 'GET' && r.path === '/api/v1/namespaces/default/configmaps/a',
    );
    expect(gets).toHaveLength(1);
  });

  test('a change whose answer was lost is configured; a no-op whose answer was lost is unchanged', async () => {
    await cluster.engine().apply({
      documents: docs('a.yaml', configMap('a', 'default'), configMap('b', 'default')),
      applySet: SET,
      wait: false,
    });
    cluster.server.inject({ method: 'PATCH', path: '/configmaps/', lostAnswer: true, times: 12 });
    const report = await cluster.engine().apply({
      documents: docs('a.yaml', configMap('a', 'default', { key: 'new' }), configMap('b', 'default')),
      applySet: SET,
      wait: false,
    });
    expect(report.objects.map((o) => [o.object, o.action])).toEqual([
      ['ConfigMap default/a', 'configured'],
      ['ConfigMap default/b', 'unchanged'],
    ]);
    expect(report.objects[1].message).toBe('the answer was lost; read back: as before the apply');
  });

  test('a write that did not happen (dropped before it was carried out) is failed, not created', async () => {
    cluster.server.inject({ method: 'PATCH', path: '/configmaps/', reset: true, times: 6 });
    const report = await cluster
      .engine()
      .apply({ documents: docs('a.yaml', configMap('a', 'default')), applySet: SET, wait: false });
    expect(report.objects).toEqual([
      expect.objectContaining({
        action: 'failed',
        message: 'the answer was lost, and reading it back shows it was not created',
      }),
    ]);
  });

  test('a delete whose answer was lost: read back, gone is deleted', async () => {
    await cluster.engine().apply({ documents: docs('a.yaml', configMap('a', 'default')), applySet: SET, wait: false });
    cluster.server.inject({ method: 'DELETE', path: '/configmaps/', lostAnswer: true, times: 6 });
    const report = await cluster
      .engine()
      .delete({ documents: docs('a.yaml', configMap('a', 'default')), applySet: SET, timeoutMs: 5000 });
    expect(report.ok).toBe(true);
    expect(report.objects[0]).toMatchObject({
      object: 'ConfigMap default/a',
      action: 'deleted',
      message: 'the answer was lost; read back: gone',
    });
    expect(resultsOf(cluster.events)).toContain('ConfigMap default/a unknown');
    expect(cluster.server.object('v1', 'Secret', SET.name, SET.namespace)).toBeUndefined();
  });
});

describe('delete and prune keep the deadline', () => {
  test('delete under a stall stops within 2 s of its deadline and keeps the apply set parent', async () => {
    await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
    const off = cluster.server.onRequest((req) => {
      if (req.method === 'DELETE') cluster.server.stall();
    });
    const [report, ms] = await timed(() =>
      cluster.engine().delete({ documents: app(), applySet: SET, timeoutMs: 1000 }),
    );
    expect(ms).toBeLessThan(3000);
    expect(report.timedOut).toMatchObject({ doing: 'deleting', total: 7 });
    expect(report.timedOut!.message).toContain('Running the same command again is safe: it deletes what is left.');
    off();
    cluster.server.stall().release();
    // The parent still lists every member: a second delete finds and finishes them.
    expect(cluster.server.object('v1', 'Secret', SET.name, SET.namespace)).toBeDefined();
    const again = await cluster.engine().delete({ documents: app(), applySet: SET, timeoutMs: 10_000 });
    expect(again.ok).toBe(true);
    expect(cluster.server.objects().filter((o) => o.metadata.namespace === 'shop')).toEqual([]);
  });

  test('--prune under a stall stops within 2 s of its deadline; the inventory keeps the members not pruned', async () => {
    await cluster.engine().apply({
      documents: [...app(), ...docs('b.yaml', configMap('old-1', 'shop'), configMap('old-2', 'shop'))],
      applySet: SET,
      wait: false,
    });
    const off = cluster.server.onRequest((req) => {
      if (req.method === 'DELETE') cluster.server.stall();
    });
    // One request at a time: the first DELETE is held by the stall, the second never sent.
    const [report, ms] = await timed(() =>
      cluster
        .engine({ concurrency: 1 })
        .apply({ documents: app(), applySet: SET, prune: true, wait: false, timeoutMs: 1000 }),
    );
    expect(ms).toBeLessThan(3000);
    const [held, unsent] = [
      report.pruned.find((p) => p.action === 'unknown')!,
      report.pruned.find((p) => p.action === 'skipped')!,
    ];
    expect(held.message).toMatch(
      /^sent, but the answer was lost: DELETE .*: no answer before the timeout passed; not read back: the timeout passed$/,
    );
    expect(unsent.message).toBe('not sent: the timeout passed first');
    expect(report.timedOut).toMatchObject({ doing: 'pruning', object: held.object, written: 7, total: 9 });
    // A prune that did not finish leaves the parent's inventory as it was.
    expect(cluster.server.writes().filter((w) => w.path.endsWith(`/secrets/${SET.name}`))).toHaveLength(1);
    off();
    cluster.server.stall().release();
    const again = await cluster
      .engine()
      .apply({ documents: app(), applySet: SET, prune: true, wait: false, timeoutMs: 5000 });
    expect(again.ok).toBe(true);
    expect(cluster.server.objects('ConfigMap').map((o) => o.metadata.name)).not.toContain('old-2');
  });
});

describe('the CLI under a stalled server', () => {
  test('apply --timeout 2s against a server that stalls: ends by about 4 s, rc 1, says it was the API server and that a re-run is safe; the re-run converges', async () => {
    const file = writeManifest(
      cluster.dir,
      'a.yaml',
      namespace('shop'),
      configMap('a', 'shop'),
      configMap('b', 'shop'),
    );
    const stall = cluster.server.stall();
    const run = await runCli(cluster.dir, cluster.kubeconfig, ['apply', file, '--timeout', '2s']);
    expect(run.ms).toBeLessThan(4000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^waiting for the API server: no answer for 0\.\d s/m);
    expect(run.stderr).toMatch(
      /^timeout: the 2 s timeout \(--timeout\) passed while reading the live objects \(the plan\), at GET \/api\/v1\S*; the API server had not answered for [12](\.\d)? s\. No object was written yet\. Running the same command again is safe/m,
    );
    expect(run.stderr).toMatch(/^apply FAILED: nothing changed: the timeout passed$/m);
    stall.release();
    const again = await runCli(cluster.dir, cluster.kubeconfig, ['apply', file, '--timeout', '5s']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('apply finished: 3 created');
  });

  test('diff against a server that does not answer says so, and that nothing was compared', async () => {
    const kubeconfig = path.join(cluster.dir, 'closed.kubeconfig');
    fs.writeFileSync(kubeconfig, cluster.server.kubeconfig().replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1'));
    const run = await runCli(cluster.dir, kubeconfig, [
      'diff',
      writeManifest(cluster.dir, 'a.yaml', configMap('a', 'default')),
      '--timeout',
      '1s',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^timeout: .*; the API server had not answered for (0\.9|1) s \(\d retries\)\. Nothing was changed\./m,
    );
    expect(run.stderr).toMatch(/^diff FAILED: nothing was compared: the timeout passed$/m);
    expect(run.stderr).not.toContain('nothing to do');
  });

  test('a diff whose retries ran out on an unreachable server: the summary names the server, and nothing was compared', () => {
    const error = new ConnectionError('GET /api/v1: connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED', false);
    const report: EngineReport = {
      command: 'diff',
      ok: false,
      dryRun: true,
      applySet: { ...SET, id: 'x' },
      problems: [],
      objects: [],
      pruned: [],
      wait: [],
      diffs: [],
      notes: [],
      error: describeError(error),
    };
    let stderr = '';
    printSummary(
      report,
      {
        write: (t: string) => {
          stderr += t;
        },
      },
      {
        write: (t: string) => {
          stderr += t;
        },
      },
    );
    expect(stderr).toMatch(
      /^diff FAILED: nothing was compared: the API server did not answer \(GET \/api\/v1: connect ECONNREFUSED 127\.0\.0\.1:1\)$/m,
    );
  });

  test('diff keeps the deadline too', async () => {
    cluster.server.stall();
    const run = await runCli(cluster.dir, cluster.kubeconfig, [
      'diff',
      writeManifest(cluster.dir, 'a.yaml', configMap('a', 'default')),
      '--timeout',
      '1s',
    ]);
    expect(run.ms).toBeLessThan(3000);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^diff FAILED: nothing was compared: the timeout passed$/m);
  });

  test('a kubeconfig that is not valid YAML: the error names the file, and quotes none of its lines', async () => {
    const kubeconfig = path.join(cluster.dir, 'broken.kubeconfig');
    fs.writeFileSync(kubeconfig, 'apiVersion: v1\nusers: [\n  - name: x\n token: secret-token-value\n');
    for (const command of ['apply', 'diff', 'delete']) {
      const run = await runCli(cluster.dir, kubeconfig, [
        command,
        writeManifest(cluster.dir, 'a.yaml', configMap('a', 'default')),
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(`^error: kubeconfig ${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+\\(\\d+:\\d+\\)$`, 'm'),
      );
      expect(run.stderr).not.toContain('secret-token-value');
    }
  });

  test('an empty kubeconfig: the error names the file and says it is no kubeconfig', async () => {
    const kubeconfig = path.join(cluster.dir, 'empty.kubeconfig');
    fs.writeFileSync(kubeconfig, '');
    const file = writeManifest(cluster.dir, 'a.yaml', configMap('a', 'default'));
    const run = await runCli(cluster.dir, kubeconfig, ['diff', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: kubeconfig ${kubeconfig}: not a kubeconfig: expected a mapping with lists of clusters, users and contexts\n`,
    );
  });
});

describe('a credential plugin that does not answer', () => {
  test('the deadline ends the wait for it, and the silence is the plugin’s', async () => {
    const deadline = new Deadline(300);
    const never = new Promise<never>(() => {});
    const [error, ms] = await timed(() =>
      deadline.run(() =>
        deadline.waitingFor(() => deadline.credentials('exec plugin "aws"', 'GET /api/v1', never)).catch((e) => e),
      ),
    );
    expect(ms).toBeLessThan(1000);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.message).toBe('GET /api/v1: not sent before the timeout passed');
    expect(error.cause.message).toBe('exec plugin "aws" had not answered');
    expect(deadline.silence()).toMatchObject({ plugin: 'exec plugin "aws"' });
  });

  test('diff --timeout 2s with an exec plugin that never answers: ends at the deadline and names the plugin', async () => {
    const plugin = hangingPluginKubeconfig(cluster.server, cluster.dir);
    try {
      const file = writeManifest(cluster.dir, 'a.yaml', configMap('a', 'default'));
      const run = await runCli(cluster.dir, plugin.kubeconfig, ['diff', file, '--timeout', '2s']);
      expect(run.ms).toBeLessThan(3000);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^waiting for the exec plugin ".+" \(kubeconfig credentials\): no answer for 0\.\d s$/m,
      );
      expect(run.stderr).toMatch(
        /^timeout: the 2 s timeout \(--timeout\) passed while reading the live objects \(the plan\), at GET \/api\/v1; the exec plugin ".+" of the kubeconfig had not answered for [12](\.\d)? s\. Nothing was changed\./m,
      );
      expect(run.stderr).not.toMatch(/API server/);
      expect(cluster.server.requests).toEqual([]);
    } finally {
      plugin.kill();
    }
  });
});

describe('a silent API server in the progress output', () => {
  const silent = serverLine({ type: 'server', answering: false, silentMs: 10_000, retries: 3 });
  const back = serverLine({ type: 'server', answering: true, silentMs: 12_400, retries: 3 });

  test('the lines say it is the API server, how long, and how many retries', () => {
    expect(silent).toBe('waiting for the API server: no answer for 10 s, 3 retries');
    expect(serverLine({ type: 'server', answering: false, silentMs: 2500, retries: 1 })).toBe(
      'waiting for the API server: no answer for 2.5 s, 1 retry',
    );
    expect(back).toBe('the API server answers again (after 12 s without an answer)');
  });

  test('a silence of the kubeconfig’s credential plugin names the plugin, not the server', () => {
    expect(
      serverLine({ type: 'server', answering: false, silentMs: 2500, retries: 0, plugin: 'exec plugin "aws"' }),
    ).toBe('waiting for the exec plugin "aws" (kubeconfig credentials): no answer for 2.5 s');
  });

  test('a log (CI) gets plain lines, also while objects are waited for', () => {
    let out = '';
    const progress = new WaitProgress(
      {
        write: (t: string) => {
          out += t;
        },
      },
      { log: true },
    );
    progress.start(['Deployment shop/web']);
    progress.server(silent, true);
    progress.server(back, false);
    expect(out).toBe(`waiting for 1 object(s)\n${silent}\n${back}\n`);
  });

  test('a terminal shows the silence under the objects while it lasts, without breaking the drawing', () => {
    let out = '';
    const progress = new WaitProgress({
      write: (t: string) => {
        out += t;
      },
      isTTY: true,
    });
    progress.server(silent, true); // nothing drawn yet: a plain line
    expect(out).toBe(`${silent}\n`);
    out = '';
    progress.start(['Deployment shop/web']);
    progress.server(silent, true);
    expect(out).toBe(
      '\x1b[2K… Deployment shop/web  waiting\n\x1b[1A\x1b[2K… Deployment shop/web  waiting\n\x1b[2K' + silent + '\n',
    );
    out = '';
    progress.server(back, false);
    // The block keeps its height: the silence line is blanked.
    expect(out).toBe('\x1b[2A\x1b[2K… Deployment shop/web  waiting\n\x1b[2K\n');
  });
});
