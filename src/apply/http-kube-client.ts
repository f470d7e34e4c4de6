import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import type { KubeConfig } from './client-node';
import { KubeObject, ObjectRef, groupOf } from '../manifest';
import {
  ConnectionError,
  DeleteObjectOptions,
  KubeApiError,
  KubeClient,
  KubeStatus,
  ListOptions,
  ResourceInfo,
  ServerSideApplyOptions,
  ServiceAccountToken,
  TokenRequestOptions,
} from './kube-api';
import { Deadline, DeadlineExceededError } from './deadline';
import { RetryOptions, withRetry } from './retry';

/** How to reach the cluster, as kubectl takes it. */
export interface KubeClientOptions {
  /**
   * Path of the kubeconfig file.
   * @default `KUBECONFIG` (a list of files, merged), else `~/.kube/config`, else the in-cluster service account
   */
  readonly kubeconfig?: string;
  /**
   * Context of the kubeconfig to use.
   * @default the kubeconfig's `current-context`
   */
  readonly context?: string;
  /** How failed requests are retried. */
  readonly retry?: RetryOptions;
  /**
   * Time after which one request is abandoned (and retried).
   * @default 60000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Time to wait for a connection to the API server to come up; a request that did not get one may
   * be sent again, even a POST.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Connections to the API server at most, kept open and reused for the whole run; requests beyond
   * wait for a free one. Set it to the number of requests the caller keeps in flight.
   * @default 16
   */
  readonly maxConnections?: number;
}

/** How the kubeconfig's cluster is reached: what a kubeconfig for someone else needs, credentials aside. */
export interface ClusterAccess {
  /** The cluster's name in the kubeconfig. */
  readonly name: string;
  /** URL of the API server. */
  readonly server: string;
  /** The CA bundle, base64 as in `certificate-authority-data` (read from the file `certificate-authority` names). */
  readonly certificateAuthorityData?: string;
  readonly insecureSkipTlsVerify?: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
}

/**
 * The real {@link KubeClient}: `@kubernetes/client-node`'s kubeconfig and authentication, requests over
 * one pool of keep-alive connections (see {@link Transport}).
 */
