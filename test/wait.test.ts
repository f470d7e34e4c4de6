import { mapLimit } from '../src/apply/concurrency';
import { computeStatus, waitForDeletion, waitForReady } from '../src/apply/wait';
import { KubeObject, ObjectRef, refOf } from '../src/manifest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createKubeClient } from '../src/apply/http-kube-client';
import {
  FakeCluster,
  configMap,
  deployment,
  namespace,
  readyDeploymentStatus,
  useFakeCluster,
} from './support/cluster';
import { FakeApiServer } from './support/fake-apiserver';

let cluster: FakeCluster;
useFakeCluster((c) => {
  cluster = c;
});

const NAMESPACES = ['room-a', 'room-b', 'room-c'];

/**
 * `perNamespace` Deployments and as many ConfigMaps in each of three namespaces, stored as a controller
 * has not yet seen them.
 */
async function seedObjects(perNamespace: number, namespaces = NAMESPACES): Promise<ObjectRef[]> {
  const refs: ObjectRef[] = [];
  for (const ns of namespaces) {
    cluster.server.seed(namespace(ns));
    for (let i = 0; i < perNamespace; i++) {
      refs.push(
        refOf(cluster.server.seed(deployment(`web-${i}`, ns))),
        refOf(cluster.server.seed(configMap(`cm-${i}`, ns))),
      );
    }
  }
  await warmDiscovery();
  return refs;
}

/** Discovery happens once per client; the tests count the requests after it. */
async function warmDiscovery(): Promise<void> {
  await Promise.all([
    cluster.client.resourceFor('v1', 'ConfigMap'),
    cluster.client.resourceFor('apps/v1', 'Deployment'),
  ]);
  cluster.server.clearRequests();
}

function makeReady(refs: readonly ObjectRef[]): void {
  for (const ref of refs.filter((r) => r.kind === 'Deployment')) {
    const live = cluster.server.object(ref.apiVersion, ref.kind, ref.name, ref.namespace)!;
    cluster.server.setStatus(ref.apiVersion, ref.kind, ref.name, ref.namespace, readyDeploymentStatus(live));
  }
}

/** Waits for `refs`, making them ready after two polls; returns the requests of each poll. */
async function pollRequests(refs: readonly ObjectRef[]): Promise<string[][]> {
  const polls: string[][] = [];
  const results = await waitForReady(cluster.client, refs, {
    timeoutMs: 10_000,
    sleep: async () => {
      polls.push(cluster.server.requests.map((r) => `${r.method} ${r.path}`));
      cluster.server.clearRequests();
      if (polls.length === 2) makeReady(refs);
    },
  });
  polls.push(cluster.server.requests.map((r) => `${r.method} ${r.path}`));
  expect(results.every((r) => r.status === 'Current')).toBe(true);
  return polls;
}

test('a poll sends LISTs per kind, not a request per object: the same few for 30 objects and for 600', async () => {
  const small = await pollRequests(await seedObjects(5, ['small-a', 'small-b', 'small-c']));
  const large = await pollRequests(await seedObjects(100));

  expect(large).toHaveLength(3);
  // In progress: Deployments and ConfigMaps cluster-wide, and the ReplicaSets and Pods of the rolling Deployments.
  expect([...large[0]].sort()).toEqual([
    'GET /api/v1/configmaps',
    'GET /api/v1/pods',
    'GET /apis/apps/v1/deployments',
    'GET /apis/apps/v1/replicasets',
  ]);
  // Once the ConfigMaps are current only the Deployments are polled; then they are current too.
  expect([...large[2]].sort()).toEqual(['GET /apis/apps/v1/deployments']);
  expect(large.map((p) => p.length)).toEqual(small.map((p) => p.length));
});

