import { KubeApiError } from './client';

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

// Errors of a connection that dropped or never came up: the request may not have reached the server,
// or its answer was lost. Every request the engine sends is idempotent (GET, LIST, server-side apply,
// DELETE), so sending it again is safe.
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * Whether an error is worth another attempt: the server is overloaded (429) or failing (5xx), or the
 * connection dropped. Other 4xx answers (forbidden, invalid, conflict, not found) will not change.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof KubeApiError) return error.code === 429 || error.code >= 500;
  for (let e: any = error; e; e = e.cause) {
    if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
    // node-fetch reports a request that timed out (our AbortSignal) like this.
    if (e.name === 'AbortError' || e.type === 'request-timeout') return true;
  }
  return false;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn`, retrying with exponential backoff (and the server's `Retry-After`) while {@link isRetryable}. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= retries || !isRetryable(error)) throw error;
      const backoff = minDelay * 2 ** attempt;
      const asked = error instanceof KubeApiError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
      const delay = Math.min(maxDelay, Math.max(backoff, asked));
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
