import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The library packed once per jest run, for the tests that install it into a fresh project (package,
// init, README snippets): `npm pack` builds first (`prepack`: a full tsc), too slow to repeat in each
// test file. Test files run in separate worker processes, so the first to ask packs into the directory
// that the global setup made and the others wait for it.

export const ROOT = path.join(__dirname, '..');
/** The environment variable naming the run's shared directory (set by test/pack-setup.ts). */
export const PACK_DIR_ENV = 'WORKSHOP_STACKS_TEST_PACK_DIR';
const WAIT_MS = 300_000;

let local: Promise<string> | undefined;

/** The path of the packed library's tarball. */
export function packedLibrary(): Promise<string> {
  const shared = process.env[PACK_DIR_ENV];
  if (!shared) return (local ??= Promise.resolve(pack(fs.mkdtempSync(path.join(os.tmpdir(), 'pack-')))));
  const result = path.join(shared, 'result.json');
  try {
    // mkdir is atomic: exactly one process gets to pack.
    fs.mkdirSync(path.join(shared, 'lock'));
  } catch {
    return waitFor(result);
  }
  let outcome: { tarball?: string; error?: string };
  try {
    outcome = { tarball: pack(shared) };
  } catch (error) {
    outcome = { error: String((error as Error).message) };
  }
  fs.writeFileSync(result + '.tmp', JSON.stringify(outcome));
  fs.renameSync(result + '.tmp', result);
  return outcome.tarball ? Promise.resolve(outcome.tarball) : Promise.reject(new Error(outcome.error));
}

function pack(dir: string): string {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  return path.join(dir, out.trim().split('\n').pop()!);
}

async function waitFor(result: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  while (!fs.existsSync(result)) {
    if (Date.now() > deadline) throw new Error(`no packed library after ${WAIT_MS / 1000} s (${result})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const { tarball, error } = JSON.parse(fs.readFileSync(result, 'utf8')) as { tarball?: string; error?: string };
  if (!tarball) throw new Error(`packing the library failed in another test file: ${error}`);
  return tarball;
}

/**
 * `npm install` in `dir`, from the npm cache where it can (`npm ci` in this repository filled it with
 * all the library's dependencies); the registry answers the rest.
 */
export function npmInstall(dir: string, ...packages: string[]): void {
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...packages], { cwd: dir, stdio: 'pipe' });
}
