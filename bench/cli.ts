// The CLI's weight and start-up: what ships (our compiled code, and the one bundle: the part of
// @kubernetes/client-node the CLI uses), how long a command that reaches no cluster takes, and how long
// `diff` takes from the process's start to its first request to an API server (the test server of
// test/support, on 127.0.0.1). Targets: the bundle under 1 MB, the first request within 250 ms.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeApiServer } from '../test/support/fake-apiserver';
import type { BenchOutput } from './bench';
import { fmt, summarize } from './stats';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'lib', 'src', 'cli.js');
const BUNDLE = path.join(ROOT, 'lib', 'src', 'apply', 'client-node.js');
const RUNS = 7;
const TARGETS = { bundleBytes: 1_000_000, firstRequestMs: 250 };

/** Bytes of the .js files under `dir`. */
function jsBytes(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

/** Milliseconds from spawning `diff` to the API server's first request. */
async function firstRequestMs(server: FakeApiServer, kubeconfig: string, manifest: string): Promise<number> {
  let first: number | undefined;
  server.onRequest(() => {
    first ??= performance.now();
  });
  const start = performance.now();
  const child = spawn(process.execPath, [CLI, 'diff', manifest, '--kubeconfig', kubeconfig], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  if (first === undefined) throw new Error('`diff` sent no request to the test API server');
  return first - start;
}

export async function benchCli(out: BenchOutput): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('cli bench: lib/src/cli.js is missing: run `npm run build` first');
  const bundle = fs.statSync(BUNDLE).size;
  const ours =
    jsBytes(path.join(ROOT, 'lib', 'src')) -
    bundle +
    jsBytes(path.join(ROOT, 'lib', 'constructs')) +
    jsBytes(path.join(ROOT, 'lib', 'apps'));

  const help: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const run = spawnSync(process.execPath, [CLI, '--help'], { cwd: ROOT, stdio: 'ignore' });
    if (run.status !== 0) throw new Error('`workshop-stacks --help` failed');
    help.push(performance.now() - start);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  const server = await FakeApiServer.start({ recordRequests: false });
  const firsts: number[] = [];
  try {
    const kubeconfig = server.writeKubeconfig(dir);
    const manifest = path.join(dir, 'one.yaml');
    fs.writeFileSync(
      manifest,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one, namespace: default}\ndata: {key: value}\n',
    );
    for (let i = 0; i < RUNS; i++) firsts.push(await firstRequestMs(server, kubeconfig, manifest));
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const h = summarize(help);
  const f = summarize(firsts);
  const bundleOk = bundle < TARGETS.bundleBytes;
  const firstOk = f.median < TARGETS.firstRequestMs;
  if (!bundleOk) out.shortfall(`client-node bundle ${bundle} bytes`);
  if (!firstOk) out.shortfall(`first request after ${fmt(f.median, 0)} ms`);
  out.log(
    `our compiled code (lib/src, lib/constructs, lib/apps): ${fmt(ours / 1e6, 2)} MB; the client-node bundle: ${fmt(bundle / 1e6, 2)} MB (< 1 MB ${bundleOk ? 'ok' : 'MISSED'})`,
  );
  out.log(`workshop-stacks --help: min ${fmt(h.min, 0)} ms, median ${fmt(h.median, 0)} ms (${RUNS} runs)`);
  out.log(
    `diff, start to first request: min ${fmt(f.min, 0)} ms, median ${fmt(f.median, 0)} ms (< ${TARGETS.firstRequestMs} ms ${firstOk ? 'ok' : 'MISSED'})`,
  );
  out.markdown(
    [
      '| CLI | measured | target |',
      '| --- | --- | --- |',
      `| our compiled code (\`lib/src\`, \`lib/constructs\`, \`lib/apps\`) | ${fmt(ours / 1e6, 2)} MB | |`,
      `| the one bundle: client-node's \`KubeConfig\` and \`PatchStrategy\` | ${fmt(bundle / 1e6, 2)} MB | < 1 MB |`,
      `| \`workshop-stacks --help\`, median of ${RUNS} | ${fmt(h.median, 0)} ms | |`,
      `| \`diff\`: start to the first request, median of ${RUNS} | ${fmt(f.median, 0)} ms | < ${TARGETS.firstRequestMs} ms |`,
    ].join('\n'),
  );
}
