import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type {
  HttpLibrary, HttpMethod, KubeConfig, ServerConfiguration,
} from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { KubeObject } from '../manifest';
import {
  DeleteObjectOptions, KubeApiError, KubeClient, KubeStatus, ListOptions, ObjectRef, ResourceInfo,
  ServerSideApplyOptions, ServiceAccountToken, TokenRequestOptions, groupOf,
} from './client';
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

/** The real {@link KubeClient}: `@kubernetes/client-node`'s kubeconfig, authentication and HTTP stack. */
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
  // @kubernetes/client-node 1.x is ESM-only; a dynamic import stays an import() in our CommonJS output.
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (options.kubeconfig) {
    kc.loadFromFile(options.kubeconfig);
  } else if (process.env.KUBECONFIG || fs.existsSync(path.join(os.homedir(), '.kube', 'config')) || fs.existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromDefault();
  } else {
    // client-node would fall back to http://localhost:8080; kubectl refuses instead, and so do we.
    throw new Error('no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config');
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new Error(`context "${options.context}" not found in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) throw new Error('the kubeconfig has no current context: pass --context');
  return new RestKubeClient(kc, new k8s.ServerConfiguration(cluster.server, {}), new k8s.IsomorphicFetchHttpLibrary(), {
    context, server: cluster.server, contextNamespace: kc.getContextObject(context)?.namespace,
    applyContentType: k8s.PatchStrategy.ServerSideApply, ...options,
  });
}

interface RequestSpec {
  readonly query?: Record<string, string | undefined>;
  readonly body?: string;
  readonly contentType?: string;
}

const PAGE_SIZE = '500';

class RestKubeClient implements ClusterClient {
  readonly context: string;
  readonly server: string;
  readonly contextNamespace?: string;
  private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();
  private groups?: Promise<Map<string, string>>;

  constructor(
    private readonly kc: KubeConfig,
    private readonly baseServer: ServerConfiguration<{}>,
    private readonly http: HttpLibrary,
    private readonly options: KubeClientOptions & { context: string; server: string; contextNamespace?: string; applyContentType: string },
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
      this.groups = this.request<{ groups?: Array<{ name: string; preferredVersion?: { groupVersion: string } }> }>('GET', '/apis')
        .then((list) => new Map((list.groups ?? []).flatMap((g) => (g.preferredVersion ? [[g.name, g.preferredVersion.groupVersion] as [string, string]] : []))));
      this.groups.catch(() => { this.groups = undefined; });
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
    const items: KubeObject[] = [];
    let next: string | undefined;
    do {
      const page = await this.request<{ items?: KubeObject[]; metadata?: { continue?: string } }>('GET', base, {
        query: { labelSelector: options.labelSelector, limit: PAGE_SIZE, continue: next },
      });
      // The API server leaves apiVersion and kind out of list items of built-in kinds.
      items.push(...(page.items ?? []).map((item) => ({ ...item, apiVersion, kind })));
      next = page.metadata?.continue || undefined;
    } while (next);
    return items;
  }

  async apply(obj: KubeObject, options: ServerSideApplyOptions): Promise<KubeObject> {
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '', namespace: obj.metadata.namespace };
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
      certificateAuthorityData: cluster.caData ?? (cluster.caFile ? fs.readFileSync(cluster.caFile).toString('base64') : undefined),
      insecureSkipTlsVerify: cluster.skipTLSVerify || undefined,
      tlsServerName: cluster.tlsServerName,
      proxyUrl: cluster.proxyUrl,
    };
  }

  async requestToken(account: { namespace: string; name: string }, options: TokenRequestOptions): Promise<ServiceAccountToken> {
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
        query: { propagationPolicy: options.propagationPolicy ?? 'Background', dryRun: options.dryRun ? 'All' : undefined },
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
      const list = await this.request<{ resources?: Array<{ name: string; kind: string; namespaced: boolean }> }>('GET', apiRoot(apiVersion));
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

  private request<T = KubeObject>(method: `${HttpMethod}`, urlPath: string, spec: RequestSpec = {}): Promise<T> {
    return withRetry(() => this.send<T>(method, urlPath, spec), this.options.retry);
  }

  private async send<T>(method: `${HttpMethod}`, urlPath: string, spec: RequestSpec): Promise<T> {
    const ctx = this.baseServer.makeRequestContext(urlPath, method as HttpMethod);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(key, value);
    }
    ctx.setHeaderParam('Accept', 'application/json');
    if (spec.body !== undefined) {
      ctx.setHeaderParam('Content-Type', spec.contentType ?? 'application/json');
      ctx.setBody(spec.body);
    }
    await this.kc.applySecurityAuthentication(ctx);
    ctx.setSignal(AbortSignal.timeout(this.options.requestTimeoutMs ?? 60_000));
    const response = await this.http.send(ctx).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode >= 400) {
      const retryAfter = Number(response.headers['retry-after']);
      throw new KubeApiError(response.httpStatusCode, parseStatus(text), `${method} ${urlPath}`,
        Number.isFinite(retryAfter) && response.headers['retry-after'] !== undefined ? retryAfter : undefined);
    }
    return JSON.parse(text) as T;
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
