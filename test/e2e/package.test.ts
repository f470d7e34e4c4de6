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
import { ApiGateway, Dockercoins, StackChart, synthYaml, validateObjects, parseManifests } from 'workshop-stacks';
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

  test('holds the compiled library, its types, the CLI, init\'s templates and the README, and no tests or sources', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of ['package.json', 'README.md', 'lib/src/index.js', 'lib/src/index.d.ts', 'lib/cli.js', 'lib/src/apply/client-node.mjs',
      'lib/constructs/dockercoins.js', 'lib/constructs/api-gateway.d.ts', 'lib/apps/registry.js',
      ...fs.readdirSync(path.join(ROOT, 'templates', 'app')).map((t) => `templates/app/${t}`)]) {
      expect(files).toContain(f);
    }
    // init's templates are the project's sources, TypeScript included.
    expect(files.filter((f) => !f.startsWith('templates/') && (/^(test|bench|src|constructs|apps|dist)\//.test(f)
      || /(^|\/)[^/]+(?<!\.d)\.ts$/.test(f) || f.startsWith('lib/test') || f.startsWith('lib/bench')))).toEqual([]);
  });

  test('its CLI is one bundle that carries only the names it uses of @kubernetes/client-node', () => {
    // Packing built lib/cli.js. With the package's whole namespace (an import() of the package rather
    // than of src/apply/client-node.mts) the bundle is about 16 MB and takes 0.45 s longer to start.
    const size = fs.statSync(path.join(ROOT, 'lib', 'cli.js')).size;
    expect(size).toBeGreaterThan(500_000);
    expect(size).toBeLessThan(4_000_000);
    expect(fs.readFileSync(path.join(ROOT, 'lib', 'cli.js'), 'utf8')).not.toMatch(/require\("@kubernetes\/client-node"\)|import\("@kubernetes\/client-node"\)/);
  });

  test('installs into a fresh project, type-checks there, and synthesizes dockercoins behind the gateway', async () => {
    const project = path.join(work, 'consumer');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    fs.symlinkSync(path.join(await installedProject(), 'node_modules'), path.join(project, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(project, 'main.ts'), CONSUMER);
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      // A consumer has @types/node as any Node.js project does; ours stands in for it.
      compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'out',
        typeRoots: [path.join(ROOT, 'node_modules', '@types')], types: ['node'], skipLibCheck: false },
      files: ['main.ts'],
    }));
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
    expect(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'webui')!.spec).toMatchObject({ type: 'LoadBalancer' });
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker')!.spec).toMatchObject({ replicas: 3 });
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'worker')!.metadata.labels).toMatchObject({ team: 'coins' });
    expect((objects.find((o) => o.kind === 'Ingress')!.spec as any).rules[0].http.paths[0].backend.service).toEqual({ name: 'webui', port: { number: 80 } });

    const cli = path.join(project, 'node_modules', '.bin', 'workshop-stacks');
    const help = execFileSync(cli, ['--help'], { cwd: project, encoding: 'utf8' });
    for (const command of ['synth', 'validate', 'apply', 'diff', 'delete']) expect(help).toContain(command);
  });
});
