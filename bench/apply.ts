// The apply section of `npm run bench`: `apply --no-wait` of 119 (dist/), 720, 2,400 and
// about 13,000 objects against the test API server over TLS with a stated latency, next to a bare loop
// of one server-side-apply PATCH per object, 16 in flight over one keep-alive agent, and next to
// `kubectl apply --server-side` when kubectl is on the PATH. It reports requests per object, wall time,
// peak memory and growth, and never fails the process on speed.
//
//   node lib/bench/apply.js [--sizes dist,30,100,542] [--latency-ms 40] [--in-flight 16] [--timeout-s 900]
//                           [--engine-args "--concurrency 16"] [--kubectl false]
//   npm run bench -- apply [the same options]
//
// Sizes are `dist` (the committed dist/) or a number of attendees of the example classroom (24 objects
// each: 30 -> 720, 100 -> 2,400, 542 -> 13,008). Each run is a child process of its own, against a
// fresh server, so that its peak RSS is its own: the engine is the CLI as installed (`lib/cli.js`,
// built by `npm run build`), the bare loop this file with `--child`.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../src/manifest';
import { fmt, row } from './stats';

// Loaded where used, so that the bare child loads nothing of the project, cdk8s or the test server.
const load = {
  synth: () => ({
    ...(require('cdk8s') as typeof import('cdk8s')),
    ...(require('../apps/classroom') as typeof import('../apps/classroom')),
    ...(require('../constructs/classroom') as typeof import('../constructs/classroom')),
    ...(require('../src/synth') as typeof import('../src/synth')),
  }),
  server: () =>
    (require('../test/support/fake-apiserver') as typeof import('../test/support/fake-apiserver')).FakeApiServer,
};

/** What the section runs; every field has a default for `npm run bench`. */
export interface ApplyBenchOptions {
  /** `dist`, or attendees of the example classroom. */
  readonly sizes: readonly string[];
  /** The test API server's time per request, stated in the output. */
  readonly latencyMs: number;
  /** Requests in flight in the bare loop. */
  readonly inFlight: number;
  /** Extra arguments of the engine's `apply`, e.g. `--concurrency 16`; none runs it with its defaults. */
  readonly engineArgs: readonly string[];
  /** A run that takes longer is stopped and reported as such. */
  readonly timeoutSeconds: number;
  /** The most one object may cost at the largest size over the second size, for linear growth. */
  readonly linearFactor: number;
  /** The most the engine may take over the bare loop (within 2 times). */
  readonly bareFactor: number;
  /** Run `kubectl apply --server-side` too, when kubectl is on the PATH. */
  readonly kubectl: boolean;
  /** The most the engine may take over kubectl (at most 0.3 times). */
  readonly kubectlFactor: number;
  /** Peak RSS limit at the largest size (under 1 GiB at 13,000 objects). */
  readonly memoryLimitMiB: number;
}

export const APPLY_BENCH_DEFAULTS: ApplyBenchOptions = {
  sizes: ['dist', '30', '100', '542'],
  // With 40 ms, kubectl takes on the test server about what it was measured taking on a real
  // kube-apiserver v1.33 on a 2-core machine: 45 ms per object (5.4 s here for dist/, 5.6-6.0 s there).
  latencyMs: 40,
  inFlight: 16,
  engineArgs: [],
  timeoutSeconds: 900,
  linearFactor: 1.5,
  bareFactor: 2,
  kubectl: true,
  kubectlFactor: 0.3,
  memoryLimitMiB: 1024,
};

/** One run of one way at one size. */
export interface ApplyRun {
  readonly ok: boolean;
  /** Why it did not succeed: exit status, time-out, and the tail of its output. */
  readonly error?: string;
  readonly wallMs: number;
  /** Peak RSS; 0 when not known (kubectl is not a Node.js process). */
  readonly maxRssKiB: number;
  /** Requests the server saw, by verb (see FakeApiServer.requestsByVerb). */
  readonly requests: Record<string, number>;
}

export interface ApplySize {
  readonly size: string;
  readonly objects: number;
  readonly engine: ApplyRun;
  readonly bare: ApplyRun;
  /** Absent when kubectl was not run. */
  readonly kubectl?: ApplyRun;
}

type Way = 'engine' | 'bare' | 'kubectl';

export interface ApplyBenchResult {
  readonly sizes: ApplySize[];
  /** What fell short, in words; empty when every target was met. */
  readonly shortfalls: string[];
}

