import { EngineEvent, EngineReport, ObjectResult, seconds } from '../apply/engine';
import { formatProblem } from '../checks/documents';
import { Readiness } from '../apply/wait';
import { Output } from './context';

/** Actions that change the cluster. */
const CHANGES: ReadonlySet<string> = new Set(['created', 'configured', 'replaced', 'pruned', 'deleted']);

const SYMBOLS: Record<Readiness, string> = { Current: '✓', InProgress: '…', Failed: '✗' };

/** Up to this many objects, progress names each one; beyond, it counts them per kind. */
const MAX_OBJECT_LINES = 20;
/** Objects not ready that a terminal lists under the counts. */
const MAX_NOT_READY_LINES = 10;
/** A log (CI) gets a summary of a big wait this often. */
const LOG_SUMMARY_MS = 5000;
/** A terminal redraws the counts of a big wait at most this often. */
const REDRAW_MS = 200;

/** How waiting progress is shown. */
export interface ProgressOptions {
  /**
   * Write for a log, as in CI: plain lines (no cursor movement), and for many objects a summary every
   * few seconds. Pass `true` when `CI=true`, whatever the output is.
   * @default true unless the output is a terminal
   */
  readonly log?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Progress for a log when the environment is CI (`CI` set, as GitHub Actions, GitLab CI and most
 * others do), even if the output looks like a terminal there.
 */
export function progressOptions(env: NodeJS.ProcessEnv): ProgressOptions {
  const ci = env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase());
  return ci ? { log: true } : {};
}

interface State {
  status: Readiness;
  message: string;
}

/**
 * Progress while waiting. On a terminal: one line per object, rewritten in place as its status changes;
 * with many objects, counts per kind and the objects that are not ready. For a log (CI, a pipe), where
 * cursor movement would only garble it: a plain line for each change, or with many objects a summary
 * every few seconds, and each failure at once.
 */
export class WaitProgress {
  private states = new Map<string, State>();
  private inProgress = 0;
  private drawn = 0;
  private last = 0;
  private readonly log: boolean;
  private readonly now: () => number;
  /** What a terminal shows under the objects while the API server is silent. */
  private serverLine?: string;

  constructor(
    private readonly out: Output,
    options: ProgressOptions = {},
  ) {
    this.log = options.log ?? !out.isTTY;
    this.now = options.now ?? Date.now;
  }

  /** Starts showing progress for these objects (as {@link describeRef} names them). */
  start(objects: readonly string[]): void {
    this.states = new Map(objects.map((o) => [o, { status: 'InProgress', message: 'waiting' }]));
    this.inProgress = this.states.size;
    this.drawn = 0;
    this.last = this.now();
    if (this.log) this.out.write(`waiting for ${objects.length} object(s)\n`);
    else this.draw();
  }

  update(object: string, status: Readiness, message: string): void {
    const before = this.states.get(object);
    if (!before) {
      this.out.write(`${object}: ${status}: ${message}\n`);
      return;
    }
    this.inProgress += Number(status === 'InProgress') - Number(before.status === 'InProgress');
    this.states.set(object, { status, message });
    const few = this.states.size <= MAX_OBJECT_LINES;
    const due =
      this.inProgress === 0 || status === 'Failed' || this.now() - this.last >= (this.log ? LOG_SUMMARY_MS : REDRAW_MS);
    if (this.log) {
      if (few || status === 'Failed') this.out.write(`${object}: ${status}: ${message}\n`);
      if (!few && due) this.summarize();
    } else if (few || due) {
      this.draw();
    }
  }

  /**
   * The API server has not answered for a while (`line`), or answers again (`line` says so, `silent`
   * false). A log gets the line; a terminal showing objects still waited for gets it under them while
   * the silence lasts, so that the drawing stays whole; otherwise (no wait going on, and other output may
   * have followed the last drawing) the line is written.
   */
  server(line: string, silent: boolean): void {
    if (this.log || this.drawn === 0 || this.inProgress === 0) {
      this.out.write(`${line}\n`);
      return;
    }
    this.serverLine = silent ? line : undefined;
    this.draw();
  }

  /** One line for a log: how many are ready, and which kinds are not. */
  private summarize(): void {
    this.last = this.now();
    const counts = this.countsByKind();
    const failed = [...counts.values()].reduce((n, c) => n + c.failed, 0);
    const waiting = [...counts]
      .filter(([, c]) => c.ready + c.failed < c.total)
      .map(([kind, c]) => `${kind} ${c.total - c.ready - c.failed}`);
    this.out.write(
      `waiting: ${this.states.size - this.inProgress - failed}/${this.states.size} ready${failed ? `, ${failed} failed` : ''}` +
        `${waiting.length ? `; in progress: ${waiting.join(', ')}` : ''}\n`,
    );
  }

  private draw(): void {
    this.last = this.now();
    const lines =
      this.states.size <= MAX_OBJECT_LINES
        ? [...this.states].map(([object, s]) => `${SYMBOLS[s.status]} ${object}  ${s.message}`)
        : this.countLines();
    if (this.serverLine) lines.push(this.serverLine);
    // The block never shrinks, so that no line of the previous drawing is left over.
    while (lines.length < this.drawn) lines.push('');
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = lines.length;
  }

