import { InvalidArgumentError, Option } from 'commander';
import { CHECK_KINDS, CheckKind, ExceptedProblem, Problem, formatProblem, validateDocuments } from '../checks';
import { DNS_1123_SUBDOMAIN } from '../manifest/names';
import { RegisterCommand } from './context';
import { InputsCommandOptions, inputsCommand, loadInputs } from './options';
import { printJson } from './output';

interface ValidateCommandOptions extends InputsCommandOptions {
  readonly checks: CheckKind[];
  readonly externalKind: string[];
}

/**
 * `workshop-stacks validate`: the checks `apply` and `diff` run, offline. Exit 0 when nothing is found,
 * 1 on any finding (exceptions declared in code are listed, not failed), 2 on bad input.
 */
export const registerValidate: RegisterCommand = (program, ctx) => {
  inputsCommand(
    program,
    'validate',
    'check manifests without a cluster, as apply and diff do before any request: schema (kubernetes-models, unknown fields, what the API server rejects), wiring (Services, references, NetworkPolicies, gateway routes) and policy (PSS restricted, requests and limits, probes, pinned images, credentials, RBAC wildcards); exit 1 on any finding',
  )
    .addOption(
      new Option('--checks <kinds>', 'comma-separated kinds of checks')
        .argParser(parseChecks)
        .default([...CHECK_KINDS], CHECK_KINDS.join(',')),
    )
    .option(
      '--external-kind <group/version/Kind>',
      'a custom resource kind the cluster provides, which has no schema here, e.g. cert-manager.io/v1/Certificate (repeatable)',
      collectExternalKind,
      [],
    )
    .action((sources: string[], opts: ValidateCommandOptions) => {
      const documents = loadInputs(sources, opts, ctx.io);
      const { objects, problems, exceptions } = validateDocuments(documents, {
        checks: opts.checks,
        externalKinds: opts.externalKind,
      });
      const ok = problems.length === 0;
      if (opts.output === 'json') {
        printJson({ command: 'validate', ok, objects: objects.length, findings: problems, exceptions }, ctx.io.stdout);
      } else {
        printText(ctx.io.stdout, objects.length, problems, exceptions);
      }
      ctx.setExitCode(ok ? 0 : 1);
    });
};

function printText(
  out: { write(s: string): unknown },
  checked: number,
  findings: Problem[],
  exceptions: ExceptedProblem[],
): void {
  for (const f of findings) out.write(`✗ ${formatProblem(f)}\n`);
  for (const e of exceptions) out.write(`- exception: ${formatProblem(e)} (reason: ${e.reason})\n`);
  out.write(`${checked} object(s) checked: ${findings.length} finding(s), ${exceptions.length} exception(s)\n`);
}

function parseChecks(text: string): CheckKind[] {
  const kinds = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !(CHECK_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`checks are ${CHECK_KINDS.join(', ')}; got "${text}"`);
  return kinds as CheckKind[];
}

/** `group/version/Kind`, or `version/Kind` for the core group, as `apiVersion/Kind` reads. */
const EXTERNAL_KIND = new RegExp(
  `^(?:${DNS_1123_SUBDOMAIN.source.slice(1, -1)}/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?/[A-Z][A-Za-z0-9]*$`,
);

function collectExternalKind(value: string, all: string[]): string[] {
  if (!EXTERNAL_KIND.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not group/version/Kind (e.g. cert-manager.io/v1/Certificate) or version/Kind`,
    );
  }
  return [...all, value];
}
