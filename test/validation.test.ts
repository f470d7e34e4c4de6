import { App, Chart } from 'cdk8s';
import { Dockercoins, DockercoinsProps } from '../constructs/dockercoins';
import { PropsValidationError } from '../src/props-error';
import { StackChart } from '../src/stack-chart';

function dockercoins(props: DockercoinsProps): () => void {
  return () => new Dockercoins(new Chart(new App(), 'chart'), 'coins', props);
}

/** Asserts a PropsValidationError that names the construct, the field and the rule. */
function expectInvalid(build: () => unknown, field: string, reason: RegExp): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PropsValidationError);
  const err = error as PropsValidationError;
  expect(err.construct).toBe("Dockercoins 'chart/coins'");
  expect(err.field).toBe(field);
  expect(err.message).toContain(`Dockercoins 'chart/coins': invalid prop '${field}'`);
  expect(err.message).toMatch(reason);
}

describe('props validation', () => {
  test('names must be DNS-1123 labels', () => {
    for (const bad of ['Coins', 'coins_ns', '-coins', 'coins-', 'a'.repeat(64), '']) {
      expectInvalid(dockercoins({ namespace: bad }), 'namespace', /DNS-1123 label/);
    }
    expect(dockercoins({ namespace: 'a'.repeat(63) })).not.toThrow();
  });

  test('replicas must be a non-negative integer', () => {
    for (const bad of [-1, 1.5, Number.NaN])
      expectInvalid(dockercoins({ workerReplicas: bad }), 'workerReplicas', /non-negative integer/);
    expect(dockercoins({ workerReplicas: 0 })).not.toThrow();
  });

  test.each([
    [Number.NaN, 'got NaN'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
    [-1, 'got -1'],
    ['2' as never, 'got "2"'],
    [null as never, 'got null'],
  ])('a bad value is shown as it was given: workerReplicas %p says %s', (bad, shown) => {
    expectInvalid(dockercoins({ workerReplicas: bad }), 'workerReplicas', new RegExp(`${shown}$`));
  });

  test('node ports must be in 30000-32767', () => {
    for (const bad of [80, 29999, 32768, 30001.5])
      expectInvalid(dockercoins({ webuiNodePort: bad }), 'webuiNodePort', /30000 to 32767/);
    expect(dockercoins({ webuiNodePort: 32767 })).not.toThrow();
  });

  test('image references must be non-empty and free of white space', () => {
    expectInvalid(dockercoins({ redisImage: '' }), 'redisImage', /non-empty/);
    expectInvalid(dockercoins({ redisImage: 'Redis:::bad' }), 'redisImage', /not a valid image reference/);
    expectInvalid(dockercoins({ registry: 'Registry.example.com' }), 'registry', /not a valid image reference/);
    expectInvalid(dockercoins({ tag: '-v1' }), 'tag', /tag "-v1"/);
    expectInvalid(dockercoins({ redisImage: '   ' }), 'redisImage', /non-empty/);
    expectInvalid(dockercoins({ tag: 'v 1' }), 'tag', /white space/);
    expectInvalid(dockercoins({ registry: '' }), 'registry', /non-empty/);
  });

  test('a rolling update with maxUnavailable 0 needs a surge', () => {
    expectInvalid(dockercoins({ workerMaxSurge: 0 }), 'workerMaxSurge', /at least 1/);
  });

  test('profiles are local or cloud', () => {
    expectInvalid(dockercoins({ profile: 'staging' as never }), 'profile', /local, cloud/);
  });

  test('ports must be 1-65535 (the shared validator)', () => {
    const { PropsValidator } = jest.requireActual('../src/props-validator');
    const check = new PropsValidator(new Chart(new App(), 'chart'), 'Probe');
    expect(() => check.port('port', 0)).toThrow(
      "Probe 'chart': invalid prop 'port': must be an integer port from 1 to 65535, got 0",
    );
    expect(() => check.port('port', 65536)).toThrow(/1 to 65535/);
    expect(() => check.port('port', 65535)).not.toThrow();
    expect(() => check.serviceName('service', '1abc')).toThrow(/start with a letter/);
  });

  test('StackChart checks its namespace', () => {
    expect(() => new StackChart(new App(), 'chart', { namespace: 'Bad' })).toThrow(
      /StackChart 'chart': invalid prop 'namespace'/,
    );
  });
});

describe('the system namespaces are refused at synth time, naming the construct and the field', () => {
  const system = ['kube-system', 'kube-public', 'kube-node-lease', 'kube-anything'];

  test.each(system)('a StackChart in %s', (namespace) => {
    expect(() => new StackChart(new App(), 'chart', { namespace })).toThrow(
      `StackChart 'chart': invalid prop 'namespace': must not be a system namespace`,
    );
    expect(() => new StackChart(new App(), namespace)).toThrow(
      `StackChart '${namespace}': invalid prop 'namespace': must not be a system namespace (kube-system, kube-public, kube-node-lease or another kube-*), got "${namespace}" (the chart's id)`,
    );
  });

  test.each(system)('a stack construct given %s', (namespace) => {
    expectInvalid(dockercoins({ namespace }), 'namespace', /must not be a system namespace/);
  });

  test.each(system)('a stack construct in a plain cdk8s Chart of %s', (namespace) => {
    const build = () => new Dockercoins(new Chart(new App(), 'chart', { namespace }), 'coins', {});
    expectInvalid(build, 'namespace', /must not be a system namespace .*the chart's namespace/);
  });

  test.each(['default', 'kube', 'kubernetes-dashboard', 'my-kube-system', 'shop'])(
    '%s is not a system namespace',
    (namespace) => {
      expect(() => new StackChart(new App(), 'chart', { namespace })).not.toThrow();
      expect(dockercoins({ namespace })).not.toThrow();
    },
  );
});
