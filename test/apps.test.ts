import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { APPS, synthAll, synthApp } from '../apps/registry';
import { MANIFEST_SUFFIX } from '../src/manifest';
import { formatFinding, validateObjects } from '../src/checks';
import { parseManifests } from '../src/manifest';
import { PROFILES } from './helpers';

const DIST = path.join(__dirname, '..', 'dist');

describe.each(Object.keys(APPS))('app %s', (name) => {
  test.each(PROFILES)('%s: passes every schema, wiring and policy check (PSS restricted included)', (profile) => {
    const objects = parseManifests(synthApp(name, profile));
    expect(objects.length).toBeGreaterThan(0);
    const { findings, exceptions } = validateObjects(objects);
    expect(findings.map(formatFinding)).toEqual([]);
    // Exceptions are deliberate and explained; none may excuse a PSS rule.
    for (const e of exceptions) {
      expect(e.reason.length).toBeGreaterThan(20);
      expect(e.rule).not.toMatch(/^pss-restricted/);
    }
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
    const list = (dir: string) =>
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(MANIFEST_SUFFIX))
        .sort();
    expect(list(DIST)).toEqual(list(fresh));
    for (const file of list(fresh)) {
      expect([file, fs.readFileSync(path.join(DIST, file), 'utf8')]).toEqual([
        file,
        fs.readFileSync(path.join(fresh, file), 'utf8'),
      ]);
    }
  });

  test('synthesis is deterministic', () => {
    for (const name of Object.keys(APPS)) expect(synthApp(name, 'cloud')).toBe(synthApp(name, 'cloud'));
  });
});