// Run from .bench/bench/ (npm run bench compiles it there, apart from the library's lib/) or from a bundle next to nothing: the project
// root is found from the working directory then.
const ROOT = fs.existsSync(path.join(__dirname, '..', '..', 'package.json'))
  ? path.join(__dirname, '..', '..')
  : process.cwd();
const ENGINE_MANAGER_NOTE = 'apply --no-wait through the CLI';
const CLI = path.join(ROOT, 'lib', 'src', 'cli.js');
// Preloaded into each child (`node -r`): its peak RSS as the last line of its output.
const PEAK_RSS = path.join(__dirname, 'peak-rss.js');

/** Writes the objects of one size to `dir` and returns how many there are. */
function writeObjects(size: string, dir: string): number {
  if (size === 'dist') {
    const dist = path.join(ROOT, 'dist');
    let count = 0;
    for (const file of fs.readdirSync(dist).filter((f) => f.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(dist, file), 'utf8');
      fs.writeFileSync(path.join(dir, file), text);
      count += parseAllDocuments(text).filter((d) => d.contents !== null).length;
    }
    return count;
  }
  const attendees = Number(size);
  if (!Number.isInteger(attendees) || attendees < 1)
    throw new Error(`apply bench: a size is "dist" or a number of attendees, got "${size}"`);
  const { App, Classroom, CLASSROOM_STACKS, synthYaml } = load.synth();
  const app = new App();
  new Classroom(app, 'classroom', { attendees: { count: attendees }, stacks: CLASSROOM_STACKS });
  const yaml = synthYaml(app);
  fs.writeFileSync(path.join(dir, 'classroom.k8s.yaml'), yaml);
  return (yaml.match(/^---$/gm)?.length ?? 0) + 1;
}

/** Runs one way in a child process while the parent serves; its peak RSS comes from bench/peak-rss.ts. */
function runChild(
  way: Way,
  dir: string,
  kubeconfig: string,
  options: ApplyBenchOptions,
): Promise<Omit<ApplyRun, 'requests'>> {
  // kubectl: the test server serves no OpenAPI document, so client-side validation is off, which
  // spares kubectl requests; its discovery cache is cold, as the engine's and the loop's are.
  const [command, args] =
    way === 'kubectl'
      ? [
          'kubectl',
          [
            'apply',
            '--server-side',
            '--validate=false',
            '-f',
            dir,
            '--kubeconfig',
            kubeconfig,
            '--cache-dir',
            path.join(path.dirname(kubeconfig), 'kubectl-cache'),
          ],
        ]
      : [
          process.execPath,
          [
            '-r',
            PEAK_RSS,
            ...(way === 'engine'
              ? [
                  CLI,
                  'apply',
                  dir,
                  '--no-wait',
                  '--applyset',
                  'bench',
                  '--kubeconfig',
                  kubeconfig,
                  ...options.engineArgs,
                ]
              : [__filename, '--child', dir, kubeconfig, String(options.inFlight)]),
          ],
        ];
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      const lines = out.trim().split('\n');
      let maxRssKiB = 0;
      try {
        if (way !== 'kubectl') {
          maxRssKiB = JSON.parse(lines[lines.length - 1]).maxRssKiB;
          lines.pop();
        }
      } catch {
        // Killed before its exit handler ran: no figure.
      }
      const tail = () => `${err}\n${lines.join('\n')}`.trim().split('\n').slice(-3).join(' | ').slice(-500);
      if (signal === 'SIGKILL')
        resolve({ ok: false, error: `stopped after ${options.timeoutSeconds} s`, wallMs, maxRssKiB });
      else if (code !== 0) resolve({ ok: false, error: `exit ${code}: ${tail()}`, wallMs, maxRssKiB });
      else resolve({ ok: true, wallMs, maxRssKiB });
    });
  });
}

