import { App, Chart } from 'cdk8s';
import { WorkshopStacksValidation } from '../src/checks/plugin';
import { ValidateOptions } from '../src/checks/validate';
import { KubeObject, containersOf, parseManifests, podTemplateOf } from '../src/manifest';
import { Profile } from '../src/profile';
import { PropsValidationError } from '../src/props-error';
import { StackChart, StackChartProps } from '../src/stack-chart';

/** Synthesizes what `build` adds to a fresh StackChart and returns the objects. */
export function synthStack(build: (chart: Chart) => void, props: StackChartProps = {}, id = 'test'): KubeObject[] {
  const app = new App();
  const chart = new StackChart(app, id, props);
  build(chart);
  return chart.toJson() as KubeObject[];
}

export function findObject(objects: readonly KubeObject[], kind: string, name: string, namespace?: string): KubeObject {
  const found = objects.find(
    (o) =>
      o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (!found)
    throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function podSpec(obj: KubeObject): any {
  return (obj.spec as any).template.spec;
}

export const PROFILES: Profile[] = ['local', 'cloud'];

/** Asserts that `build` throws a PropsValidationError naming `construct` (as `Kind 'path'`) and `field`. */
export function expectInvalidProp(build: () => unknown, construct: string, field: string, reason: RegExp): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PropsValidationError);
  const err = error as PropsValidationError;
  expect([err.construct, err.field]).toEqual([construct, field]);
  expect(err.message).toContain(`${construct}: invalid prop '${field}'`);
  expect(err.message).toMatch(reason);
}

/** Runs the cdk8s validation plugin over manifest files as `cdk8s synth` would: what it reported, and its status. */
export async function runValidationPlugin(
  options: ValidateOptions,
  manifests: string[],
): Promise<{ status: string; violations: any[] }> {
  const violations: any[] = [];
  let status = '';
  await new WorkshopStacksValidation(options).validate({
    manifests,
    logger: { log: () => undefined },
    report: {
      addViolation: (v) => violations.push(v),
      submit: (s) => {
        status = s;
      },
    },
  });
  return { status, violations };
}

/**
 * Every container of every pod template in `objects`, with the object it is in, the Job templates that
 * ConfigMaps carry (consolehub's) included: what a node would run.
 */
export function allContainers(objects: readonly KubeObject[]): Array<{ where: string; container: any }> {
  return objects.flatMap((obj) => {
    const embedded =
      obj.kind === 'ConfigMap'
        ? Object.values((obj.data ?? {}) as Record<string, string>).flatMap((text) => {
            try {
              return parseManifests(text);
            } catch {
              return [];
            }
          })
        : [];
    return [obj, ...embedded].flatMap((o) => {
      const template = podTemplateOf(o);
      const where = `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`;
      return template
        ? containersOf(template.spec, template.path).map(({ container }) => ({
            where: `${where}: ${container.name}`,
            container: container as any,
          }))
        : [];
    });
  });
}
