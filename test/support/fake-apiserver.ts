import { generateKeyPairSync, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import forge from 'node-forge';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { KubeObject } from '../../src/manifest';

/**
 * A local stand-in for the Kubernetes API server, on 127.0.0.1 and a random port, speaking the parts of
 * the REST API that the apply engine uses, with the status codes and `Status` bodies the real server
 * answers: discovery, GET, LIST (label selectors), server-side apply (PATCH
 * `application/apply-patch+yaml` with field managers, conflicts, `force` and `dryRun=All`), DELETE
 * (propagation policies, cascading to owned objects, finalizers, Namespaces terminating), and TokenRequest
 * (`POST .../serviceaccounts/<name>/token`; with `tokens`, an issued token authenticates from then on).
 *
 * It is as strict as kube-apiserver v1.33 where the engine depends on it: immutable fields
 * answer 422, apply bodies are checked (managedFields, resourceVersion preconditions), lists with
 * merge keys are owned per item, no-op applies change nothing, deletion honours finalizers and
 * Namespaces terminate, controllers write after the request that caused them, LIST pages, and an
 * optional authorizer answers 403. It is simpler where the engine does not care: no schema
 * validation (inject a 422 instead), few defaults, no pods.
 *
 * Hooks: {@link inject} failures (status codes, dropped connections, lost answers), {@link stall} it
 * (no answer for a while), {@link seed} objects as other tools left them, {@link setStatus} or
 * {@link simulate} controllers to drive readiness, {@link removeFinalizers} as a finalizer's controller
 * would, {@link route} to add endpoints (e.g. subresources) in later tests. For benchmarks: `tls`, `latencyMs`, {@link requestsByVerb}.
 */
export class FakeApiServer {
  /** Starts a server on 127.0.0.1 with the built-in resource types. */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    // One CA per process: RSA key generation takes a second on a busy machine.
    if (options.tls) processCertificates ??= makeCertificates();
    const server = new FakeApiServer(options, options.tls ? processCertificates : undefined);
    await new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** The certificates of a TLS server (`tls: true`): its CA, and a client certificate it trusts. */
  readonly certificates?: FakeCertificates;

  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every token issued through TokenRequest, in order. */
  readonly issuedTokens: IssuedToken[] = [];
  private readonly http: http.Server | https.Server;
  private readonly verbs = new Map<string, number>();
  /** What each limited token may do; a token without a grant may do everything. */
  private readonly grants: Map<string, Grant>;
  private readonly types: ResourceType[] = BUILTIN_TYPES.map((t) => ({ ...t }));
  private readonly store = new ObjectStore();
  private readonly failures: Array<InjectedFailure & { remaining: number }> = [];
  private readonly routes: Array<{ method: string; path: RegExp; handler: RouteHandler }> = [];
  private readonly controllers = new Map<string, (obj: KubeObject) => Record<string, unknown> | undefined>();
  /** Controller work due later, by its timer. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly listeners: Array<(req: RecordedRequest) => void> = [];
  private revision = 1;
  private uidCounter = 0;
  /** Set while {@link stall} holds requests; they are served, in order, when it ends. */
  private stalled?: Stall;
  private readonly held: Array<() => void> = [];

  private constructor(
    private readonly options: FakeApiServerOptions,
    certificates?: FakeCertificates,
  ) {
    this.certificates = certificates;
    this.grants = new Map(Object.entries(options.grants ?? {}));
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const latency = this.options.latencyMs ?? 0;
        if (latency > 0) setTimeout(() => this.handle(req, res, body), latency);
        else this.handle(req, res, body);
      });
    };
    // Clients keep connections open between requests (as kubectl and client-go do); so does the server.
    const serverOptions = { keepAlive: true, keepAliveTimeout: 60_000 };
    this.http = certificates
      ? https.createServer(
          {
            ...serverOptions,
            key: certificates.serverKey,
            cert: certificates.serverCert,
            ca: certificates.ca,
            requestCert: true,
            rejectUnauthorized: false,
          },
          listener,
        )
      : http.createServer(serverOptions, listener);
  }

  /** `http://127.0.0.1:<port>`, or `https://` with `tls`. */
  get url(): string {
    return `${this.certificates ? 'https' : 'http'}://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /**
   * Requests served so far by Kubernetes verb (`get`, `list`, `create`, `patch`, `delete`, with
   * dry runs counted apart as `patch(dryRun)` and discovery as `discovery`), whether or not
   * `recordRequests` keeps them.
   */
  requestsByVerb(): Record<string, number> {
    return Object.fromEntries([...this.verbs].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Requests that change something (everything but GET). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Answers the next matching request(s) with a failure instead of serving them. */
  inject(failure: InjectedFailure): void {
    this.failures.push({ ...failure, remaining: failure.times ?? 1 });
  }

  /**
   * Stops answering, as a hung or overloaded API server (or a proxy in front of it) does: connections
   * are still accepted and requests read, but none is answered until the stall ends, after `ms` or at
   * `release()`. Then the held requests are served in order, writes included, even those whose client
   * gave up meanwhile: a server that received a request may still carry it out.
   */
  stall(ms?: number): Stall {
    const stall: Stall = {
      release: () => {
        clearTimeout(timer);
        if (this.stalled !== stall) return;
        this.stalled = undefined;
        for (const serve of this.held.splice(0)) serve();
      },
    };
    const timer = ms === undefined ? undefined : setTimeout(stall.release, ms);
    this.stalled?.release();
    this.stalled = stall;
    return stall;
  }

  /** Adds an endpoint; it is tried before the built-in ones. */
  route(method: string, pathPattern: RegExp, handler: RouteHandler): void {
    this.routes.push({ method, path: pathPattern, handler });
  }

  /**
   * Stores an object as if another tool had created it, owned by `manager` (an `Update` manager such as
   * `kubectl-client-side-apply` unless `operation` says otherwise).
   */
  seed(obj: KubeObject, owner: { manager?: string; operation?: 'Apply' | 'Update' } = {}): KubeObject {
    const type = this.typeFor(obj.apiVersion, obj.kind);
    if (!type) throw new Error(`fake apiserver: no type for ${obj.apiVersion} ${obj.kind}`);
    const fields = new Set(fieldPaths(trackedFields(obj), obj.kind).keys());
    const entry: Owner = {
      manager: owner.manager ?? 'kubectl-client-side-apply',
      operation: owner.operation ?? 'Update',
      apiVersion: obj.apiVersion,
      fields,
      time: now(),
    };
    const owners = new Map<string, Owner>([[ownerKey(entry), entry]]);
    const stored = this.created(type, clone(obj), owners);
    stored.obj.metadata.resourceVersion = String(++this.revision);
    this.store.set(this.key(type, obj.metadata.namespace, obj.metadata.name!), stored);
    this.afterCreate(type, stored.obj);
    return clone(stored.obj);
  }

  /** The stored object, with its managedFields, or `undefined`. */
  object(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    const type = this.typeFor(apiVersion, kind);
    const stored = type && this.store.get(this.key(type, namespace, name));
    return stored ? this.render(stored) : undefined;
  }

  /** Every stored object, optionally of one kind. */
  objects(kind?: string): KubeObject[] {
    return [...this.store.values()].filter((s) => !kind || s.obj.kind === kind).map((s) => this.render(s));
  }

  /** Replaces an object's status, as its controller would. */
  setStatus(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    status: Record<string, unknown>,
  ): void {
    const type = this.typeFor(apiVersion, kind);
    const stored = type && this.store.get(this.key(type, namespace, name));
    if (!stored) throw new Error(`fake apiserver: no ${kind} ${namespace ?? ''}/${name}`);
    stored.obj.status = clone(status);
    stored.obj.metadata.resourceVersion = String(++this.revision);
  }

  /** Sets the status of every object of `kind` shortly after each write to it, as a controller would (see `controllerDelayMs`). */
  simulate(kind: string, controller: (obj: KubeObject) => Record<string, unknown> | undefined): void {
    this.controllers.set(kind, controller);
  }

  /**
   * A kubeconfig whose only context points at this server. Over plain HTTP a CA
   * (`certificateAuthorityData` or the file `certificateAuthority`) is only carried, never used; with
   * `tls` the server's own CA is the default and verified.
   */
  kubeconfig(options: KubeconfigOptions = {}): string {
    const name = options.context ?? 'fake';
    const tls = this.certificates;
    const ca = {
      'certificate-authority-data': options.certificateAuthorityData ?? (tls && Buffer.from(tls.ca).toString('base64')),
      'certificate-authority': options.certificateAuthority,
    };
    const user =
      tls && options.clientCertificate
        ? {
            'client-certificate-data': Buffer.from(tls.clientCert).toString('base64'),
            'client-key-data': Buffer.from(tls.clientKey).toString('base64'),
          }
        : { token: options.token ?? 'fake-token' };
    return stringifyYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server: this.url, ...(tls ? {} : { 'insecure-skip-tls-verify': true }), ...ca } }],
      users: [{ name: `${name}-user`, user }],
      contexts: [
        {
          name,
          context: {
            cluster: name,
            user: `${name}-user`,
            ...(options.namespace ? { namespace: options.namespace } : {}),
          },
        },
      ],
      'current-context': name,
    });
  }

  /** Writes {@link kubeconfig} to `dir/kubeconfig` and returns the path. */
  writeKubeconfig(dir: string, options: KubeconfigOptions = {}): string {
    const file = path.join(dir, 'kubeconfig');
    fs.writeFileSync(file, this.kubeconfig(options), { mode: 0o600 });
    return file;
  }

  async close(): Promise<void> {
    this.stalled?.release();
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---- request handling ----

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body,
    };
    if (this.options.recordRequests !== false) this.requests.push(record);
    const verb = verbOf(record);
    this.verbs.set(verb, (this.verbs.get(verb) ?? 0) + 1);
    for (const listener of this.listeners) listener(record);
    // Received and recorded, but not answered while the server stalls (a listener may have just begun the stall).
    if (this.stalled) this.held.push(() => this.answer(req, res, record));
    else this.answer(req, res, record);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest): void {
    const failure = this.failures.find((f) => f.remaining > 0 && matchesFailure(f, record));
    if (failure) failure.remaining--;
    if (failure?.lostAnswer) {
      // The request is carried out; only its answer never reaches the client.
      res = new http.ServerResponse(req);
      req.socket.destroy();
    } else if (failure) {
      if (failure.reset) {
        req.socket.destroy();
        return;
      }
      const code = failure.status ?? 500;
      const headers: Record<string, string> =
        code === 429 ? { 'Retry-After': String(failure.retryAfterSeconds ?? 1) } : {};
      send(res, code, failureStatus(code, failure.message, record), headers);
      return;
    }
    const clientCertificate = this.certificates && (req.socket as import('tls').TLSSocket).authorized === true;
    if (
      this.options.tokens &&
      !clientCertificate &&
      !this.options.tokens.has((record.authorization ?? '').replace(/^Bearer /, ''))
    ) {
      send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const custom = this.routes.find((r) => r.method === record.method && r.path.test(record.path));
    try {
      if (custom) {
        const answer = custom.handler(record, this);
        send(res, answer.status, answer.body);
        return;
      }
      const token = (record.authorization ?? '').replace(/^Bearer /, '');
      const answer = this.serve(record, clientCertificate ? undefined : this.grants.get(token));
      send(res, answer.status, answer.body);
    } catch (error) {
      send(res, 500, status(500, 'InternalError', `fake apiserver: ${(error as Error).stack}`));
    }
  }

  private serve(req: RecordedRequest, grant: Grant | undefined): Answer {
    const tokenRequest = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/.exec(req.path);
    if (tokenRequest && req.method === 'POST') {
      const [namespace, name] = [decodeURIComponent(tokenRequest[1]), decodeURIComponent(tokenRequest[2])];
      return (
        forbidden(grant, 'create', SERVICE_ACCOUNT_TYPE, namespace, name, 'serviceaccounts/token') ??
        this.issueToken(namespace, name, req.body)
      );
    }
    const parts = req.path.split('/').filter(Boolean);
    if (req.method === 'GET' && req.path === '/api')
      return ok({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (req.method === 'GET' && req.path === '/apis') return ok(this.groupList());
    let groupVersion: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 2) {
      groupVersion = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      groupVersion = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else {
      return notFoundPath();
    }
    const types = this.types.filter((t) => gv(t) === groupVersion);
    if (types.length === 0) return notFoundPath();
    if (rest.length === 0) {
      if (req.method !== 'GET') return methodNotAllowed();
      return ok({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: types.flatMap(resourceEntries) });
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = decodeURIComponent(rest[1]);
      rest = rest.slice(2);
    }
    if (rest.length > 2) return notFoundPath(); // subresources are not served
    const type = types.find((t) => t.resource === rest[0]);
    if (!type || (namespace !== undefined && !type.namespaced)) return notFoundPath();
    const name = rest[1] === undefined ? undefined : decodeURIComponent(rest[1]);
    if (name === undefined) {
      if (req.method !== 'GET') return methodNotAllowed();
      return forbidden(grant, 'list', type, namespace, undefined) ?? this.list(type, namespace, req.query);
    }
    if (type.namespaced && namespace === undefined) return notFoundPath();
    const denied = forbidden(grant, KUBE_VERBS[req.method] ?? req.method.toLowerCase(), type, namespace, name);
    if (denied) return denied;
    switch (req.method) {
      case 'GET':
        return this.read(type, namespace, name);
      case 'PATCH':
        return this.patch(type, namespace, name, req);
      case 'DELETE':
        return this.remove(type, namespace, name, req);
      default:
        return methodNotAllowed();
    }
  }

  private groupList() {
    const groups = new Map<string, string[]>();
    for (const t of this.types.filter((x) => x.group))
      groups.set(t.group, [...new Set([...(groups.get(t.group) ?? []), t.version])]);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private read(type: ResourceType, namespace: string | undefined, name: string): Answer {
    const stored = this.store.get(this.key(type, namespace, name));
    return stored ? ok(this.render(stored)) : notFound(type, name);
  }

  /**
   * LIST, in key order (namespace, name) as etcd answers it, one page at a time when `limit` is asked:
   * `metadata.continue` is an opaque token for the next page and `remainingItemCount` counts what is
   * left (only without a selector, as the real server).
   */
  private list(type: ResourceType, namespace: string | undefined, query: Record<string, string>): Answer {
    let matches: (labels: Record<string, string>) => boolean;
    try {
      matches = parseSelector(query.labelSelector ?? '');
    } catch (error) {
      return {
        status: 400,
        body: status(400, 'BadRequest', `unable to parse requirement: ${(error as Error).message}`),
      };
    }
    let from: ContinueToken | undefined;
    if (query.continue) {
      try {
        from = JSON.parse(Buffer.from(query.continue, 'base64url').toString('utf8'));
        if (typeof from?.start !== 'string' || typeof from.rv !== 'number') throw new Error('malformed');
      } catch {
        return badRequest(
          'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
        );
      }
    }
    const asked = query.limit ? Number(query.limit) : 0;
    const cap = this.options.maxPageSize;
    const limit = asked > 0 ? Math.min(asked, cap ?? asked) : 0;
    const keys = [...this.store.ofType(type).keys()].sort();
    let first = 0;
    if (from) while (first < keys.length && keys[first] <= from.start) first++;
    const page: StoredObject[] = [];
    let remaining = 0;
    let last: string | undefined;
    for (let i = first; i < keys.length; i++) {
      const stored = this.store.get(keys[i])!;
      if (namespace !== undefined && stored.obj.metadata.namespace !== namespace) continue;
      if (!matches(stored.obj.metadata.labels ?? {})) continue;
      if (limit > 0 && page.length === limit) {
        remaining++;
        continue;
      }
      page.push(stored);
      last = keys[i];
    }
    const items = page.map((s) => {
      const item = this.render(s);
      // Like the real server, items of built-in kinds carry no apiVersion/kind in a list.
      if (!type.custom) {
        delete (item as Partial<KubeObject>).apiVersion;
        delete (item as Partial<KubeObject>).kind;
      }
      return item;
    });
    const rv = from?.rv ?? this.revision;
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (remaining > 0) {
      const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: last! };
      metadata.continue = Buffer.from(JSON.stringify(token)).toString('base64url');
      if (!query.labelSelector) metadata.remainingItemCount = remaining;
    }
    return ok({ apiVersion: gv(type), kind: `${type.kind}List`, metadata, items });
  }

  private patch(type: ResourceType, namespace: string | undefined, name: string, req: RecordedRequest): Answer {
    if (req.contentType !== 'application/apply-patch+yaml') {
      return {
        status: 415,
        body: status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        ),
      };
    }
    const fieldManager = req.query.fieldManager;
    if (!fieldManager)
      return badRequest(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    const dryRun = req.query.dryRun;
    if (dryRun !== undefined && dryRun !== 'All')
      return badRequest(
        `PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "${dryRun}": supported values: "All"`,
      );
    const force = req.query.force === 'true';
    let config: KubeObject;
    try {
      // Clients send JSON (a subset of YAML) as a rule: parse that fast, anything else as YAML.
      config = (/^\s*\{/.test(req.body) ? tryJson(req.body) : undefined) ?? (parseYaml(req.body) as KubeObject);
    } catch (error) {
      return badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
    if (!config || typeof config !== 'object' || !config.metadata)
      return badRequest("Object 'metadata' is missing in apply patch");
    if (config.apiVersion !== gv(type) || config.kind !== type.kind) {
      return badRequest(
        `the API version in the data (${config.apiVersion}) does not match the expected API version (${gv(type)})`,
      );
    }
    if (config.metadata.name !== name)
      return badRequest(
        `the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`,
      );
    // The real field manager refuses an apply body that tries to write ownership itself.
    if (config.metadata.managedFields !== undefined && config.metadata.managedFields !== null)
      return badRequest('metadata.managedFields must be nil');
    if (type.namespaced && config.metadata.namespace !== undefined && config.metadata.namespace !== namespace) {
      return badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const key = this.key(type, namespace, name);
    const existing = this.store.get(key);
    if (!existing && type.namespaced) {
      const ns = this.store.get(this.key(NAMESPACE_TYPE, undefined, namespace!));
      if (!ns)
        return {
          status: 404,
          body: status(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' }),
        };
      if (ns.obj.metadata.deletionTimestamp) return terminatingNamespace(type, name, namespace!);
    }

    // A resourceVersion in the body is a precondition on the stored object. On a missing object the
    // generic registry creates it anyway (the version is dropped before storage).
    const expectedVersion = config.metadata.resourceVersion as string | number | null | undefined;
    if (
      existing &&
      expectedVersion !== undefined &&
      expectedVersion !== null &&
      expectedVersion !== '' &&
      String(expectedVersion) !== existing.obj.metadata.resourceVersion
    ) {
      return conflict(
        type,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    delete config.metadata.resourceVersion;

    const owners = cloneOwners(existing?.owners ?? new Map());
    // Read only: `next` is the copy that changes.
    const liveObj: KubeObject = existing
      ? existing.obj
      : { apiVersion: gv(type), kind: type.kind, metadata: { name, ...(type.namespaced ? { namespace } : {}) } };
    const applied = fieldPaths(trackedFields(config), type.kind);
    const self = ownerKey({ manager: fieldManager, operation: 'Apply' });
    const conflicts: Array<{ field: string; key: string; owner: Owner }> = [];
    for (const [field, value] of applied) {
      for (const [key, owner] of owners) {
        if (
          value !== ELEMENT &&
          key !== self &&
          owner.fields.has(field) &&
          !isDeepStrictEqual(valueAt(liveObj, field), value)
        ) {
          conflicts.push({ field, key, owner });
        }
      }
    }
    if (conflicts.length > 0 && !force) return { status: 409, body: conflictStatus(conflicts) };
    for (const c of conflicts) owners.get(c.key)!.fields.delete(c.field);

    const next = clone(liveObj);
    const previous = owners.get(self)?.fields ?? new Set<string>();
    // Fields this manager gave up go, unless another manager owns them too; a list item (its `.`)
    // goes whole when no other manager owns anything inside it.
    const given = [...previous].filter(
      (field) => !applied.has(field) && ![...owners].some(([k, o]) => k !== self && o.fields.has(field)),
    );
    for (const field of given.filter(isElement)) {
      const inside = `${field.slice(0, -',"."]'.length)},`;
      if (![...owners].some(([k, o]) => k !== self && [...o.fields].some((f) => f.startsWith(inside))))
        deleteAt(next, field);
    }
    for (const field of given.filter((f) => !isElement(f))) deleteAt(next, field);
    for (const [field, value] of applied) setAt(next, field, value === ELEMENT ? value : clone(value));
    defaultProtocols(next);
    const mine: Owner = {
      manager: fieldManager,
      operation: 'Apply',
      apiVersion: config.apiVersion,
      fields: new Set(applied.keys()),
      time: now(),
    };
    owners.set(self, mine);
    for (const [key, owner] of owners) if (owner.fields.size === 0) owners.delete(key);

    if (!existing) {
      const created = this.created(type, next, owners);
      // A dry-run create answers without a resourceVersion, as the real server does.
      if (dryRun) return { status: 201, body: this.render(created) };
      created.obj.metadata.resourceVersion = String(++this.revision);
      this.store.set(key, created);
      this.afterCreate(type, created.obj);
      this.scheduleSimulated(key);
      this.scheduleControllers(key, undefined);
      return { status: 201, body: this.render(this.store.get(key)!) };
    }

    adjustServiceOnUpdate(existing.obj, next);
    const invalid = immutableFieldErrors(existing.obj, next);
    if (invalid.length > 0) return invalidAnswer(type, name, invalid);
    const contentChanged = !isDeepStrictEqual(stripVolatile(next), stripVolatile(existing.obj));
    const ownershipChanged = !sameOwnership(owners, existing.owners);
    if (!contentChanged && !ownershipChanged) return ok(this.render(existing));
    if (!isDeepStrictEqual(withoutMetaAndStatus(next), withoutMetaAndStatus(existing.obj))) {
      next.metadata.generation = Number(existing.obj.metadata.generation ?? 1) + 1;
    }
    const updated: StoredObject = { type, obj: next, owners };
    if (dryRun) return ok(this.render(updated));
    next.metadata.resourceVersion = String(++this.revision);
    this.store.set(key, updated);
    this.scheduleSimulated(key);
    this.scheduleControllers(key, existing.obj);
    this.finishDeletion(key);
    // What the server holds now, or what it last held when this write finished a deletion.
    return ok(this.render(this.store.get(key) ?? updated));
  }

  /** TokenRequest, as the real server validates it: an existing account, at least 10 minutes. */
  private issueToken(namespace: string, name: string, body: string): Answer {
    const account = SERVICE_ACCOUNT_TYPE;
    if (!this.store.get(this.key(account, namespace, name))) return notFound(account, name);
    let request: { apiVersion?: string; kind?: string; spec?: { expirationSeconds?: number; audiences?: string[] } };
    try {
      request = JSON.parse(body);
    } catch {
      return badRequest('error decoding the TokenRequest');
    }
    if (request.apiVersion !== 'authentication.k8s.io/v1' || request.kind !== 'TokenRequest') {
      return badRequest(`expected authentication.k8s.io/v1 TokenRequest, got ${request.apiVersion} ${request.kind}`);
    }
    const seconds = request.spec?.expirationSeconds ?? 3600;
    if (seconds < 600) {
      return {
        status: 422,
        body: status(
          422,
          'Invalid',
          `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than 10 minutes`,
        ),
      };
    }
    const token = `sa-token-${randomBytes(16).toString('hex')}`;
    const expirationTimestamp = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    this.issuedTokens.push({
      namespace,
      name,
      token,
      expirationSeconds: seconds,
      audiences: request.spec?.audiences ?? [],
    });
    // What the classroom's RBAC gives an attendee's ServiceAccount: its own namespace, nothing else.
    this.grants.set(token, { user: `system:serviceaccount:${namespace}:${name}`, namespaces: [namespace] });
    this.options.tokens?.add(token);
    return {
      status: 201,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name, namespace, creationTimestamp: now() },
        spec: {
          audiences: request.spec?.audiences?.length
            ? request.spec.audiences
            : ['https://kubernetes.default.svc.cluster.local'],
          expirationSeconds: seconds,
        },
        status: { token, expirationTimestamp },
      },
    };
  }

  private remove(type: ResourceType, namespace: string | undefined, name: string, req: RecordedRequest): Answer {
    const key = this.key(type, namespace, name);
    const stored = this.store.get(key);
    if (!stored) return notFound(type, name);
    const policy = req.query.propagationPolicy;
    if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
      return badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}"`);
    }
    if (req.query.dryRun === 'All')
      return ok(
        status(200, undefined, undefined, { name, kind: type.resource, uid: stored.obj.metadata.uid }, 'Success'),
      );
    if (stored.obj.metadata.deletionTimestamp) {
      if (isNamespace(type)) {
        return conflict(
          type,
          name,
          'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
        );
      }
      return ok(this.render(stored));
    }
    const pending = this.deleteStored(key, policy ?? 'Background');
    // An object that waits for its finalizers (or a Namespace for its controller) answers as it now is.
    if (pending) return ok(this.render(pending));
    return ok(
      status(
        200,
        undefined,
        undefined,
        { name, group: type.group, kind: type.resource, uid: stored.obj.metadata.uid },
        'Success',
      ),
    );
  }

  /**
   * Deletes an object and, unless orphaned, what it owns. An object with finalizers, and a Namespace,
   * only get a deletionTimestamp: they go when their finalizers are gone ({@link removeFinalizers}, an
   * apply without them, or the namespace controller). Returns the object if it stays for now.
   */
  private deleteStored(key: string, policy: string): StoredObject | undefined {
    const stored = this.store.get(key);
    if (!stored) return undefined;
    const uid = String(stored.obj.metadata.uid);
    for (const otherKey of this.store.dependents(uid)) {
      const other = this.store.get(otherKey)!;
      if (policy === 'Orphan')
        other.obj.metadata.ownerReferences = (other.obj.metadata.ownerReferences as Array<{ uid: string }>).filter(
          (r) => r.uid !== uid,
        );
      else this.deleteStored(otherKey, policy);
    }
    const namespace = isNamespace(stored.type);
    if (namespace || finalizersOf(stored.obj).length > 0) {
      if (!stored.obj.metadata.deletionTimestamp) {
        stored.obj.metadata.deletionTimestamp = now();
        stored.obj.metadata.deletionGracePeriodSeconds = 0;
        if (namespace) {
          stored.obj.status = { phase: 'Terminating' };
          this.later(this.options.namespaceDeletionMs ?? 1000, () =>
            this.namespaceController(stored.obj.metadata.name!),
          );
        }
        stored.obj.metadata.resourceVersion = String(++this.revision);
      }
      return stored;
    }
    this.store.delete(key);
    this.store.forgetOwner(uid);
    if (stored.type.kind === 'CustomResourceDefinition') {
      const names = (stored.obj.spec as any)?.names ?? {};
      for (let i = this.types.length - 1; i >= 0; i--) {
        const t = this.types[i];
        if (t.custom && t.group === (stored.obj.spec as any)?.group && t.kind === names.kind) this.types.splice(i, 1);
      }
    }
    return undefined;
  }

  /**
   * The namespace controller: deletes everything in a Terminating namespace, then, once nothing is
   * left (objects with finalizers wait for them), removes the namespace itself.
   */
  private namespaceController(name: string): void {
    const key = this.key(NAMESPACE_TYPE, undefined, name);
    if (!this.store.get(key)) return;
    let left = 0;
    for (const [otherKey, other] of [...this.store]) {
      if (other.obj.metadata.namespace !== name || !other.type.namespaced) continue;
      if (this.deleteStored(otherKey, 'Background')) left++;
    }
    if (left === 0) this.store.delete(key);
    else this.later(50, () => this.namespaceController(name));
  }

  /** Removes an object's finalizers, as the controller that set them would; it goes if it was being deleted. */
  removeFinalizers(apiVersion: string, kind: string, name: string, namespace?: string): void {
    const type = this.typeFor(apiVersion, kind);
    const key = type && this.key(type, namespace, name);
    const stored = key && this.store.get(key);
    if (!stored) throw new Error(`fake apiserver: no ${kind} ${namespace ?? ''}/${name}`);
    delete stored.obj.metadata.finalizers;
    stored.obj.metadata.resourceVersion = String(++this.revision);
    this.finishDeletion(key);
  }

  /** An object being deleted goes once its last finalizer is gone. */
  private finishDeletion(key: string): void {
    const stored = this.store.get(key);
    if (stored?.obj.metadata.deletionTimestamp && !isNamespace(stored.type) && finalizersOf(stored.obj).length === 0) {
      this.deleteStored(key, 'Background');
    }
  }

  /** Runs `work` after `ms` (synchronously for 0), unless the server closes first. */
  private later(ms: number, work: () => void): void {
    if (ms <= 0) {
      work();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.set(timer, work);
  }

  /**
   * Runs now every controller write that is due later (deployment controller, namespace controller),
   * e.g. from {@link onRequest} at the moment a race should happen.
   */
  runControllers(): void {
    const due = [...this.timers];
    this.timers.clear();
    for (const [timer, work] of due) {
      clearTimeout(timer);
      work();
    }
  }

  /**
   * Calls `listener` with each request before it is served, so that a test can act at a precise
   * point of an engine's run (e.g. `runControllers()` at its first dry run). Returns the function that
   * stops calling it.
   */
  onRequest(listener: (req: RecordedRequest) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---- storage helpers ----

  private created(type: ResourceType, obj: KubeObject, owners: Map<string, Owner>): StoredObject {
    obj.metadata.uid = `uid-${++this.uidCounter}`;
    obj.metadata.creationTimestamp = now();
    obj.metadata.generation = 1;
    applyDefaults(obj);
    return { type, obj, owners };
  }

  /** Side effects of creating an object that a real cluster's controllers would have. */
  private afterCreate(type: ResourceType, obj: KubeObject): void {
    if (type.kind !== 'CustomResourceDefinition') return;
    const spec = (obj.spec ?? {}) as any;
    for (const version of spec.versions ?? []) {
      if (version.served === false) continue;
      this.types.push({
        group: spec.group,
        version: version.name,
        kind: spec.names.kind,
        resource: spec.names.plural,
        namespaced: spec.scope === 'Namespaced',
        custom: true,
      });
    }
  }

  /**
   * A {@link simulate}d controller, like the built-in ones, writes the status after the request that
   * caused it (a write of its own): the apply's answer never carries it, as on a real server.
   */
  private scheduleSimulated(key: string): void {
    const kind = this.store.get(key)?.obj.kind;
    const controller = kind === undefined ? undefined : this.controllers.get(kind);
    if (!controller) return;
    this.later(this.options.controllerDelayMs ?? 5, () => {
      const stored = this.store.get(key);
      const result = stored && controller(clone(stored.obj));
      if (!stored || !result) return;
      stored.obj.status = result;
      stored.obj.metadata.resourceVersion = String(++this.revision);
    });
  }

  /**
   * The built-in controllers, as kube-controller-manager runs them: after the write that caused them,
   * never inside it (unless `controllerDelayMs` is 0).
   */
  private scheduleControllers(key: string, before: KubeObject | undefined): void {
    const stored = this.store.get(key);
    if (this.options.builtinControllers === false || stored?.obj.kind !== 'Deployment') return;
    if (before && before.metadata.generation === stored.obj.metadata.generation) return;
    const newRevision =
      !before || !isDeepStrictEqual((before.spec as any)?.template, (stored.obj.spec as any)?.template);
    this.later(this.options.controllerDelayMs ?? 5, () => this.deploymentController(key, newRevision));
  }

  /**
   * The deployment controller: a new pod template gets the next `deployment.kubernetes.io/revision`
   * annotation (a write of its own), then the status write. Without nodes no pod becomes ready, so the
   * status says so (a {@link simulate}d controller decides the status instead).
   */
  private deploymentController(key: string, newRevision: boolean): void {
    const stored = this.store.get(key);
    if (!stored) return;
    const obj = stored.obj;
    if (newRevision) {
      const annotations = (obj.metadata.annotations ??= {});
      annotations[REVISION_ANNOTATION] = String(Number(annotations[REVISION_ANNOTATION] ?? 0) + 1);
      this.ownByController(stored, undefined, [
        JSON.stringify(['f:metadata', 'f:annotations', `f:${REVISION_ANNOTATION}`]),
      ]);
      obj.metadata.resourceVersion = String(++this.revision);
    }
    if (this.controllers.has(obj.kind)) return;
    const replicas = (obj.spec as any)?.replicas ?? 1;
    obj.status = {
      observedGeneration: obj.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      unavailableReplicas: replicas,
      conditions: [
        {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${obj.metadata.name}" is progressing.`,
        },
      ],
    };
    this.ownByController(stored, 'status', [...fieldPaths({ status: obj.status }, obj.kind).keys()]);
    obj.metadata.resourceVersion = String(++this.revision);
  }

  /** Gives fields to kube-controller-manager's Update entry, as its writes do. */
  private ownByController(stored: StoredObject, subresource: string | undefined, fields: string[]): void {
    const entry: Owner = {
      manager: 'kube-controller-manager',
      operation: 'Update',
      subresource,
      apiVersion: stored.obj.apiVersion,
      fields: new Set(),
      time: now(),
    };
    const owner = stored.owners.get(ownerKey(entry)) ?? entry;
    for (const field of fields) owner.fields.add(field);
    owner.time = now();
    stored.owners.set(ownerKey(owner), owner);
  }

  private render(stored: StoredObject): KubeObject {
    const obj = clone(stored.obj);
    if (stored.owners.size > 0) {
      obj.metadata.managedFields = [...stored.owners.values()].map((owner) => ({
        manager: owner.manager,
        operation: owner.operation,
        apiVersion: owner.apiVersion,
        time: owner.time,
        fieldsType: 'FieldsV1',
        fieldsV1: fieldsV1(owner.fields),
        ...(owner.subresource ? { subresource: owner.subresource } : {}),
      }));
    }
    return obj;
  }

  private typeFor(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => gv(t) === apiVersion && t.kind === kind);
  }

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${typeId(type)}|${type.namespaced ? (namespace ?? '') : ''}|${name}`;
  }
}

// ---- types ----

export interface FakeApiServerOptions {
  /** When set, requests must carry one of these bearer tokens (401 otherwise); issued tokens join it. */
  readonly tokens?: Set<string>;
  /**
   * Run the built-in controllers (the deployment controller's revision annotation and status), as a
   * real cluster does.
   * @default true
   */
  readonly builtinControllers?: boolean;
  /**
   * How long after the write that caused it a built-in or {@link FakeApiServer.simulate}d controller writes, in ms. 0 writes before the
   * answer (synchronously), which hides the race a real cluster has.
   * @default 5
   */
  readonly controllerDelayMs?: number;
  /**
   * The most items one LIST page holds when a `limit` is asked, however large: a real server may answer
   * fewer than `limit` too, so clients must follow `continue`. Set it low to exercise paging loops.
   * @default no cap beyond `limit`
   */
  readonly maxPageSize?: number;
  /**
   * Serve HTTPS with a CA made at start ({@link FakeApiServer.certificates}); kubeconfigs then carry
   * the CA and verify the server, and may use a client certificate.
   * @default false (plain HTTP)
   */
  readonly tls?: boolean;
  /**
   * Time the server takes for each request before it handles it, in ms: a real API server's
   * admission, storage and network round trip, so that a benchmark can state what it measured against.
   * @default 0
   */
  readonly latencyMs?: number;
  /**
   * Keep every request in {@link FakeApiServer.requests}. Off for benchmarks with many thousand
   * requests; {@link FakeApiServer.requestsByVerb} counts either way.
   * @default true
   */
  readonly recordRequests?: boolean;
  /**
   * How long after a Namespace's DELETE the namespace controller deletes its contents; the namespace
   * is `Terminating` until then, and goes once its contents are gone (a real cluster takes seconds).
   * @default 1000
   */
  readonly namespaceDeletionMs?: number;
  /**
   * A minimal authorizer: bearer tokens limited to what their {@link Grant} allows (403 `Forbidden`
   * otherwise, with the real message). Tokens without a grant, and the client certificate, may do
   * everything. Tokens issued through TokenRequest always get their ServiceAccount's namespace only.
   * @default no limited tokens
   */
  readonly grants?: Record<string, Grant>;
}

/** What one bearer token may do (see {@link FakeApiServerOptions.grants}). */
export interface Grant {
  /** The user name in 403 messages, e.g. `system:serviceaccount:ns:sa`. */
  readonly user: string;
  /** Namespaces where every verb on namespaced resources is allowed. */
  readonly namespaces: readonly string[];
  /** Every verb on cluster-scoped resources (Namespaces, ClusterRoles, ...). @default false */
  readonly clusterScoped?: boolean;
  /** LIST of namespaced resources across all namespaces. @default false */
  readonly listAllNamespaces?: boolean;
}

/** Options of {@link FakeApiServer.kubeconfig}. */
export interface KubeconfigOptions {
  readonly namespace?: string;
  readonly token?: string;
  readonly context?: string;
  /** `certificate-authority-data` of the cluster. */
  readonly certificateAuthorityData?: string;
  /** `certificate-authority` (a file) of the cluster. */
  readonly certificateAuthority?: string;
  /**
   * With `tls`: authenticate with the server's client certificate (user `admin`, group
   * `system:masters`) instead of a token.
   * @default false
   */
  readonly clientCertificate?: boolean;
}

/** PEM certificates and keys of a TLS fake server, made at start. */
export interface FakeCertificates {
  /** The self-signed CA that signed the server and client certificates. */
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate for `admin` in `system:masters`: it authenticates like a token in `tokens`. */
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A token issued through TokenRequest. */
export interface IssuedToken {
  readonly namespace: string;
  readonly name: string;
  readonly token: string;
  readonly expirationSeconds: number;
  readonly audiences: string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly contentType?: string;
  readonly authorization?: string;
  readonly body: string;
}

/** A failure to answer instead of serving a request. */
export interface InjectedFailure {
  /** Only requests with this method. */
  readonly method?: string;
  /** Only requests whose path contains this string or matches this pattern. */
  readonly path?: string | RegExp;
  /** How many requests fail. @default 1 */
  readonly times?: number;
  /** HTTP status to answer. @default 500 */
  readonly status?: number;
  /** Drop the connection without an answer instead: the request is not carried out. */
  readonly reset?: boolean;
  /**
   * Carry the request out (a write is stored), then drop the connection without an answer: the client
   * cannot know whether it happened.
   */
  readonly lostAnswer?: boolean;
  /** `Retry-After` of a 429. @default 1 */
  readonly retryAfterSeconds?: number;
  readonly message?: string;
}

/** A stall of the server (see {@link FakeApiServer.stall}). */
export interface Stall {
  /** Ends the stall: the held requests are served. */
  release(): void;
}

export type RouteHandler = (req: RecordedRequest, server: FakeApiServer) => Answer;

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
  readonly custom?: boolean;
}

/** One managedFields entry. */
interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  /** `status` for writes through the status subresource. */
  subresource?: string;
  apiVersion: string;
  fields: Set<string>;
  time: string;
}

/** What a continue token holds (base64url JSON, opaque to clients), as the real server's. */
interface ContinueToken {
  readonly v: string;
  readonly rv: number;
  /** The last key of the page before. */
  readonly start: string;
}

/**
 * The objects by key, indexed by type (a LIST reads only its own kind) and by owner uid (a DELETE
 * finds dependents without reading everything), so that 13,000 objects stay fast.
 */
class ObjectStore {
  private readonly all = new Map<string, StoredObject>();
  private readonly byType = new Map<string, Map<string, StoredObject>>();
  private readonly byOwner = new Map<string, Set<string>>();

  get(key: string): StoredObject | undefined {
    return this.all.get(key);
  }

  set(key: string, stored: StoredObject): void {
    this.unindexOwners(key);
    this.all.set(key, stored);
    for (const uid of ownerUids(stored.obj)) {
      let keys = this.byOwner.get(uid);
      if (!keys) this.byOwner.set(uid, (keys = new Set()));
      keys.add(key);
    }
    const id = typeId(stored.type);
    let index = this.byType.get(id);
    if (!index) this.byType.set(id, (index = new Map()));
    index.set(key, stored);
  }

  delete(key: string): void {
    const stored = this.all.get(key);
    if (!stored) return;
    this.unindexOwners(key);
    this.all.delete(key);
    this.byType.get(typeId(stored.type))?.delete(key);
  }

  /** Keys of the objects whose ownerReferences name `uid`. */
  dependents(uid: string): string[] {
    return [...(this.byOwner.get(uid) ?? [])];
  }

  /** Forgets the dependents of a deleted owner (orphans keep no reference to it). */
  forgetOwner(uid: string): void {
    this.byOwner.delete(uid);
  }

  private unindexOwners(key: string): void {
    const old = this.all.get(key);
    if (old) for (const uid of ownerUids(old.obj)) this.byOwner.get(uid)?.delete(key);
  }

  ofType(type: ResourceType): ReadonlyMap<string, StoredObject> {
    return this.byType.get(typeId(type)) ?? new Map();
  }

  values(): IterableIterator<StoredObject> {
    return this.all.values();
  }

  [Symbol.iterator](): IterableIterator<[string, StoredObject]> {
    return this.all[Symbol.iterator]();
  }
}

function ownerUids(obj: KubeObject): string[] {
  const refs = obj.metadata.ownerReferences;
  return Array.isArray(refs)
    ? refs.map((r: { uid?: string }) => r.uid).filter((uid): uid is string => typeof uid === 'string')
    : [];
}

function typeId(type: ResourceType): string {
  return `${type.group}|${type.resource}`;
}

interface StoredObject {
  readonly type: ResourceType;
  readonly obj: KubeObject;
  readonly owners: Map<string, Owner>;
}

function t(groupVersion: string, kind: string, resource: string, namespaced: boolean): ResourceType {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  return { group, version, kind, resource, namespaced };
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const NAMESPACE_TYPE = t('v1', 'Namespace', 'namespaces', false);
const SERVICE_ACCOUNT_TYPE = t('v1', 'ServiceAccount', 'serviceaccounts', true);

const BUILTIN_TYPES: ResourceType[] = [
  NAMESPACE_TYPE,
  t('v1', 'Pod', 'pods', true),
  t('v1', 'Service', 'services', true),
  t('v1', 'ConfigMap', 'configmaps', true),
  t('v1', 'Secret', 'secrets', true),
  SERVICE_ACCOUNT_TYPE,
  t('v1', 'LimitRange', 'limitranges', true),
  t('v1', 'ResourceQuota', 'resourcequotas', true),
  t('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true),
  t('v1', 'PersistentVolume', 'persistentvolumes', false),
  t('apps/v1', 'Deployment', 'deployments', true),
  t('apps/v1', 'DaemonSet', 'daemonsets', true),
  t('apps/v1', 'StatefulSet', 'statefulsets', true),
  t('apps/v1', 'ReplicaSet', 'replicasets', true),
  t('batch/v1', 'Job', 'jobs', true),
  t('batch/v1', 'CronJob', 'cronjobs', true),
  t('rbac.authorization.k8s.io/v1', 'Role', 'roles', true),
  t('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings', true),
  t('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false),
  t('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  t('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true),
  t('networking.k8s.io/v1', 'Ingress', 'ingresses', true),
  t('networking.k8s.io/v1', 'IngressClass', 'ingressclasses', false),
  t('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true),
  t('scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', false),
  t('node.k8s.io/v1', 'RuntimeClass', 'runtimeclasses', false),
  t('storage.k8s.io/v1', 'StorageClass', 'storageclasses', false),
  t('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false),
  t('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false),
  t('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false),
];

/** Types are copied per server, so compare by name. */
function isNamespace(type: ResourceType): boolean {
  return type.group === '' && type.kind === 'Namespace';
}

function gv(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

function resourceEntries(type: ResourceType) {
  const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  const main = {
    name: type.resource,
    singularName: type.kind.toLowerCase(),
    namespaced: type.namespaced,
    kind: type.kind,
    verbs,
  };
  // The real server lists subresources too; clients must skip them.
  return [
    main,
    {
      name: `${type.resource}/status`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    },
  ];
}

// ---- defaults a real API server adds ----

let clusterIpCounter = 0;

function applyDefaults(obj: KubeObject): void {
  defaultProtocols(obj);
  const spec = obj.spec as Record<string, any> | undefined;
  if (obj.kind === 'Service' && spec && spec.type !== 'ExternalName' && spec.clusterIP === undefined) {
    spec.clusterIP = `10.96.0.${(++clusterIpCounter % 250) + 2}`;
    spec.clusterIPs = [spec.clusterIP];
  }
  if (obj.kind === 'Namespace') {
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  }
  if (obj.kind === 'CustomResourceDefinition') {
    obj.status = {
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' },
      ],
    };
  }
}

/** `protocol: TCP` on container and Service ports, where the real server defaults it. */
function defaultProtocols(obj: KubeObject): void {
  const visit = (node: unknown, name: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) {
        if (CONTAINER_LISTS.includes(name) && isPlainObject(item) && Array.isArray(item.ports)) {
          for (const port of item.ports) if (isPlainObject(port)) port.protocol ??= 'TCP';
        }
        visit(item, name);
      }
    } else if (isPlainObject(node)) {
      for (const [k, v] of Object.entries(node)) visit(v, k);
    }
  };
  visit(obj.spec, 'spec');
  const ports = (obj.spec as any)?.ports;
  if (obj.kind === 'Service' && Array.isArray(ports))
    for (const port of ports) if (isPlainObject(port)) port.protocol ??= 'TCP';
}

// ---- field ownership ----

const UNTRACKED_METADATA = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
  'selfLink',
];

/** The part of an applied object whose fields are owned: no identity, no server-set metadata, no status. */
function trackedFields(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, status: _s, metadata, ...rest } = clone(obj);
  const meta = { ...(metadata ?? {}) } as Record<string, unknown>;
  for (const key of UNTRACKED_METADATA) delete meta[key];
  return Object.keys(meta).length > 0 ? { ...rest, metadata: meta } : rest;
}

/*
 * Field paths as structured-merge-diff writes them in managedFields: a JSON array of path elements,
 * `f:<field>` for a map field, `k:<key JSON>` for the item of a list with merge keys, and `.` for
 * that item itself. Lists without merge keys are atomic: one leaf.
 */

/** The value recorded for an item's own `.` path. */
const ELEMENT = Symbol('list item');

/** Merge keys of the associative lists the engine's objects use (Kubernetes' OpenAPI `x-kubernetes-list-map-keys`). */
function listKeys(names: readonly string[], kind: string): readonly string[] | undefined {
  const last = names[names.length - 1];
  const parent = names[names.length - 2];
  const inContainer = CONTAINER_LISTS.includes(parent);
  if (CONTAINER_LISTS.includes(last) || last === 'volumes' || last === 'imagePullSecrets') return ['name'];
  if (inContainer && last === 'env') return ['name'];
  if (inContainer && last === 'ports') return ['containerPort', 'protocol'];
  if (inContainer && last === 'volumeMounts') return ['mountPath'];
  if (kind === 'Service' && names.length === 2 && names[0] === 'spec' && last === 'ports') return ['port', 'protocol'];
  if (names.length === 2 && names[0] === 'metadata' && last === 'ownerReferences') return ['uid'];
  return undefined;
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];
/** Merge-key fields the server defaults, so that an item without them has the same key. */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

function itemKey(item: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    [...keys]
      .sort()
      .map((k) => [k, item[k] ?? KEY_DEFAULTS[k]])
      .filter(([, v]) => v !== undefined),
  );
}

function matchesKey(item: unknown, key: Record<string, unknown>): boolean {
  return isPlainObject(item) && Object.entries(key).every(([k, v]) => (item[k] ?? KEY_DEFAULTS[k]) === v);
}

/** Every owned path of an object and its value (lists with merge keys by item). */
function fieldPaths(
  value: unknown,
  kind: string,
  names: string[] = [],
  prefix: string[] = [],
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  const keys = Array.isArray(value) ? listKeys(names, kind) : undefined;
  const items = Array.isArray(value) ? (value as unknown[]) : [];
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) fieldPaths(v, kind, [...names, k], [...prefix, `f:${k}`], out);
  } else if (
    keys &&
    items.length > 0 &&
    items.every((item) => isPlainObject(item) && keys.some((k) => item[k] !== undefined))
  ) {
    for (const item of items as Array<Record<string, unknown>>) {
      const element = `k:${JSON.stringify(itemKey(item, keys))}`;
      out.set(JSON.stringify([...prefix, element, '.']), ELEMENT);
      for (const [k, v] of Object.entries(item))
        fieldPaths(v, kind, [...names, k], [...prefix, element, `f:${k}`], out);
    }
  } else if (keys && items.length === 0) {
    // An empty associative list merges into the live one without changing it.
  } else if (prefix.length > 0) {
    out.set(JSON.stringify(prefix), value);
  }
  return out;
}

function isElement(field: string): boolean {
  return field.endsWith(',"."]');
}

/**
 * The node that holds a path's last element: the map for `f:`, the list item for `.`. With `create`,
 * missing maps, lists and items (with their key fields) are made on the way.
 */
function parentOf(obj: unknown, path: readonly string[], create: boolean): any {
  let node: any = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const element = path[i];
    if (element.startsWith('f:')) {
      const name = element.slice(2);
      if (!isPlainObject(node)) return undefined;
      if (node[name] === undefined || node[name] === null || typeof node[name] !== 'object') {
        if (!create) return undefined;
        node[name] = path[i + 1].startsWith('k:') ? [] : {};
      }
      node = node[name];
    } else {
      const key = JSON.parse(element.slice(2)) as Record<string, unknown>;
      if (!Array.isArray(node)) return undefined;
      let item = node.find((x) => matchesKey(x, key));
      if (!item) {
        if (!create) return undefined;
        node.push((item = clone(key)));
      }
      node = item;
    }
  }
  return node;
}

function valueAt(obj: unknown, field: string): unknown {
  const path = JSON.parse(field) as string[];
  const last = path[path.length - 1];
  const parent = parentOf(obj, path, false);
  if (last === '.') return parent;
  return isPlainObject(parent) ? parent[last.slice(2)] : undefined;
}

function setAt(obj: unknown, field: string, value: unknown): void {
  const path = JSON.parse(field) as string[];
  const last = path[path.length - 1];
  const parent = parentOf(obj, path, true);
  if (last !== '.') parent[last.slice(2)] = value;
}

/** Removes a field, then the maps and lists its removal left empty, as the server does for applied fields. */
function deleteAt(obj: unknown, field: string): void {
  let path = JSON.parse(field) as string[];
  let first = true;
  while (path.length > 0) {
    const last = path[path.length - 1];
    if (last === '.') {
      const list = parentOf(obj, path.slice(0, -1), false);
      if (!Array.isArray(list)) return;
      const key = JSON.parse(path[path.length - 2].slice(2)) as Record<string, unknown>;
      const index = list.findIndex((x) => matchesKey(x, key));
      if (index >= 0) list.splice(index, 1);
      path = path.slice(0, -2);
    } else if (last.startsWith('f:')) {
      const parent = parentOf(obj, path, false);
      if (!isPlainObject(parent)) return;
      const name = last.slice(2);
      const value = parent[name];
      const empty =
        (isPlainObject(value) && Object.keys(value).length === 0) || (Array.isArray(value) && value.length === 0);
      if (!first && !empty) return;
      delete parent[name];
      if (Object.keys(parent).length > 0) return;
      path = path.slice(0, -1);
    } else {
      return; // an item left without fields stays: its own `.` decides
    }
    first = false;
  }
}

function fieldsV1(fields: Set<string>): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const field of fields) {
    let node = root;
    for (const element of JSON.parse(field) as string[]) node = node[element] ??= {};
  }
  return root;
}

/** managedFields entries are unique per manager, operation and subresource. */
function ownerKey(owner: Pick<Owner, 'manager' | 'operation' | 'subresource'>): string {
  return `${owner.manager}|${owner.operation}|${owner.subresource ?? ''}`;
}

function sameOwnership(a: Map<string, Owner>, b: Map<string, Owner>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, owner] of a) {
    const other = b.get(key);
    if (
      !other ||
      other.operation !== owner.operation ||
      !isDeepStrictEqual([...owner.fields].sort(), [...other.fields].sort())
    )
      return false;
  }
  return true;
}

function cloneOwners(owners: Map<string, Owner>): Map<string, Owner> {
  return new Map([...owners].map(([m, o]) => [m, { ...o, fields: new Set(o.fields) }]));
}

function stripVolatile(obj: KubeObject): unknown {
  const { metadata, ...rest } = obj;
  const meta = { ...metadata } as Record<string, unknown>;
  for (const key of ['resourceVersion', 'generation', 'managedFields']) delete meta[key];
  return { ...rest, metadata: meta };
}

function withoutMetaAndStatus(obj: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** One field error of a 422, as the server's `field.Error` renders it. */
interface FieldError {
  readonly field: string;
  readonly reason: 'FieldValueInvalid' | 'FieldValueForbidden';
  /** The error without the field, e.g. `Invalid value: "x": field is immutable`. */
  readonly detail: string;
}

/** The 422 `Invalid` answer for field errors, message and causes as kube-apiserver writes them. */
function invalidAnswer(type: ResourceType, name: string, errors: readonly FieldError[]): Answer {
  const kind = type.group ? `${type.kind}.${type.group}` : type.kind;
  const each = errors.map((e) => `${e.field}: ${e.detail}`);
  const message = `${kind} "${name}" is invalid: ${each.length === 1 ? each[0] : `[${each.join(', ')}]`}`;
  const causes = errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field }));
  return { status: 422, body: status(422, 'Invalid', message, { name, group: type.group, kind: type.kind, causes }) };
}

function finalizersOf(obj: KubeObject): unknown[] {
  const finalizers = obj.metadata.finalizers;
  return Array.isArray(finalizers) ? finalizers : [];
}

const KUBE_VERBS: Record<string, string> = {
  GET: 'get',
  PATCH: 'patch',
  DELETE: 'delete',
  POST: 'create',
  PUT: 'update',
};

/** The RBAC authorizer's 403, or undefined when `grant` (none: everything) allows the request. */
function forbidden(
  grant: Grant | undefined,
  verb: string,
  type: ResourceType,
  namespace: string | undefined,
  name: string | undefined,
  resource = type.resource,
): Answer | undefined {
  if (!grant) return undefined;
  if (
    type.namespaced && namespace !== undefined
      ? grant.namespaces.includes(namespace)
      : type.namespaced
        ? grant.listAllNamespaces
        : grant.clusterScoped
  )
    return undefined;
  const where = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const message = `${qualifiedResource(type)}${name !== undefined ? ` "${name}"` : ''} is forbidden: User "${grant.user}" cannot ${verb} resource "${resource}" in API group "${type.group}" ${where}`;
  return {
    status: 403,
    body: status(403, 'Forbidden', message, {
      ...(name !== undefined ? { name } : {}),
      group: type.group,
      kind: type.resource,
    }),
  };
}

/** The 403 of the NamespaceLifecycle admission plugin: no new objects in a Terminating namespace. */
function terminatingNamespace(type: ResourceType, name: string, namespace: string): Answer {
  const message = `${qualifiedResource(type)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`;
  const causes = [
    {
      reason: 'NamespaceTerminating',
      message: `namespace ${namespace} is being terminated`,
      field: 'metadata.namespace',
    },
  ];
  return {
    status: 403,
    body: status(403, 'Forbidden', message, { name, group: type.group, kind: type.resource, causes }),
  };
}

/** The 409 `Conflict` of a failed precondition or optimistic lock. */
function conflict(type: ResourceType, name: string, why: string): Answer {
  return {
    status: 409,
    body: status(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`, {
      name,
      group: type.group,
      kind: type.resource,
    }),
  };
}

