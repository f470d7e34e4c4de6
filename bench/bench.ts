// `npm run bench [-- <section>...]`: runs the named sections (default: all, in the order of SECTIONS)
// and prints a report, then the same figures as Markdown for the README's Performance section, with
// the machine they came from. Verdict lines say which target fell short; the process still exits 0.
// It exits 1 only when the bench itself broke (a command failed), 2 on an unknown section.
import { SpawnSyncOptions, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MANIFEST_SUFFIX } from '../src/manifest';
import { ApplyBenchOptions, applyMarkdown, benchApply, parseApplyBenchArgs } from './apply';
import type { ScaleResult, ScaleSubject } from './scale';
import { ScalePoint, Summary, fmt, marginalCosts, row, summarize, superlinearity } from './stats';
import { benchTraffic } from './traffic';
import { benchValidate } from './validate';
import { benchCli } from './cli';

const TARGETS = {
  /** The project's synth, median of cold runs. */
  synthSeconds: 2,
  /** Stock median over project median. */
  speedup: 5,
  /**
   * Marginal cost of a copy at the largest step over the cheapest earlier step. Linear synthesis
   * scored 0.8-1.2 here (single runs, busy machine); cdk8s's own synthYaml, quadratic in charts, 1.5-1.7.
   */
  superlinearity: 1.4,
};
const SYNTH_RUNS = 5;
const SCALE_SIZES = [1, 10, 100, 500];
const SCALE_ROUNDS = 3;
/** Attendees of a classroom with every stack: the target's 300, against 30 (and 3, to judge growth). */
const CLASSROOM_SIZES = [3, 30, 300];
/** Fewer rounds than the workshop's: 300 attendees are the longest synthesis here, and the bench's time is bounded. */
const CLASSROOM_ROUNDS = 2;

// Run from .bench/bench/ (npm run bench compiles it there, apart from the library's lib/).
const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');

/** What a section writes to. */
export interface BenchOutput {
  /** A line of the report (stdout). */
  log(line?: string): void;
  /** Markdown for the README's Performance section: printed together after every section ran. */
  markdown(text: string): void;
  /** A target missed, in words: a verdict line at the end. The bench still exits 0. */
  shortfall(what: string): void;
}

/** A section of the bench: throws only when it cannot measure (a command failed). */
export type BenchSection = (out: BenchOutput) => void | Promise<void>;

/** Runs a shell command in the project and returns its wall time in seconds; throws if it fails. */
function timed(command: string, options: SpawnSyncOptions = {}): number {
  const start = performance.now();
  const result = spawnSync(command, { cwd: ROOT, shell: true, encoding: 'utf8', timeout: 180_000, ...options });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) {
    throw new Error(
      `\`${command}\` failed (${result.error?.message ?? `exit ${result.status}`}):\n${String(result.stdout)}${String(result.stderr)}`,
    );
  }
  return seconds;
}

/** The environment the project's commands see: the default profile, no inherited output directory. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.WORKSHOP_PROFILE;
  delete env.CDK8S_OUTDIR;
  return { ...env, ...extra };
}

function manifests(dir: string): Map<string, string> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(MANIFEST_SUFFIX))
    .sort();
  return new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

function sameAsDist(outdir: string): boolean {
  const expected = manifests(DIST);
  const actual = manifests(outdir);
  return actual.size === expected.size && [...expected].every(([file, text]) => actual.get(file) === text);
}

interface SynthWay {
  readonly label: string;
  /** The row's name in the README's table. */
  readonly markdown: string;
  /** The command, writing to `outdir`. */
  command(outdir: string): string;
  env(outdir: string): NodeJS.ProcessEnv;
}

// The CLI checks npm for a newer version of itself on every run unless told not to: that is network
// time, not synthesis, and no benchmark should depend on a registry answering.
const CDK8S = 'npx cdk8s synth --check-upgrade=false';

