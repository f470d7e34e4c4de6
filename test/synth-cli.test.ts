import { CliRun, runCliIn } from './support/cli';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIO } from '../src/cli/context';
import { main } from '../src/cli/program';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
});

function synth(...args: string[]): Promise<CliRun> {
  return runCliIn(dir, ['synth', ...args], { env: { PATH: process.env.PATH } });
}

/** A cdk8s app as a shell command: writes one manifest into $CDK8S_OUTDIR, as cdk8s apps do. */
const APP = `node -e "require('fs').writeFileSync(require('path').join(process.env.CDK8S_OUTDIR, 'mine.k8s.yaml'), 'kind: ConfigMap\\\\n')"`;
const read = (...parts: string[]) => fs.readFileSync(path.join(dir, ...parts), 'utf8');

describe('workshop-stacks synth', () => {
  test('never removes a file it did not write', async () => {
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'coins.k8s.yaml'), 'mine');
    fs.writeFileSync(path.join(dir, 'dist', 'other.k8s.yaml'), 'also mine');
    expect((await synth('dockercoins')).code).toBe(0);
    expect((await synth('--app', APP)).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual([
      'coins.k8s.yaml',
      'dockercoins.k8s.yaml',
      'mine.k8s.yaml',
      'other.k8s.yaml',
    ]);
    expect(read('dist', 'coins.k8s.yaml')).toBe('mine');
  });

  test("synthesizes the user's app of cdk8s.yaml into its output directory, copying only what it wrote", async () => {
    fs.writeFileSync(
      path.join(dir, 'cdk8s.yaml'),
      `language: typescript\napp: ${JSON.stringify(APP)}\noutput: manifests\n`,
    );
    const run = await synth('-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).files).toEqual([path.join(dir, 'manifests', 'mine.k8s.yaml')]);
    expect(read('manifests', 'mine.k8s.yaml')).toBe('kind: ConfigMap\n');
    // --outdir wins over cdk8s.yaml's output.
    expect((await synth('--outdir', 'elsewhere')).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'elsewhere', 'mine.k8s.yaml'))).toBe(true);
  });

  test("--profile reaches the project's app as WORKSHOP_PROFILE (init's main.ts reads it); without it, local", async () => {
    const app = `node -e "require('fs').writeFileSync(process.env.CDK8S_OUTDIR + '/profile.txt', process.env.WORKSHOP_PROFILE)"`;
    expect(JSON.parse((await synth('--app', app, '--profile', 'cloud', '-o', 'json')).stdout)).toMatchObject({
      ok: true,
      profile: 'cloud',
    });
    expect(read('dist', 'profile.txt')).toBe('cloud');
    expect((await synth('--app', app)).code).toBe(0);
    expect(read('dist', 'profile.txt')).toBe('local');
  });

  test('an app that fails writes nothing and exits 2 with its output', async () => {
    fs.mkdirSync(path.join(dir, 'dist'));
    // It writes a manifest before it fails: a failed run copies nothing of what it wrote.
    const run = await synth(
      '--app',
      "node -e \"require('fs').writeFileSync(process.env.CDK8S_OUTDIR + '/x.k8s.yaml', 'kind: A'); console.error('boom'); process.exit(3)\"",
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('boom');
    expect(run.stderr).toContain('error: the app');
    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual([]);
  });

  test('no app here: a clear error, exit 2', async () => {
    const run = await synth();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: no app to synthesize: no cdk8s.yaml/);
    expect((await synth('nope')).stderr).toMatch(/^error: unknown app\(s\) nope/);
  });

  test('a bad profile is a user error: message, no stack, exit 2', async () => {
    let stderr = '';
    const io: CliIO = {
      stdout: { write: () => undefined },
      stderr: {
        write: (s: string) => {
          stderr += s;
        },
      },
      env: { WORKSHOP_PROFILE: 'bogus' },
      cwd: dir,
    };
    expect(await main(['node', 'workshop-stacks', 'synth', 'dockercoins'], io)).toBe(2);
    expect(stderr).toBe('error: WORKSHOP_PROFILE must be one of local, cloud, got "bogus"\n');
  });
});

test('a bug is an error too: exit 2, with its stack; a user error has none', async () => {
  let stderr = '';
  const io: CliIO = {
    stdout: {
      write: () => {
        throw new Error('unforeseen');
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
      },
    },
    env: {},
    cwd: dir,
  };
  expect(await main(['node', 'workshop-stacks', 'synth', 'dockercoins'], io)).toBe(2);
  expect(stderr).toMatch(/^error: Error: unforeseen\n\s+at /);
  expect(stderr).toContain('this is a bug in workshop-stacks');
  stderr = '';
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: [1]\n');
  expect(await main(['node', 'workshop-stacks', 'synth'], io)).toBe(2);
  expect(stderr).toBe('error: cdk8s.yaml: "app" must be a string\n');
});
