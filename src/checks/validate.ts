import { KubeObject, describeObject } from '../manifest';
import { ExceptedFinding, exceptionFor } from './exceptions';
import { Finding } from './finding';
import { checkPolicy } from './policy';
import { checkPodSecurityRestricted } from './pss';
import { checkReferences } from './references';
import { checkGatewayRoutes } from './routes';
import { checkSchema } from './schema';
import { checkServiceWiring } from './wiring';
import { checkTraffic } from '../traffic/needs-check';

/** The three kinds of checks `validate` runs. */
export type CheckKind = 'schema' | 'wiring' | 'policy';

export interface ValidateOptions {
  /**
   * `apiVersion/Kind` of custom resources the cluster provides, which have no schema here.
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
  const run = new Set(options.checks ?? ['schema', 'wiring', 'policy']);
  const externalKinds = new Set(options.externalKinds ?? []);
  const all: Finding[] = [
    ...(run.has('schema') ? objects.flatMap((o) => checkSchema(o, externalKinds)) : []),
    ...(run.has('wiring') ? [...checkServiceWiring(objects), ...checkReferences(objects), ...checkGatewayRoutes(objects), ...checkTraffic(objects)] : []),
    ...(run.has('policy') ? objects.flatMap((o) => [...checkPodSecurityRestricted(o), ...checkPolicy(o)]) : []),
  ];
  const byName = new Map(objects.map((o) => [describeObject(o), o]));
  const findings: Finding[] = [];
  const exceptions: ExceptedFinding[] = [];
  for (const f of all) {
    const reason = exceptionFor(byName.get(f.object), f.rule);
    if (reason === undefined) findings.push(f);
    else exceptions.push({ ...f, reason });
  }
  return { findings, exceptions };
}
