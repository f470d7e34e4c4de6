// Prune and delete against the strict fake API server, Terminating namespaces included.
import { APPLYSET_GROUP_KINDS_ANNOTATION, APPLYSET_PART_OF_LABEL, applySetId } from '../src/apply/applyset';
import { FakeCluster, configMap, deployment, docs, namespace, useFakeCluster } from './support/cluster';
import { SET, app } from './support/apply';

let cluster: FakeCluster;
useFakeCluster((c) => {
  cluster = c;
});

describe('prune', () => {
  const v1 = () =>
    docs(
      'v1.yaml',
      namespace('shop'),
      configMap('keep', 'shop'),
      configMap('old', 'shop'),
      deployment('old-worker', 'shop'),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'old-reader' }, rules: [] },
    );
  const v2 = () => docs('v2.yaml', namespace('shop'), configMap('keep', 'shop'));

  test('deletes exactly the members that left the manifests, with background propagation, and nothing unlabelled', async () => {
    const engine = cluster.engine();
    expect((await engine.apply({ documents: v1(), applySet: SET, wait: false })).ok).toBe(true);
    cluster.server.seed(configMap('hand-made', 'shop'));
    cluster.server.seed({
      ...configMap('other-set', 'shop'),
      metadata: { name: 'other-set', namespace: 'shop', labels: { [APPLYSET_PART_OF_LABEL]: 'applyset-other-v1' } },
    });
    cluster.server.clearRequests();

    const report = await engine.apply({ documents: v2(), applySet: SET, wait: false, prune: true });
    expect(report.ok).toBe(true);
    expect(report.pruned.map((p) => `${p.object} ${p.action}`).sort()).toEqual([
      'ClusterRole old-reader pruned',
      'ConfigMap shop/old pruned',
      'Deployment shop/old-worker pruned',
    ]);
    const deletes = cluster.server.writes().filter((r) => r.method === 'DELETE');
    expect(deletes.map((d) => d.path.split('/').pop()).sort()).toEqual(['old', 'old-reader', 'old-worker']);
    expect(deletes.every((d) => d.query.propagationPolicy === 'Background')).toBe(true);
    // Workloads go before what they use.
    expect(deletes[0].path).toContain('/deployments/old-worker');
    expect(cluster.server.object('v1', 'ConfigMap', 'hand-made', 'shop')).toBeDefined();
    expect(cluster.server.object('v1', 'ConfigMap', 'other-set', 'shop')).toBeDefined();
    expect(cluster.server.object('v1', 'ConfigMap', 'keep', 'shop')).toBeDefined();
    // The parent now lists only what is left.
    expect(
      cluster.server.object('v1', 'Secret', SET.name, SET.namespace)!.metadata.annotations![
        APPLYSET_GROUP_KINDS_ANNOTATION
      ],
    ).toBe('ConfigMap,Namespace');
  });

  test('refuses, before any write, to prune a Namespace that still holds objects of the manifests', async () => {
    await cluster.engine().apply({ documents: v1(), applySet: SET, wait: false });
    cluster.server.clearRequests();
    const report = await cluster
      .engine()
      .apply({ documents: docs('v3.yaml', configMap('keep', 'shop')), applySet: SET, wait: false, prune: true });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => `${p.object}: ${p.message}`).join()).toMatch(
      /^Namespace shop: is no longer in the manifests, but objects of the manifests live in it/,
    );
    expect(cluster.server.writes()).toEqual([]);
  });

  test('even a server that ignores the label selector cannot make it delete an unlabelled object', async () => {
    await cluster.engine().apply({ documents: v2(), applySet: SET, wait: false });
    cluster.server.seed(configMap('hand-made', 'shop'));
    // Every ConfigMap (of the path's namespace, if it names one), whatever the selector asked for.
    const answered: string[] = [];
    cluster.server.route('GET', /\/configmaps$/, (req, server) => {
      const namespace = /\/namespaces\/([^/]+)\/configmaps$/.exec(req.path)?.[1];
      const items = server
        .objects('ConfigMap')
        .filter((o) => namespace === undefined || o.metadata.namespace === namespace);
      answered.push(...items.map((o) => `${o.metadata.namespace}/${o.metadata.name} ${req.query.labelSelector ?? ''}`));
      return { status: 200, body: { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items } };
    });
    // ConfigMaps left the manifests: their members are found by the set's label alone.
    const report = await cluster
      .engine()
      .apply({ documents: docs('v3.yaml', namespace('shop')), applySet: SET, wait: false, prune: true });
    // The route answered that LIST, the unlabelled object included.
    expect(answered).toContainEqual(`shop/hand-made ${APPLYSET_PART_OF_LABEL}=${applySetId(SET)}`);
    expect(report.ok).toBe(true);
    expect(report.pruned.map((p) => `${p.object} ${p.action}`)).toEqual(['ConfigMap shop/keep pruned']);
    expect(
      cluster.server
        .writes()
        .filter((r) => r.method === 'DELETE')
        .map((d) => d.path.split('/').pop()),
    ).toEqual(['keep']);
    expect(cluster.server.object('v1', 'ConfigMap', 'hand-made', 'shop')).toBeDefined();
  });

  test('refuses to prune when the manifests are empty, before any request', async () => {
    await cluster.engine().apply({ documents: v1(), applySet: SET, wait: false });
    cluster.server.clearRequests();
    const refused = await cluster.engine().apply({ documents: [], applySet: SET, prune: true });
    expect(refused.ok).toBe(false);
    expect(refused.problems.map((p) => p.message).join()).toMatch(/refusing to prune with no object/);
    expect(cluster.server.requests).toEqual([]);

    const forced = await cluster
      .engine()
      .apply({ documents: [], applySet: SET, prune: true, allowEmptyPrune: true, wait: false });
    expect(forced.ok).toBe(true);
    expect(forced.pruned).toHaveLength(5);
    // Pruning does not wait: the Namespace is Terminating until the namespace controller has emptied it.
    expect(cluster.server.object('v1', 'Namespace', 'shop')!.status).toEqual({ phase: 'Terminating' });
  });

  test('a dry run with --prune lists what would go and deletes nothing', async () => {
    await cluster.engine().apply({ documents: v1(), applySet: SET, wait: false });
    cluster.server.clearRequests();
    const report = await cluster.engine().apply({ documents: v2(), applySet: SET, prune: true, dryRun: true });
    expect(report.pruned.map((p) => p.name).sort()).toEqual(['old', 'old-reader', 'old-worker']);
    expect(cluster.server.object('v1', 'ConfigMap', 'old', 'shop')).toBeDefined();
    expect(cluster.server.writes().every((w) => w.query.dryRun === 'All')).toBe(true);
  });
});

