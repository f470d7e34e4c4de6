import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApplyEngine, EngineEvent, EngineOptions } from '../../src/apply/engine';
import { ClusterClient, createKubeClient } from '../../src/apply/http-kube-client';
import { SourceDocument } from '../../src/manifest';
import { KubeObject } from '../../src/manifest';
import { FakeApiServer, FakeApiServerOptions } from './fake-apiserver';

/** A fake API server, a kubeconfig for it in a temp dir, and the real client-node client on top. */
export interface FakeCluster {
  readonly server: FakeApiServer;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly client: ClusterClient;
  readonly events: EngineEvent[];
  /** An engine on the real client, with fast polling; events are collected in {@link events}. */
  engine(options?: Partial<EngineOptions>): ApplyEngine;
  close(): Promise<void>;
}

/** Retries without real waiting, so failure tests stay fast. */
export const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 5 };

export async function startFakeCluster(options: FakeApiServerOptions = {}): Promise<FakeCluster> {
  const server = await FakeApiServer.start(options);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workshop-stacks-'));
  const kubeconfig = server.writeKubeconfig(dir);
  const client = await createKubeClient({ kubeconfig, retry: FAST_RETRY });
  const events: EngineEvent[] = [];
  return {
    server,
    dir,
    kubeconfig,
    client,
    events,
    engine: (options = {}) =>
      new ApplyEngine({ client, pollIntervalMs: 10, onEvent: (e) => events.push(e), ...options }),
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers hooks that give each test a fresh fake cluster, with the `default` namespace and no
 * request recorded yet; `use` receives it.
 */
export function useFakeCluster(use: (cluster: FakeCluster) => void): void {
  let current: FakeCluster;
  beforeEach(async () => {
    current = await startFakeCluster();
    current.server.seed(namespace('default'));
    current.server.clearRequests();
    use(current);
  });
  afterEach(() => current.close());
}

/** Documents of one pretend file, in order. */
export function docs(source: string, ...objects: KubeObject[]): SourceDocument[] {
  return objects.map((value, index) => ({ source, index, value }));
}

export const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

export const configMap = (name: string, ns: string, data: Record<string, string> = { key: 'value' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

export const service = (name: string, ns: string, type = 'ClusterIP'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { type, selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});

export const deployment = (name: string, ns: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name,
            image: `example/${name}:v1`,
            ports: [{ name: 'http', containerPort: 8080 }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' } },
            livenessProbe: { httpGet: { path: '/', port: 'http' } },
          },
        ],
      },
    },
  },
});

/** The status a Deployment controller writes once every replica is up. */
export function readyDeploymentStatus(obj: KubeObject): Record<string, unknown> {
  const replicas = (obj.spec as any).replicas ?? 1;
  return {
    observedGeneration: obj.metadata.generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      { type: 'Available', status: 'True' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  };
}
