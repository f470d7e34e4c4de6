import * as fs from 'fs';
import * as path from 'path';
import { InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { ACCOUNT_LABEL, ATTENDEE_LABEL, DISPLAY_NAME_ANNOTATION } from '../manifest/labels';
import { ClusterAccess, createKubeClient } from '../apply/http-kube-client';
import { mapLimit } from '../apply/concurrency';
import { Deadline } from '../apply/deadline';
import { KubeObject } from '../manifest';
import { CliContext, EXIT_USAGE, Output, RegisterCommand, UserError } from './context';
import { SourcesCommandOptions, loadInputs, parseDuration, sourcesCommand, timeoutOption } from './options';
import { printJson } from './output';

interface KubeconfigOptions extends SourcesCommandOptions {
  readonly outDir: string;
  /** Seconds. */
  readonly duration: number;
  readonly attendee?: string[];
  /** Milliseconds for the whole command. */
  readonly timeout: number;
}

/** An attendee's ServiceAccount, as the classroom manifests declare it. */
export interface AttendeeAccount {
  /** The normalized name (`workshop-stacks.io/attendee`). */
  readonly attendee: string;
  /** The name as given. */
  readonly displayName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** What `kubeconfig` reports for one attendee: never the token. */
export interface KubeconfigResult extends AttendeeAccount {
  readonly file?: string;
  readonly expirationTimestamp?: string;
  readonly error?: string;
}

/** The TokenRequest API's minimum. */
const MIN_SECONDS = 600;
const REQUESTS_IN_FLIGHT = 4;

/**
 * `workshop-stacks kubeconfig`: one kubeconfig per attendee of a classroom, in a directory only its owner
 * can read. Each holds the current context's cluster (server, CA), a time-bound token for the attendee's
 * ServiceAccount from the TokenRequest API, and the attendee's namespace as the default. Tokens are
 * written to those files and nowhere else: not to stdout, stderr or a report.
 */
export const registerKubeconfig: RegisterCommand = (program, ctx) => {
  timeoutOption(
    sourcesCommand(
      program,
      'kubeconfig',
      'write a kubeconfig with a time-bound token for each attendee of a classroom (the ServiceAccounts labelled workshop-stacks.io/account=attendee in the inputs)',
    ),
  )
    .requiredOption(
      '--out-dir <dir>',
      'directory for the kubeconfigs, <namespace>.kubeconfig each (created with mode 0700 when the first is written; an existing one must not be open to others)',
    )
    .addOption(
      new Option(
        '--duration <duration>',
        'how long the tokens are valid, e.g. 8h, 90m (at least 10m; the API server may cap it)',
      )
        .argParser(parseTokenDuration)
        .default(8 * 3600, '8h'),
    )
    .option(
      '--attendee <name>',
      'only this attendee (the name as given, or as in the workshop-stacks.io/attendee label); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action((sources: string[], opts: KubeconfigOptions) => writeKubeconfigs(ctx, sources, opts));
};

function parseTokenDuration(text: string): number {
  const seconds = Math.ceil(parseDuration(text) / 1000);
  if (seconds < MIN_SECONDS)
    throw new InvalidArgumentError(`"${text}" is shorter than the 10 minutes the TokenRequest API allows`);
  return seconds;
}

async function writeKubeconfigs(ctx: CliContext, sources: string[], opts: KubeconfigOptions): Promise<void> {
  const { stdout, stderr } = ctx.io;
  const json = opts.output === 'json';
  try {
    const accounts = selectAttendees(
      attendeeAccounts(loadInputs(sources, opts, ctx.io).map((d) => d.value)),
      opts.attendee,
      sources,
    );
    const dir = path.resolve(ctx.io.cwd, opts.outDir);
    const ensureDir = privateDirectory(dir);
    const client = await createKubeClient({
      kubeconfig: opts.kubeconfig,
      context: opts.context,
      maxConnections: REQUESTS_IN_FLIGHT,
    });
    const cluster = client.clusterAccess();
    // Every request, retry and credential plugin ends at the deadline; an attendee whose token did not
    // come in time fails alone, like any other.
    const results = await new Deadline(opts.timeout).run(() =>
      mapLimit(accounts, REQUESTS_IN_FLIGHT, async (account): Promise<KubeconfigResult> => {
        try {
          const issued = await client.requestToken(
            { namespace: account.namespace, name: account.serviceAccount },
            { expirationSeconds: opts.duration },
          );
          const file = path.join(ensureDir(), `${account.namespace}.kubeconfig`);
          writePrivateFile(file, attendeeKubeconfig(cluster, account, issued.token));
          return { ...account, file, expirationTimestamp: issued.expirationTimestamp };
        } catch (error) {
          return { ...account, error: (error as Error).message };
        }
      }),
    );
    const ok = results.every((r) => !r.error);
    if (json)
      printJson({ command: 'kubeconfig', ok, directory: dir, server: cluster.server, kubeconfigs: results }, stdout);
    else printResults(results, opts.duration, stdout, stderr);
    // Errors exit 2 in every command, a failed attendee included.
    ctx.setExitCode(ok ? 0 : EXIT_USAGE);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (json) printJson({ command: 'kubeconfig', ok: false, error: message }, stdout);
    else stderr.write(`error: ${message}\n`);
    ctx.setExitCode(EXIT_USAGE);
  }
}

/** The attendees' ServiceAccounts among the documents, in their order. */
export function attendeeAccounts(documents: readonly unknown[]): AttendeeAccount[] {
  return documents
    .filter((d): d is KubeObject => isAttendeeAccount(d))
    .map((sa) => ({
      attendee: sa.metadata.labels![ATTENDEE_LABEL],
      displayName: sa.metadata.annotations?.[DISPLAY_NAME_ANNOTATION] ?? sa.metadata.labels![ATTENDEE_LABEL],
      namespace: sa.metadata.namespace!,
      serviceAccount: sa.metadata.name!,
    }));
}

function isAttendeeAccount(doc: unknown): boolean {
  const obj = doc as Partial<KubeObject> | undefined;
  return (
    obj?.apiVersion === 'v1' &&
    obj.kind === 'ServiceAccount' &&
    obj.metadata?.labels?.[ACCOUNT_LABEL] === 'attendee' &&
    Boolean(obj.metadata.labels[ATTENDEE_LABEL] && obj.metadata.name && obj.metadata.namespace)
  );
}

function selectAttendees(
  accounts: AttendeeAccount[],
  wanted: string[] | undefined,
  sources: string[],
): AttendeeAccount[] {
  if (accounts.length === 0) {
    throw new UserError(
      `no attendee ServiceAccount (label ${ACCOUNT_LABEL}=attendee) in ${sources.join(', ')}: give the classroom's manifests or app`,
    );
  }
  if (!wanted) return accounts;
  const unknown = wanted.filter((w) => !accounts.some((a) => a.attendee === w || a.displayName === w));
  if (unknown.length > 0) {
    throw new UserError(
      `no attendee ${unknown.map((u) => JSON.stringify(u)).join(', ')} (attendees: ${accounts.map((a) => a.attendee).join(', ')})`,
    );
  }
  return accounts.filter((a) => wanted.includes(a.attendee) || wanted.includes(a.displayName));
}

/** A kubeconfig with one context: the cluster as the instructor reaches it, the attendee's token and namespace. */
export function attendeeKubeconfig(cluster: ClusterAccess, account: AttendeeAccount, token: string): string {
  const context = account.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster.name,
        cluster: {
          server: cluster.server,
          'certificate-authority-data': cluster.certificateAuthorityData,
          'insecure-skip-tls-verify': cluster.insecureSkipTlsVerify,
          'tls-server-name': cluster.tlsServerName,
          'proxy-url': cluster.proxyUrl,
        },
      },
    ],
    users: [{ name: account.attendee, user: { token } }],
    contexts: [
      { name: context, context: { cluster: cluster.name, user: account.attendee, namespace: account.namespace } },
    ],
    'current-context': context,
  });
}

