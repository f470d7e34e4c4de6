import { KubeObject, ObjectRef, identityKey, refOf } from '../manifest';
import { limiter, mapLimit } from './concurrency';

/** What discovery says about a kind: where it is served and whether it lives in a namespace. */
export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Plural resource name used in URLs, e.g. `deployments`. */
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Options of a server-side apply request. */
export interface ServerSideApplyOptions {
  /** The field manager that owns what this request sets. */
  readonly fieldManager: string;
  /** Take ownership of fields other managers own (`force=true`). */
  readonly force?: boolean;
  /** Run every stage of the request but persist nothing (`dryRun=All`). */
  readonly dryRun?: boolean;
}

/** Options of a delete request. */
export interface DeleteObjectOptions {
  /** @default 'Background' (dependents, such as a Job's pods, go with the object) */
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly dryRun?: boolean;
}

/** Options of a list request. */
export interface ListOptions {
  /** List in this namespace; unset lists cluster-scoped objects, or namespaced ones in every namespace. */
  readonly namespace?: string;
  /** A Kubernetes label selector, e.g. `app=web,tier in (a,b)`. */
  readonly labelSelector?: string;
}

/** Options of a TokenRequest. */
export interface TokenRequestOptions {
  /** How long the token is valid; the API server takes at least 600 and may shorten it to its maximum. */
  readonly expirationSeconds: number;
  /**
   * Who the token is for.
   * @default the API server's own audiences
   */
  readonly audiences?: string[];
}

/** A token the API server issued for a ServiceAccount. Secret: never print it. */
export interface ServiceAccountToken {
  readonly token: string;
  /** When it stops being valid (RFC 3339), as the server decided. */
  readonly expirationTimestamp: string;
}

/**
 * The parts of the Kubernetes API the apply engine uses. The real implementation is
 * {@link createKubeClient}; tests may pass their own.
 */
export interface KubeClient {
  /** Maps a kind to its resource through discovery; `undefined` when the server does not serve it. */
  resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined>;
  /** Maps a group and kind to its resource at the group's preferred version; `undefined` when not served. */
  resourceForGroupKind(group: string, kind: string): Promise<ResourceInfo | undefined>;
  /** Forgets what discovery returned, so kinds added by new CRDs are found. */
  invalidateDiscovery(): void;
  /** Reads an object; `undefined` when it does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Lists objects of a kind, every page of them; every item carries its `apiVersion` and `kind`. */
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;
  /** Server-side apply (`PATCH`, `application/apply-patch+yaml`); returns the object as the server has (or would have) it. */
  apply(obj: KubeObject, options: ServerSideApplyOptions): Promise<KubeObject>;
  /** Deletes an object; `false` when it was already gone. */
  delete(ref: ObjectRef, options?: DeleteObjectOptions): Promise<boolean>;
  /**
   * A time-bound token for a ServiceAccount, through the TokenRequest API
   * (`POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`). It is bound to the account: deleting
   * the account revokes it.
   */
  requestToken(
    serviceAccount: { readonly namespace: string; readonly name: string },
    options: TokenRequestOptions,
  ): Promise<ServiceAccountToken>;
}

/** One entry of a `Status`'s `details.causes`, with the JSON keys the API server uses. */
export interface StatusCause {
  /** Machine-readable kind of cause, e.g. `FieldValueInvalid`, `FieldValueForbidden`, or a conflicting manager. */
  readonly reason?: string;
  readonly message?: string;
  /** The field the cause is about, e.g. `spec.selector`. */
  readonly field?: string;
}

/** The `Status` object the API server answers errors with. */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

