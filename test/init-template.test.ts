import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { projectFiles } from '../src/cli/init';
import { main as cli } from '../src/cli/program';
import { namespace, startFakeCluster } from './support/cluster';
import { formatFinding, validateObjects } from '../src/checks';
import { runUserApp } from './run-app';

// The app that `init` writes, run as `npx cdk8s synth` runs it, against the library's source (the
// packed library and `npx cdk8s synth` itself: test/e2e/init.test.ts).
const files = projectFiles(path.join(__dirname, 'my-class'), { cwd: __dirname });
const main = files.get('main.ts')!;
const serviceTypes = (objects: Awaited<ReturnType<typeof runUserApp>>) =>
  [...new Set(objects.filter((o) => o.kind === 'Service').map((o) => (o.spec as any).type ?? 'ClusterIP'))].sort();

describe("init's main.ts", () => {
  test('follows WORKSHOP_PROFILE, which `workshop-stacks synth --profile` sets: cloud gets LoadBalancers, not NodePorts', async () => {
    expect(serviceTypes(await runUserApp(main, { env: { WORKSHOP_PROFILE: 'cloud' } }))).toEqual([
      'ClusterIP',
      'LoadBalancer',
    ]);
    expect(serviceTypes(await runUserApp(main, { env: { WORKSHOP_PROFILE: 'local' } }))).toEqual([
      'ClusterIP',
      'NodePort',
    ]);
  });

  test('without WORKSHOP_PROFILE, synthesizes the local profile into the namespace named after the directory', async () => {
    const objects = await runUserApp(main, { env: { WORKSHOP_PROFILE: '' } });
    expect(serviceTypes(objects)).toEqual(['ClusterIP', 'NodePort']);
    expect(new Set(objects.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(new Set(['my-class']));
  });

  test.each(['local', 'cloud'])('%s: its output passes validate', async (profile) => {
    const objects = await runUserApp(main, { env: { WORKSHOP_PROFILE: profile } });
    expect(validateObjects(objects).findings.map(formatFinding)).toEqual([]);
  });

  test('a profile it does not know fails, naming the variable', async () => {
    await expect(runUserApp(main, { env: { WORKSHOP_PROFILE: 'staging' } })).rejects.toThrow(
      'WORKSHOP_PROFILE must be one of local, cloud, got "staging"',
    );
  });

  test('its dist/ passes validate, traffic and apply --dry-run against the test API server (the CLI from source)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'init-dist-'));
    const cluster = await startFakeCluster();
    try {
      cluster.server.seed(namespace('default'));
      fs.mkdirSync(path.join(dir, 'dist'));
      const objects = await runUserApp(main, { env: { WORKSHOP_PROFILE: '' } });
      fs.writeFileSync(path.join(dir, 'dist', 'my-class.k8s.yaml'), objects.map((o) => stringify(o)).join('---\n'));
      const run = async (...args: string[]) => {
        let out = '';
        const io = {
          stdout: {
            write: (t: string) => {
              out += t;
            },
          },
          stderr: {
            write: (t: string) => {
              out += t;
            },
          },
          env: {},
          cwd: dir,
        };
        return { code: await cli(['node', 'workshop-stacks', ...args], io), out };
      };
      expect(await run('validate', 'dist')).toMatchObject({ code: 0, out: expect.stringContaining('0 finding(s)') });
      expect(await run('traffic', 'dist')).toMatchObject({
        code: 0,
        out: expect.stringContaining('my-class/webui[Deployment]'),
      });
      const dryRun = await run('apply', 'dist', '--dry-run', '--kubeconfig', cluster.kubeconfig);
      expect(dryRun).toMatchObject({ code: 0, out: expect.stringContaining('apply finished') });
      expect(cluster.server.objects().map((o) => o.metadata.name)).toEqual(['default']);
    } finally {
      await cluster.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
