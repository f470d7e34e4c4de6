import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { declareException } from '../src/manifest/exceptions';
import { ResourceSpec } from '../src/resources';
import { STARTUP_TIMEOUT_RANGE } from '../src/pod';
import { DEFAULT_RUN_AS } from '../src/security';
import { StackPlacementProps } from '../src/stack-chart';
import { StackConstruct } from '../src/stack-construct';
import { DNS_NEEDS, declareNeeds } from '../src/manifest/needs';
import { AppWorkload, NodePortSetting, ServiceEndpoint, nodePortFor } from '../src/workload';

/** Props of {@link Dockercoins}. */
export interface DockercoinsProps extends StackPlacementProps {
  /**
   * Registry (or Docker Hub namespace) of the rng, hasher, worker and webui images.
   * @default 'dockercoins'
   */
  readonly registry?: string;
  /**
   * Tag of the rng, hasher, worker and webui images.
   * @default 'v0.1'
   */
  readonly tag?: string;
  /**
   * The redis image. Must run as uid 999 (the official image's `redis` user) and write to `/data`.
   * @default 'redis:7.2.5'
   */
  readonly redisImage?: string;
  /**
   * Replicas of the worker (the workshop scales it to 10).
   * @default 1
   */
  readonly workerReplicas?: number;
  /**
   * Extra worker pods a rolling update may start; it never takes one away (`maxUnavailable: 0`).
   * @default 1
   */
  readonly workerMaxSurge?: number;
  /**
   * Run rng as a DaemonSet, one per node, as the workshop converts it.
   * @default false (a Deployment)
   */
  readonly rngPerNode?: boolean;
  /**
   * Node port of the webui in the `local` profile; `'auto'` lets the cluster assign one (for several
   * copies of the stack on one cluster).
   * @default 30001 (as in the workshop)
   */
  readonly webuiNodePort?: NodePortSetting;
  /**
   * How long each app may take to start before the kubelet restarts it (the startup probe's budget).
   * hasher and webui take 19-21 s at their 250m CPU limit on a cold start.
   * @default Duration.seconds(60)
   */
  readonly startupTimeout?: Duration;
  /**
   * Render NetworkPolicies that allow only the traffic the apps need.
   * @default true
   */
  readonly networkPolicies?: boolean;
}

/** The uid and gid of the `redis` user in the official (Debian) redis image. */
const REDIS_RUN_AS = { user: 999, group: 999 };

const SMALL: ResourceSpec = {
  cpu: { request: '50m', limit: '250m' },
  memory: { request: '32Mi', limit: '128Mi' },
};

/**
 * The dockercoins stack: `redis`, `rng`, `hasher`, `worker` and `webui`. The apps dial the fixed
 * host names `redis`, `rng` and `hasher`, so the Services carry exactly those names and must share
 * a namespace with the worker and the webui.
 *
 * The app images have no USER and bind port 80: they run as uid 10001 with the unprivileged-port
 * sysctl, and redis runs as its image's own `redis` user (999). All pods pass PSS `restricted`.
 */
export class Dockercoins extends StackConstruct {
  /** The `redis` Service (6379). */
  readonly redis: ServiceEndpoint;
  /** The `rng` Service (80). */
  readonly rng: ServiceEndpoint;
  /** The `hasher` Service (80). */
  readonly hasher: ServiceEndpoint;
  /** The `webui` Service (80): the stack's front door. */
  readonly webui: ServiceEndpoint;
  /** Every workload by name, as an escape hatch. */
  readonly workloads: Readonly<Record<'redis' | 'rng' | 'hasher' | 'worker' | 'webui', AppWorkload>>;
  /** The Services as cdk8s-plus Services (`kplus.IngressBackend.fromService(coins.services.webui)`). */
  readonly services: Readonly<Record<'redis' | 'rng' | 'hasher' | 'webui', kplus.Service>>;

