// End to end, at full scale and in real time (about 75 s): 240 objects, a server that stalls for 60 s in
// the middle of the apply, `apply --timeout 10s`. It ends by about 12 s with a clear message and exit 1,
// every line it printed is true, and a re-run converges.
import { KubeObject } from '../../src/manifest';
import { runCli, writeManifest } from '../support/cli';
import {
  FakeCluster,
  configMap,
  deployment,
  namespace,
  readyDeploymentStatus,
  service,
  startFakeCluster,
} from '../support/cluster';

const STALL_MS = 60_000;

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster();
  cluster.server.seed(namespace('default'));
  cluster.server.simulate('Deployment', readyDeploymentStatus);
});
afterAll(() => cluster.close());

/** 240 objects: a Namespace, 199 ConfigMaps, 20 Services and 20 Deployments. */
function manifests(): KubeObject[] {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return [
    namespace('big'),
    ...range(199).map((i) => configMap(`settings-${i}`, 'big')),
    ...range(20).map((i) => service(`web-${i}`, 'big')),
    ...range(20).map((i) => deployment(`web-${i}`, 'big')),
  ];
}

test('a 60 s stall under apply --timeout 10s: ends by about 12 s, rc 1, every line true; a re-run converges', async () => {
  const file = writeManifest(cluster.dir, 'big.yaml', ...manifests());
  let patches = 0;
  let stallStarted = 0;
  const off = cluster.server.onRequest((req) => {
    if (req.method === 'PATCH' && req.path.includes('/configmaps/') && ++patches === 100) {
      stallStarted = Date.now();
      cluster.server.stall(STALL_MS);
    }
  });
  const run = await runCli(cluster.dir, cluster.kubeconfig, ['apply', file, '--timeout', '10s']);
  off();
  expect(run.ms).toBeLessThan(12_000);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^waiting for the API server: no answer for \d(\.\d)? s/m);
  expect(run.stderr).toMatch(
    /^timeout: the 10 s timeout \(--timeout\) passed while applying stage config, at \S+ big\/\S+; the API server had not answered for \d+(\.\d)? s( \(\d+ retries\))?\. \d+ of 240 object\(s\) written\. Running the same command again is safe/m,
  );
  expect(run.stdout + run.stderr).not.toMatch(/waiting for the controller/);

  // Once the stall is over (the server then carries out what it held), every line printed is true.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, stallStarted + STALL_MS + 500 - Date.now())));
  const lines = run.stdout.split('\n').filter((l) => /^(Namespace|ConfigMap|Service|Deployment) /.test(l));
  expect(lines).toHaveLength(240);
  const exists = (line: string) => {
    const [kind, where] = line.split(' ');
    const [ns, name] = where.includes('/') ? where.split('/') : [undefined, where];
    const apiVersion = kind === 'Deployment' ? 'apps/v1' : 'v1';
    return cluster.server.object(apiVersion, kind, name, ns) !== undefined;
  };
  const byAction = (action: string) => lines.filter((l) => l.split(' ')[2] === action);
  expect(byAction('created').length).toBeGreaterThanOrEqual(99);
  expect(byAction('created').every(exists)).toBe(true);
  expect(byAction('skipped').length).toBeGreaterThan(0);
  expect(byAction('skipped').every((l) => l.includes('(not sent: the timeout passed first)') && !exists(l))).toBe(true);
  expect(byAction('unknown').every((l) => l.includes('(sent, but the answer was lost:'))).toBe(true);
  expect(byAction('created').length + byAction('skipped').length + byAction('unknown').length).toBe(240);

  const again = await runCli(cluster.dir, cluster.kubeconfig, ['apply', file, '--timeout', '60s']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^apply finished: /m);
  expect(cluster.server.objects().filter((o) => o.metadata.namespace === 'big')).toHaveLength(239);
  const third = await runCli(cluster.dir, cluster.kubeconfig, ['apply', file, '--timeout', '60s']);
  expect(third.stdout).toMatch(/^apply finished: 240 unchanged$/m);
}, 120_000);
