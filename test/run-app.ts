import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as library from '../src';
import * as apply from '../src/apply';
import * as checks from '../src/checks';
import * as traffic from '../src/traffic';
import { KubeObject, parseManifests } from '../src/manifest';

/** Options of {@link runUserApp}. */
export interface RunUserAppOptions {
  /** Environment variables set while the app runs (`CDK8S_OUTDIR` is always a fresh directory). */
  readonly env?: Record<string, string>;
  /** What the package's entry points give the app: the library's source, with these exports replaced wherever they are exported. */
  readonly replace?: Record<string, unknown>;
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

/**
 * Runs a user's cdk8s app, TypeScript as a user writes it (ES module imports, top-level await), in
 * this process with `workshop-stacks` and its subpaths resolved to the library's source: no build, no pack, no install.
 * It runs as the main module (`require.main === module`). Returns the objects its Apps wrote to
 * `$CDK8S_OUTDIR`, in file order.
 */
export async function runUserApp(code: string, options: RunUserAppOptions = {}): Promise<KubeObject[]> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'user-app-'));
  const env = { ...options.env, CDK8S_OUTDIR: outdir };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const { outputText } = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const replaced = (entry: Record<string, unknown>) => ({
    ...entry,
    ...Object.fromEntries(Object.entries(options.replace ?? {}).filter(([name]) => name in entry)),
  });
  const entries: Record<string, unknown> = {
    'workshop-stacks': replaced(library),
    'workshop-stacks/apply': replaced(apply),
    'workshop-stacks/checks': replaced(checks),
    'workshop-stacks/traffic': replaced(traffic),
  };
  const module = { exports: {} as Record<string, unknown> };
  const load = Object.assign((name: string) => entries[name] ?? require(name), { main: module });
  try {
    Object.assign(process.env, env);
    await new AsyncFunction('require', 'module', 'exports', outputText)(load, module, module.exports);
    return fs
      .readdirSync(outdir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .flatMap((f) => parseManifests(fs.readFileSync(path.join(outdir, f), 'utf8')));
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
