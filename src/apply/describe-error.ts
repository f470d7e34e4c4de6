import { ObjectRef } from '../manifest';
import { ConnectionError, KubeApiError, immutableFields } from './kube-api';
import { DeadlineExceededError } from './deadline';
import { serverUnreachable } from './retry';

/**
 * A readable reason. A field conflict names each field and the manager that owns it; an immutable field
 * names the field and the way forward. A Secret's error has its quoted values removed, since the server
 * may quote the data it rejects.
 */
export function describeError(error: unknown, ref?: ObjectRef): string {
  if (error instanceof ConnectionError && !(error instanceof DeadlineExceededError) && serverUnreachable(error)) {
    return `the API server did not answer (${error.message})`;
  }
  if (!(error instanceof KubeApiError)) return (error as Error)?.message ?? String(error);
  if (error.code === 409 && error.causes.length > 0) {
    const owners = error.causes.map(
      (c) =>
        `${c.field ?? '?'} is owned by ${c.message?.match(/conflict with "([^"]+)"/)?.[1] ?? c.message ?? 'another manager'}`,
    );
    return `conflict: ${owners.join('; ')} (--force-conflicts takes ownership)`;
  }
  if (error.code === 403 && error.causes.some((c) => c.reason === 'NamespaceTerminating')) {
    // The plan waits for namespaces it sees Terminating; this one began after the plan was made.
    return `namespace ${ref?.namespace ?? ''} is being deleted (Terminating): nothing can be created in it; apply again once it is gone`;
  }
  const immutable = immutableFields(error);
  if (immutable.length > 0) {
    return `${immutable.join(', ')}: field is immutable; --force deletes the object and creates it again`;
  }
  const message = `${error.code}${error.reason ? ` ${error.reason}` : ''}: ${error.status?.message ?? 'no message'}`;
  return ref?.kind === 'Secret' ? message.replace(/"(?:[^"\\]|\\.)*"/g, '"[redacted]"') : message;
}
