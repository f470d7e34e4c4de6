import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateObjects, formatFinding } from '../../src/checks';
import { parseManifests } from '../../src/manifest';
import { ROOT, installedProject, packedLibrary } from '../pack';

// Packs the library and, in a fresh project with the tarball installed (the node_modules of the project
// the init test installs: test/pack.ts), type-checks and runs a chart that uses two constructs together.
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// The first test file to need the installed project makes it: a pack and an npm install on a busy machine.
jest.setTimeout(600_000);

const CONSUMER = `import { ApiObject, App, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ApiGateway, Dockercoins, StackChart, synthYaml } from 'workshop-stacks';
import { validateObjects, parseManifests } from 'workshop-stacks/checks';
import type { DockercoinsProps, WebConsole, ConsoleHub, TrendingRepos } from 'workshop-stacks';

const app = new App();
const chart = new StackChart(app, 'coins-edge', { profile: 'cloud' });
const props: DockercoinsProps = { workerReplicas: 3 };
const coins = new Dockercoins(chart, 'coins', props);
const gateway = new ApiGateway(chart, 'gateway');
gateway.addRoute({ pathPrefix: '/', service: coins.webui });
// cdk8s-plus in the consumer's own install takes the library's objects: one cdk8s-plus (a peer dependency).
new kplus.Ingress(chart, 'ingress').addRule('/coins', kplus.IngressBackend.fromService(coins.services.webui));
ApiObject.of(coins.workloads.worker).addJsonPatch(JsonPatch.add('/metadata/labels/team', 'coins'));
const yaml = synthYaml(app);
const { findings } = validateObjects(parseManifests(yaml));
if (findings.length > 0) throw new Error(JSON.stringify(findings));
// The other constructs must be exported with their types, too.
export type OtherConstructs = [typeof WebConsole, typeof ConsoleHub, typeof TrendingRepos];
process.stdout.write(yaml);
`;

describe('the packed library', () => {
  let work: string;
  let tarball: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
    tarball = await packedLibrary();
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test("holds the compiled library, its types, the CLI, init's templates and the README, and no tests or sources", () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    for (const f of [
      'package.json',
      'README.md',
      'lib/src/index.js',
      'lib/src/index.d.ts',
      'lib/src/cli.js',
      'lib/src/apply/client-node.js',
      'lib/src/checks/index.d.ts',
      'lib/src/traffic/index.d.ts',
      'lib/src/apply/index.d.ts',
      'lib/constructs/dockercoins.js',
      'lib/constructs/api-gateway.d.ts',
      'lib/apps/registry.js',
      ...fs.readdirSync(path.join(ROOT, 'templates', 'app')).map((t) => `templates/app/${t}`),
    ]) {
      expect(files).toContain(f);
    }
    // init's templates are the project's sources, TypeScript included.
    expect(
      files.filter(
        (f) =>
          !f.startsWith('templates/') &&
          (/^(test|bench|src|constructs|apps|dist)\//.test(f) ||
            /(^|\/)[^/]+(?<!\.d)\.ts$/.test(f) ||
            f.startsWith('lib/test') ||
            f.startsWith('lib/bench')),
      ),
    ).toEqual([]);
  });

  test('ships our code once: the CLI is the compiled library, and the one bundle is the part of client-node it uses', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files.filter((f) => /cli\.js$/.test(f))).toEqual(['package/lib/src/cli.js']);
    // tsc's output of client-node.ts is replaced by a bundle of KubeConfig and PatchStrategy and what they need.
    const bundle = fs.readFileSync(path.join(ROOT, 'lib', 'src', 'apply', 'client-node.js'), 'utf8');
    expect(bundle.length).toBeLessThan(1_000_000);
    expect(bundle).not.toMatch(/require\("@kubernetes\/client-node"\)/);
    expect(bundle).not.toMatch(/workshop-stacks/);
  });

  test('importing the root loads neither the apply engine nor client-node', () => {
    const loaded = execFileSync(
      'node',
      [
        '-e',
        `require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'index.js'))});
      process.stdout.write(JSON.stringify(Object.keys(require.cache)))`,
      ],
      { encoding: 'utf8' },
    );
    const modules = (JSON.parse(loaded) as string[]).map((f) => path.relative(ROOT, f));
    expect(modules).toContain(path.join('lib', 'constructs', 'dockercoins.js'));
    expect(modules.filter((f) => f.includes(path.join('lib', 'src', 'apply')) || f.includes('client-node'))).toEqual(
      [],
    );
  });

  test('installs into a fresh project, type-checks there, and synthesizes dockercoins behind the gateway', async () => {
    const project = path.join(work, 'consumer');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    fs.symlinkSync(path.join(await installedProject(), 'node_modules'), path.join(project, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(project, 'main.ts'), CONSUMER);
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        // A consumer has @types/node as any Node.js project does; ours stands in for it.
        compilerOptions: {
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          outDir: 'out',
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['main.ts'],
      }),
    );
    try {
      execFileSync('node', [TSC, '-p', project], { cwd: project, encoding: 'utf8' });
    } catch (error) {
      throw new Error(`the consumer does not type-check:\n${(error as { stdout?: string }).stdout}`);
    }
    const yaml = execFileSync('node', ['out/main.js'], { cwd: project, encoding: 'utf8' });
    const objects = parseManifests(yaml);
    expect(validateObjects(objects).findings.map(formatFinding)).toEqual([]);
    const envoy = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name?.includes('envoy'))!;
    expect(Object.values(envoy.data as Record<string, string>)[0]).toContain('webui.coins-edge.svc.cluster.local');
    expect(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'webui')!.spec).toMatchObject({
      type: 'LoadBalancer',
    });
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker')!.spec).toMatchObject({
      replicas: 3,
    });
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker')!.metadata.labels).toMatchObject(
      { team: 'coins' },
    );
    expect((objects.find((o) => o.kind === 'Ingress')!.spec as any).rules[0].http.paths[0].backend.service).toEqual({
      name: 'webui',
      port: { number: 80 },
    });

    // Only the entry points are reachable.
    const internal = execFileSync(
      'node',
      ['-e', `try { require('workshop-stacks/lib/src/apply/plan'); } catch (e) { process.stdout.write(e.code); }`],
      { cwd: project, encoding: 'utf8' },
    );
    expect(internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    const apply = execFileSync(
      'node',
      ['-e', `process.stdout.write(typeof require('workshop-stacks/apply').ApplyEngine)`],
      { cwd: project, encoding: 'utf8' },
    );
    expect(apply).toBe('function');

    const cli = path.join(project, 'node_modules', '.bin', 'workshop-stacks');
    const help = execFileSync(cli, ['--help'], { cwd: project, encoding: 'utf8' });
    for (const command of ['synth', 'validate', 'apply', 'diff', 'delete']) expect(help).toContain(command);
  });
});
