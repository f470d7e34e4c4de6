import { ConnectionError, KubeApiError } from './kube-api';
import { Deadline, DeadlineExceededError } from './deadline';

/** How requests are retried. */
export interface RetryOptions {
  /**
   * Retries after the first attempt.
   * @default 5
   */
  readonly retries?: number;
  /**
   * Delay before the first retry; it doubles with each one.
   * @default 250
   */
  readonly minDelayMs?: number;
  /**
   * Longest delay between two attempts, also for a server's `Retry-After`.
   * @default 5000
   */
  readonly maxDelayMs?: number;
  /** Waits between attempts (tests make it instant). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about each retry, e.g. to log it. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

// Errors of a connection that dropped or never came up (node:http's, and the errno codes a failed
// `fetch` keeps on its cause): the request may not have reached the server, or its answer was lost.
// Sending an idempotent request (GET, LIST, server-side apply, DELETE) again is safe.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

// Errors that only happen before a connection exists (refused, no route, name not resolved).
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an error is worth another attempt. An idempotent request is retried when the server is
 * overloaded (429) or failing (5xx), or the connection dropped. A request that is not idempotent (the
 * TokenRequest POST: a lost answer would mean a second token) only when it provably did not reach the
 * server: the connection never came up, or the server refused it with 429 before acting. Other 4xx
 * answers (forbidden, invalid, conflict, not found) will not change.
 */
export function isRetryable(error: unknown, idempotent = true): boolean {
  if (error instanceof KubeApiError) return error.code === 429 || (idempotent && error.code >= 500);
  // A TLS error (an unknown CA, a bad client certificate) is a ConnectionError too, and will not change.
  if (error instanceof ConnectionError)
    return NETWORK_CODES.has(error.code ?? '') && (idempotent || !error.mayHaveReachedServer);
  // Anything else was thrown while resolving credentials, before the request was sent: an exec credential
  // plugin or an OIDC token refresh, whose own network failure keeps its errno code somewhere on the
  // cause chain. Retried as a request of ours would be: for one that is not idempotent, only when the
  // connection never came up.
  for (let e: any = error; e; e = e.cause) {
    if (typeof e.code === 'string' && (idempotent ? NETWORK_CODES : NOT_CONNECTED_CODES).has(e.code)) return true;
  }
  return false;
}

/**
 * Whether a request failed because the API server was not there: no connection, a dropped one, no
 * answer in time. Not a TLS or credentials error, which a running server causes too.
 */
export function serverUnreachable(error: unknown): boolean {
  return (
    error instanceof DeadlineExceededError || (error instanceof ConnectionError && NETWORK_CODES.has(error.code ?? ''))
  );
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether a failed attempt may have been carried out: it left this process and no answer came back. */
function mayHaveReachedServer(error: unknown): boolean {
  return error instanceof ConnectionError && error.mayHaveReachedServer;
}

/**
 * Runs `fn` (the request `request`, as `METHOD path`), retrying with exponential backoff (and the
 * server's `Retry-After`) while {@link isRetryable}; `idempotent: false` for a request that must not
 * run twice. Inside a command's {@link Deadline}, no backoff sleeps beyond it and no attempt starts
 * past it: it fails with a {@link DeadlineExceededError} instead. A request that failed without an
 * answer after an attempt may have reached the server fails with `mayHaveReachedServer` set, whatever
 * the last attempt's error, so that the caller knows a write may have happened.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: RetryOptions = {},
  idempotent = true,
  request = 'the request',
): Promise<T> {
  const retries = options.retries ?? 5;
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Deadline.current();
  let reached = false;
  const attempts = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        if (deadline?.expired) throw new DeadlineExceededError(request, false);
        return await fn();
      } catch (error) {
        reached ||= mayHaveReachedServer(error);
        // An answer that came is kept, even at the deadline; what did not come is the deadline's doing.
        if (deadline?.expired && (error instanceof ConnectionError || isRetryable(error, idempotent))) {
          throw error instanceof DeadlineExceededError && error.mayHaveReachedServer === reached
            ? error
            : new DeadlineExceededError(request, reached, { cause: error });
        }
        if (attempt >= retries || !isRetryable(error, idempotent)) {
          if (!reached || mayHaveReachedServer(error) || !(error instanceof ConnectionError)) throw error;
          throw new ConnectionError(
            `${error.message} (an earlier attempt may have reached the server)`,
            error.code,
            true,
            { cause: error },
          );
        }
        const backoff = minDelay * 2 ** attempt;
        const asked =
          error instanceof KubeApiError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
        const delay = Math.min(maxDelay, Math.max(backoff, asked));
        options.onRetry?.(error, attempt + 1, delay);
        deadline?.retried();
        // A backoff ends at the deadline at the latest, and one cut by it is the end: a timer may fire a
        // millisecond before the clock reaches the deadline, and no attempt may start then.
        const left = deadline?.remaining() ?? Infinity;
        await sleep(Math.min(delay, left));
        if (delay >= left) throw new DeadlineExceededError(request, reached, { cause: error });
      }
    }
  };
  return deadline ? deadline.waitingFor(attempts) : attempts();
}
