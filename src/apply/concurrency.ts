/**
 * Maps items with at most `limit` calls of `fn` in flight; results keep the items' order. Only `limit`
 * workers exist, whatever the number of items (no promise per item up front). After a call fails, no
 * new call starts, and the first failure rejects the whole once the calls in flight have ended: a
 * command that reports a failure has no request still running (or retrying) behind it.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * A bound on calls in flight shared by everything that runs through it, however deeply the callers fan
 * out (mapLimit inside mapLimit would multiply the limits). A call waits for a free slot, then runs.
 */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so that no new caller can take it in between.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