function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

/** Go's `%#v` of a label selector, as the validation messages print it. */
function goSelector(selector: any): string {
  const labels = Object.entries(selector?.matchLabels ?? {})
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(', ');
  const expressions = selector?.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${JSON.stringify(selector.matchExpressions)}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:map[string]string{${labels}}, MatchExpressions:${expressions}}`;
}

const immutable = (field: string, value: string): FieldError => ({
  field,
  reason: 'FieldValueInvalid',
  detail: `Invalid value: ${value}: field is immutable`,
});

/** The fields StatefulSet validation lets an update change; any other spec change is forbidden. */
const STATEFULSET_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

/** The update validation of kube-apiserver v1.33 for the fields that cannot change once set. */
function immutableFieldErrors(old: KubeObject, next: KubeObject): FieldError[] {
  const before = (old.spec ?? {}) as Record<string, any>;
  const after = (next.spec ?? {}) as Record<string, any>;
  const errors: FieldError[] = [];
  switch (next.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
      if (!isDeepStrictEqual(before.selector, after.selector))
        errors.push(immutable('spec.selector', goSelector(after.selector)));
      break;
    case 'StatefulSet': {
      const rest = (spec: Record<string, any>) =>
        Object.fromEntries(Object.entries(spec).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
      if (!isDeepStrictEqual(rest(before), rest(after))) {
        errors.push({
          field: 'spec',
          reason: 'FieldValueForbidden',
          detail: `Forbidden: updates to statefulset spec for fields other than ${STATEFULSET_MUTABLE.slice(0, -1)
            .map((f) => `'${f}'`)
            .join(', ')} and '${STATEFULSET_MUTABLE[STATEFULSET_MUTABLE.length - 1]}' are forbidden`,
        });
      }
      break;
    }
    case 'Job':
      if (!isDeepStrictEqual(before.selector, after.selector))
        errors.push(immutable('spec.selector', goSelector(after.selector)));
      if (!isDeepStrictEqual(before.template, after.template))
        errors.push(immutable('spec.template', `core.PodTemplateSpec${JSON.stringify(after.template ?? {})}`));
      break;
    case 'Service':
      if (
        before.type !== 'ExternalName' &&
        after.type !== 'ExternalName' &&
        before.clusterIP &&
        after.clusterIP !== before.clusterIP
      ) {
        errors.push({
          field: 'spec.clusterIPs[0]',
          reason: 'FieldValueInvalid',
          detail: `Invalid value: []string{${JSON.stringify(after.clusterIP ?? '')}}: may not change once set`,
        });
      }
      break;
  }
  return errors;
}

/**
 * What the Service registry does to a type change before validation: to ExternalName it drops the
 * allocated cluster IPs, from ExternalName it allocates them, so only an explicit clusterIP change fails.
 */
function adjustServiceOnUpdate(old: KubeObject, next: KubeObject): void {
  if (next.kind !== 'Service') return;
  const before = (old.spec ?? {}) as Record<string, any>;
  const after = (next.spec ?? {}) as Record<string, any>;
  if (after.type === 'ExternalName' && before.type !== 'ExternalName' && after.clusterIP === before.clusterIP) {
    delete after.clusterIP;
    delete after.clusterIPs;
  } else if (before.type === 'ExternalName' && after.type !== 'ExternalName') {
    applyDefaults(next);
  }
}

/** A manager as structured-merge-diff's conflict messages print it (`printManager`). */
function printManager(owner: Owner): string {
  const name = `"${owner.manager}"${owner.subresource ? ` with subresource "${owner.subresource}"` : ''}`;
  return `${name} using ${owner.apiVersion}${owner.operation === 'Update' ? ` at ${owner.time}` : ''}`;
}

/** The 409 of a failed apply, worded as kube-apiserver's `NewConflictError`. */
function conflictStatus(conflicts: Array<{ field: string; owner: Owner }>) {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.owner)}`,
    field: dotted(c.field),
  }));
  let detail: string;
  if (conflicts.length === 1) {
    detail = `${causes[0].message}: ${causes[0].field}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts)
      byManager.set(printManager(c.owner), [...(byManager.get(printManager(c.owner)) ?? []), dotted(c.field)]);
    detail = [...byManager]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([manager, fields]) => [`conflicts with ${manager}:`, ...fields.map((f) => `- ${f}`)])
      .join('\n');
  }
  const plural = conflicts.length === 1 ? '' : 's';
  return status(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${plural}: ${detail}`, { causes });
}

