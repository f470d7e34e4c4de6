import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { APPS, MANIFEST_SUFFIX, synthAll, synthApp } from '../apps/registry';
import { checkPodSecurityRestricted, checkSchema, checkServiceWiring, formatFinding } from '../src/checks';
import { parseManifests } from '../src/manifest';
import { PROFILES } from './helpers';

const DIST = path.join(__dirname, '..', 'dist');

describe.each(Object.keys(APPS))('app %s', (name) => {
  test('snapshot (local profile)', () => {
    expect(synthApp(name, 'local')).toMatchSnapshot();
  });

  test.each(PROFILES)('%s: every object passes the schema, PSS restricted and Service wiring', (profile) => {
    const objects = parseManifests(synthApp(name, profile));
    expect(objects.length).toBeGreaterThan(0);
    const findings = [
      ...objects.flatMap((o) => checkSchema(o)),
      ...objects.flatMap(checkPodSecurityRestricted),
      ...checkServiceWiring(objects),
    ];
    expect(findings.map(formatFinding)).toEqual([]);
  });

  test('cluster-scoped objects carry no namespace; namespaced ones all do', () => {
    for (const obj of parseManifests(synthApp(name, 'local'))) {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(obj.kind);
      expect([obj.kind, obj.metadata.namespace === undefined]).toEqual([obj.kind, clusterScoped]);
    }
  });

  test('no object name carries a cdk8s hash suffix', () => {
    for (const obj of parseManifests(synthApp(name, 'local'))) {
      expect(obj.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
    }
  });
});

describe('dist/', () => {
  test('is exactly a fresh synthesis (run `npm run synth` and commit dist/)', () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-'));
    synthAll(fresh, 'local');
    const list = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(MANIFEST_SUFFIX)).sort();
    expect(list(DIST)).toEqual(list(fresh));
    for (const file of list(fresh)) {
      expect([file, fs.readFileSync(path.join(DIST, file), 'utf8')])
        .toEqual([file, fs.readFileSync(path.join(fresh, file), 'utf8')]);
    }
  });

  test('synthesis is deterministic', () => {
    for (const name of Object.keys(APPS)) expect(synthApp(name, 'cloud')).toBe(synthApp(name, 'cloud'));
  });
});
