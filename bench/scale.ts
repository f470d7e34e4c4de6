// One size of a scale benchmark, run by bench.ts in a process of its own so that the peak RSS it
// reports belongs to that size alone: `node lib/bench/scale.js <workshop|classroom> N` prints one
// ScaleResult as JSON.
import { App } from 'cdk8s';
import { Classroom } from '../constructs/classroom';
import { addWorkshop } from '../apps/workshop';
import { synthYaml } from '../src/synth';

/** What is scaled: copies of the full workshop, or attendees of a classroom with every stack. */
export type ScaleSubject = 'workshop' | 'classroom';

/** What one size of the scale benchmark measured. */
export interface ScaleResult {
  /** Copies of the full workshop (each in namespaces of its own), or attendees. */
  readonly n: number;
  /** Time to build the App and synthesize it to YAML, modules already loaded. */
  readonly ms: number;
  readonly objects: number;
  readonly namespaces: number;
  readonly yamlBytes: number;
  /** Peak resident set size of the whole process. */
  readonly maxRssKiB: number;
}

const BUILD: Record<ScaleSubject, (app: App, n: number) => void> = {
  workshop: (app, n) => {
    for (let copy = 0; copy < n; copy++) addWorkshop(app, 'local', `-${copy}`);
  },
  classroom: (app, n) => {
    new Classroom(app, 'classroom', {
      attendees: { count: n },
      stacks: { dockercoins: true, webconsole: true, apiGateway: true, consolehub: true },
    });
  },
};

function main(subject: string | undefined, arg: string | undefined): ScaleResult {
  const n = Number(arg);
  if (!(subject === 'workshop' || subject === 'classroom') || !Number.isInteger(n) || n < 1) {
    throw new Error(`usage: scale.js <workshop|classroom> <count>, got ${JSON.stringify([subject, arg])}`);
  }
  const start = performance.now();
  const app = new App();
  BUILD[subject](app, n);
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

process.stdout.write(JSON.stringify(main(process.argv[2], process.argv[3])) + '\n');
