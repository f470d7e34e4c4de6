import { App } from 'cdk8s';
import { WORKSHOP_STACKS, addWorkshop } from '../apps/workshop';
import { synthApp } from '../apps/registry';
import { KubeObject, parseManifests } from '../src/manifest';
import { synthYaml } from '../src/synth';

const workshop = (...suffixes: string[]): KubeObject[] => {
  const app = new App();
  for (const suffix of suffixes) addWorkshop(app, 'local', suffix);
  return parseManifests(synthYaml(app));
};

describe('the full workshop', () => {
  test('one copy without a suffix is exactly the registered apps of its stacks', () => {
    const apps = Object.keys(WORKSHOP_STACKS).map((name) => synthApp(name, 'local'));
    expect(workshop('')).toEqual(apps.flatMap(parseManifests));
  });

  test('each copy lives in namespaces of its own and differs from the first only in them', () => {
    const one = workshop('');
    const two = workshop('', '-2');
    expect(two).toHaveLength(2 * one.length);
    const copy = two.slice(one.length);
    const namespaces = new Set(copy.map((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace)));
    expect([...namespaces].every((ns) => ns?.endsWith('-2'))).toBe(true);
    const unsuffixed = JSON.parse(JSON.stringify(copy).replace(/(":"[a-z0-9-]+)-2"/g, '$1"'));
    expect(unsuffixed).toEqual(one);
  });

  test('a suffix that makes a namespace invalid fails naming the field', () => {
    expect(() => workshop('-Copy')).toThrow(/invalid prop 'namespace'/);
  });
});
