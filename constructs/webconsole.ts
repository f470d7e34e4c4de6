import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NamedPort, ProbeSpec, STARTUP_TIMEOUT_RANGE, WritablePath } from '../src/pod';
import { ResourceSpec } from '../src/resources';
import { DEFAULT_RUN_AS, RunAs } from '../src/security';
import { StackPlacementProps } from '../src/stack-chart';
import { StackConstruct, WorkshopImageProps } from '../src/stack-construct';
import { AppWorkload, NodePortSetting, ServiceEndpoint, nodePortFor } from '../src/workload';
import { PROJECT_IMAGE_REGISTRY, PROJECT_IMAGE_TAG, projectImageSource } from './images';

/**
 * What the workshop's Flask images (webconsole and consolehub) have in common: `flask run -h 0.0.0.0`
 * on port 5000, no USER (so they run as a numeric non-root uid here), no health route (so the probes
 * are TCP on the named port), nothing written but Python's temporary files, and a modest footprint.
 */
export const FLASK_API_POD: {
  readonly runAs: RunAs;
  readonly port: NamedPort;
  readonly probe: ProbeSpec;
  readonly writablePaths: readonly WritablePath[];
  readonly resources: ResourceSpec;
} = {
  runAs: DEFAULT_RUN_AS,
  port: { name: 'api', containerPort: 5000 },
  probe: { kind: 'tcp' },
  writablePaths: [{ path: '/tmp' }],
  // Small enough for a class on one minikube, large enough for a Flask process and a few interpreters.
  resources: { cpu: { request: '50m', limit: '500m' }, memory: { request: '64Mi', limit: '256Mi' } },
};

/** Props of {@link WebConsole}. */
export interface WebConsoleProps extends StackPlacementProps, WorkshopImageProps {
  /**
   * Registry (or Docker Hub namespace) of the `webconsole` image. Set, the image is pulled from there.
   * @default 'workshop-stacks': this project's `workshop-stacks/webconsole:v1`, built inside minikube's
   * Docker from `images/webconsole` and never pulled (`imagePullPolicy: Never`)
   */
  readonly registry?: string;
  /**
   * How long the console may take to start before the kubelet restarts it (the startup probe's budget).
   * @default Duration.seconds(60)
   */
  readonly startupTimeout?: Duration;
  /**
   * Replicas of the console (the workshop scales it to 4).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Pin each client to one pod (`sessionAffinity: ClientIP`). A console keeps each user's interpreter
   * in the memory of one process, so with several replicas a user's next request must reach the same
   * pod, or their variables are gone (the bug the workshop shows, and the reason consolehub exists).
   * Affinity goes by source address: clients behind one NAT share a pod.
   * @default true when `replicas` > 1
   */
  readonly sessionAffinity?: boolean;
  /**
   * Node port of the Service in the `local` profile (`'auto'`: assigned by the cluster).
   * @default assigned by the cluster
   */
  readonly nodePort?: NodePortSetting;
  /**
   * Render NetworkPolicies: the console accepts connections on 5000 from anywhere and dials nothing
   * (it runs users' code: no egress at all), and a default deny covers the rest of the namespace.
   * @default true
   */
  readonly networkPolicies?: boolean;
}

/**
 * The webconsole stack: a Deployment and a Service named `webconsole` on port 5000 (NodePort in
 * `local`, LoadBalancer in `cloud`), as the workshop creates with `kubectl create deployment` and
 * `kubectl expose`. It runs this project's image ({@link PROJECT_IMAGES}, built inside minikube's
 * Docker, never pulled) as uid 10001 with a read-only root filesystem, and passes PSS `restricted`.
 */
export class WebConsole extends StackConstruct {
  /** The `webconsole` Service (5000): the stack's front door. */
  readonly endpoint: ServiceEndpoint;
  /** The same Service as a cdk8s-plus Service: `kplus.IngressBackend.fromService(x.service)` takes it. */
  readonly service: kplus.Service;
  /** The Deployment and Service, as an escape hatch. */
  readonly workload: AppWorkload;

  constructor(scope: Construct, id: string, props: WebConsoleProps = {}) {
    super(scope, id, props, 'WebConsole', 'webconsole');
    const { check, ctx } = this;
    const source = projectImageSource(props, PROJECT_IMAGE_REGISTRY);
    const image = this.workshopImage(source, 'webconsole', PROJECT_IMAGE_TAG);
    check.replicas('replicas', props.replicas);
    check.seconds('startupTimeout', props.startupTimeout, ...STARTUP_TIMEOUT_RANGE);
    check.nodePort('nodePort', props.nodePort);
    const replicas = props.replicas ?? 1;
    const type = ctx.settings.externalServiceType;

    this.workload = new AppWorkload(this, 'webconsole', ctx, {
      ...FLASK_API_POD,
      name: 'webconsole',
      component: 'console',
      image,
      builtLocally: source.builtLocally,
      startupTimeout: props.startupTimeout,
      replicas,
      // A new pod is ready before an old one goes: the console never drops to zero pods.
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      service: {
        port: FLASK_API_POD.port.containerPort,
        type,
        nodePort: nodePortFor(type, props.nodePort),
        sessionAffinity: (props.sessionAffinity ?? replicas > 1) ? 'ClientIP' : 'None',
      },
    });
    this.endpoint = this.workload.endpoint!;
    this.service = this.workload.service!;
    this.node.defaultChild = this.workload;

    if (props.networkPolicies ?? true) {
      const traffic = this.networkTraffic();
      traffic.denyAllIn(ctx.namespace);
      traffic.allowFromAnywhere(this.workload, [{ port: FLASK_API_POD.port.containerPort }]);
    }
  }
}
