import { AsyncLocalStorage } from 'async_hooks';
import { setMaxListeners } from 'events';
import { ConnectionError } from './kube-api';

const scope = new AsyncLocalStorage<Deadline>();

/** How long the API server has not answered while requests waited for it. */
export interface Silence {
  readonly ms: number;
  /** Retries since the last answer. */
  readonly retries: number;
  /**
   * The kubeconfig's credential plugin that requests were waiting for, when it rather than the server
   * kept them waiting: `exec plugin "aws"`, `auth provider "oidc"`.
   */
  readonly plugin?: string;
}

/**
 * The time budget of one command (`--timeout`), from its start to its end, and the command's contact
 * with the API server. Everything started inside {@link run} finds it with {@link Deadline.current},
 * however deep: the client gives each request the time left (an AbortSignal that fires at the
 * deadline), the retry starts no attempt past it and sleeps no backoff beyond it, and waits end at it.
 * It travels with the async context rather than as an argument, so that every request of the command
 * (discovery, LISTs, writes, polls, read-backs) is bounded without each step and the KubeClient
 * interface taking it.
 *
 * The contact (when the last answer came, the retries since) tells a silent server apart from objects
 * that are slow to get ready.
 */
export class Deadline {
  /** The deadline of the command running this code, if any. */
  static current(): Deadline | undefined {
    return scope.getStore();
  }

  /** When it passes (epoch ms). */
  readonly at: number;
  /** Aborts when the deadline passes: every request of the command listens to it. */
  readonly signal: AbortSignal;
  /** Requests (with their retries) waiting for an answer. */
  private pending = 0;
  /** Since when requests have waited without an answer. */
  private silentSince: number;
  /** When the last answer came. */
  private answeredAt = 0;
  /** Whether the last request that settled got an answer: if not, its silence goes on with the next ones. */
  private lastAnswered = true;
  private retries = 0;
  /** Credential plugins running for requests, with how many requests wait for each. */
  private readonly plugins = new Map<string, number>();
  /** A credential plugin that the deadline stopped waiting for, until an answer comes. */
  private unansweredPlugin?: string;

  constructor(readonly ms: number) {
    this.at = Date.now() + ms;
    this.silentSince = Date.now();
    this.signal = AbortSignal.timeout(ms);
    // One listener per request in flight, as many as --concurrency: not a leak.
    setMaxListeners(0, this.signal);
  }

  /** Runs `fn` with this deadline as the {@link current} one of everything it starts. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return scope.run(this, fn);
  }

  get expired(): boolean {
    return this.signal.aborted || Date.now() >= this.at;
  }

  /** Milliseconds left, 0 once it passed. */
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** Runs one request, retries included, counted as waiting for the server until it settles. */
  async waitingFor<T>(request: () => Promise<T>): Promise<T> {
    // Time between polls is no silence; time after requests that got no answer still is.
    if (this.pending++ === 0 && this.lastAnswered) this.silentSince = Date.now();
    try {
      return await request();
    } catch (error) {
      if (error instanceof ConnectionError) this.lastAnswered = false;
      throw error;
    } finally {
      this.pending--;
    }
  }

  /**
   * Awaits `credentials`, which the kubeconfig's credential plugin `plugin` is resolving for `request`,
   * until the deadline at the latest: a plugin that never answers (an exec command waiting for a login)
   * must not hold the command past its budget. Meanwhile a silence is the plugin's.
   */
  async credentials<T>(plugin: string, request: string, credentials: Promise<T>): Promise<T> {
    this.plugins.set(plugin, (this.plugins.get(plugin) ?? 0) + 1);
    let onAbort = () => {};
    const expired = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(new DeadlineExceededError(request, false, { cause: new Error(`${plugin} had not answered`) }));
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([credentials, expired]);
    } catch (error) {
      if (error instanceof DeadlineExceededError) this.unansweredPlugin = plugin;
      throw error;
    } finally {
      this.signal.removeEventListener('abort', onAbort);
      const left = this.plugins.get(plugin)! - 1;
      if (left === 0) this.plugins.delete(plugin);
      else this.plugins.set(plugin, left);
    }
  }

  /** An answer came (any HTTP status): the server is there. */
  heard(): void {
    this.answeredAt = this.silentSince = Date.now();
    this.lastAnswered = true;
    this.unansweredPlugin = undefined;
    this.retries = 0;
  }

  retried(): void {
    this.retries++;
  }

  /**
   * The silence so far: requests wait for an answer, or the last ones got none. `undefined` while the
   * server answers.
   */
  silence(): Silence | undefined {
    if (this.pending === 0 && this.lastAnswered) return undefined;
    const [running] = this.plugins.keys();
    const plugin = running ?? this.unansweredPlugin;
    return { ms: Date.now() - this.silentSince, retries: this.retries, ...(plugin ? { plugin } : {}) };
  }

  /**
   * Calls `onSilence` when requests have waited `afterMs` for an answer, and again after each further
   * `afterMs` of the same silence; then once more, `answering`, when an answer ends it. Returns the
   * function that stops watching.
   */
  watchSilence(afterMs: number, onSilence: (silence: Silence, answering: boolean) => void): () => void {
    let told: Silence | undefined;
    let toldAt = 0;
    const timer = setInterval(
      () => {
        if (told && this.answeredAt > toldAt) {
          onSilence({ ms: this.answeredAt - toldAt + told.ms, retries: told.retries }, true);
          told = undefined;
        }
        const silence = this.silence();
        if (silence && silence.ms >= (told ? told.ms : 0) + afterMs) {
          told = silence;
          toldAt = Date.now();
          onSilence(silence, false);
        }
      },
      Math.min(1000, afterMs / 4),
    );
    timer.unref();
    return () => clearInterval(timer);
  }
}

/**
 * A request that the command's deadline stopped: not sent, or sent and not answered in time (or an
 * attempt before it was not: {@link mayHaveReachedServer} then says whether a write may have happened).
 */
export class DeadlineExceededError extends ConnectionError {
  constructor(
    /** `METHOD path`. */
    readonly request: string,
    mayHaveReachedServer: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      `${request}: ${mayHaveReachedServer ? 'no answer' : 'not sent'} before the timeout passed`,
      'ETIMEDOUT',
      mayHaveReachedServer,
      options,
    );
    this.name = 'DeadlineExceededError';
  }
}
