// Dry runs and diff against the strict fake API server.
import { KubeObject } from '../src/manifest';
import { FakeCluster, configMap, deployment, docs, useFakeCluster } from './support/cluster';
import { SET, app } from './support/apply';

let cluster: FakeCluster;
useFakeCluster((c) => {
  cluster = c;
});

describe('dry run and diff', () => {
  test('--dry-run runs the plan as a server-side dry run and persists nothing', async () => {
    const report = await cluster.engine().apply({ documents: app(), applySet: SET, dryRun: true });
    expect(report.ok).toBe(true);
    expect(report.dryRun).toBe(true);
    expect(report.objects.every((o) => o.action === 'created')).toBe(true);
    // Objects in a namespace this apply creates cannot be checked by the server yet, and say so.
    expect(report.objects.find((o) => o.kind === 'Deployment')!.message).toMatch(
      /not checked by the server: namespace shop/,
    );
    expect(cluster.server.writes().every((w) => w.query.dryRun === 'All')).toBe(true);
    expect(cluster.server.objects().map((o) => o.metadata.name)).toEqual(['default']);
  });

  test('diff shows the live object against the dry-run result', async () => {
    await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
    cluster.server.clearRequests();
    const changed = app().map((d) =>
      (d.value as KubeObject).kind === 'Deployment' ? { ...d, value: deployment('web', 'shop', 4) } : d,
    );
    const report = await cluster.engine().diff({ documents: changed, applySet: SET });
    expect(report.ok).toBe(true);
    const changedDiffs = report.diffs.filter((d) => d.diff !== '');
    expect(changedDiffs.map((d) => d.object)).toEqual(['Deployment shop/web']);
    expect(changedDiffs[0].diff).toMatch(/^-\s+replicas: 1$/m);
    expect(changedDiffs[0].diff).toMatch(/^\+\s+replicas: 4$/m);
    expect(cluster.server.writes().every((w) => w.query.dryRun === 'All')).toBe(true);
  });

  test('diff masks Secret data, before and after', async () => {
    // Secrets with values come from the environment at apply time, never from the manifests.
    const spec = {
      name: 'creds',
      namespace: 'default',
      keys: [
        { key: 'token', env: 'TOKEN' },
        { key: 'same', env: 'SAME' },
      ],
    };
    const input = (token: string) => ({
      documents: docs('a.yaml', configMap('a', 'default')),
      applySet: SET,
      envSecrets: [spec],
      env: { TOKEN: token, SAME: 'same-value' },
    });
    await cluster.engine().apply({ ...input('old-token-value'), wait: false });
    const report = await cluster.engine().diff(input('new-token-value'));
    const text = JSON.stringify(report);
    for (const value of ['old-token-value', 'new-token-value', 'same-value']) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
    }
    const diff = report.diffs.find((d) => d.object === 'Secret default/creds')!.diff;
    expect(diff).toContain('-  token: "*** (before)"');
    expect(diff).toContain('+  token: "*** (after)"');
    expect(diff).not.toMatch(/^[-+]\s+same:/m);
  });

  test('diff --prune shows the members that would be deleted', async () => {
    await cluster.engine().apply({
      documents: docs('a.yaml', configMap('a', 'default'), configMap('b', 'default')),
      applySet: SET,
      wait: false,
    });
    const report = await cluster
      .engine()
      .diff({ documents: docs('a.yaml', configMap('a', 'default')), applySet: SET, prune: true });
    expect(report.pruned.map((p) => p.object)).toEqual(['ConfigMap default/b']);
    expect(report.diffs.find((d) => d.object === 'ConfigMap default/b')!.diff).toMatch(/^-\s+name: b$/m);
  });
});
