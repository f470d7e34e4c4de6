import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as library from '../../src';
import { parseManifests } from '../../src/manifest';
import { promisify } from 'util';
import { ROOT, installedProject, packedLibrary } from '../pack';
import { CliRun, runCliIn } from '../support/cli';
import { namespace, startFakeCluster } from '../support/cluster';

const OWN = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const FILES = ['.gitignore', 'cdk8s.yaml', 'main.test.ts', 'main.ts', 'package.json', 'tsconfig.json'];

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'init-'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function init(...args: string[]): Promise<CliRun> {
  return runCliIn(work, ['init', ...args]);
}

/** Every file under `dir` (not node_modules) with its text. */
function tree(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => !f.startsWith('node_modules') && fs.statSync(path.join(dir, f)).isFile())
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

describe('workshop-stacks init', () => {
  test('writes a project pinned to the versions the library is tested with, and says what to run next', async () => {
    const run = await init('My Class');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain("Next: cd 'My Class' && npm install && npx cdk8s synth && npm test");
    // The directory's name is the chart's namespace (a DNS label) and the package's name.
    expect(fs.readFileSync(path.join(work, 'My Class', 'main.ts'), 'utf8')).toContain(
      "new ClassChart(app, 'my-class', { profile: profileFromEnv() });",
    );
    expect(Object.keys(tree(path.join(work, 'My Class')))).toEqual(FILES);
    const pkg = JSON.parse(fs.readFileSync(path.join(work, 'My Class', 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-class');
    expect(pkg.dependencies).toEqual({
      cdk8s: OWN.devDependencies.cdk8s,
      'cdk8s-plus-27': OWN.devDependencies['cdk8s-plus-27'],
      constructs: OWN.devDependencies.constructs,
      'workshop-stacks': `^${OWN.version}`,
    });
    expect(pkg.devDependencies).toMatchObject({
      typescript: '~5.9',
      jest: expect.stringMatching(/^\^29\./),
      'ts-jest': expect.stringMatching(/^\^29\./),
    });
    const cdk8sYaml = fs.readFileSync(path.join(work, 'My Class', 'cdk8s.yaml'), 'utf8');
    expect(cdk8sYaml).toContain(`version: ${OWN.version}`);
    // The installed package's main module, which exports the plugin class.
    expect(cdk8sYaml).toContain('package: ./node_modules/workshop-stacks\n    class: WorkshopStacksValidation\n');
    expect(library.WorkshopStacksValidation).toBeDefined();
  });

  test('--library: a path becomes a file: dependency relative to the project; anything else is kept as given', async () => {
    fs.writeFileSync(path.join(work, 'lib.tgz'), '');
    expect((await init('a/b', '--library', 'lib.tgz')).code).toBe(0);
    expect(
      JSON.parse(fs.readFileSync(path.join(work, 'a', 'b', 'package.json'), 'utf8')).dependencies['workshop-stacks'],
    ).toBe('file:../../lib.tgz');
    expect((await init('c', '--library', '~0.1.0')).code).toBe(0);
    expect(
      JSON.parse(fs.readFileSync(path.join(work, 'c', 'package.json'), 'utf8')).dependencies['workshop-stacks'],
    ).toBe('~0.1.0');
  });

  test('into the current directory, next to files it does not write', async () => {
    fs.writeFileSync(path.join(work, 'README.md'), 'mine');
    const run = await init();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Next: npm install && npx cdk8s synth && npm test');
    expect(Object.keys(tree(work))).toEqual([...FILES, 'README.md'].sort());
    expect(fs.readFileSync(path.join(work, 'README.md'), 'utf8')).toBe('mine');
  });

  test('refuses to overwrite: exit 2, the error names every conflicting file, and nothing is written', async () => {
    const dir = path.join(work, 'existing');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'main.ts'), 'my work');
    fs.writeFileSync(path.join(dir, 'package.json'), '{}');
    const run = await init('existing');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: existing already has main.ts, package.json: init writes only new files, so nothing was written\n',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(tree(dir)).toEqual({ 'main.ts': 'my work', 'package.json': '{}' });

    fs.writeFileSync(path.join(work, 'plain-file'), 'x');
    const onFile = await init('plain-file');
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain('plain-file (a file, not a directory)');
  });
});

describe('a project from init, with the packed library', () => {
  // The first test file to need the installed project makes it: a pack and an npm install on a busy machine.
  jest.setTimeout(600_000);

  test('npm install && npx cdk8s synth && npm test pass, and dist/ holds the manifests', async () => {
    // `init my-class --library <tarball> && npm install`, shared with the README test.
    const project = await installedProject();
    // The command line of the project's environment: no output directory or profile from ours. No
    // check for a newer cdk8s-cli either: it is a registry request whose answer the test does not use.
    const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
    delete env.CDK8S_OUTDIR;
    delete env.WORKSHOP_PROFILE;
    const run = (command: string, args: string[]) => {
      try {
        return execFileSync(command, args, { cwd: project, env, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string };
        throw new Error(`\`${command} ${args.join(' ')}\` failed in the new project:\n${e.stdout}${e.stderr}`);
      }
    };

    const synth = run('npx', ['cdk8s', 'synth']);
    expect(synth).toContain('Validations ended succesfully');
    const objects = parseManifests(fs.readFileSync(path.join(project, 'dist', 'my-class.k8s.yaml'), 'utf8'));
    expect(
      objects
        .filter((o) => o.kind === 'Deployment')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['api-gateway', 'hasher', 'redis', 'rng', 'webui', 'worker']);
    expect(new Set(objects.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(new Set(['my-class']));

    // --ci=false: the first run writes the snapshot, as on a developer's machine (CI would refuse to).
    run('npm', ['test', '--', '--ci=false']);
    expect(fs.existsSync(path.join(project, '__snapshots__', 'main.test.ts.snap'))).toBe(true);

    // Right after `npx cdk8s synth`, the packed CLI takes dist/ as cdk8s wrote it (construct-metadata.json
    // included), as cdk8s.yaml promises: validate, traffic, and apply --dry-run against an API server.
    // The fake API server answers in this process: the CLI runs asynchronously, so it can.
    const cli = path.join(project, 'node_modules', '.bin', 'workshop-stacks');
    const cluster = await startFakeCluster();
    try {
      cluster.server.seed(namespace('default'));
      const workshopStacks = async (...args: string[]) => {
        try {
          return (await promisify(execFile)(cli, args, { cwd: project, env, encoding: 'utf8' })).stdout;
        } catch (error) {
          const e = error as { code?: number; stdout?: string; stderr?: string };
          throw new Error(
            `\`workshop-stacks ${args.join(' ')}\` exited ${e.code} in the new project:\n${e.stdout}${e.stderr}`,
          );
        }
      };
      expect(await workshopStacks('validate', 'dist')).toMatch(/object\(s\) checked: 0 finding\(s\)/);
      expect(await workshopStacks('traffic', 'dist')).toContain('my-class/webui[Deployment]');
      const dryRun = JSON.parse(
        await workshopStacks('apply', 'dist', '--dry-run', '--kubeconfig', cluster.kubeconfig, '-o', 'json'),
      );
      expect(dryRun).toMatchObject({ ok: true, dryRun: true });
      expect(cluster.server.objects().map((o) => o.metadata.name)).toEqual(['default']);
    } finally {
      await cluster.close();
    }
  });

  test("`workshop-stacks synth --profile cloud` reaches the project's app: LoadBalancers, no NodePort", async () => {
    const project = await installedProject();
    const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
    delete env.CDK8S_OUTDIR;
    delete env.WORKSHOP_PROFILE;
    const cli = path.join(project, 'node_modules', '.bin', 'workshop-stacks');
    execFileSync(cli, ['synth', '--profile', 'cloud', '--outdir', 'dist-cloud'], { cwd: project, env, stdio: 'pipe' });
    const objects = parseManifests(fs.readFileSync(path.join(project, 'dist-cloud', 'my-class.k8s.yaml'), 'utf8'));
    const types = objects.filter((o) => o.kind === 'Service').map((o) => (o.spec as any).type ?? 'ClusterIP');
    expect(types).toContain('LoadBalancer');
    expect(types).not.toContain('NodePort');
  });

  test('the packed CLI writes the same project as the sources: the package ships the templates', async () => {
    const [project, tarball] = await Promise.all([installedProject(), packedLibrary()]);
    expect((await init('ours/my-class', '--library', tarball)).code).toBe(0);
    const cli = path.join(project, 'node_modules', '.bin', 'workshop-stacks');
    execFileSync(cli, ['init', 'packed/my-class', '--library', tarball], { cwd: work, stdio: 'pipe' });
    expect(tree(path.join(work, 'packed', 'my-class'))).toEqual(tree(path.join(work, 'ours', 'my-class')));
  });
});
