import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initProject } from '../src/cli/init';

// What the tests that install the library share, made once per jest run: the packed library (`npm pack`
// builds first, a full tsc) and a project from `workshop-stacks init` with it installed (an npm install
// of some 600 packages). Test files run in separate worker processes, so the first to ask makes each
// one in the directory that the global setup made (test/pack-setup.ts), and the others wait for it.

export const ROOT = path.join(__dirname, '..');
/** The environment variable naming the run's shared directory. */
export const SHARED_DIR_ENV = 'WORKSHOP_STACKS_TEST_SHARED_DIR';
const WAIT_MS = 600_000;

/** The path of the packed library's tarball. */
export function packedLibrary(): Promise<string> {
  return once('pack', (dir) => {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    return path.join(dir, out.trim().split('\n').pop()!);
  });
}

/**
 * The directory of a project that `workshop-stacks init my-class --library <tarball>` wrote, after
 * `npm install` there. Tests may add files of their own, in directories of their own.
 */
export function installedProject(): Promise<string> {
  return once('project', async (dir) => {
    const tarball = await packedLibrary();
    const project = path.join(dir, 'my-class');
    initProject(project, { library: tarball, cwd: dir });
    // From the npm cache where it can (`npm ci` in this repository filled it with every package the
    // project needs); the registry answers the rest.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      stdio: 'pipe',
    });
    return project;
  });
}

const local = new Map<string, Promise<string>>();

/** Runs `make` once per jest run (once per process without the global setup) and returns its result. */
function once(key: string, make: (dir: string) => string | Promise<string>): Promise<string> {
  const shared = process.env[SHARED_DIR_ENV];
  if (!shared) {
    if (!local.has(key)) local.set(key, (async () => make(fs.mkdtempSync(path.join(os.tmpdir(), `${key}-`))))());
    return local.get(key)!;
  }
  const dir = path.join(shared, key);
  const result = path.join(shared, `${key}.json`);
  try {
    // mkdir is atomic: exactly one process gets to make it.
    fs.mkdirSync(dir);
  } catch {
    return waitFor(key, result);
  }
  return (async () => {
    let outcome: { value?: string; error?: string };
    try {
      outcome = { value: await make(dir) };
    } catch (error) {
      outcome = { error: (error as Error).message };
    }
    fs.writeFileSync(`${result}.tmp`, JSON.stringify(outcome));
    fs.renameSync(`${result}.tmp`, result);
    if (outcome.value === undefined) throw new Error(outcome.error);
    return outcome.value;
  })();
}

async function waitFor(key: string, result: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  while (!fs.existsSync(result)) {
    if (Date.now() > deadline) throw new Error(`no shared ${key} after ${WAIT_MS / 1000} s (${result})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const { value, error } = JSON.parse(fs.readFileSync(result, 'utf8')) as { value?: string; error?: string };
  if (value === undefined) throw new Error(`making the shared ${key} failed in another test file: ${error}`);
  return value;
}
