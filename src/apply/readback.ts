import { KubeObject } from '../manifest';
import { ObjectRef } from '../manifest';
import { ConnectionError, KubeClient } from './kube-api';
import { Deadline, DeadlineExceededError } from './deadline';
import { describeError } from './describe-error';
import { serverUnreachable } from './retry';

/** Why an object was not written: the command's time ran out before its request was sent. */
export const NOT_SENT = 'not sent: the timeout passed first';

/**
 * Whether a failed write may have happened all the same: it was sent, and its answer was lost (the
 * connection dropped, no answer came in time, the deadline passed). Only reading the object tells.
 */
export function answerLost(error: unknown): boolean {
  return error instanceof ConnectionError && error.mayHaveReachedServer && serverUnreachable(error);
}

/** {@link NOT_SENT} when the deadline stopped a request before it was sent, else `undefined`. */
export function unsentAtDeadline(error: unknown): string | undefined {
  return error instanceof DeadlineExceededError && !error.mayHaveReachedServer ? NOT_SENT : undefined;
}

/**
 * Reads an object back after its write's answer was lost: the object, none when it is gone, or why it
 * could not be read. The GET is retried while the server does not answer, within the deadline.
 */
export async function readBack(
  client: KubeClient,
  ref: ObjectRef,
): Promise<{ readonly object?: KubeObject; readonly error?: string }> {
  if (Deadline.current()?.expired) return { error: 'the timeout passed' };
  try {
    return { object: await client.get(ref) };
  } catch (error) {
    return { error: describeError(error, ref) };
  }
}