  /** Counts per kind, then the objects that are not ready (failed first), a few of them. */
  private countLines(): string[] {
    const lines = [...this.countsByKind()].map(([kind, c]) => {
      const symbol = c.failed > 0 ? SYMBOLS.Failed : SYMBOLS[c.ready === c.total ? 'Current' : 'InProgress'];
      return `${symbol} ${kind}  ${c.ready}/${c.total} ready${c.failed ? `, ${c.failed} failed` : ''}`;
    });
    const notReady = [...this.states]
      .filter(([, s]) => s.status !== 'Current')
      .sort(([, a], [, b]) => Number(b.status === 'Failed') - Number(a.status === 'Failed'));
    lines.push(
      ...notReady.slice(0, MAX_NOT_READY_LINES).map(([object, s]) => `  ${SYMBOLS[s.status]} ${object}  ${s.message}`),
    );
    if (notReady.length > MAX_NOT_READY_LINES)
      lines.push(`  … and ${notReady.length - MAX_NOT_READY_LINES} more not ready`);
    return lines;
  }

  private countsByKind(): Map<string, { total: number; ready: number; failed: number }> {
    const counts = new Map<string, { total: number; ready: number; failed: number }>();
    for (const [object, s] of this.states) {
      const kind = object.slice(0, object.indexOf(' '));
      const c = counts.get(kind) ?? { total: 0, ready: 0, failed: 0 };
      c.total++;
      if (s.status === 'Current') c.ready++;
      if (s.status === 'Failed') c.failed++;
      counts.set(kind, c);
    }
    return counts;
  }
}

/** Prints events as they come: results on stdout, waiting progress on stderr (so stdout stays clean for pipes). */
export function textEvents(stdout: Output, stderr: Output, options: ProgressOptions = {}): (e: EngineEvent) => void {
  const showProgress = progressEvents(stderr, options);
  return (e) => {
    if (e.type === 'result') stdout.write(`${resultLine(e.result)}\n`);
    else showProgress(e);
  };
}

/** Waiting progress only (for `--output json`, whose stdout is the report). */
export function progressEvents(stderr: Output, options: ProgressOptions = {}): (e: EngineEvent) => void {
  const progress = new WaitProgress(stderr, options);
  return (e) => {
    if (e.type === 'waiting') progress.start(e.objects);
    if (e.type === 'status') progress.update(e.object, e.status, e.message);
    if (e.type === 'server') progress.server(serverLine(e), !e.answering);
  };
}

/** What a `server` event says: the API server is silent, or answers again. */
export function serverLine(e: Extract<EngineEvent, { type: 'server' }>): string {
  if (e.answering) return `the API server answers again (after ${seconds(e.silentMs)} without an answer)`;
  if (e.plugin) return `waiting for the ${e.plugin} (kubeconfig credentials): no answer for ${seconds(e.silentMs)}`;
  return `waiting for the API server: no answer for ${seconds(e.silentMs)}${e.retries ? `, ${e.retries} ${e.retries === 1 ? 'retry' : 'retries'}` : ''}`;
}

export function resultLine(r: ObjectResult): string {
  return `${r.object} ${r.action}${r.message ? ` (${r.message})` : ''}`;
}

/** The end of a text report: problems, what did not get ready, and a one-line summary. */
export function printSummary(report: EngineReport, stdout: Output, stderr: Output): void {
  for (const p of report.problems) stderr.write(`error: ${formatProblem(p)}\n`);
  if (report.problems.length > 0)
    stderr.write(
      `${report.command}: ${report.problems.length} problem(s) found before any change; nothing was changed\n`,
    );
  for (const r of report.objects.filter((o) => o.action === 'failed' && report.command === 'diff'))
    stderr.write(`error: ${resultLine(r)}\n`);
  for (const w of report.wait.filter((x) => x.status !== 'Current'))
    stderr.write(`not ready: ${w.object}: ${w.status}: ${w.message}\n`);
  if (report.error) stderr.write(`error: ${report.error}\n`);
  if (report.timedOut) stderr.write(`timeout: ${report.timedOut.message}\n`);
  if (report.problems.length > 0) return;
  const counts = new Map<string, number>();
  for (const r of [...report.objects, ...report.pruned]) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
  const counted = [...counts].map(([action, n]) => `${n} ${action}`).join(', ');
  // After a refusal, an unreachable server or the timeout nothing was done, which is not "nothing to do": say why.
  const changed = [...report.objects, ...report.pruned].some((o) => CHANGES.has(o.action));
  const stopped = report.error ?? (report.timedOut && 'the timeout passed');
  const summary =
    report.ok || changed || (report.dryRun && !stopped)
      ? counted || 'nothing to do'
      : `${report.command === 'diff' ? 'nothing was compared' : report.dryRun ? 'nothing was checked' : 'nothing changed'}: ${[stopped, counted].filter(Boolean).join('; ') || 'see the errors above'}`;
  const dry = report.dryRun && report.command !== 'diff' ? ' (dry run: nothing was changed)' : '';
  (report.ok ? stdout : stderr).write(`${report.command} ${report.ok ? 'finished' : 'FAILED'}: ${summary}${dry}\n`);
}

export function printJson(value: unknown, out: Output): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}
