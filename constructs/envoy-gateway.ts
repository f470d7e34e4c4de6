import { createHash } from 'crypto';
import { Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../src/manifest/labels';
import { ResourceSpec } from '../src/resources';
import { RunAs } from '../src/security';
import { StackContext } from '../src/stack-chart';
import { AppWorkload, NodePortSetting, nodePortFor } from '../src/workload';
import { ENVOY_ADMIN_PORT, ENVOY_LISTENER_PORT, GATEWAY_HEALTH_PATH, envoyConfigJson } from './envoy-config';
import { ResolvedRoute } from './gateway-route';

/** Pod template annotation with a hash of the generated Envoy configuration: a change of routes rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'workshop-stacks/config-hash';

const CONFIG_DIR = '/etc/envoy';
const CONFIG_FILE = 'envoy.json';
const LOCAL_NODE_PORT = 30080;
/** The admin request that fails Envoy's health check and starts draining its listeners. */
const HEALTHCHECK_FAIL =
  'POST /healthcheck/fail HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n';
/** Time Envoy needs to stop once its connections are drained. */
const SHUTDOWN_MARGIN = Duration.seconds(10);

/** What the Envoy data plane of an {@link ApiGateway} is made of (its props, resolved). */
export interface EnvoyGatewaySpec {
  /** Name of the Deployment, Service, ConfigMap (`<name>-envoy`) and PodDisruptionBudget. */
  readonly name: string;
  readonly image: string;
  readonly runAs: RunAs;
  readonly replicas: number;
  readonly concurrency: number;
  readonly resources: ResourceSpec;
  readonly nodePort?: NodePortSetting;
  readonly clusterDomain: string;
  /** How long a stopping pod keeps serving its open connections after it leaves the Service. */
  readonly drainTime: Duration;
  readonly labels: Record<string, string>;
  /** The routes, read at synth time: routes may be added after construction. */
  readonly routes: () => readonly ResolvedRoute[];
}

/**
 * Envoy with a static configuration generated from the routes and shipped in a ConfigMap: two replicas
 * behind a Service on port 80, spread across nodes, a PodDisruptionBudget, and rollouts that drop no
 * connection. On SIGTERM Envoy stops at once, so a preStop hook first fails Envoy's health check (the
 * readiness probe then takes the pod out of the Service, and Envoy starts draining), then waits for the
 * drain time; the termination grace period covers both.
 */
export class EnvoyGateway extends Construct {
  /** The Envoy Deployment and its Service. */
  readonly workload: AppWorkload;

  constructor(scope: Construct, id: string, ctx: StackContext, spec: EnvoyGatewaySpec) {
    super(scope, id);
    const configMapName = `${spec.name}-envoy`;
    const config = () => envoyConfigJson(spec.routes(), { clusterDomain: spec.clusterDomain });
    new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: configMapName, namespace: ctx.namespace, labels: spec.labels },
      data: { [CONFIG_FILE]: Lazy.any({ produce: config }) },
    });
    const selector = selectorLabels(ctx, spec.name);
    const external = ctx.settings.externalServiceType;
    const drainSeconds = spec.drainTime.toSeconds();
    this.workload = new AppWorkload(this, 'envoy', ctx, {
      name: spec.name,
      component: 'gateway',
      image: spec.image,
      runAs: spec.runAs,
      replicas: spec.replicas,
      // The image's entrypoint would only `exec` these arguments for a non-root user (its usermod,
      // chown and su-exec run as root only); calling Envoy directly also fits the distroless image.
      command: ['/usr/local/bin/envoy'],
      // No hot restart: it needs shared memory and a restart-in-place that a pod never does.
      args: [
        '--config-path',
        `${CONFIG_DIR}/${CONFIG_FILE}`,
        '--disable-hot-restart',
        '--concurrency',
        String(spec.concurrency),
        '--drain-time-s',
        String(drainSeconds),
      ],
      port: { name: 'http', containerPort: ENVOY_LISTENER_PORT },
      // Liveness on the port, readiness on the health check: failing it while draining must not restart Envoy.
      probe: { kind: 'tcp' },
      readinessPath: GATEWAY_HEALTH_PATH,
      // Envoy's own drain sequence: fail the health check on the admin interface (which also starts
      // draining the listeners), then keep serving open connections for the drain time. The official
      // image has bash but no curl, so bash's /dev/tcp sends the request.
      preStop: {
        exec: {
          command: [
            '/bin/bash',
            '-c',
            // HTTP/1.1: Envoy refuses HTTP/1.0 unless told to accept it.
            `exec 3<>/dev/tcp/127.0.0.1/${ENVOY_ADMIN_PORT} && printf '${HEALTHCHECK_FAIL}' >&3; sleep ${drainSeconds}`,
          ],
        },
      },
      terminationGracePeriod: Duration.seconds(drainSeconds + SHUTDOWN_MARGIN.toSeconds()),
      writablePaths: [{ path: '/tmp' }],
      volumes: [{ name: 'config', configMap: { name: configMapName } }],
      volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
      resources: spec.resources,
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
            },
          ],
        },
      },
      // Full capacity during a rollout: a new pod is ready before an old one goes.
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      podAnnotations: {
        [CONFIG_HASH_ANNOTATION]: Lazy.any({ produce: () => createHash('sha256').update(config()).digest('hex') }),
      },
      service: {
        port: 80,
        type: external,
        nodePort: nodePortFor(external, spec.nodePort, LOCAL_NODE_PORT),
        // Keeps the client's address (as the workshop's Ambassador Service did): Envoy sees who calls.
        externalTrafficPolicy: external === 'LoadBalancer' ? 'Local' : undefined,
      },
    });
    // maxUnavailable rather than minAvailable: with one replica a drain may still evict it.
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: spec.name, namespace: ctx.namespace, labels: spec.labels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selector },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    this.node.defaultChild = this.workload;
  }
}
