// One size of the scale benchmark, run by bench.ts in a process of its own so that the peak RSS it
// reports belongs to that size alone: `node lib/bench/scale.js N` prints one ScaleResult as JSON.
import { App } from 'cdk8s';
import { addWorkshop } from '../apps/workshop';
import { synthYaml } from '../src/synth';

/** What one size of the scale benchmark measured. */
export interface ScaleResult {
  /** Copies of the full workshop, each in namespaces of its own. */
  readonly n: number;
  /** Time to build the App and synthesize it to YAML, modules already loaded. */
  readonly ms: number;
  readonly objects: number;
  readonly namespaces: number;
  readonly yamlBytes: number;
  /** Peak resident set size of the whole process. */
  readonly maxRssKiB: number;
}

function main(arg: string | undefined): ScaleResult {
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 1) throw new Error(`usage: scale.js <copies>, got ${JSON.stringify(arg)}`);
  const start = performance.now();
  const app = new App();
  for (let copy = 0; copy < n; copy++) addWorkshop(app, 'local', `-${copy}`);
  const yaml = synthYaml(app);
  const ms = performance.now() - start;
  return {
    n,
    ms,
    objects: (yaml.match(/^---$/gm)?.length ?? 0) + 1,
    namespaces: yaml.match(/^kind: Namespace$/gm)?.length ?? 0,
    yamlBytes: Buffer.byteLength(yaml),
    maxRssKiB: process.resourceUsage().maxRSS,
  };
}

process.stdout.write(JSON.stringify(main(process.argv[2])) + '\n');