export interface ClusterClient extends KubeClient {
  /** Name of the kubeconfig context in use. */
  readonly context: string;
  /** URL of the API server. */
  readonly server: string;
  /** The context's namespace, if it sets one. */
  readonly contextNamespace?: string;
  /** The context's cluster: server, CA and TLS settings (reads the CA file, if the kubeconfig names one). */
  clusterAccess(): ClusterAccess;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Connects to the cluster of a kubeconfig, as kubectl does: `--kubeconfig`, else `KUBECONFIG`, else
 * `~/.kube/config`, else the in-cluster service account; `--context` picks the context.
 */
export async function createKubeClient(options: KubeClientOptions = {}): Promise<ClusterClient> {
  // Loaded on the first client, not with the module: commands and library users that never reach a
  // cluster do not pay for client-node (see client-node.ts).
  const { KubeConfig, PatchStrategy } = require('./client-node') as typeof import('./client-node');
  const kc = new KubeConfig();
  const home = path.join(os.homedir(), '.kube', 'config');
  const loadOne = (file: string) => new KubeConfig().loadFromFile(file);
  if (options.kubeconfig) {
    loadNamingFile(() => kc.loadFromFile(options.kubeconfig!), [options.kubeconfig], loadOne);
  } else if (process.env.KUBECONFIG || fs.existsSync(home) || fs.existsSync(SERVICE_ACCOUNT_TOKEN)) {
    const files = process.env.KUBECONFIG ? process.env.KUBECONFIG.split(path.delimiter).filter(Boolean) : [home];
    loadNamingFile(() => kc.loadFromDefault(), files, loadOne);
  } else {
    // client-node would fall back to http://localhost:8080; kubectl refuses instead, and so do we.
    throw new Error('no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config');
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new Error(
        `context "${options.context}" not found in the kubeconfig (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) throw new Error('the kubeconfig has no current context: pass --context');
  return new RestKubeClient(
    kc,
    new Transport(kc, options.maxConnections ?? 16, {
      request: options.requestTimeoutMs ?? 60_000,
      connect: options.connectTimeoutMs ?? 10_000,
    }),
    {
      context,
      server: cluster.server,
      contextNamespace: kc.getContextObject(context)?.namespace,
      applyContentType: PatchStrategy.ServerSideApply,
      ...options,
    },
  );
}

/**
 * Loads a kubeconfig; an error names the file it is about (client-node's YAML and shape errors do not),
 * found by loading `files` one at a time. Only the error's first line is kept: the YAML parser quotes
 * the lines around a mistake, and a kubeconfig's lines hold tokens and keys.
 */
function loadNamingFile(load: () => void, files: readonly string[], loadOne: (file: string) => void): void {
  try {
    load();
  } catch (error) {
    const firstLine = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0].trim();
    const culprit = files.find((file) => {
      try {
        loadOne(file);
        return false;
      } catch {
        return true;
      }
    });
    const where = culprit ?? files.join(path.delimiter);
    // client-node reads the YAML's shape without checking it: an empty file or a list fails on a property.
    const message =
      error instanceof TypeError
        ? 'not a kubeconfig: expected a mapping with lists of clusters, users and contexts'
        : firstLine(error);
    throw new Error(message.includes(where) ? message : `kubeconfig ${where}: ${message}`, { cause: error });
  }
}

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RequestSpec {
  readonly query?: Record<string, string | undefined>;
  readonly body?: string;
  readonly contentType?: string;
}

// Items per LIST page: the API server answers a page at a time; kubectl asks for 500 too.
const PAGE_SIZE = '500';

interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** The credential plugin of a kubeconfig user, as messages name it: `exec plugin "aws"`, `auth provider "oidc"`. */
function pluginOf(user: ReturnType<KubeConfig['getCurrentUser']>): string | undefined {
  if (user?.exec) return `exec plugin "${(user.exec as { command?: string }).command ?? ''}"`;
  if (user?.authProvider) return `auth provider "${(user.authProvider as { name?: string }).name ?? ''}"`;
  return undefined;
}

/** One request as {@link Transport} sends it. */
interface Outgoing {
  readonly method: HttpMethod;
  readonly urlPath: string;
  readonly query: URLSearchParams;
  readonly body?: string;
  readonly contentType?: string;
}

/** What client-node resolved from the kubeconfig (headers, auth, TLS material) and the agent for it. */
interface Credentials {
  readonly resolved: https.RequestOptions;
  readonly agent: http.Agent;
}

// The TLS material of a connection, as client-node resolves it from the kubeconfig (and exec plugins).
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

// How long an exec plugin's credential is kept before client-node is asked again: it keeps one whose
// expiry is still ahead (no new run), so that one whose expiry has come is renewed in time, client
// certificates included, which a server refuses with 403 as well as 401.
const EXEC_CREDENTIAL_KEPT_MS = 5 * 60_000;

/**
 * Sends requests over one pool of keep-alive connections for the whole run. client-node's own request
 * path (`applySecurityAuthentication`) builds a new agent for every request, so no connection is ever
 * reused and each request pays a TLS handshake. Static credentials (a token, basic auth, a client
 * certificate and CA, as data or files) are resolved once, headers and agent. An exec plugin's are kept
 * too, as client-go keeps them (client-node would run the plugin again for every request whose credential
 * carries no expiry), for a few minutes; a 401 answer has them asked for again at once, and the request
 * sent again. A user with an auth provider (OIDC, the in-cluster token file), which refreshes as its
 * tokens expire, has client-node resolve them for every request (`applyToHTTPSOptions`). The agent is
 * only replaced when the TLS material itself changes.
 */
class Transport {
  private agent?: http.Agent;
  private fixed?: Promise<Credentials>;
  /** When {@link fixed} was asked for: an exec plugin's is asked for again after a while. */
  private fixedAt = 0;
  private tls?: Partial<https.RequestOptions>;
  private readonly server: URL;

  constructor(
    private readonly kc: KubeConfig,
    private readonly maxConnections: number,
    private readonly timeoutMs: { request: number; connect: number },
  ) {
    this.server = new URL(kc.getCurrentCluster()!.server);
  }

  async send(
    method: HttpMethod,
    urlPath: string,
    query: URLSearchParams,
    body?: string,
    contentType?: string,
  ): Promise<HttpAnswer> {
    const outgoing = { method, urlPath, query, body, contentType };
    const credentials = this.credentials(`${method} ${urlPath}`);
    const answer = await this.sendWith(await credentials, outgoing);
    if (answer.status !== 401 || !this.kc.getCurrentUser()?.exec) return answer;
    // The plugin's credential expired or was revoked: new ones, unless another request asked already.
    if (this.fixed === credentials) this.fixed = undefined;
    return this.sendWith(await this.credentials(`${method} ${urlPath}`), outgoing);
  }

  private sendWith(
    { resolved, agent }: Credentials,
    { method, urlPath, query, body, contentType }: Outgoing,
  ): Promise<HttpAnswer> {
    const headers: http.OutgoingHttpHeaders = {
      ...(resolved.headers as http.OutgoingHttpHeaders),
      Accept: 'application/json',
    };
    if (body !== undefined)
      Object.assign(headers, {
        'Content-Type': contentType ?? 'application/json',
        'Content-Length': Buffer.byteLength(body),
      });
    const search = query.toString();
    return this.exchange(
      {
        protocol: this.server.protocol,
        hostname: this.server.hostname.replace(/^\[(.*)\]$/, '$1'), // an IPv6 address without its brackets
        port: this.server.port,
        // A server URL may carry a path prefix (a proxy in front of the API server).
        path: `${this.server.pathname.replace(/\/$/, '')}${urlPath}${search ? `?${search}` : ''}`,
        method,
        headers,
        auth: resolved.auth,
        agent,
      },
      body,
      `${method} ${urlPath}`,
    );
  }

  /** The credentials of `request`: resolved once, but for a user with an auth provider (each time). */
  private credentials(request: string): Promise<Credentials> {
    const user = this.kc.getCurrentUser();
    const plugin = pluginOf(user);
    if (user?.authProvider) return this.resolve(request, plugin);
    if (user?.exec && Date.now() - this.fixedAt > EXEC_CREDENTIAL_KEPT_MS) this.fixed = undefined;
    if (this.fixed) return this.fixed;
    this.fixedAt = Date.now();
    // A failure (a file not there yet, a plugin that failed) is not kept: the next attempt asks again.
    const resolving: Promise<Credentials> = this.resolve(request, plugin).catch((error) => {
      if (this.fixed === resolving) this.fixed = undefined;
      throw error;
    });
    this.fixed = resolving;
    return resolving;
  }

  private async resolve(request: string, plugin?: string): Promise<Credentials> {
    const resolved: https.RequestOptions = {};
    const applying = this.kc.applyToHTTPSOptions(resolved);
    const deadline = Deadline.current();
    await (plugin && deadline ? deadline.credentials(plugin, request, applying) : applying);
    return { resolved, agent: this.agentFor(resolved) };
  }

  private agentFor(resolved: https.RequestOptions): http.Agent {
    const tls = Object.fromEntries(TLS_OPTIONS.filter((k) => resolved[k] !== undefined).map((k) => [k, resolved[k]]));
    if (this.agent && isDeepStrictEqual(tls, this.tls)) return this.agent;
    // First request, or an exec plugin rotated the client certificate: new connections must present it.
    // Connections of the old agent finish their requests; idle ones do not keep the process alive.
    const pool = { keepAlive: true, maxSockets: this.maxConnections, maxFreeSockets: this.maxConnections };
    this.agent = this.kc.getCurrentCluster()?.proxyUrl
      ? // client-node's proxy agents (HTTP CONNECT, SOCKS): kept for the run, though not keep-alive.
        (resolved.agent as http.Agent)
      : this.server.protocol === 'http:'
        ? new http.Agent(pool)
        : new https.Agent({ ...tls, ...pool });
    this.tls = tls;
    return this.agent;
  }

  /**
   * One request and its whole answer; failures below HTTP become a {@link ConnectionError}. Inside a
   * command's {@link Deadline} the request ends at the deadline at the latest (its signal aborts it),
   * and every answer tells the deadline that the server is there.
   */
  private exchange(options: https.RequestOptions, body: string | undefined, request: string): Promise<HttpAnswer> {
    const deadline = Deadline.current();
    return new Promise((resolve, reject) => {
      // Whether the connection came up: until then not a byte of the request has left this process.
      let connected = false;
      const fail = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          error instanceof ConnectionError
            ? error
            : deadline?.expired
              ? new DeadlineExceededError(request, connected, { cause: error })
              : new ConnectionError(`${request}: ${error.message}`, error.code, connected, { cause: error }),
        );
      };
      const req = (options.protocol === 'http:' ? http : https).request(
        { ...options, signal: deadline?.signal },
        (res) => {
          deadline?.heard();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
          // The connection dropped in the middle of the answer.
          res.on('close', () => {
            if (!res.complete)
              fail(Object.assign(new Error('connection lost while reading the answer'), { code: 'ECONNRESET' }));
          });
        },
      );
      const timeout = (message: string) => () => req.destroy(Object.assign(new Error(message), { code: 'ETIMEDOUT' }));
      req.on('socket', (socket) => {
        if (!socket.connecting) {
          connected = true; // a kept-alive connection
          return;
        }
        const connecting = setTimeout(
          timeout(`no connection within ${this.timeoutMs.connect} ms`),
          this.timeoutMs.connect,
        );
        socket.once('connect', () => {
          connected = true;
          clearTimeout(connecting);
        });
        socket.once('close', () => clearTimeout(connecting));
      });
      req.on('error', fail);
      const timer = setTimeout(timeout(`no answer within ${this.timeoutMs.request} ms`), this.timeoutMs.request);
      req.end(body);
    });
  }
}

class RestKubeClient implements ClusterClient {
  readonly context: string;
  readonly server: string;
  readonly contextNamespace?: string;
  private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();
  private groups?: Promise<Map<string, string>>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly transport: Transport,
    private readonly options: KubeClientOptions & {
      context: string;
      server: string;
      contextNamespace?: string;
      applyContentType: string;
    },
  ) {
    this.context = options.context;
    this.server = options.server;
    this.contextNamespace = options.contextNamespace;
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    let resources = this.discovery.get(apiVersion);
    if (!resources) {
      resources = this.discover(apiVersion);
      this.discovery.set(apiVersion, resources);
      // A failed discovery must not stick: the next caller asks again.
      resources.catch(() => this.discovery.delete(apiVersion));
    }
    return (await resources).find((r) => r.kind === kind);
  }

  async resourceForGroupKind(group: string, kind: string): Promise<ResourceInfo | undefined> {
    if (group === '') return this.resourceFor('v1', kind);
    if (!this.groups) {
      this.groups = this.request<{ groups?: Array<{ name: string; preferredVersion?: { groupVersion: string } }> }>(
        'GET',
        '/apis',
      ).then(
        (list) =>
          new Map(
            (list.groups ?? []).flatMap((g) =>
              g.preferredVersion ? [[g.name, g.preferredVersion.groupVersion] as [string, string]] : [],
            ),
          ),
      );
      this.groups.catch(() => {
        this.groups = undefined;
      });
    }
    const groupVersion = (await this.groups).get(group);
    return groupVersion ? this.resourceFor(groupVersion, kind) : undefined;
  }

  invalidateDiscovery(): void {
    this.discovery.clear();
    this.groups = undefined;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return await this.request('GET', await this.objectPath(ref));
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const info = await this.requireResource(apiVersion, kind);
    const base = this.collectionPath(info, options.namespace);
    type Page = { items?: KubeObject[]; metadata?: { continue?: string } };
    // The API server leaves apiVersion and kind out of list items of built-in kinds.
    const itemsOf = (page: Page) => (page.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
    const items: KubeObject[] = [];
    let next: string | undefined;
    do {
      let page: Page;
      try {
        page = await this.request<Page>('GET', base, {
          query: { labelSelector: options.labelSelector, limit: PAGE_SIZE, continue: next },
        });
      } catch (error) {
        // A continue token expires (410 Gone) when the pages take longer than the server keeps their
        // revision: list again in one piece, as client-go's pager does.
        if (!(next && error instanceof KubeApiError && error.code === 410)) throw error;
        return itemsOf(await this.request<Page>('GET', base, { query: { labelSelector: options.labelSelector } }));
      }
      items.push(...itemsOf(page));
      next = page.metadata?.continue || undefined;
    } while (next);
    return items;
  }

  async apply(obj: KubeObject, options: ServerSideApplyOptions): Promise<KubeObject> {
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name ?? '',
      namespace: obj.metadata.namespace,
    };
    return this.request('PATCH', await this.objectPath(ref), {
      query: {
        fieldManager: options.fieldManager,
        force: options.force ? 'true' : undefined,
        dryRun: options.dryRun ? 'All' : undefined,
      },
      // application/apply-patch+yaml; JSON is YAML, and it is what kubectl sends with this content type too.
      contentType: this.options.applyContentType,
      body: JSON.stringify(obj),
    });
  }

  clusterAccess(): ClusterAccess {
    const cluster = this.kc.getCurrentCluster()!;
    return {
      name: cluster.name,
      server: cluster.server,
      certificateAuthorityData:
        cluster.caData ?? (cluster.caFile ? fs.readFileSync(cluster.caFile).toString('base64') : undefined),
      insecureSkipTlsVerify: cluster.skipTLSVerify || undefined,
      tlsServerName: cluster.tlsServerName,
      proxyUrl: cluster.proxyUrl,
    };
  }

  async requestToken(
    account: { namespace: string; name: string },
    options: TokenRequestOptions,
  ): Promise<ServiceAccountToken> {
    const url = `/api/v1/namespaces/${encodeURIComponent(account.namespace)}/serviceaccounts/${encodeURIComponent(account.name)}/token`;
    const answer = await this.request<{ status?: Partial<ServiceAccountToken> }>('POST', url, {
      body: JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        // No audiences: the API server's own, so the token authenticates to it.
        spec: { expirationSeconds: options.expirationSeconds, audiences: options.audiences ?? [] },
      }),
    });
    const { token, expirationTimestamp } = answer.status ?? {};
    if (!token || !expirationTimestamp) throw new Error(`POST ${url}: the answer carries no token`);
    return { token, expirationTimestamp };
  }

  async delete(ref: ObjectRef, options: DeleteObjectOptions = {}): Promise<boolean> {
    try {
      await this.request('DELETE', await this.objectPath(ref), {
        query: {
          propagationPolicy: options.propagationPolicy ?? 'Background',
          dryRun: options.dryRun ? 'All' : undefined,
        },
      });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return false;
      throw error;
    }
  }

  private async discover(apiVersion: string): Promise<ResourceInfo[]> {
    const group = groupOf(apiVersion);
    const version = apiVersion.split('/').pop()!;
    try {
      const list = await this.request<{ resources?: Array<{ name: string; kind: string; namespaced: boolean }> }>(
        'GET',
        apiRoot(apiVersion),
      );
      return (list.resources ?? [])
        .filter((r) => !r.name.includes('/')) // subresources such as deployments/status
        .map((r) => ({ group, version, kind: r.kind, resource: r.name, namespaced: r.namespaced }));
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return [];
      throw error;
    }
  }

  private async requireResource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const info = await this.resourceFor(apiVersion, kind);
    if (!info) throw new Error(`the server does not serve ${apiVersion} ${kind}`);
    return info;
  }

  private collectionPath(info: ResourceInfo, namespace: string | undefined): string {
    const version = info.group ? `${info.group}/${info.version}` : info.version;
    const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${apiRoot(version)}${ns}/${info.resource}`;
  }

  private async objectPath(ref: ObjectRef): Promise<string> {
    const info = await this.requireResource(ref.apiVersion, ref.kind);
    if (info.namespaced && !ref.namespace) throw new Error(`${ref.kind} ${ref.name} needs a namespace`);
    return `${this.collectionPath(info, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  }

  private request<T = KubeObject>(method: HttpMethod, urlPath: string, spec: RequestSpec = {}): Promise<T> {
    // Every request this client sends is idempotent but the TokenRequest POST: a lost answer must not mint a second token.
    return withRetry(
      () => this.send<T>(method, urlPath, spec),
      this.options.retry,
      method !== 'POST',
      `${method} ${urlPath}`,
    );
  }

  private async send<T>(method: HttpMethod, urlPath: string, spec: RequestSpec): Promise<T> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) query.set(key, value);
    }
    const answer = await this.transport.send(method, urlPath, query, spec.body, spec.contentType);
    if (answer.status >= 400) {
      const retryAfter = answer.headers['retry-after'];
      throw new KubeApiError(
        answer.status,
        parseStatus(answer.body),
        `${method} ${urlPath}`,
        retryAfter !== undefined && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) : undefined,
      );
    }
    return JSON.parse(answer.body) as T;
  }
}

function apiRoot(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The `Status` of an error answer; proxies in front of the API server may answer plain text. */
function parseStatus(text: string): KubeStatus {
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as KubeStatus;
  } catch {
    // not JSON
  }
  return { message: text.trim().slice(0, 500) || undefined };
}