/** Whether `kubectl` runs here. */
function kubectlOnPath(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** One size: objects written once, then each way against a fresh server. */
async function benchSize(size: string, ways: readonly Way[], options: ApplyBenchOptions): Promise<ApplySize> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-apply-${size}-`));
  try {
    const inputs = path.join(dir, 'objects');
    fs.mkdirSync(inputs);
    const objects = writeObjects(size, inputs);
    const runs: Partial<Record<Way, ApplyRun>> = {};
    for (const way of ways) {
      const server = await load
        .server()
        .start({ tls: true, latencyMs: options.latencyMs, tokens: new Set(['bench-admin']), recordRequests: false });
      try {
        // What every cluster has: the apply set's parent Secret lives there.
        server.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
        const kubeconfig = server.writeKubeconfig(fs.mkdtempSync(path.join(dir, `${way}-`)), { token: 'bench-admin' });
        const run = await runChild(way, inputs, kubeconfig, options);
        runs[way] = { ...run, requests: server.requestsByVerb() };
      } finally {
        await server.close();
      }
    }
    return { size, objects, engine: runs.engine!, bare: runs.bare!, kubectl: runs.kubectl };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const perObject = (run: ApplyRun, objects: number) =>
  Object.entries(run.requests)
    .map(([verb, n]) => `${verb} ${fmt(n / objects)}`)
    .join(', ');
const writes = (run: ApplyRun) =>
  Object.entries(run.requests)
    .filter(([verb]) => /^(patch|create|update|delete)$/.test(verb))
    .reduce((sum, [, n]) => sum + n, 0);

/** Runs the section, prints its table and verdict line, and returns what it measured. */
export async function benchApply(
  partial: Partial<ApplyBenchOptions> = {},
  log: (line: string) => void = console.log,
): Promise<ApplyBenchResult> {
  const options = { ...APPLY_BENCH_DEFAULTS, ...partial };
  if (!fs.existsSync(CLI))
    throw new Error(`apply bench: ${path.relative(ROOT, CLI)} is missing: run \`npm run build\` first`);
  const withKubectl = options.kubectl && kubectlOnPath();
  const ways: Way[] = withKubectl ? ['engine', 'bare', 'kubectl'] : ['engine', 'bare'];
  const engine =
    options.engineArgs.length > 0 ? `${ENGINE_MANAGER_NOTE} ${options.engineArgs.join(' ')}` : ENGINE_MANAGER_NOTE;
  log(
    `\nApply: ${engine} vs a bare loop of one server-side-apply PATCH per object (${options.inFlight} in flight, ` +
      `one keep-alive agent)${withKubectl ? ' and `kubectl apply --server-side --validate=false`' : ''}, against the test API server ` +
      `over TLS on 127.0.0.1 with ${options.latencyMs} ms per request; a fresh server and child process per run`,
  );
  if (options.kubectl && !withKubectl) log('kubectl is not on the PATH: not compared with it');
  const w = [6, 8, 8, 10, 10, 10, 10, 9, 11];
  log(row(['size', 'objects', 'way', 'wall s', 'ms/object', 'peak MB', 'writes/obj', 'vs bare', 'vs kubectl'], w));
  const sizes: ApplySize[] = [];
  for (const size of options.sizes) {
    const result = await benchSize(size, ways, options);
    sizes.push(result);
    for (const way of ways) {
      const run = result[way]!;
      const vs = (other?: ApplyRun) =>
        way === 'engine' && run.ok && other?.ok ? `${fmt(run.wallMs / other.wallMs)}x` : '';
      log(
        row(
          [
            size,
            result.objects,
            way,
            run.ok ? fmt(run.wallMs / 1000) : 'FAILED',
            fmt(run.wallMs / result.objects),
            run.maxRssKiB ? fmt(run.maxRssKiB / 1024, 0) : '-',
            fmt(writes(run) / result.objects),
            vs(result.bare),
            vs(result.kubectl),
          ],
          w,
        ),
      );
      log(
        `        requests per object: ${perObject(run, result.objects)}${run.error ? `; ${run.error.split('\n')[0]}` : ''}`,
      );
    }
  }
  const shortfalls = verdict(sizes, options);
  log(
    shortfalls.length === 0
      ? `apply verdict: all targets met (linear within ${options.linearFactor}x, within ${options.bareFactor}x the bare loop, ` +
          `${withKubectl ? `at most ${options.kubectlFactor}x kubectl, ` : ''}one write per object, under ${options.memoryLimitMiB} MiB)`
      : `apply verdict: fell short: ${shortfalls.join('; ')}`,
  );
  return { sizes, shortfalls };
}

