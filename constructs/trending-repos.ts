import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { GatewayRoute } from './gateway-route';
import { declareExternal } from '../src/manifest/exceptions';
import { standardLabels } from '../src/manifest/labels';
import { DEFAULT_API_SERVER_PORTS } from '../src/network-traffic';
import { grantNamespacedRole } from '../src/rbac';
import { RunAs } from '../src/security';
import { StackPlacementProps } from '../src/stack-chart';
import { StackConstruct } from '../src/stack-construct';
import { DNS_NEEDS, declareNeeds } from '../src/manifest/needs';
import { AppWorkload, ServiceEndpoint } from '../src/workload';
import { STARTUP_TIMEOUT_RANGE } from '../src/pod';

/** Props of {@link TrendingRepos}. */
export interface TrendingReposProps extends StackPlacementProps {
  /**
   * The tgr image.
   * @default 'eon01/tgr:1'
   */
  readonly image?: string;
  /**
   * Replicas.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Name of the Secret with the GitHub OAuth app's `CLIENT_ID` and `CLIENT_SECRET`. The construct only
   * refers to it: it is created outside (see the README), so no credential is ever in the manifests.
   * @default 'tgr-github'
   */
  readonly credentialsSecret?: string;
  /**
   * The identity tgr runs as. The image's user, `pyuser`, is a name, and `runAsNonRoot` needs a number
   * to verify; 1000 is the uid `adduser` gives the first user of the image's Debian base.
   * @default uid and gid 1000
   */
  readonly runAs?: RunAs;
  /**
   * gunicorn worker processes. The image's gunicorn configuration starts 2 per CPU of the node (not of
   * the pod's limit) plus one, more than the 256Mi memory limit holds on a large node.
   * @default 2
   */
  readonly workers?: number;
  /**
   * How long tgr may take to start before the kubelet restarts it (the startup probe's budget).
   * @default Duration.seconds(60)
   */
  readonly startupTimeout?: Duration;
  /**
   * Ports of the Kubernetes API server's endpoints, which tgr's egress NetworkPolicy allows (policies
   * see endpoint ports, not the `kubernetes` Service's 443): 443 on most managed clusters, 6443 with
   * kubeadm and kind, 8443 on minikube. GitHub's API (443) is always allowed.
   * @default [443, 6443, 8443]
   */
  readonly apiServerPorts?: number[];
  /**
   * NetworkPolicies: tgr reaches DNS, GitHub and the API server, and accepts only what others admit
   * (the ApiGateway that routes to it).
   * @default true
   */
  readonly networkPolicies?: boolean;
}

const PORT = 5000;
const GITHUB_API_PORT = 443;

/**
 * tgr, the workshop's "trending GitHub repositories" API (Flask under gunicorn): a Deployment and a
 * Service `tgr` on port 5000. `GET /?l=<language>&n=<count>` answers with repositories.
 *
 * The GitHub credentials come from a Secret the construct never creates. The app calls the Kubernetes
 * API in-cluster, so it has its own ServiceAccount `tgr` with a mounted token and a namespaced Role
 * that may only list pods (the workshop bound a ClusterRole to the `default` ServiceAccount instead).
 */
export class TrendingRepos extends StackConstruct {
  /** The `tgr` Service (5000): what the gateway routes to. */
  readonly endpoint: ServiceEndpoint;
  /** The same Service as a cdk8s-plus Service: `kplus.IngressBackend.fromService(x.service)` takes it. */
  readonly service: kplus.Service;
  /** The ServiceAccount `tgr` the pods run as. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** The workload, as an escape hatch and a `PodGroup` for NetworkPolicies. */
  readonly workload: AppWorkload;
  /** Name of the Secret the pods read `CLIENT_ID` and `CLIENT_SECRET` from. */
  readonly credentialsSecret: string;
  /** The workshop's route to tgr, for `ApiGateway.addRoute`: `/` -> `tgr:5000`. */
  readonly route: GatewayRoute;

  constructor(scope: Construct, id: string, props: TrendingReposProps = {}) {
    super(scope, id, props, 'TrendingRepos', 'tgr');
    const { check, ctx } = this;
    check.image('image', props.image);
    check.replicas('replicas', props.replicas);
    check.dnsSubdomain('credentialsSecret', props.credentialsSecret);
    check.integer('workers', props.workers, 1, 32);
    check.seconds('startupTimeout', props.startupTimeout, ...STARTUP_TIMEOUT_RANGE);
    check.runAs('runAs', props.runAs);
    check.ports('apiServerPorts', props.apiServerPorts);
    const name = 'tgr';
    const metadata = { name, namespace: ctx.namespace, labels: standardLabels(ctx, name, 'api') };
    this.credentialsSecret = props.credentialsSecret ?? 'tgr-github';

    // Only pods that opt in get the token, so the account's own default is off.
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata,
      automountServiceAccountToken: false,
    });
    grantNamespacedRole(this, 'pods-list', {
      ...metadata,
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      subject: { name: this.serviceAccount.name, namespace: ctx.namespace },
    });

    const credential = (key: string): k8s.EnvVar => ({
      name: key,
      valueFrom: { secretKeyRef: { name: this.credentialsSecret, key } },
    });
    this.workload = new AppWorkload(this, 'tgr', ctx, {
      name,
      component: 'api',
      image: props.image ?? 'eon01/tgr:1',
      runAs: props.runAs ?? { user: 1000, group: 1000 },
      replicas: props.replicas ?? 1,
      port: { name: 'http', containerPort: PORT },
      // GET / calls GitHub: an HTTP probe would spend the API quota every few seconds.
      probe: { kind: 'tcp' },
      startupTimeout: props.startupTimeout,
      env: [
        credential('CLIENT_ID'),
        credential('CLIENT_SECRET'),
        { name: 'ENV', value: 'prod' },
        { name: 'DEBUG', value: 'False' },
        { name: 'HOST', value: '0.0.0.0' },
        { name: 'PORT', value: String(PORT) },
        // Overrides the image's config file, which sizes workers and threads by the node's CPUs.
        { name: 'GUNICORN_CMD_ARGS', value: `--bind=0.0.0.0:${PORT} --workers=${props.workers ?? 2} --threads=4` },
      ],
      // gunicorn's workers write their heartbeat files to the temporary directory.
      writablePaths: [{ path: '/tmp' }],
      serviceAccountName: this.serviceAccount.name,
      automountServiceAccountToken: true,
      resources: { cpu: { request: '50m', limit: '500m' }, memory: { request: '128Mi', limit: '256Mi' } },
      service: { port: PORT },
    });
    this.endpoint = this.workload.endpoint!;
    this.service = this.workload.service!;
    this.node.defaultChild = this.workload;
    // tgr calls GitHub once per repository asked for: more than the default 15 seconds for a large `n`.
    this.route = { pathPrefix: '/', service: this.endpoint, port: PORT, timeout: Duration.seconds(30) };
    declareExternal(this.workload.workload, 'Secret', this.credentialsSecret);

    // GitHub's API and the cluster's, neither of which the manifests know the address of.
    const egress = new Set([GITHUB_API_PORT, ...(props.apiServerPorts ?? DEFAULT_API_SERVER_PORTS)]);
    declareNeeds(this.workload.workload, [
      ...DNS_NEEDS,
      ...[...egress].map((port) => ({ to: { outside: true as const }, port })),
    ]);

    if (props.networkPolicies ?? true) {
      const traffic = this.networkTraffic();
      traffic.isolate(this.workload);
      traffic.allowToAnywhere(
        this.workload,
        [...egress].map((port) => ({ port })),
      );
    }
  }
}
