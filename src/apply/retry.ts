import { ConnectionError, KubeApiError } from './kube-api';

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
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
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
  if (error instanceof ConnectionError) return NETWORK_CODES.has(error.code ?? '') && (idempotent || !error.mayHaveReachedServer);
  // Anything else was thrown while resolving credentials, before the request was sent: an exec credential
  // plugin or an OIDC token refresh, whose own network failure keeps its errno code somewhere on the
  // cause chain. Retried as a request of ours would be: for one that is not idempotent, only when the
  // connection never came up.
  for (let e: any = error; e; e = e.cause) {
    if (typeof e.code === 'string' && (idempotent ? NETWORK_CODES : NOT_CONNECTED_CODES).has(e.code)) return true;
  }
  return false;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`, retrying with exponential backoff (and the server's `Retry-After`) while {@link isRetryable};
 * `idempotent: false` for a request that must not run twice.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}, idempotent = true): Promise<T> {
  const retries = options.retries ?? 5;
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !isRetryable(error, idempotent)) throw error;
      const backoff = minDelay * 2 ** attempt;
      const asked = error instanceof KubeApiError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
      const delay = Math.min(maxDelay, Math.max(backoff, asked));
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