  constructor(scope: Construct, id: string, props: DockercoinsProps = {}) {
    super(scope, id, props, 'Dockercoins', 'dockercoins');
    const { check, ctx } = this;
    const ownImages = { registry: props.registry ?? 'dockercoins', tag: props.tag };
    const image = (name: string) => this.workshopImage(ownImages, name, 'v0.1');
    const images = { rng: image('rng'), hasher: image('hasher'), worker: image('worker'), webui: image('webui') };
    check.image('redisImage', props.redisImage);
    check.replicas('workerReplicas', props.workerReplicas);
    check.integer(
      'workerMaxSurge',
      props.workerMaxSurge,
      1,
      1000,
      'an integer of at least 1 (with maxUnavailable 0, a rollout needs a surge)',
    );
    check.nodePort('webuiNodePort', props.webuiNodePort);
    check.seconds('startupTimeout', props.startupTimeout, ...STARTUP_TIMEOUT_RANGE);
    const startupTimeout = props.startupTimeout;

    const onPort80 = {
      runAs: DEFAULT_RUN_AS,
      bindsPrivilegedPort: true,
      port: { name: 'http', containerPort: 80 },
      writablePaths: [{ path: '/tmp' }],
      resources: SMALL,
      startupTimeout,
    };

    const redis = new AppWorkload(this, 'redis', ctx, {
      name: 'redis',
      component: 'database',
      image: props.redisImage ?? 'redis:7.2.5',
      runAs: REDIS_RUN_AS,
      port: { name: 'redis', containerPort: 6379 },
      probe: { kind: 'tcp' },
      startupTimeout,
      writablePaths: [{ path: '/data', sizeLimit: '256Mi' }],
      resources: { cpu: { request: '50m', limit: '250m' }, memory: { request: '64Mi', limit: '256Mi' } },
      service: { port: 6379 },
    });
    const rng = new AppWorkload(this, 'rng', ctx, {
      ...onPort80,
      name: 'rng',
      component: 'random-generator',
      image: images.rng,
      kind: props.rngPerNode ? 'DaemonSet' : 'Deployment',
      probe: { kind: 'http', path: '/' },
      service: { port: 80 },
    });
    const hasher = new AppWorkload(this, 'hasher', ctx, {
      ...onPort80,
      name: 'hasher',
      component: 'hasher',
      image: images.hasher,
      probe: { kind: 'http', path: '/' },
      service: { port: 80 },
    });
    // The worker listens on nothing: no port, no Service, no probe. Full capacity during rollouts.
    const worker = new AppWorkload(this, 'worker', ctx, {
      ...onPort80,
      bindsPrivilegedPort: false,
      port: undefined,
      name: 'worker',
      component: 'worker',
      image: images.worker,
      replicas: props.workerReplicas ?? 1,
      rollingUpdate: { maxUnavailable: 0, maxSurge: props.workerMaxSurge ?? 1 },
      minReady: Duration.seconds(10),
    });
    const webui = new AppWorkload(this, 'webui', ctx, {
      ...onPort80,
      name: 'webui',
      component: 'frontend',
      image: images.webui,
      probe: { kind: 'http', path: '/index.html' },
      service: {
        port: 80,
        type: ctx.settings.externalServiceType,
        nodePort: nodePortFor(ctx.settings.externalServiceType, props.webuiNodePort, 30001),
      },
    });

    declareException(
      worker.workload,
      'policy/probes',
      'the worker listens on no port and has nothing to probe; minReadySeconds paces its rollouts',
    );

    this.redis = redis.endpoint!;
    this.rng = rng.endpoint!;
    this.hasher = hasher.endpoint!;
    this.webui = webui.endpoint!;
    this.workloads = { redis, rng, hasher, worker, webui };
    this.services = { redis: redis.service!, rng: rng.service!, hasher: hasher.service!, webui: webui.service! };
    // What the apps dial, by the Service names they have built in: validate checks the policies allow it.
    declareNeeds(worker.workload, [
      ...DNS_NEEDS,
      ...[this.rng, this.hasher, this.redis].map((s) => ({ to: { service: s }, port: s.port })),
    ]);
    declareNeeds(webui.workload, [...DNS_NEEDS, { to: { service: this.redis }, port: this.redis.port }]);

    if (props.networkPolicies ?? true) {
      const traffic = this.networkTraffic();
      traffic.denyAllIn(ctx.namespace);
      traffic.allow(worker, redis, [{ port: 6379 }]);
      traffic.allow(worker, rng, [{ port: 80 }]);
      traffic.allow(worker, hasher, [{ port: 80 }]);
      traffic.allow(webui, redis, [{ port: 6379 }]);
      traffic.allowFromAnywhere(webui, [{ port: 80 }]);
    }
  }
}
