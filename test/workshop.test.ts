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

  test('copies live in namespaces of their own and never share an object', () => {
    const one = workshop('');
    const two = workshop('', '-2');
    const copy = two.slice(one.length);
    const namespaces = new Set(copy.map((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace)));
    expect([...namespaces].every((ns) => ns?.endsWith('-2'))).toBe(true);
    const keys = two.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("a copy differs from the first only in its namespaces, consolehub included: every hub keeps its users' Jobs at home", () => {
    const one = workshop('');
    const copy = workshop('', '-2').slice(one.length);
    // Namespaces appear in names, in DNS names inside the Envoy configuration, and so in its hash.
    const unsuffixed: KubeObject[] = JSON.parse(
      JSON.stringify(copy)
        .replace(/([a-z])-2\b/g, '$1')
        .replace(/"workshop-stacks\/config-hash":"[0-9a-f]+"/g, '"workshop-stacks/config-hash":""'),
    );
    const comparable: KubeObject[] = JSON.parse(
      JSON.stringify(one).replace(/"workshop-stacks\/config-hash":"[0-9a-f]+"/g, '"workshop-stacks/config-hash":""'),
    );
    expect(unsuffixed).toEqual(comparable);
    expect([...one, ...copy].filter((o) => o.metadata.namespace === 'default')).toEqual([]);
  });

  test('a suffix that makes a namespace invalid fails naming the field', () => {
    expect(() => workshop('-Copy')).toThrow(/invalid prop 'namespace'/);
  });
});
