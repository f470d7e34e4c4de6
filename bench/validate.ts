// The validate section of `npm run bench`: validation of two large generated inputs next to merely
// parsing them (time and peak memory, each in a fresh process), with ratios. It reports, never fails.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { validateDocuments } from '../src/checks/documents';
import { loadSources } from '../src/manifest/load';
import type { BenchOutput } from './bench';

/** The inputs of the target: 50 MB of Deployments, and 50 ConfigMaps of 1 MB. */
const DEPLOYMENTS = 55_883;
const CONFIG_MAPS = 50;
const CONFIG_MAP_BYTES = 1024 * 1024;

interface Measure {
  readonly ms: number;
  readonly maxRssMiB: number;
  readonly objects: number;
  readonly problems: number;
}

function deployment(i: number): unknown {
  // About 900 bytes each, as the target's input: 55,883 of them make 50 MB.
  const labels = { app: `web-${i}` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${i}`, namespace: `ns-${i % 100}`, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'web',
              image: `registry.example.com/web:1.${i % 50}`,
              ports: [{ name: 'http', containerPort: 8080 }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
            },
          ],
        },
      },
    },
  };
}

function configMap(i: number): unknown {
  const line = `${'x'.repeat(99)}\n`;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `blob-${i}`, namespace: 'bench' },
    data: { 'blob.txt': line.repeat(CONFIG_MAP_BYTES / line.length) },
  };
}

function generate(file: string, count: number, make: (i: number) => unknown): void {
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < count; i++) fs.writeSync(fd, `${i > 0 ? '---\n' : ''}${stringify(make(i))}`);
  fs.closeSync(fd);
}

/** In this process: parse the file alone, or load and validate it as `workshop-stacks validate` does. */
function measure(mode: 'parse' | 'validate', file: string): Measure {
  const start = performance.now();
  const docs = loadSources([file]);
  const problems = mode === 'validate' ? validateDocuments(docs).problems.length : 0;
  return {
    ms: performance.now() - start,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    objects: docs.length,
    problems,
  };
}

function inChild(mode: 'parse' | 'validate', file: string): Measure {
  const run = spawnSync(process.execPath, [__filename, mode, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: 600_000,
  });
  if (run.status !== 0) throw new Error(`bench validate ${mode} ${file} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Measure;
}

/** The validate section: for each input, parse alone, validate, and validate over parse. */
export function benchValidate(out: BenchOutput): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-validate-'));
  try {
    const inputs = [
      {
        label: `${DEPLOYMENTS} Deployments`,
        file: path.join(dir, 'deployments.yaml'),
        count: DEPLOYMENTS,
        make: deployment,
      },
      {
        label: `${CONFIG_MAPS} ConfigMaps of 1 MB`,
        file: path.join(dir, 'configmaps.yaml'),
        count: CONFIG_MAPS,
        make: configMap,
      },
    ];
    out.log('Validate: large inputs, parse alone against validate (fresh process each)');
    const rows: string[][] = [];
    for (const input of inputs) {
      generate(input.file, input.count, input.make);
      const mb = (fs.statSync(input.file).size / 2 ** 20).toFixed(0);
      const parse = inChild('parse', input.file);
      const validate = inChild('validate', input.file);
      const ratios = [(validate.ms / parse.ms).toFixed(1), (validate.maxRssMiB / parse.maxRssMiB).toFixed(1)];
      out.log(
        `${input.label} (${mb} MB): parse ${(parse.ms / 1000).toFixed(1)} s, ${parse.maxRssMiB.toFixed(0)} MiB; ` +
          `validate ${(validate.ms / 1000).toFixed(1)} s, ${validate.maxRssMiB.toFixed(0)} MiB, ${validate.problems} finding(s); ` +
          `validate / parse: ${ratios[0]}x time, ${ratios[1]}x memory`,
      );
      rows.push([
        `${input.label} (${mb} MB)`,
        `${(parse.ms / 1000).toFixed(1)} s, ${parse.maxRssMiB.toFixed(0)} MiB`,
        `${(validate.ms / 1000).toFixed(1)} s, ${validate.maxRssMiB.toFixed(0)} MiB`,
        `${ratios[0]}x / ${ratios[1]}x`,
      ]);
    }
    out.markdown(
      'Validate over large inputs, each step in a fresh process (validate includes the parse):\n\n' +
        '| input | parse alone | validate | validate / parse (time / memory) |\n|---|---|---|---|\n' +
        rows.map((r) => `| ${r.join(' | ')} |`).join('\n'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [mode, file] = process.argv.slice(2);
  if (mode === 'parse' || mode === 'validate') process.stdout.write(JSON.stringify(measure(mode, file)));
}