const WAYS: SynthWay[] = [
  {
    label: 'project: npm run synth',
    markdown: '`npm run synth`',
    command: () => 'npm run --silent synth',
    env: (outdir) => cleanEnv({ CDK8S_OUTDIR: outdir }),
  },
  {
    label: 'project via cdk8s.yaml: cdk8s synth',
    markdown: "`npx cdk8s synth` (this project's `cdk8s.yaml`, with the validation plugin)",
    command: (outdir) => `${CDK8S} --output ${outdir}`,
    env: () => cleanEnv(),
  },
  {
    // What `cdk8s init typescript-app` sets up: `app: npx ts-node main.ts`, which type-checks.
    label: 'stock: cdk8s synth, app: npx ts-node',
    markdown: 'stock: `cdk8s synth` with `app: npx ts-node apps/main.ts`, as `cdk8s init` sets it up',
    command: (outdir) => `${CDK8S} --app "npx ts-node apps/main.ts" --output ${outdir}`,
    env: () => cleanEnv(),
  },
];

function benchSynth(out: BenchOutput): Summary[] {
  const samples: number[][] = WAYS.map(() => []);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    // Round 0 warms the page cache alike for every way and is not counted. Later rounds rotate the
    // order so that no way always runs right after the same other one.
    for (let round = 0; round <= SYNTH_RUNS; round++) {
      for (let k = 0; k < WAYS.length; k++) {
        const index = (round + k) % WAYS.length;
        const way = WAYS[index];
        const outdir = path.join(tmp, `${round}-${index}`);
        const seconds = timed(way.command(outdir), { env: way.env(outdir) });
        if (!sameAsDist(outdir)) out.shortfall(`${way.label} did not write exactly dist/ (run ${round})`);
        if (round > 0) samples[index].push(seconds);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return samples.map(summarize);
}

function benchScale(subject: ScaleSubject, sizes: readonly number[], rounds: number): ScaleResult[] {
  const best = new Map<number, ScaleResult>();
  for (let round = 0; round < rounds; round++) {
    for (const n of sizes) {
      const child = spawnSync(process.execPath, [path.join(__dirname, 'scale.js'), subject, String(n)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        env: cleanEnv(),
      });
      if (child.status !== 0) throw new Error(`scale ${subject} ${n} failed:\n${child.stdout}${child.stderr}`);
      const result = JSON.parse(child.stdout) as ScaleResult;
      const prev = best.get(n);
      // Fastest time (least disturbed by the rest of the machine), highest peak memory.
      best.set(
        n,
        !prev
          ? result
          : {
              ...(result.ms < prev.ms ? result : prev),
              maxRssKiB: Math.max(result.maxRssKiB, prev.maxRssKiB),
            },
      );
    }
  }
  return sizes.map((n) => best.get(n)!);
}

function check(out: BenchOutput, ok: boolean, what: string): string {
  if (!ok) out.shortfall(what);
  return ok ? 'ok' : 'MISSED';
}
/** A Markdown table. */
const table = (header: string[], rows: Array<Array<string | number>>) =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
const thousands = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => (ms < 1000 ? `${fmt(ms, 0)} ms` : `${fmt(ms / 1000, 1)} s`);

/** Reports a scale table and checks that N units are N times one unit and that time grows linearly. */
function reportScale(out: BenchOutput, unit: string, scale: readonly ScaleResult[]): void {
  const points: ScalePoint[] = scale.map(({ n, ms }) => ({ n, ms }));
  const marginal = marginalCosts(points);
  const s = [5, 8, 8, 9, 12, 14, 12];
  out.log(row(['N', 'objects', 'YAML MB', 'time ms', `ms per ${unit}`, 'marginal ms', 'peak RSS MB'], s));
  scale.forEach((r, i) =>
    out.log(
      row(
        [
          r.n,
          r.objects,
          fmt(r.yamlBytes / 2 ** 20, 1),
          fmt(r.ms, 0),
          fmt(r.ms / r.n),
          i === 0 ? '' : fmt(marginal[i - 1]),
          fmt(r.maxRssKiB / 1024, 0),
        ],
        s,
      ),
    ),
  );
  const [first] = scale;
  const apart = scale.every(
    (r) => r.objects * first.n === r.n * first.objects && r.namespaces * first.n === r.n * first.namespaces,
  );
  const growth = superlinearity(points);
  const last = scale[scale.length - 1];
  const perUnitMB = (last.maxRssKiB - first.maxRssKiB) / 1024 / (last.n - first.n);
  const step = `${scale[scale.length - 2].n}->${last.n}`;
  out.log(
    `memory: ${fmt(perUnitMB)} MB per ${unit} over a ${fmt(first.maxRssKiB / 1024, 0)} MB base; objects and namespaces ` +
      `exactly N x one ${unit}'s ${check(out, apart, `${unit}s do not scale to exactly N x one ${unit}'s objects and namespaces`)}`,
  );
  out.log(
    `growth: each ${unit} at ${step} costs ${fmt(growth)}x the cheapest earlier step (linear ~1, limit ` +
      `${TARGETS.superlinearity}) ${check(out, growth <= TARGETS.superlinearity, `superlinear growth of ${unit}s ${fmt(growth)}x`)}`,
  );

  out.markdown(
    table(
      ['N', 'objects', 'time', `per ${unit}`, `marginal per ${unit}`, 'peak RSS'],
      scale.map((r, i) => [
        r.n,
        thousands(r.objects),
        seconds(r.ms),
        `${fmt(r.ms / r.n, 1)} ms`,
        i === 0 ? '' : `${fmt(marginal[i - 1], 1)} ms`,
        `${fmt(r.maxRssKiB / 1024, 0)} MB`,
      ]),
    ),
  );
  out.markdown(
    `Each ${unit} at ${step.replace('->', '→')} costs ${fmt(growth)}x one at the cheapest earlier step ` +
      `(linear: about 1; the limit is ${TARGETS.superlinearity}x), and about ${fmt(perUnitMB)} MB.`,
  );
}

/** Synthesis of all apps three ways, then copies of the workshop and attendees of a classroom at scale. */
function synthSection(out: BenchOutput): void {
  out.log(`Synthesis of all apps from source, cold (a fresh process per run; ${SYNTH_RUNS} runs each, alternating)`);
  const synth = benchSynth(out);
  const w = [38, 8, 8];
  out.log(row(['', 'min s', 'median s'], w));
  WAYS.forEach((way, i) => out.log(row([way.label, fmt(synth[i].min), fmt(synth[i].median)], w)));
  const [project, , stock] = synth;
  const speedup = stock.median / project.median;
  out.log(
    `stock / project: ${fmt(speedup, 1)}x median, ${fmt(stock.min / project.min, 1)}x min ` +
      `(target >= ${TARGETS.speedup}x) ${check(out, speedup >= TARGETS.speedup, `speed-up ${fmt(speedup, 1)}x < ${TARGETS.speedup}x`)}; ` +
      `project median < ${TARGETS.synthSeconds} s ${check(out, project.median < TARGETS.synthSeconds, `project synth median ${fmt(project.median)} s`)}`,
  );
  out.markdown(
    `Synthesis of all apps, each run a fresh process writing every app, checked byte-identical to \`dist/\` ` +
      `(${SYNTH_RUNS} runs each):`,
  );
  out.markdown(
    table(
      ['', 'min', 'median'],
      WAYS.map((way, i) => [way.markdown, `${fmt(synth[i].min)} s`, `${fmt(synth[i].median)} s`]),
    ),
  );
  out.markdown(
    `The project's way is ${fmt(speedup, 1)}x faster than the stock way (median; ${fmt(stock.min / project.min, 1)}x by min).`,
  );

  out.log(
    `\nScale: N copies of the full workshop in one App, each in its own namespaces (fresh process per N, best of ${SCALE_ROUNDS})`,
  );
  out.markdown(
    `Scale: N copies of the full workshop (\`apps/workshop.ts\`, every copy in namespaces of its own) in one App, ` +
      `synthesized to YAML, each N in a fresh process (best of ${SCALE_ROUNDS}):`,
  );
  reportScale(out, 'copy', benchScale('workshop', SCALE_SIZES, SCALE_ROUNDS));
  out.log(
    `\nClassroom: N attendees, each with every stack in a namespace of their own (fresh process per N, best of ${CLASSROOM_ROUNDS})`,
  );
  out.markdown(
    `Classroom: one Classroom of N attendees, each with all four stacks in a namespace of their own, each N in a ` +
      `fresh process (best of ${CLASSROOM_ROUNDS}):`,
  );
  reportScale(out, 'attendee', benchScale('classroom', CLASSROOM_SIZES, CLASSROOM_ROUNDS));
}

/** The test suite's wall time: a figure to report, not a target (it depends on the machine and the registry). */
function testsSection(out: BenchOutput): void {
  const testSeconds = timed('npm test', { env: cleanEnv(), timeout: 600_000 });
  out.log(`npm test: ${fmt(testSeconds, 1)} s wall`);
  out.markdown(`\`npm test\` took ${fmt(testSeconds, 1)} s of wall time.`);
}

/** Apply at classroom scale (bench/apply.ts), with the options given after the section names. */
function applySection(options: Partial<ApplyBenchOptions>): BenchSection {
  return async (out) => {
    const result = await benchApply(options, (line) => out.log(line));
    result.shortfalls.forEach((what) => out.shortfall(what));
    out.markdown(applyMarkdown(result, options));
  };
}

/**
 * Every section, in the order `npm run bench` runs them; another section is a module and one entry here.
 * Options after the section names go to the apply section: `npm run bench -- apply --sizes dist,30`.
 */
function sections(options: Partial<ApplyBenchOptions>): Readonly<Record<string, BenchSection>> {
  return {
    synth: synthSection,
    validate: benchValidate,
    traffic: benchTraffic,
    cli: benchCli,
    apply: applySection(options),
    tests: testsSection,
  };
}

/** The machine the figures come from: the first line of the report and of the Markdown. */
function machine(): string {
  const cpus = os.cpus();
  return (
    `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GB memory, ` +
    `${os.type()} ${os.release()}, Node.js ${process.version}`
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const firstOption = argv.findIndex((a) => a.startsWith('--'));
  const args = firstOption < 0 ? argv : argv.slice(0, firstOption);
  const SECTIONS = sections(parseApplyBenchArgs(firstOption < 0 ? [] : argv.slice(firstOption)));
  const unknown = args.filter((a) => !Object.prototype.hasOwnProperty.call(SECTIONS, a));
  if (unknown.length > 0) {
    console.error(`unknown bench section(s) ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
    return 2;
  }
  const names = args.length > 0 ? Object.keys(SECTIONS).filter((name) => args.includes(name)) : Object.keys(SECTIONS);
  const start = performance.now();
  const shortfalls: string[] = [];
  const markdown: string[] = [];
  const load = os
    .loadavg()
    .map((l) => fmt(l))
    .join(' ');
  console.log(`workshop-stacks bench on ${machine()}; load ${load}; sections: ${names.join(' ')}`);
  for (const name of names) {
    console.log(`\n== ${name}`);
    try {
      await SECTIONS[name]({
        log: (line = '') => console.log(line),
        markdown: (text) => markdown.push(text),
        shortfall: (what) => shortfalls.push(`${name}: ${what}`),
      });
    } catch (error) {
      console.error(`\nbench broke in section ${name}: ${(error as Error).message}`);
      return 1;
    }
  }

  const took = `bench took ${fmt((performance.now() - start) / 1000, 0)} s`;
  console.log(`\n----- README.md, section Performance: from here -----\n`);
  console.log(
    `One run of \`npm run bench\` (${names.join(', ')}) on ${machine()}, load ${load} at the start; ${took}.\n`,
  );
  console.log(markdown.join('\n\n'));
  console.log(`\n----- to here -----`);
  console.log(
    shortfalls.length > 0 ? `\nshort of targets (${took}): ${shortfalls.join('; ')}` : `\nall targets met (${took})`,
  );
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