/**
 * Checks, before any request, that `dir` can hold the tokens: an existing directory must be readable
 * by its owner only; a missing one must be creatable. Returns the function that gives the directory,
 * creating it (mode 0700) on the first file only, so that a run that writes nothing leaves nothing.
 */
function privateDirectory(dir: string): () => string {
  if (fs.existsSync(dir)) {
    const stat = fs.statSync(dir);
    if (!stat.isDirectory()) throw new UserError(`${dir} is not a directory`);
    if ((stat.mode & 0o077) !== 0) {
      throw new UserError(
        `${dir} is open to other users (mode ${(stat.mode & 0o777).toString(8)}): tokens go there; use a new directory, or chmod 700 it`,
      );
    }
    return () => dir;
  }
  let ancestor = path.dirname(dir);
  while (!fs.existsSync(ancestor)) ancestor = path.dirname(ancestor);
  if (!fs.statSync(ancestor).isDirectory())
    throw new UserError(`${dir} cannot be created: ${ancestor} is not a directory`);
  try {
    fs.accessSync(ancestor, fs.constants.W_OK);
  } catch {
    throw new UserError(`${dir} cannot be created: ${ancestor} is not writable`);
  }
  return () => {
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.chmodSync(dir, 0o700); // whatever the umask
    }
    return dir;
  };
}

/** Writes a file only its owner can read, whatever mode an earlier file of that name had. */
function writePrivateFile(file: string, content: string): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

function printResults(results: readonly KubeconfigResult[], seconds: number, stdout: Output, stderr: Output): void {
  const wanted = Date.now() + seconds * 1000;
  for (const r of results) {
    if (r.error) {
      stderr.write(`error: ${r.displayName} (ServiceAccount ${r.namespace}/${r.serviceAccount}): ${r.error}\n`);
      continue;
    }
    stdout.write(`${r.file}: ${r.displayName}, namespace ${r.namespace}, token valid until ${r.expirationTimestamp}\n`);
    // The API server caps token lifetimes (--service-account-max-token-expiration); say so rather than surprise.
    if (Date.parse(r.expirationTimestamp!) < wanted - 60_000)
      stderr.write(`warning: the API server shortened ${r.displayName}'s token to ${r.expirationTimestamp}\n`);
  }
  const failed = results.filter((r) => r.error).length;
  (failed ? stderr : stdout).write(
    `kubeconfig ${failed ? 'FAILED' : 'finished'}: ${results.length - failed} written${failed ? `, ${failed} failed` : ''}\n`,
  );
}
