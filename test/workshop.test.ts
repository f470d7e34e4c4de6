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

  test('a copy differs from the first only in its namespaces, but for consolehub, whose copies run this project\'s hub', () => {
    const one = workshop('');
    const copy = workshop('', '-2').slice(one.length);
    // Namespaces appear in names, in DNS names inside the Envoy configuration, and so in its hash.
    const unsuffixed: KubeObject[] = JSON.parse(JSON.stringify(copy).replace(/([a-z])-2\b/g, '$1'));
    const hub = (objects: KubeObject[]) => objects.filter((o) => o.metadata.namespace === 'consolehub' || o.metadata.namespace === 'default'
      || (o.kind === 'Namespace' && o.metadata.name === 'consolehub'));
    const rest = (objects: KubeObject[]) => JSON.parse(JSON.stringify(objects.filter((o) => !hub(objects).includes(o)))
      .replace(/"workshop-stacks\/config-hash":"[0-9a-f]+"/g, '"workshop-stacks/config-hash":""'));
    expect(rest(unsuffixed)).toEqual(rest(one));
    // The copy's hub creates its Jobs in its own namespace: its Role is there, and nothing is in default.
    expect(hub(unsuffixed).find((o) => o.kind === 'Role')!.metadata.namespace).toBe('consolehub');
    expect(copy.filter((o) => o.metadata.namespace === 'default')).toEqual([]);
    const image = (objects: KubeObject[]) => (hub(objects).find((o) => o.kind === 'Deployment')!.spec as any).template.spec.containers[0].image;
    expect([image(one), image(unsuffixed)]).toEqual(['consolehub:v1', 'workshop-stacks/consolehub:v1']);
  });

  test('a suffix that makes a namespace invalid fails naming the field', () => {
    expect(() => workshop('-Copy')).toThrow(/invalid prop 'namespace'/);
  });
});
