// The traffic section of `npm run bench`: `traffic` over 1k, 10k and 25,932 Deployments (the size that
// once ran out of memory), with a default-deny policy in every namespace and without any policy, each in
// a fresh process that reads the YAML and writes the txt list to /dev/null. It reports time, peak memory
// and growth; the target (26k workloads in under 30 s and 1 GiB) is checked on the default-deny input,
// as without policies every ordered pair of workloads is a line of the list.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { loadSources } from '../src/manifest/load';
import { KubeObject } from '../src/manifest';
import { formatConnectionParts, trafficConnections } from '../src/traffic';
import type { BenchOutput } from './bench';
import { fmt } from './stats';

const SIZES = [1_000, 10_000, 25_932];
const NAMESPACES = 100;
const TARGET = { seconds: 30, mib: 1024 };
/** A run past this is stopped and reported as such: the open list at 26k is 672 million lines. */
const TIMEOUT_MS = 120_000;

type Policies = 'default-deny' | 'none';
interface Measure {
  readonly ms: number;
  readonly maxRssMiB: number;
  readonly connections: number;
}

function deployment(i: number): unknown {
  const labels = { app: `web-${i}` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${i}`, namespace: `ns-${i % NAMESPACES}`, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'web', image: 'registry.example.com/web:1', ports: [{ name: 'http', containerPort: 8080 }] },
          ],
        },
      },
    },
  };
}

function denyAll(ns: number): unknown {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: `ns-${ns}` },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  };
}

function generate(file: string, count: number, policies: Policies): void {
  const fd = fs.openSync(file, 'w');
  const docs = [
    ...Array.from({ length: count }, (_, i) => deployment(i)),
    ...(policies === 'default-deny' ? Array.from({ length: NAMESPACES }, (_, k) => denyAll(k)) : []),
  ];
  docs.forEach((doc, i) => fs.writeSync(fd, `${i > 0 ? '---\n' : ''}${stringify(doc)}`));
  fs.closeSync(fd);
}

/** In this process: read the file and write its connection list (txt) to /dev/null, as `traffic` does. */
function measure(file: string): Measure {
  const start = performance.now();
  const objects = loadSources([file]).map((d) => d.value as KubeObject);
  const sink = fs.openSync(os.devNull, 'w');
  let connections = 0;
  let buffer = '';
  const counted = (function* () {
    for (const c of trafficConnections(objects)) {
      connections++;
      yield c;
    }
  })();
  for (const part of formatConnectionParts(counted, 'txt')) {
    buffer += part;
    if (buffer.length >= 65536) {
      fs.writeSync(sink, buffer);
      buffer = '';
    }
  }
  fs.writeSync(sink, buffer);
  fs.closeSync(sink);
  return { ms: performance.now() - start, maxRssMiB: process.resourceUsage().maxRSS / 1024, connections };
}

function inChild(file: string): Measure | undefined {
  const run = spawnSync(process.execPath, [__filename, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: TIMEOUT_MS,
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return undefined;
  if (run.status !== 0) throw new Error(`bench traffic ${file} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Measure;
}

/** The traffic section. */
export function benchTraffic(out: BenchOutput): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-traffic-'));
  try {
    out.log(`Traffic: Deployments in ${NAMESPACES} namespaces, read and listed (txt to /dev/null), fresh process each`);
    const rows: string[][] = [];
    for (const policies of ['default-deny', 'none'] as const) {
      let previous: { n: number; ms: number } | undefined;
      for (const n of SIZES) {
        const file = path.join(dir, `${policies}-${n}.yaml`);
        generate(file, n, policies);
        const m = inChild(file);
        fs.rmSync(file);
        if (!m) {
          out.log(`${n} workloads, policies: ${policies}: stopped after ${TIMEOUT_MS / 1000} s`);
          rows.push([`${n}`, policies, `over ${TIMEOUT_MS / 1000} s`, '', '', '']);
          if (policies === 'default-deny' && n === SIZES[SIZES.length - 1])
            out.shortfall(`traffic over ${n} workloads with a default deny took over ${TIMEOUT_MS / 1000} s`);
          continue;
        }
        // Growth: time per workload at this size over the previous size's.
        const growth = previous ? fmt(m.ms / n / (previous.ms / previous.n)) : '';
        previous = { n, ms: m.ms };
        out.log(
          `${n} workloads, policies: ${policies}: ${fmt(m.ms / 1000, 1)} s, ${m.maxRssMiB.toFixed(0)} MiB, ${m.connections} connections` +
            `${growth ? `, ${growth}x the time per workload of the size before` : ''}`,
        );
        rows.push([
          `${n}`,
          policies,
          `${fmt(m.ms / 1000, 1)} s`,
          `${m.maxRssMiB.toFixed(0)} MiB`,
          `${m.connections}`,
          growth ? `${growth}x` : '',
        ]);
        if (
          policies === 'default-deny' &&
          n === SIZES[SIZES.length - 1] &&
          (m.ms / 1000 > TARGET.seconds || m.maxRssMiB > TARGET.mib)
        ) {
          out.shortfall(
            `traffic over ${n} workloads with a default deny: ${fmt(m.ms / 1000, 1)} s, ${m.maxRssMiB.toFixed(0)} MiB (target ${TARGET.seconds} s, ${TARGET.mib} MiB)`,
          );
        }
      }
    }
    out.markdown(
      `\`traffic\` over generated Deployments in ${NAMESPACES} namespaces (read from YAML, txt list written to /dev/null, fresh process each; ` +
        `growth is the time per workload over that of the size before; target: ${SIZES[SIZES.length - 1]} workloads with a default deny in under ` +
        `${TARGET.seconds} s and ${TARGET.mib} MiB; without policies every ordered pair is a line):\n\n` +
        '| workloads | policies | time | peak memory | connections | growth |\n|---|---|---|---|---|---|\n' +
        rows.map((r) => `| ${r.join(' | ')} |`).join('\n'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2]) process.stdout.write(JSON.stringify(measure(process.argv[2])));
