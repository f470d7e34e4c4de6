import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels, standardLabels } from './manifest/labels';
import { PodGroup } from './network-traffic';
import { RestrictedPodProps, restrictedPodSpec } from './pod';
import { DEFAULT_RUN_AS, RunAs, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { StackContext } from './stack-chart';

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
export function nodePortFor(
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer',
  setting: NodePortSetting | undefined,
  stackDefault?: number,
): number | undefined {
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
   * How long a new pod must be ready before it counts as available (whole seconds).
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;
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
 *
 * It composes with cdk8s-plus: it is a `kplus.IPodSelector` and a `kplus.INetworkPolicyPeer` (so
 * `deployment.connections.allowTo(workload)` and `kplus.NetworkPolicy` rules take it), its Service is a
 * `kplus.Service` (so `kplus.IngressBackend.fromService(workload.service)` takes it), and
 * `ApiObject.of(workload)` is the Deployment or DaemonSet (its default child).
 */
export class AppWorkload extends Construct implements PodGroup, kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** The Deployment or DaemonSet, as an escape hatch (also `ApiObject.of(this)`). */
  readonly workload: ApiObject;
  /** The Service, when one was asked for: a cdk8s-plus Service (`ApiObject.of(service)` patches it). */
  readonly service?: kplus.Service;
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
      maxSurge:
        props.rollingUpdate.maxSurge === undefined
          ? undefined
          : k8s.IntOrString.fromNumber(props.rollingUpdate.maxSurge),
      maxUnavailable:
        props.rollingUpdate.maxUnavailable === undefined
          ? undefined
          : k8s.IntOrString.fromNumber(props.rollingUpdate.maxUnavailable),
    };

    this.workload =
      (props.kind ?? 'Deployment') === 'Deployment'
        ? new k8s.KubeDeployment(this, 'deployment', {
            metadata,
            spec: {
              replicas: props.replicas ?? 1,
              selector,
              minReadySeconds: props.minReady?.toSeconds(),
              strategy: { type: 'RollingUpdate', rollingUpdate },
              template,
            },
          })
        : new k8s.KubeDaemonSet(this, 'daemonset', {
            metadata,
            spec: {
              selector,
              minReadySeconds: props.minReady?.toSeconds(),
              updateStrategy: { type: 'RollingUpdate', rollingUpdate },
              template,
            },
          });

    if (props.service) {
      if (!props.port) throw new Error(`AppWorkload '${props.name}': a Service needs a container port`);
      const svc = props.service;
      const type = svc.type ?? 'ClusterIP';
      // cdk8s-plus renders the Service; what it has no prop for goes in by patch, so the output is the same.
      this.service = new kplus.Service(this, 'service', {
        metadata,
        type: type as kplus.ServiceType,
        ports: [
          {
            name: props.port.name,
            port: svc.port,
            targetPort: props.port.containerPort,
            protocol: kplus.Protocol.TCP,
            nodePort: type === 'ClusterIP' ? undefined : svc.nodePort,
          },
        ],
      });
      for (const [key, value] of Object.entries(this.selector)) this.service.selectLabel(key, value);
      const service = ApiObject.of(this.service);
      // By name, so that the Service follows the container port if its number changes.
      // (The value is typed: the L1 object converts its props to JSON after the patches.)
      service.addJsonPatch(
        JsonPatch.replace('/spec/ports/0/targetPort', k8s.IntOrString.fromString(props.port.name)),
        JsonPatch.remove('/spec/externalIPs'),
      );
      if (svc.sessionAffinity) service.addJsonPatch(JsonPatch.add('/spec/sessionAffinity', svc.sessionAffinity));
      if (type !== 'ClusterIP' && svc.externalTrafficPolicy)
        service.addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', svc.externalTrafficPolicy));
      this.endpoint = {
        name: props.name,
        namespace: ctx.namespace,
        port: svc.port,
        targetPort: props.port.name,
        containerPort: props.port.containerPort,
        selector: this.selector,
      };
    }
    // `ApiObject.of(workload)` finds the Deployment or DaemonSet.
    this.node.defaultChild = this.workload;
  }

  /** @see kplus.IPodSelector.toPodSelectorConfig */
  toPodSelectorConfig(): kplus.PodSelectorConfig {
    return {
      labelSelector: kplus.LabelSelector.of({ labels: this.selector }),
      namespaces: { names: [this.namespace] },
    };
  }

  /** @see kplus.INetworkPolicyPeer.toNetworkPolicyPeerConfig */
  toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** @see kplus.INetworkPolicyPeer.toPodSelector */
  toPodSelector(): kplus.IPodSelector {
    return this;
  }
}

/**
 * Makes a cdk8s-plus workload's pods pass PSS `restricted` as the stacks' own do: seccomp
 * `RuntimeDefault`, every capability dropped, a numeric non-root uid. cdk8s-plus has no field for the
 * first and drops no capability by default, so this patches the pod template (`ApiObject.of`); the
 * workload's other settings stay as cdk8s-plus renders them.
 */
export function restrictKplusWorkload(
  workload: kplus.Deployment | kplus.StatefulSet | kplus.DaemonSet | kplus.Job,
  runAs: RunAs = DEFAULT_RUN_AS,
): void {
  const obj = ApiObject.of(workload);
  // `add` replaces a member that exists: cdk8s-plus always renders both security contexts.
  obj.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext', restrictedPodSecurityContext(runAs)));
  workload.containers.forEach((_, i) =>
    obj.addJsonPatch(
      JsonPatch.add(`/spec/template/spec/containers/${i}/securityContext`, restrictedContainerSecurityContext()),
    ),
  );
}