/** A path as conflict messages print it: `.spec.template.spec.containers[name="web"].image`. */
function dotted(field: string): string {
  return (JSON.parse(field) as string[])
    .map((element) => {
      if (element.startsWith('f:')) return `.${element.slice(2)}`;
      if (element === '.') return '';
      const key = JSON.parse(element.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

// ---- label selectors ----

/** Parses a label selector (equality- and set-based) into a predicate. */
function parseSelector(selector: string): (labels: Record<string, string>) => boolean {
  const terms = selector
    .split(/,(?![^(]*\))/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((term) => {
      let m: RegExpMatchArray | null;
      if ((m = term.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
        const values = new Set(m[3].split(',').map((v) => v.trim()));
        const [, key, op] = m;
        return (l: Record<string, string>) =>
          op === 'in' ? key in l && values.has(l[key]) : !(key in l) || !values.has(l[key]);
      }
      if ((m = term.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/))) {
        const [, key, op, value] = m;
        return (l: Record<string, string>) => (op === '!=' ? l[key] !== value : l[key] === value);
      }
      if ((m = term.match(/^!([\w./-]+)$/))) {
        const key = m[1];
        return (l: Record<string, string>) => !(key in l);
      }
      if ((m = term.match(/^([\w./-]+)$/))) {
        const key = m[1];
        return (l: Record<string, string>) => key in l;
      }
      throw new Error(`"${term}"`);
    });
  return (labels) => terms.every((term) => term(labels));
}

// ---- answers ----

function status(code: number, reason?: string, message?: string, details?: Record<string, unknown>, state = 'Failure') {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: state,
    ...(message !== undefined ? { message } : {}),
    ...(reason ? { reason } : {}),
    ...(details ? { details } : {}),
    code,
  };
}

function failureStatus(code: number, message: string | undefined, req: RecordedRequest) {
  const target = req.path.split('/').slice(-2).join(' ');
  switch (code) {
    case 429:
      return status(429, 'TooManyRequests', message ?? 'Too many requests, please try again later.', {
        retryAfterSeconds: 1,
      });
    case 403:
      return status(
        403,
        'Forbidden',
        message ??
          `${target} is forbidden: User "system:serviceaccount:default:tester" cannot ${req.method.toLowerCase()} this resource`,
      );
    case 422:
      return status(422, 'Invalid', message ?? `${target} is invalid: spec: Invalid value: "x": injected`, {
        causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "x": injected', field: 'spec' }],
      });
    case 503:
      return status(503, 'ServiceUnavailable', message ?? 'the server is currently unable to handle the request');
    default:
      return status(
        code,
        code >= 500 ? 'InternalError' : 'BadRequest',
        message ?? 'Internal error occurred: etcdserver: request timed out',
      );
  }
}

function matchesFailure(f: InjectedFailure, req: RecordedRequest): boolean {
  if (f.method && f.method !== req.method) return false;
  if (f.path === undefined) return true;
  return typeof f.path === 'string' ? req.path.includes(f.path) : f.path.test(req.path);
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function notFound(type: ResourceType, name: string): Answer {
  const resource = type.group ? `${type.resource}.${type.group}` : type.resource;
  return {
    status: 404,
    body: status(404, 'NotFound', `${resource} "${name}" not found`, { name, group: type.group, kind: type.resource }),
  };
}

function notFoundPath(): Answer {
  return { status: 404, body: status(404, 'NotFound', 'the server could not find the requested resource', {}) };
}

function methodNotAllowed(): Answer {
  return {
    status: 405,
    body: status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  };
}

function badRequest(message: string): Answer {
  return { status: 400, body: status(400, 'BadRequest', message) };
}

function send(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function tryJson(text: string): KubeObject | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The Kubernetes verb of a request, as an audit log would name it. */
function verbOf(req: RecordedRequest): string {
  const parts = req.path.split('/').filter(Boolean);
  const rest = parts.slice(parts[0] === 'api' ? 2 : 3);
  if (req.method === 'GET' && rest.length === 0) return 'discovery';
  const dry = req.query.dryRun ? '(dryRun)' : '';
  switch (req.method) {
    case 'GET': {
      const named = rest[0] === 'namespaces' ? rest.length >= 4 || rest.length === 2 : rest.length >= 2;
      return named ? 'get' : 'list';
    }
    case 'POST':
      return `create${dry}`;
    case 'PUT':
      return `update${dry}`;
    case 'PATCH':
      return `patch${dry}`;
    case 'DELETE':
      return `delete${dry}`;
    default:
      return req.method.toLowerCase();
  }
}

// ---- TLS ----

let processCertificates: FakeCertificates | undefined;

/** A private key made by Node's crypto (native, fast), for node-forge to sign with. */
function rsaKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return forge.pki.privateKeyFromPem(privateKey);
}

function certificate(
  subject: forge.pki.CertificateField[],
  key: forge.pki.rsa.PrivateKey,
  issuer: { cert?: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer.cert ? issuer.cert.subject.attributes : subject);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

/** A CA, a server certificate for 127.0.0.1 and localhost, and an admin client certificate. */
function makeCertificates(): FakeCertificates {
  const caKey = rsaKey();
  const caCert = certificate([{ name: 'commonName', value: 'fake-apiserver-ca' }], caKey, { key: caKey }, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
  ]);
  const serverKey = rsaKey();
  const serverCert = certificate(
    [{ name: 'commonName', value: 'kube-apiserver' }],
    serverKey,
    { cert: caCert, key: caKey },
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  );
  const clientKey = rsaKey();
  const clientCert = certificate(
    [
      { name: 'commonName', value: 'admin' },
      { name: 'organizationName', value: 'system:masters' },
    ],
    clientKey,
    { cert: caCert, key: caKey },
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  );
  const pem = forge.pki.certificateToPem;
  return {
    ca: pem(caCert),
    serverCert: pem(serverCert),
    serverKey: forge.pki.privateKeyToPem(serverKey),
    clientCert: pem(clientCert),
    clientKey: forge.pki.privateKeyToPem(clientKey),
  };
}
