// The apply section of the bench (bench/apply.ts) at a tiny size, so that it cannot rot: the same file
// `npm run bench` runs, bundled, with its children (the engine is the built CLI, lib/src/cli.js), its TLS
// test server and its verdict.
import { spawnSync } from 'child_process';
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { parseApplyBenchArgs } from '../../bench/apply';
import { packedLibrary } from '../pack';

const ROOT = path.join(__dirname, '..', '..');

test('parses its options and refuses unknown ones', () => {
  expect(
    parseApplyBenchArgs([
      '--sizes',
      'dist,30',
      '--latency-ms',
      '5',
      '--engine-args',
      '--concurrency 16',
      '--kubectl',
      'false',
    ]),
  ).toEqual({ sizes: ['dist', '30'], latencyMs: 5, engineArgs: ['--concurrency', '16'], kubectl: false });
  expect(() => parseApplyBenchArgs(['--kubectl', 'no'])).toThrow('--kubectl is true or false');
  expect(() => parseApplyBenchArgs(['--size', '1'])).toThrow('unknown option --size');
  expect(() => parseApplyBenchArgs(['--in-flight', 'x'])).toThrow('--in-flight needs a number');
});

// kubectl is compared with when it is on the PATH (it is on this project's machines, not on every one).
const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

test(`applies one attendee with the engine, the bare loop${kubectl ? ' and kubectl' : ''} over TLS and prints requests per object and a verdict`, async () => {
  // Packing builds lib/, the CLI included (npm pack runs `npm run build`); once per jest run.
  await packedLibrary();
  // Inside lib/ (ignored by git) so that the bench's bundle finds node_modules and the project root.
  fs.mkdirSync(path.join(ROOT, 'lib'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, 'lib', 'bench-apply-test-'));
  try {
    const bundle = path.join(dir, 'apply.js');
    buildSync({
      entryPoints: ['apply', 'peak-rss'].map((f) => path.join(ROOT, 'bench', `${f}.ts`)),
      bundle: true,
      packages: 'external',
      platform: 'node',
      target: 'node20',
      outdir: dir,
      logLevel: 'error',
    });
    const run = spawnSync(process.execPath, [bundle, '--sizes', '1', '--latency-ms', '2', '--timeout-s', '60'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/over TLS on 127\.0\.0\.1 with 2 ms per request/));
    // Both ways applied all 24 objects of one attendee; the bare loop wrote exactly one PATCH each.
    expect(lines).toContainEqual(expect.stringMatching(/^1\s+24\s+engine\s+\d+\.\d\d\s+\S+\s+[1-9]\d+\s/));
    expect(lines).toContainEqual(expect.stringMatching(/^1\s+24\s+bare\s+\d+\.\d\d\s.*\s1\.00\s*$/));
    expect(lines).toContainEqual(expect.stringMatching(/requests per object: discovery 0\.\d\d, patch 1\.00$/));
    if (kubectl) {
      // kubectl's row: one PATCH per object, no peak RSS (not a Node.js process), and the engine's ratio to it.
      expect(lines).toContainEqual(expect.stringMatching(/^1\s+24\s+kubectl\s+\d+\.\d\d\s+\S+\s+-\s+1\.00\s*$/));
      expect(lines).toContainEqual(expect.stringMatching(/^1\s+24\s+engine\s.*\dx\s+\d+\.\d\dx\s*$/));
    } else {
      expect(lines).toContain('kubectl is not on the PATH: not compared with it');
    }
    expect(lines[lines.length - 2]).toMatch(/^apply verdict: (all targets met|fell short: )/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
