import { InvalidArgumentError, Option } from 'commander';
import { SourceDocument } from '../apply/load';
import { CheckKind, ExceptedFinding, Finding, formatFinding, validateObjects } from '../checks';
import { KubeObject } from '../manifest';
import { EXIT_USAGE, RegisterCommand } from './context';
import { InputsCommandOptions, UsageError, inputsCommand, loadInputs } from './options';
import { printJson } from './output';

interface ValidateCommandOptions extends InputsCommandOptions {
  readonly checks: CheckKind[];
  readonly externalKind: string[];
}

const CHECK_KINDS: readonly CheckKind[] = ['schema', 'wiring', 'policy'];

/**
 * `workshop-stacks validate`: schema, wiring and policy checks over manifests, offline. Exit 0 when
 * nothing is found, 1 on any finding (exceptions declared in code are listed, not failed), 2 on bad input.
 */
export const registerValidate: RegisterCommand = (program, ctx) => {
  inputsCommand(program, 'validate', 'check manifests without a cluster: schema (kubernetes-models), wiring (Services, references, NetworkPolicies, gateway routes) and policy (PSS restricted, requests and limits, probes, pinned images, credentials, RBAC wildcards); exit 1 on any finding')
    .addOption(new Option('--checks <kinds>', 'comma-separated kinds of checks').argParser(parseChecks).default([...CHECK_KINDS], CHECK_KINDS.join(',')))
    .option('--external-kind <apiVersion/Kind>', 'a custom resource kind the cluster provides, which has no schema here (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .action((sources: string[], opts: ValidateCommandOptions) => {
      let documents: SourceDocument[];
      try {
        documents = loadInputs(sources, opts, ctx.io);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        ctx.io.stderr.write(`error: ${error.message}\n`);
        ctx.setExitCode(EXIT_USAGE);
        return;
      }
      const { objects, unreadable } = readable(documents);
      const result = validateObjects(objects, { checks: opts.checks, externalKinds: opts.externalKind });
      const findings = [...unreadable, ...result.findings];
      const ok = findings.length === 0;
      if (opts.output === 'json') {
        printJson({ command: 'validate', ok, objects: objects.length, findings, exceptions: result.exceptions }, ctx.io.stdout);
      } else {
        printText(ctx.io.stdout, objects.length, findings, result.exceptions);
      }
      ctx.setExitCode(ok ? 0 : 1);
    });
};

/** Documents that cannot be checked at all are findings of their own, named by file and document. */
function readable(documents: readonly SourceDocument[]): { objects: KubeObject[]; unreadable: Finding[] } {
  const objects: KubeObject[] = [];
  const unreadable: Finding[] = [];
  for (const doc of documents) {
    const object = `${doc.source} document ${doc.index}`;
    const value = doc.value as Partial<KubeObject> | undefined;
    if (doc.yamlError !== undefined) {
      unreadable.push({ object, field: '.', rule: 'schema/yaml', message: doc.yamlError });
    } else if (!value || typeof value !== 'object' || !value.apiVersion || !value.kind || !value.metadata?.name) {
      unreadable.push({ object, field: '.', rule: 'schema/object', message: 'not a Kubernetes object: apiVersion, kind and metadata.name are required' });
    } else {
      objects.push(value as KubeObject);
    }
  }
  return { objects, unreadable };
}

function printText(out: { write(s: string): unknown }, checked: number, findings: Finding[], exceptions: ExceptedFinding[]): void {
  for (const f of findings) out.write(`✗ ${formatFinding(f)}\n`);
  for (const e of exceptions) out.write(`- exception: ${formatFinding(e)} (reason: ${e.reason})\n`);
  out.write(`${checked} object(s) checked: ${findings.length} finding(s), ${exceptions.length} exception(s)\n`);
}

function parseChecks(text: string): CheckKind[] {
  const kinds = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(CHECK_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`checks are ${CHECK_KINDS.join(', ')}; got "${text}"`);
  return kinds as CheckKind[];
}