test('where a cluster-wide LIST is forbidden, a poll lists per namespace, and does not ask cluster-wide again', async () => {
  const refs = await seedObjects(4);
  cluster.server.inject({ method: 'GET', path: /^\/apis\/apps\/v1\/deployments$/, status: 403, times: 100 });
  const polls = await pollRequests(refs.filter((r) => r.kind === 'Deployment'));
  const deploymentLists = (poll: string[]) => poll.filter((r) => r.includes('/deployments')).sort();
  expect(deploymentLists(polls[0])).toEqual([
    'GET /apis/apps/v1/deployments',
    ...NAMESPACES.map((ns) => `GET /apis/apps/v1/namespaces/${ns}/deployments`),
  ]);
  expect(deploymentLists(polls[1])).toEqual(NAMESPACES.map((ns) => `GET /apis/apps/v1/namespaces/${ns}/deployments`));
});

test('objects in one namespace are listed in that namespace only', async () => {
  const refs = (await seedObjects(2)).filter((r) => r.namespace === 'room-b' && r.kind === 'ConfigMap');
  await waitForReady(cluster.client, refs, { timeoutMs: 1000 });
  expect(cluster.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /api/v1/namespaces/room-b/configmaps',
  ]);
});

test('an object that is not there yet is in progress, "not found", until the timeout', async () => {
  const results = await waitForReady(
    cluster.client,
    [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'late', namespace: 'default' }],
    { timeoutMs: 30, intervalMs: 10 },
  );
  expect(results).toEqual([expect.objectContaining({ status: 'Timeout', message: 'not found' })]);
});

describe('waitForDeletion', () => {
  test('polls with LISTs until the objects are gone', async () => {
    const refs = await seedObjects(50);
    let polls = 0;
    const remaining = await waitForDeletion(cluster.client, refs, {
      timeoutMs: 10_000,
      sleep: async () => {
        polls++;
        expect(cluster.server.requests.map((r) => r.path).sort()).toEqual([
          '/api/v1/configmaps',
          '/apis/apps/v1/deployments',
        ]);
        cluster.server.clearRequests();
        await mapLimit(refs, 8, (ref) => cluster.client.delete(ref));
        cluster.server.clearRequests();
      },
    });
    expect([remaining, polls]).toEqual([[], 1]);
  });

  test('a Namespace that is Terminating is still there', async () => {
    const terminating: KubeObject = {
      ...namespace('going'),
      metadata: { name: 'going', deletionTimestamp: new Date().toISOString(), finalizers: ['kubernetes'] },
      status: { phase: 'Terminating' },
    };
    cluster.server.seed(terminating);
    await warmDiscovery();
    const ref = refOf(terminating);
    expect(await waitForDeletion(cluster.client, [ref], { timeoutMs: 30, intervalMs: 10 })).toEqual([ref]);
    expect(cluster.server.requests.every((r) => r.method === 'GET' && r.path === '/api/v1/namespaces')).toBe(true);
  });
});

test('kstatus: a Job is current once started, failed on a Failed condition', () => {
  const job = (status: Record<string, unknown>): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'n' },
    spec: {},
    status,
  });
  expect(computeStatus(job({})).status).toBe('InProgress');
  expect(computeStatus(job({ startTime: '2026-01-01T00:00:00Z', active: 1 }))).toEqual({
    status: 'Current',
    message: 'started: 0/1 completions, 1 active',
  });
  expect(
    computeStatus(
      job({
        startTime: '2026-01-01T00:00:00Z',
        conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
      }),
    ).status,
  ).toBe('Failed');
});

test('credentials limited to some namespaces (the fake’s authorizer answers 403 cluster-wide): LISTs per namespace', async () => {
  const server = await FakeApiServer.start({
    grants: { instructor: { user: 'instructor', namespaces: ['room-a', 'room-b'] } },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wait-test-'));
  try {
    for (const ns of ['room-a', 'room-b']) server.seed(namespace(ns));
    const refs = ['room-a', 'room-b'].map((ns) => refOf(server.seed(configMap('settings', ns))));
    const client = await createKubeClient({ kubeconfig: server.writeKubeconfig(dir, { token: 'instructor' }) });
    await client.resourceFor('v1', 'ConfigMap');
    server.clearRequests();
    expect((await waitForReady(client, refs, { timeoutMs: 1000 })).map((r) => r.status)).toEqual([
      'Current',
      'Current',
    ]);
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      '/api/v1/configmaps',
      '/api/v1/namespaces/room-a/configmaps',
      '/api/v1/namespaces/room-b/configmaps',
    ]);
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