/** An error answer (HTTP status >= 400) of the API server. */
export class KubeApiError extends Error {
  constructor(
    /** HTTP status code. */
    readonly code: number,
    /** The `Status` body, when the server sent one. */
    readonly status: KubeStatus | undefined,
    /** `METHOD path` of the request. */
    readonly request: string,
    /** Seconds the server asked to wait (`Retry-After`), if any. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${request}: ${code}${status?.reason ? ` ${status.reason}` : ''}: ${status?.message ?? 'no message'}`);
    this.name = 'KubeApiError';
  }

  get reason(): string | undefined {
    return this.status?.reason;
  }

  get causes(): readonly StatusCause[] {
    return this.status?.details?.causes ?? [];
  }
}

/**
 * A request that failed below HTTP: the connection could not be made, dropped, or timed out. Whether
 * the request may have reached the server decides whether a non-idempotent one can be sent again.
 */
export class ConnectionError extends Error {
  constructor(
    message: string,
    /** The system error code (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, ...), if any. */
    readonly code: string | undefined,
    /**
     * `false` only when the connection never came up, so not a byte of the request left this process;
     * `true` once it did, even if the answer was lost.
     */
    readonly mayHaveReachedServer: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

// How kube-apiserver words a change to a field that cannot change: apimachinery's ValidateImmutableField,
// a Service's cluster IPs, and a StatefulSet's spec outside the few fields an update may change.
const IMMUTABLE = /field is immutable|may not change once set|updates to statefulset spec for fields other than/;

/**
 * The fields an `Invalid` (422) answer refuses because they cannot change once set (a Deployment's
 * `spec.selector`, a Service's `spec.clusterIP`, a Job's `spec.template`); empty for any other error.
 * Only deleting and creating the object again changes them.
 */
export function immutableFields(error: unknown): string[] {
  if (!(error instanceof KubeApiError) || error.code !== 422) return [];
  return [...new Set(error.causes.filter((c) => c.field && IMMUTABLE.test(c.message ?? '')).map((c) => c.field!))];
}

/** Options of {@link LiveObjects}. */
export interface LiveObjectsOptions {
  /**
   * LISTs in flight at once, for all the calls of one LiveObjects together.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Only objects with these labels (e.g. an apply set's `applyset.kubernetes.io/part-of=<id>`); every
   * object asked for must carry them, or it is not found.
   * @default every object
   */
  readonly labelSelector?: string;
}

/**
 * Reads the live objects of many references with LISTs: one per kind, cluster-wide where the
 * credentials allow it, else one per kind and namespace. The requests grow with the kinds (and
 * namespaces), never with the objects.
 */
export class LiveObjects {
  /** Kinds whose cluster-wide LIST was refused: listed per namespace from then on. */
  private readonly perNamespace = new Set<string>();
  private readonly concurrency: number;
  /** Every LIST goes through it: kinds, then namespaces after a 403, stay within `concurrency` together. */
  private readonly request: <R>(fn: () => Promise<R>) => Promise<R>;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LiveObjectsOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.request = limiter(this.concurrency);
  }

  /** The live objects of these references (missing ones are not in the map), by {@link identityKey}. */
  async of(refs: readonly ObjectRef[]): Promise<Map<string, KubeObject>> {
    const kinds = new Map<string, { apiVersion: string; kind: string; namespaces: Set<string | undefined> }>();
    for (const ref of refs) {
      const key = `${ref.apiVersion} ${ref.kind}`;
      if (!kinds.has(key)) kinds.set(key, { apiVersion: ref.apiVersion, kind: ref.kind, namespaces: new Set() });
      kinds.get(key)!.namespaces.add(ref.namespace);
    }
    const lists = await mapLimit([...kinds.values()], this.concurrency, (k) =>
      this.list(k.apiVersion, k.kind, k.namespaces),
    );
    return new Map(lists.flat().map((obj) => [identityKey(refOf(obj)), obj]));
  }

  /** Objects of a kind in these namespaces (`undefined`: a cluster-scoped kind), maybe with others. */
  async list(apiVersion: string, kind: string, namespaces: ReadonlySet<string | undefined>): Promise<KubeObject[]> {
    const key = `${apiVersion} ${kind}`;
    if (namespaces.size > 1 && !this.perNamespace.has(key)) {
      try {
        return await this.request(() =>
          this.client.list(apiVersion, kind, { labelSelector: this.options.labelSelector }),
        );
      } catch (error) {
        if (!(error instanceof KubeApiError && error.code === 403)) throw error;
        this.perNamespace.add(key); // e.g. an attendee's credentials: their namespace only
      }
    }
    const lists = await mapLimit([...namespaces], this.concurrency, (namespace) =>
      this.request(() => this.client.list(apiVersion, kind, { namespace, labelSelector: this.options.labelSelector })),
    );
    return lists.flat();
  }
}
