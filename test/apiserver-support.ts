// Shared by the test/apiserver-*.test.ts tables: the synthesized objects of dist/ as bases (read once),
// a few kinds dist/ has none of, and the schema verdict of validate on an object.
import * as fs from 'fs';
import * as path from 'path';
import { validateObjects } from '../src/checks';
import { KubeObject, parseManifests } from '../src/manifest';

/** Every object of dist/*.k8s.yaml, grouped by file. */
export const DIST: ReadonlyArray<{ file: string; objects: KubeObject[] }> = fs
  .readdirSync(path.join(__dirname, '..', 'dist'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => ({
    file,
    objects: parseManifests(fs.readFileSync(path.join(__dirname, '..', 'dist', file), 'utf8')),
  }));

const labels = { app: 'batch' };
const podSpec = {
  restartPolicy: 'Never',
  containers: [
    { name: 'main', image: 'busybox:1.36', command: ['true'], ports: [{ name: 'http', containerPort: 8080 }] },
  ],
};

/** Objects of kinds dist/ has none of. */
const EXTRA: readonly KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'token', namespace: 'ns' },
    type: 'Opaque',
    data: { 'api.key': 'c2VjcmV0' },
    stringData: { user: 'me' },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once', namespace: 'ns' },
    spec: { backoffLimit: 2, template: { metadata: { labels }, spec: podSpec } },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'ns' },
    spec: { schedule: '30 2 * * 1-5', jobTemplate: { spec: { template: { metadata: { labels }, spec: podSpec } } } },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'view' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'ns' }],
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pod', namespace: 'ns' },
    spec: { ...podSpec, volumes: [{ name: 'tmp', emptyDir: {} }] },
  },
];

/** A deep copy of the first object of `kind` (in dist/ or among the extra ones) that `filter` accepts. */
export function base(kind: string, filter: (o: any) => boolean = () => true): any {
  const found = [...DIST.flatMap((d) => d.objects), ...EXTRA].find((o) => o.kind === kind && filter(o));
  if (!found) throw new Error(`no ${kind} to mutate`);
  return structuredClone(found);
}

/** The schema findings of validate on these objects, as `rule field`. */
export function schemaFindings(...objects: KubeObject[]): string[] {
  return validateObjects(objects, { checks: ['schema'] }).findings.map((f) => `${f.rule} ${f.field}`);
}

/** One row of a table: what is changed, how, and the rule that must report it (undefined: the server accepts it). */
export type Case = [what: string, mutate: (o: any) => void, rule: string | undefined];

/**
 * Runs a table of single mutations of `make()`: each rejected case yields a finding of its rule, each
 * accepted one no schema finding at all.
 */
export function table(title: string, make: () => any, cases: readonly Case[]): void {
  describe(title, () => {
    test('the base object has no schema finding', () => expect(schemaFindings(make())).toEqual([]));
    test.each(cases.map((c) => [c[0], c[2] ?? 'accepted', c[1]] as const))('%s: %s', (_what, rule, mutate) => {
      const obj = make();
      mutate(obj);
      const found = schemaFindings(obj);
      if (rule === 'accepted') expect(found).toEqual([]);
      else expect(found.map((f) => f.split(' ')[0])).toContain(rule);
    });
  });
}
