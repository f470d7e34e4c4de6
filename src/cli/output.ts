import { EngineEvent, EngineReport, ObjectResult } from '../apply/engine';
import { formatProblem } from '../apply/validate';
import { Readiness } from '../apply/wait';
import { Output } from './context';

/** Actions that change the cluster. */
const CHANGES: ReadonlySet<string> = new Set(['created', 'configured', 'replaced', 'pruned', 'deleted']);

const SYMBOLS: Record<Readiness, string> = { Current: '✓', InProgress: '…', Failed: '✗' };

/**
 * Progress while waiting: on a terminal, one line per object, rewritten in place as its status changes;
 * elsewhere (CI logs, pipes) a plain line for each change, since cursor movement would only garble a log.
 */
export class WaitProgress {
  private keys: string[] = [];
  private lines: string[] = [];
  private drawn = 0;

  constructor(private readonly out: Output) {}

  /** Starts a block of lines for these objects. */
  start(objects: readonly string[]): void {
    this.keys = [...objects];
    this.lines = objects.map((o) => this.format(o, 'InProgress', 'waiting'));
    this.drawn = 0;
    if (this.out.isTTY) this.draw();
    else this.out.write(`waiting for ${objects.length} object(s)\n`);
  }

  update(object: string, status: Readiness, message: string): void {
    const i = this.keys.indexOf(object);
    if (!this.out.isTTY || i < 0) {
      this.out.write(`${object}: ${status}: ${message}\n`);
      return;
    }
    this.lines[i] = this.format(object, status, message);
    this.draw();
  }

  private format(object: string, status: Readiness, message: string): string {
    return this.out.isTTY ? `${SYMBOLS[status]} ${object}  ${message}` : `${object}: ${status}: ${message}`;
  }

  private draw(): void {
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.out.write(up + this.lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = this.lines.length;
  }
}

/** Prints events as they come: results on stdout, waiting progress on stderr (so stdout stays clean for pipes). */
export function textEvents(stdout: Output, stderr: Output): (e: EngineEvent) => void {
  const progress = new WaitProgress(stderr);
  return (e) => {
    switch (e.type) {
      case 'result': stdout.write(`${resultLine(e.result)}\n`); break;
      case 'waiting': progress.start(e.objects); break;
      case 'status': progress.update(e.object, e.status, e.message); break;
      default: break;
    }
  };
}

/** Waiting progress only (for `--output json`, whose stdout is the report). */
export function progressEvents(stderr: Output): (e: EngineEvent) => void {
  const progress = new WaitProgress(stderr);
  return (e) => {
    if (e.type === 'waiting') progress.start(e.objects);
    if (e.type === 'status') progress.update(e.object, e.status, e.message);
  };
}

export function resultLine(r: ObjectResult): string {
  return `${r.object} ${r.action}${r.message ? ` (${r.message})` : ''}`;
}

/** The end of a text report: problems, what did not get ready, and a one-line summary. */
export function printSummary(report: EngineReport, stdout: Output, stderr: Output): void {
  for (const p of report.problems) stderr.write(`error: ${formatProblem(p)}\n`);
  if (report.problems.length > 0) stderr.write(`${report.command}: ${report.problems.length} problem(s) found before any change; nothing was changed\n`);
  for (const r of report.objects.filter((o) => o.action === 'failed' && report.command === 'diff')) stderr.write(`error: ${resultLine(r)}\n`);
  for (const w of report.wait.filter((x) => x.status !== 'Current')) stderr.write(`not ready: ${w.object}: ${w.status}: ${w.message}\n`);
  if (report.error) stderr.write(`error: ${report.error}\n`);
  if (report.problems.length > 0) return;
  const counts = new Map<string, number>();
  for (const r of [...report.objects, ...report.pruned]) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
  const counted = [...counts].map(([action, n]) => `${n} ${action}`).join(', ');
  // After a refusal or an unreachable server nothing was done, which is not "nothing to do": say why.
  const changed = [...report.objects, ...report.pruned].some((o) => CHANGES.has(o.action));
  const summary = report.ok || changed || report.dryRun ? counted || 'nothing to do'
    : `nothing changed: ${[report.error, counted].filter(Boolean).join('; ') || 'see the errors above'}`;
  const dry = report.dryRun && report.command !== 'diff' ? ' (dry run: nothing was changed)' : '';
  (report.ok ? stdout : stderr).write(`${report.command} ${report.ok ? 'finished' : 'FAILED'}: ${summary}${dry}\n`);
}

export function printJson(value: unknown, out: Output): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}
