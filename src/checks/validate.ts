import { KubeObject } from '../manifest';
import { ExceptedFinding, exceptionFor } from '../manifest/exceptions';
import { Finding, extendFinding, subjectOf } from '../manifest/finding';
import { checkPolicy } from './policy';
import { checkPodSecurityRestricted } from './pss';
import { checkReferences } from './references';
import { checkGatewayRoutes } from './routes';
import { checkSchema } from './schema';
import { checkNodePorts, checkServerRules } from './apiserver';
import { checkServiceWiring } from './wiring';
import { checkTraffic } from '../traffic/needs-check';

/**
 * The three kinds of checks `validate` runs. `schema` is what the API server would reject: the schema
 * (unknown kinds and fields included) and the rules it enforces beyond it.
 */
export type CheckKind = 'schema' | 'wiring' | 'policy';

/** Every kind of check, in the order they run. */
export const CHECK_KINDS: readonly CheckKind[] = ['schema', 'wiring', 'policy'];

export interface ValidateOptions {
  /**
   * `apiVersion/Kind` of custom resources the cluster provides, which have no schema here. Kinds
   * defined by a CustomResourceDefinition among the objects are added automatically.
   * @default none
   */
  readonly externalKinds?: Iterable<string>;
  /**
   * Which kinds of checks to run.
   * @default all three
   */
  readonly checks?: readonly CheckKind[];
}

export interface ValidationResult {
  /** What is wrong: any of these fails validation. */
  readonly findings: Finding[];
  /** What would be wrong but for an exception declared in code, with its reason. */
  readonly exceptions: ExceptedFinding[];
}

/** Runs schema, wiring and policy checks over a set of manifests and applies declared exceptions. */
export function validateObjects(objects: readonly KubeObject[], options: ValidateOptions = {}): ValidationResult {
  return applyExceptions(runChecks(objects, options));
}

/**
 * Every finding of the chosen checks, before exceptions.
 *
 * The schema check is the gate of all the others: only objects it finds well-formed (a kind it knows
 * or is told of, every field of the type the schema gives it) reach the API server's rules, wiring and
 * policy, which may then read any field at its type. An object that fails it is reported by the schema
 * check (also when only other checks were asked for, as it would otherwise go unchecked) and nothing
 * else, so that no input, however malformed, makes a later check throw.
 */
export function runChecks(objects: readonly KubeObject[], options: ValidateOptions = {}): Finding[] {
  const run = new Set(options.checks ?? CHECK_KINDS);
  const externalKinds = new Set([...(options.externalKinds ?? []), ...customResourceKinds(objects)]);
  const schema: Finding[] = [];
  const sound: KubeObject[] = [];
  for (const obj of objects) {
    const found = checkSchema(obj, externalKinds);
    const malformed = found.some((f) => f.rule !== 'schema/unknown-field');
    if (run.has('schema')) schema.push(...found);
    else if (malformed) schema.push(...found.filter((f) => f.rule !== 'schema/unknown-kind'));
    if (!malformed) sound.push(obj);
  }
  return [
    ...schema,
    ...(run.has('schema') ? [...sound.flatMap(checkServerRules), ...checkNodePorts(sound)] : []),
    ...(run.has('wiring')
      ? [...checkServiceWiring(sound), ...checkReferences(sound), ...checkGatewayRoutes(sound), ...checkTraffic(sound)]
      : []),
    ...(run.has('policy') ? sound.flatMap((o) => [...checkPodSecurityRestricted(o), ...checkPolicy(o)]) : []),
  ];
}

/** Splits findings into those that stand and those the object they concern declares an exception for. */
export function applyExceptions(all: readonly Finding[]): ValidationResult {
  const findings: Finding[] = [];
  const exceptions: ExceptedFinding[] = [];
  for (const f of all) {
    const reason = exceptionFor(subjectOf(f), f.rule);
    if (reason === undefined) findings.push(f);
    else exceptions.push(extendFinding(f, { reason }));
  }
  return { findings, exceptions };
}

/** `group/version/Kind` of every kind a CustomResourceDefinition among the objects defines. */
function customResourceKinds(objects: readonly KubeObject[]): string[] {
  return objects.flatMap((obj) => {
    const spec = obj.spec as
      { group?: string; names?: { kind?: string }; versions?: Array<{ name: string }> } | undefined;
    if (obj.kind !== 'CustomResourceDefinition' || !spec?.group || !spec.names?.kind) return [];
    return (spec.versions ?? []).map((v) => `${spec.group}/${v.name}/${spec.names!.kind}`);
  });
}