describe('delete', () => {
  test('deletes every member in reverse order and the parent, and leaves objects outside the set alone', async () => {
    await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
    cluster.server.seed(configMap('hand-made', 'default'));
    cluster.server.clearRequests();
    const report = await cluster.engine().delete({
      documents: [...app(), ...docs('extra.yaml', configMap('hand-made', 'default'))],
      applySet: SET,
      timeoutMs: 2000,
    });
    expect(report.ok).toBe(true);
    const deleted = cluster.server
      .writes()
      .filter((r) => r.method === 'DELETE')
      .map((r) => r.path.split('/').slice(-2).join('/'));
    expect(deleted).toEqual([
      'deployments/web',
      'networkpolicies/deny',
      'services/web',
      'configmaps/settings',
      'serviceaccounts/web',
      'clusterroles/reader',
      'namespaces/shop',
      `secrets/${SET.name}`,
    ]);
    expect(report.objects.find((o) => o.name === 'hand-made')).toMatchObject({
      action: 'skipped',
      message: expect.stringMatching(/not a member/),
    });
    expect(cluster.server.object('v1', 'ConfigMap', 'hand-made', 'default')).toBeDefined();
    expect(cluster.server.object('v1', 'Secret', SET.name, SET.namespace)).toBeUndefined();
  });
  test('delete, then apply at once: the apply waits for the Terminating namespace to go, then creates everything', async () => {
    const input = () => ({ documents: app(), applySet: SET });
    await cluster.engine().apply({ ...input(), wait: false });
    const deleted = await cluster.engine().delete({ ...input(), wait: false });
    expect(deleted.ok).toBe(true);
    expect(cluster.server.object('v1', 'Namespace', 'shop')!.status).toEqual({ phase: 'Terminating' });
    cluster.server.clearRequests();
    const again = await cluster.engine().apply({ ...input(), wait: false, timeoutMs: 10_000 });
    expect(again.problems).toEqual([]);
    expect(again.notes).toEqual(['Namespace shop: being deleted; waiting until it is gone before applying']);
    expect(again.ok).toBe(true);
    expect(again.objects.map((o) => o.action)).toEqual(Array(7).fill('created'));
    // Nothing was sent into the Terminating namespace (a real server answers 403 there).
    expect(
      cluster.server.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/namespaces/shop/')).length,
    ).toBe(5);
  });

  test('delete waits for a Namespace to finish terminating; a second delete meanwhile is not an error', async () => {
    await cluster.engine().apply({ documents: app(), applySet: SET, wait: false });
    expect((await cluster.engine().delete({ documents: app(), applySet: SET, wait: false })).ok).toBe(true);
    cluster.server.clearRequests();
    const deleted = await cluster.engine().delete({ documents: app(), applySet: SET, timeoutMs: 10_000 });
    expect(deleted.ok).toBe(true);
    expect(deleted.objects.find((o) => o.object === 'Namespace shop')).toMatchObject({
      action: 'deleted',
      message: 'already being deleted',
    });
    // A second DELETE of a Terminating namespace answers 409: none is sent.
    expect(cluster.server.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith('/namespaces/shop'))).toEqual(
      [],
    );
    expect(cluster.server.object('v1', 'Namespace', 'shop')).toBeUndefined();
    expect(cluster.server.objects().filter((o) => o.metadata.namespace === 'shop')).toEqual([]);
  });
});