/** The section's figures as a Markdown table for the README. */
export function applyMarkdown(result: ApplyBenchResult, options: Partial<ApplyBenchOptions> = {}): string {
  const { latencyMs, inFlight } = { ...APPLY_BENCH_DEFAULTS, ...options };
  const withKubectl = result.sizes.some((s) => s.kubectl);
  const time = (run?: ApplyRun) => (!run ? 'not run' : run.ok ? `${fmt(run.wallMs / 1000)} s` : 'failed');
  const ratio = (e: ApplyRun, other?: ApplyRun) => (e.ok && other?.ok ? `${fmt(e.wallMs / other.wallMs)}x` : '-');
  const rows = result.sizes.map((s) => {
    const e = s.engine;
    return (
      `| ${s.objects} | ${time(e)} | ${fmt(e.wallMs / s.objects)} ms | ${perObject(e, s.objects)} | ${fmt(e.maxRssKiB / 1024, 0)} MB | ` +
      `${time(s.bare)} | ${ratio(e, s.bare)} |${withKubectl ? ` ${time(s.kubectl)} | ${ratio(e, s.kubectl)} |` : ''}`
    );
  });
  return (
    `Apply (\`apply --no-wait\`) against the test API server over TLS on 127.0.0.1 with ${latencyMs} ms of latency per request, ` +
    `next to a bare loop of one server-side-apply PATCH per object (${inFlight} in flight, keep-alive)` +
    `${withKubectl ? ' and to `kubectl apply --server-side --validate=false`' : ''}; a fresh server and process per run:\n\n` +
    `| objects | engine | per object | requests per object | peak RSS | bare loop | engine / bare |${withKubectl ? ' kubectl | engine / kubectl |' : ''}\n` +
    `|---|---|---|---|---|---|---|${withKubectl ? '---|---|' : ''}\n` +
    rows.join('\n')
  );
}

/** What fell short of the apply targets. */
function verdict(sizes: readonly ApplySize[], options: ApplyBenchOptions): string[] {
  const shortfalls: string[] = [];
  for (const s of sizes) {
    if (!s.bare.ok) shortfalls.push(`the bare loop failed at ${s.objects} objects (${s.bare.error?.split('\n')[0]})`);
    if (!s.engine.ok) {
      shortfalls.push(`the engine failed at ${s.objects} objects (${s.engine.error?.split('\n')[0]})`);
      continue;
    }
    const ratio = s.engine.wallMs / s.bare.wallMs;
    if (s.bare.ok && ratio > options.bareFactor)
      shortfalls.push(`${fmt(ratio)}x the bare loop at ${s.objects} objects (limit ${options.bareFactor}x)`);
    if (s.kubectl && !s.kubectl.ok)
      shortfalls.push(`kubectl failed at ${s.objects} objects (${s.kubectl.error?.split('\n')[0]})`);
    const kubectlRatio = s.kubectl?.ok ? s.engine.wallMs / s.kubectl.wallMs : 0;
    if (kubectlRatio > options.kubectlFactor)
      shortfalls.push(`${fmt(kubectlRatio)}x kubectl at ${s.objects} objects (limit ${options.kubectlFactor}x)`);
    // One write per object, and the apply set parent's (before and after) on top.
    const extraWrites = writes(s.engine) - s.objects - 2;
    if (extraWrites > 0)
      shortfalls.push(
        `${fmt(writes(s.engine) / s.objects)} writes per object at ${s.objects} objects (limit 1 and the apply set parent)`,
      );
    const reads = (s.engine.requests.get ?? 0) / s.objects;
    if (reads > 0.5)
      shortfalls.push(`${fmt(reads)} GETs per object at ${s.objects} objects (read live state with LISTs)`);
    const dryRuns = (s.engine.requests['patch(dryRun)'] ?? 0) / s.objects;
    if (dryRuns > 0)
      shortfalls.push(
        `${fmt(dryRuns)} dry-run PATCHes per object at ${s.objects} objects (only for --dry-run and diff)`,
      );
  }
  // Linear growth: one object at the largest size against one at the second size (the first, dist/,
  // is too small to spread start-up).
  const measured = sizes.filter((s) => s.engine.ok);
  if (measured.length >= 3) {
    const [mid, last] = [measured[1], measured[measured.length - 1]];
    const growth = last.engine.wallMs / last.objects / (mid.engine.wallMs / mid.objects);
    if (growth > options.linearFactor) {
      shortfalls.push(
        `superlinear: one object costs ${fmt(growth)}x at ${last.objects} what it costs at ${mid.objects} (limit ${options.linearFactor}x)`,
      );
    }
  } else if (sizes.length >= 3) {
    shortfalls.push('growth not judged: fewer than three sizes succeeded');
  }
  const largest = sizes[sizes.length - 1];
  if (largest && largest.engine.maxRssKiB / 1024 > options.memoryLimitMiB) {
    shortfalls.push(
      `peak RSS ${fmt(largest.engine.maxRssKiB / 1024, 0)} MB at ${largest.objects} objects (limit ${options.memoryLimitMiB} MiB)`,
    );
  }
  return shortfalls;
}

