import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RestrictedPodProps, restrictedPodSpec } from './pod';
import { StackContext, selectorLabels, standardLabels } from './stack-chart';
import { PodGroup } from './network';

/** What a route, a policy or another stack needs to reach a workload through its Service. */
export interface ServiceEndpoint {
  /** Service name: the DNS name the apps dial. */
  readonly name: string;
  /** Namespace of the Service. */
  readonly namespace: string;
  /** The Service port. */
  readonly port: number;
  /** Name of the container port the Service targets. */
  readonly targetPort: string;
  /** The container port number behind `targetPort`. */
  readonly containerPort: number;
  /** Labels of the pods behind the Service (its selector). */
  readonly selector: Record<string, string>;
}

/**
 * A node port prop: a number pins the port, `'auto'` lets the cluster assign a free one. Node ports are
 * cluster-wide, so copies of a stack that share a cluster (a classroom) must not pin the same one.
 */
export type NodePortSetting = number | 'auto';

/** The `nodePort` of a Service of `type`: the setting, else the stack's default, for NodePort Services only. */
export function nodePortFor(type: 'ClusterIP' | 'NodePort' | 'LoadBalancer', setting: NodePortSetting | undefined, stackDefault?: number): number | undefined {
  const port = setting ?? stackDefault;
  return type === 'NodePort' && port !== 'auto' ? port : undefined;
}

/** How a workload is exposed. */
export interface WorkloadServiceProps {
  /** Service port. */
  readonly port: number;
  /**
   * Service type.
   * @default 'ClusterIP'
   */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /**
   * Fixed node port, for NodePort (and LoadBalancer) Services.
   * @default assigned by the cluster
   */
  readonly nodePort?: number;
  /**
   * Session affinity.
   * @default 'None'
   */
  readonly sessionAffinity?: 'None' | 'ClientIP';
  /**
   * External traffic policy of NodePort and LoadBalancer Services.
   * @default the cluster's ('Cluster')
   */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** Props of {@link AppWorkload}. */
export interface AppWorkloadProps extends Omit<RestrictedPodProps, 'containerName'> {
  /** Name of the workload, its Service and its container; also the `app` label. */
  readonly name: string;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  /**
   * Controller kind.
   * @default 'Deployment'
   */
  readonly kind?: 'Deployment' | 'DaemonSet';
  /**
   * Replicas of a Deployment.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Rolling update bounds.
   * @default the controller's (25% / 25% for Deployments)
   */
  readonly rollingUpdate?: { readonly maxSurge?: number; readonly maxUnavailable?: number };
  /**
   * Seconds a new pod must be ready before it counts as available.
   * @default 0
   */
  readonly minReadySeconds?: number;
  /**
   * A Service in front of the workload, targeting `port`.
   * @default no Service
   */
  readonly service?: WorkloadServiceProps;
  /**
   * Annotations on the pod template (a config hash rolls the pods when it changes).
   * @default none
   */
  readonly podAnnotations?: Record<string, string>;
}

/**
 * One hardened app: a Deployment (or DaemonSet) of a single restricted container and, optionally,
 * the Service that the other apps dial by name. The building block under every stack construct.
 */
export class AppWorkload extends Construct implements PodGroup {
  /** The Deployment or DaemonSet, as an escape hatch. */
  readonly workload: ApiObject;
  /** The Service, when one was asked for. */
  readonly service?: k8s.KubeService;
  /** How to reach the workload through its Service, when it has one. */
  readonly endpoint?: ServiceEndpoint;
  /** The labels that select this workload's pods. */
  readonly selector: Record<string, string>;
  readonly name: string;
  readonly namespace: string;

  constructor(scope: Construct, id: string, ctx: StackContext, props: AppWorkloadProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = ctx.namespace;
    this.selector = selectorLabels(ctx, props.name);
    const labels = standardLabels(ctx, props.name, props.component);
    const metadata = { name: props.name, namespace: ctx.namespace, labels };
    const template: k8s.PodTemplateSpec = {
      metadata: { labels, annotations: props.podAnnotations },
      spec: restrictedPodSpec(ctx, { ...props, containerName: props.name }),
    };
    const selector = { matchLabels: this.selector };
    const rollingUpdate = props.rollingUpdate && {
      maxSurge: props.rollingUpdate.maxSurge === undefined ? undefined : k8s.IntOrString.fromNumber(props.rollingUpdate.maxSurge),
      maxUnavailable: props.rollingUpdate.maxUnavailable === undefined ? undefined : k8s.IntOrString.fromNumber(props.rollingUpdate.maxUnavailable),
    };

    this.workload = (props.kind ?? 'Deployment') === 'Deployment'
      ? new k8s.KubeDeployment(this, 'deployment', {
        metadata,
        spec: {
          replicas: props.replicas ?? 1,
          selector,
          minReadySeconds: props.minReadySeconds,
          strategy: { type: 'RollingUpdate', rollingUpdate },
          template,
        },
      })
      : new k8s.KubeDaemonSet(this, 'daemonset', {
        metadata,
        spec: {
          selector,
          minReadySeconds: props.minReadySeconds,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate },
          template,
        },
      });

    if (props.service) {
      if (!props.port) throw new Error(`AppWorkload '${props.name}': a Service needs a container port`);
      const svc = props.service;
      const type = svc.type ?? 'ClusterIP';
      this.service = new k8s.KubeService(this, 'service', {
        metadata,
        spec: {
          type,
          selector: this.selector,
          sessionAffinity: svc.sessionAffinity,
          externalTrafficPolicy: type === 'ClusterIP' ? undefined : svc.externalTrafficPolicy,
          ports: [{
            name: props.port.name,
            port: svc.port,
            targetPort: k8s.IntOrString.fromString(props.port.name),
            protocol: 'TCP',
            nodePort: type === 'ClusterIP' ? undefined : svc.nodePort,
          }],
        },
      });
      this.endpoint = {
        name: props.name,
        namespace: ctx.namespace,
        port: svc.port,
        targetPort: props.port.name,
        containerPort: props.port.containerPort,
        selector: this.selector,
      };
    }
  }
}