// ---- the children ----

/**
 * The floor: one server-side-apply PATCH per object, `inFlight` at once over one keep-alive agent,
 * Namespaces first (as kubectl orders them), after one discovery request per group version.
 */
async function bareChild(dir: string, kubeconfigFile: string, inFlight: number): Promise<string | undefined> {
  const config = parseYaml(fs.readFileSync(kubeconfigFile, 'utf8'));
  const cluster = config.clusters[0].cluster;
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: inFlight,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
  });
  const headers = { Authorization: `Bearer ${config.users[0].user.token}` };
  const request = (method: string, urlPath: string, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(
        `${cluster.server}${urlPath}`,
        {
          method,
          agent,
          headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/apply-patch+yaml' },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const objects: KubeObject[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as KubeObject | null;
      if (obj) objects.push(obj);
    }
  }
  const resources = new Map<string, { name: string; namespaced: boolean }>();
  for (const apiVersion of new Set(objects.map((o) => o.apiVersion))) {
    const answer = await request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    if (answer.status !== 200) return `discovery of ${apiVersion}: ${answer.status}`;
    for (const r of JSON.parse(answer.text).resources)
      if (!r.name.includes('/')) resources.set(`${apiVersion}/${r.kind}`, { name: r.name, namespaced: r.namespaced });
  }
  const first = objects.filter((o) => o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition');
  const rest = objects.filter((o) => !first.includes(o));
  const failures: string[] = [];
  for (const batch of [first, rest]) {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < batch.length) {
          const obj = batch[next++];
          const resource = resources.get(`${obj.apiVersion}/${obj.kind}`);
          if (!resource) {
            failures.push(`no resource for ${obj.apiVersion} ${obj.kind}`);
            continue;
          }
          const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
          const ns = resource.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
          const answer = await request(
            'PATCH',
            `${base}${ns}/${resource.name}/${obj.metadata.name}?fieldManager=bench-bare&force=true`,
            JSON.stringify(obj),
          );
          if (answer.status >= 300)
            failures.push(`${obj.kind} ${obj.metadata.name}: ${answer.status} ${answer.text.slice(0, 200)}`);
        }
      }),
    );
  }
  agent.destroy();
  return failures.length === 0 ? undefined : `${failures.length} failed, first: ${failures[0]}`;
}

async function childMain([dir, kubeconfig, inFlight]: string[]): Promise<void> {
  const failure = await bareChild(dir, kubeconfig, Number(inFlight));
  if (failure) {
    process.stderr.write(`${failure}\n`);
    process.exitCode = 1;
  }
}

/** `--sizes a,b --latency-ms n --in-flight n --timeout-s n --engine-args "..." --kubectl true|false` into options. */
export function parseApplyBenchArgs(args: readonly string[]): Partial<ApplyBenchOptions> {
  const options: { -readonly [K in keyof ApplyBenchOptions]?: ApplyBenchOptions[K] } = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    const number = Number(value);
    switch (flag) {
      case '--sizes':
        options.sizes = value.split(',').filter(Boolean);
        break;
      case '--latency-ms':
        options.latencyMs = number;
        break;
      case '--in-flight':
        options.inFlight = number;
        break;
      case '--timeout-s':
        options.timeoutSeconds = number;
        break;
      case '--engine-args':
        options.engineArgs = value.split(/\s+/).filter(Boolean);
        break;
      case '--kubectl':
        if (value !== 'true' && value !== 'false')
          throw new Error(`apply bench: --kubectl is true or false, got ${value}`);
        options.kubectl = value === 'true';
        break;
      default:
        throw new Error(
          `apply bench: unknown option ${flag} (known: --sizes, --latency-ms, --in-flight, --timeout-s, --engine-args, --kubectl)`,
        );
    }
    if (!['--sizes', '--engine-args', '--kubectl'].includes(flag) && !(number >= 0))
      throw new Error(`apply bench: ${flag} needs a number, got ${value}`);
  }
  return options;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const run =
    args[0] === '--child' ? childMain(args.slice(1)) : benchApply(parseApplyBenchArgs(args)).then(() => undefined);
  run.catch((error: unknown) => {
    process.stderr.write(`apply bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
