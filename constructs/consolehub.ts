import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { declareException } from '../src/manifest/exceptions';
import { standardLabels } from '../src/manifest/labels';
import { guardNamespace, restrictedNamespace } from '../src/namespace';
import { STARTUP_TIMEOUT_RANGE } from '../src/pod';
import { DEFAULT_API_SERVER_PORTS } from '../src/network-traffic';
import { grantNamespacedRole } from '../src/rbac';
import { compareQuantities } from '../src/manifest/quantity';
import { scaleQuantity, toResourceRequirements } from '../src/resources';
import { StackPlacementProps } from '../src/stack-chart';
import { StackConstruct } from '../src/stack-construct';
import { JOBS_NAMESPACE_ANNOTATION, TEMPLATE_JOBS_NAME } from '../src/manifest/labels';
import { DNS_NEEDS, NeededFlow, declareNeeds } from '../src/manifest/needs';
import { AppWorkload, NodePortSetting, ServiceEndpoint, nodePortFor } from '../src/workload';
import { PROJECT_IMAGE_REGISTRY, PROJECT_IMAGE_TAG, projectImageSource } from './images';
import { FLASK_API_POD } from './webconsole';
import { WebConsoleJob, WebConsoleJobProps } from './webconsole-job';

/**
 * Which hub image runs: `workshop-stacks`, this project's (`workshop-stacks/consolehub:v1`, built from
 * `images/consolehub`), which creates the users' Jobs in its own namespace (`HUB_NAMESPACE`, from the
 * downward API) from the JSON template at `JOB_TEMPLATE`; or `workshop`, the workshop's own
 * (`consolehub:v1`), which creates them in `default` and reads `job-template.yaml` from `/`.
 */
export type ConsoleHubFlavour = 'workshop' | 'workshop-stacks';

const HUB_FLAVOURS: readonly ConsoleHubFlavour[] = ['workshop', 'workshop-stacks'];

/** Props of {@link ConsoleHub}. */
export interface ConsoleHubProps extends StackPlacementProps {
  /**
   * The hub image and how it finds its namespace and its Job template: see {@link ConsoleHubFlavour}.
   * With `workshop-stacks`, the users' Jobs, the hub's Role, the guard rails and the policies are all in
   * the hub's own namespace, and `jobsNamespace` must be unset. `workshop` is an opt-in for classes that
   * run the workshop's own hub image, which hard-codes `default`.
   * @default 'workshop-stacks' (the image the README builds)
   */
  readonly hub?: ConsoleHubFlavour;
  /**
   * Registry (or Docker Hub namespace) of the consolehub image, and of the webconsole image unless
   * `job.registry` says otherwise. Set, the images are pulled from there.
   * @default images built inside minikube's Docker and never pulled (`imagePullPolicy: Never`):
   * 'workshop-stacks' for the `workshop-stacks` hub (`workshop-stacks/consolehub:v1`), none for the
   * `workshop` hub (`consolehub:v1`); the users' consoles run `workshop-stacks/webconsole:v1` with either
   */
  readonly registry?: string;
  /**
   * Tag of the consolehub image.
   * @default 'v1'
   */
  readonly tag?: string;
  /**
   * Replicas of the hub. It keeps no state (it finds each user's pod through the API), so any
   * replica can serve any request.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Node port of the Service in the `local` profile (`'auto'`: assigned by the cluster).
   * @default assigned by the cluster
   */
  readonly nodePort?: NodePortSetting;
  /**
   * How long the hub may take to start before the kubelet restarts it (the startup probe's budget).
   * @default Duration.seconds(60)
   */
  readonly startupTimeout?: Duration;
  /**
   * Namespace the hub creates the users' Jobs in, where its Role, the guard rails and the users'
   * NetworkPolicy go. The workshop image hard-codes `default`, so only an image changed to match may
   * use another. A dedicated namespace is the safer choice: this construct then creates it, labelled to
   * enforce PSS `restricted`, and the guard rails touch nothing else. A namespace other than `default`
   * and the hub's own is created here.
   * @default the hub's namespace with the `workshop-stacks` hub; 'default' with the `workshop` hub (as its image hard-codes)
   */
  readonly jobsNamespace?: string;
  /**
   * The per-user Job: deadline, TTL, resources, RuntimeClass, webconsole image.
   * @default the {@link WebConsoleJob} defaults
   */
  readonly job?: Omit<WebConsoleJobProps, 'namespace' | 'profile'>;
  /**
   * Bound the users' Jobs in the jobs namespace: a ResourceQuota on the number of Jobs, and one
   * (scoped to pods with a deadline, `Terminating`) on pods, CPU and memory; a LimitRange capping each
   * container at the sandbox's limits. In `default` these bind everything there: the Job count counts
   * every Job, and the LimitRange gives every container without limits the sandbox's limits as defaults
   * and rejects any container above them. Use a dedicated `jobsNamespace` to confine them.
   * @default true
   */
  readonly guardRails?: boolean;
  /**
   * How many users' consoles may exist at once (the ResourceQuotas' size).
   * @default 20
   */
  readonly maxSessions?: number;
  /**
   * Render NetworkPolicies: users' pods accept only the hub's pods, on 5000, and dial nothing; the hub
   * accepts anyone on 5000 and dials only the API server and users' pods (plus DNS).
   * @default true
   */
  readonly networkPolicies?: boolean;
  /**
   * Address ranges of the API server's endpoints (`kubectl get endpoints kubernetes`), to tighten the
   * hub's egress to them. Policies see traffic after the `kubernetes` Service's translation, so its
   * cluster IP would not match.
   * @default any address, on `apiServerPorts`
   */
  readonly apiServerCidrs?: string[];
  /**
   * Ports the API server's endpoints listen on: 443 (managed clusters), 6443 (kubeadm), 8443 (minikube).
   * @default [443, 6443, 8443]
   */
  readonly apiServerPorts?: number[];
}

/** What the workshop's hub opens, relative to its working directory `/`. */
const TEMPLATE_FILE = 'job-template.yaml';
const TEMPLATE_VOLUME = 'job-template';
/** Where the `workshop-stacks` hub finds its template: a directory mount, which sees ConfigMap updates. */
const TEMPLATE_DIR = '/etc/consolehub';
/** The pod-template annotation that rolls the hub's pods when the template changes. */
export const JOB_TEMPLATE_HASH_ANNOTATION = 'checksum/job-template';

/**
 * Exactly the hub's API calls: create a user's Job (and get, list, watch and delete Jobs to manage them);
 * list pods by `uname` to find a user's pod IP (and get and watch them).
 */
export const CONSOLEHUB_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
];

/**
 * The consolehub stack: a Deployment and a Service named `consolehub` on port 5000 that start one
 * sandboxed {@link WebConsoleJob} per user and proxy each user's requests to their own pod, so that
 * a user's interpreter state is always where their requests land.
 *
 * The template, rendered from the typed Job, is in a ConfigMap. This project's hub (the default) reads
 * it as JSON from a directory mount (`JOB_TEMPLATE`) and creates the Jobs in its own namespace. The
 * workshop's hub (`hub: 'workshop'`) opens `job-template.yaml` in its working directory `/`, so the
 * template is mounted there as a single file and the image's own files in `/` stay visible. The
 * template's hash is a pod-template annotation: a changed template rolls new hub pods that read it
 * (a single-file mount never sees ConfigMap updates).
 *
 * RBAC is one namespaced Role in the jobs namespace with exactly the hub's calls, bound to the hub's
 * own ServiceAccount; the hub is the only pod with a token.
 */
export class ConsoleHub extends StackConstruct {
  /** The `consolehub` Service (5000): the stack's front door. */
  readonly endpoint: ServiceEndpoint;
  /** The same Service as a cdk8s-plus Service: `kplus.IngressBackend.fromService(x.service)` takes it. */
  readonly service: kplus.Service;
  /** The hub's ServiceAccount, bound to its Role in the jobs namespace. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** The per-user Job the hub starts: its template, and the users' pods as a pod group. */
  readonly job: WebConsoleJob;
  /** The Deployment and Service, as an escape hatch. */
  readonly workload: AppWorkload;

  constructor(scope: Construct, id: string, props: ConsoleHubProps = {}) {
    super(scope, id, props, 'ConsoleHub', 'consolehub');
    const { check, ctx } = this;
    check.oneOf('hub', props.hub, HUB_FLAVOURS);
    const ownImage = (props.hub ?? 'workshop-stacks') === 'workshop-stacks';
    // The workshop's hub image has no Docker Hub namespace: `consolehub:v1`, built as the workshop builds it.
    const source = projectImageSource(props, ownImage ? PROJECT_IMAGE_REGISTRY : undefined);
    const image = this.workshopImage(source, 'consolehub', PROJECT_IMAGE_TAG);
    check.replicas('replicas', props.replicas);
    check.seconds('startupTimeout', props.startupTimeout, ...STARTUP_TIMEOUT_RANGE);
    check.nodePort('nodePort', props.nodePort);
    check.userNamespace('jobsNamespace', props.jobsNamespace);
    if (ownImage && props.jobsNamespace !== undefined && props.jobsNamespace !== ctx.namespace) {
      check.fail(
        'jobsNamespace',
        `must be unset with hub 'workshop-stacks' (the default), whose Jobs go in its own namespace (${ctx.namespace}); it is for hub 'workshop'. Got ${JSON.stringify(props.jobsNamespace)}`,
      );
    }
    check.integer('maxSessions', props.maxSessions, 1, 10000);
    check.cidrs(
      'apiServerCidrs',
      props.apiServerCidrs,
      'must list at least one CIDR (leave it unset to allow any address)',
    );
    check.ports('apiServerPorts', props.apiServerPorts);
    const jobsNamespace = props.jobsNamespace ?? (ownImage ? ctx.namespace : 'default');
    const labels = standardLabels(ctx, 'consolehub', 'hub');
    const name = 'consolehub';

    if (jobsNamespace !== 'default' && jobsNamespace !== ctx.namespace) {
      restrictedNamespace(this, 'jobs-namespace', { name: jobsNamespace, labels });
    }

    this.job = new WebConsoleJob(this, 'job', {
      ...props.job,
      // Unset, the job's own default: this project's console image, built locally.
      registry: props.job?.registry ?? props.registry,
      namespace: jobsNamespace,
      profile: ctx.profile,
    });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, namespace: ctx.namespace, labels },
      // Only a pod that asks for the token (the hub does) gets it.
      automountServiceAccountToken: false,
    });
    const template = new k8s.KubeConfigMap(this, 'job-template', {
      // The template names no namespace (the hub picks it): this tells `traffic` and `validate` where its pods run.
      metadata: {
        name: `${name}-job-template`,
        namespace: ctx.namespace,
        labels,
        annotations: { [JOBS_NAMESPACE_ANNOTATION]: jobsNamespace },
      },
      data: { [TEMPLATE_FILE]: ownImage ? this.job.json : this.job.yaml },
    });

    const type = ctx.settings.externalServiceType;
    this.workload = new AppWorkload(this, 'consolehub', ctx, {
      ...FLASK_API_POD,
      name,
      component: 'hub',
      image,
      builtLocally: source.builtLocally,
      startupTimeout: props.startupTimeout,
      replicas: props.replicas ?? 1,
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      serviceAccountName: this.serviceAccount.name,
      // `load_incluster_config` reads the mounted token: the hub calls the API.
      automountServiceAccountToken: true,
      volumes: [{ name: TEMPLATE_VOLUME, configMap: { name: template.name } }],
      ...(ownImage
        ? {
            // This project's hub answers GET /healthz (the workshop's has no health route: TCP probes).
            probe: { kind: 'http' as const, path: '/healthz' },
            env: [
              { name: 'HUB_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'JOB_TEMPLATE', value: `${TEMPLATE_DIR}/${TEMPLATE_FILE}` },
            ],
            volumeMounts: [{ name: TEMPLATE_VOLUME, mountPath: TEMPLATE_DIR, readOnly: true }],
          }
        : {
            // The image runs `flask run` from `/` and opens the template by a relative path.
            workingDir: '/',
            volumeMounts: [
              { name: TEMPLATE_VOLUME, mountPath: `/${TEMPLATE_FILE}`, subPath: TEMPLATE_FILE, readOnly: true },
            ],
          }),
      podAnnotations: { [JOB_TEMPLATE_HASH_ANNOTATION]: this.job.hash },
      service: {
        port: FLASK_API_POD.port.containerPort,
        type,
        nodePort: nodePortFor(type, props.nodePort),
      },
    });
    this.endpoint = this.workload.endpoint!;
    this.service = this.workload.service!;
    this.node.defaultChild = this.workload;

    grantNamespacedRole(this, 'hub', {
      name,
      namespace: jobsNamespace,
      labels,
      rules: CONSOLEHUB_RULES.map((r) => ({ ...r })),
      subject: { name: this.serviceAccount.name, namespace: ctx.namespace },
    });

    if (props.guardRails ?? true) {
      const sessions = props.maxSessions ?? 20;
      const { requests = {}, limits = {} } = this.job.resources;
      const times = (quantity: k8s.Quantity) =>
        k8s.Quantity.fromString(scaleQuantity(String(quantity.value), sessions));
      if (jobsNamespace === ctx.namespace) {
        // The LimitRange caps every container of the namespace, the hub's own included.
        const hub = toResourceRequirements(FLASK_API_POD.resources, ctx.settings.resourceScale).limits ?? {};
        for (const resource of ['cpu', 'memory'] as const) {
          if (compareQuantities(String(hub[resource].value), String(limits[resource].value)) > 0) {
            check.fail(
              `job.resources.${resource}.limit`,
              `must be at least the hub's own ${resource} limit (${hub[resource].value}), since the hub shares its namespace and LimitRange with its users' consoles; got ${limits[resource].value}`,
            );
          }
        }
      }
      guardNamespace(this, {
        namespace: jobsNamespace,
        labels,
        quotas: [
          { name: `${name}-jobs`, hard: { 'count/jobs.batch': k8s.Quantity.fromNumber(sessions) } },
          // Scoped to pods with a deadline (the users' pods have one), so other pods in the namespace are not counted.
          {
            name: `${name}-sessions`,
            scopes: ['Terminating'],
            hard: {
              pods: k8s.Quantity.fromNumber(sessions),
              'requests.cpu': times(requests.cpu),
              'requests.memory': times(requests.memory),
              'limits.cpu': times(limits.cpu),
              'limits.memory': times(limits.memory),
            },
          },
        ],
        limitRange: { name: `${name}-sessions`, container: { max: limits, default: limits, defaultRequest: requests } },
      });
    }

    // The hub forwards to the users' pods and calls the API server, whose address only apiServerCidrs knows.
    const apiServerPorts = props.apiServerPorts ?? DEFAULT_API_SERVER_PORTS;
    declareNeeds(this.workload.workload, [
      ...DNS_NEEDS,
      { to: { workload: { namespace: jobsNamespace, name: TEMPLATE_JOBS_NAME } }, port: this.job.port.containerPort },
      ...apiServerPorts.flatMap((port): NeededFlow[] =>
        props.apiServerCidrs
          ? props.apiServerCidrs.map((cidr) => ({ to: { cidr }, port }))
          : [{ to: { outside: true }, port }],
      ),
    ]);

    if (props.networkPolicies ?? true) {
      const traffic = this.networkTraffic();
      traffic.allowFromAnywhere(this.workload, [{ port: FLASK_API_POD.port.containerPort }]);
      traffic.allow(this.workload, this.job, [{ port: this.job.port.containerPort }]);
      declareException(
        traffic.policyOf(this.job)!,
        'wiring/network-policy-selects-pods',
        "selects the users' webconsole pods, which consolehub creates at run time from job-template.yaml; no pod template of theirs is in the manifests",
      );
      const apiPorts = apiServerPorts.map((p) => ({ port: p }));
      if (props.apiServerCidrs) traffic.allowToCidrs(this.workload, props.apiServerCidrs, apiPorts);
      else traffic.allowToAnywhere(this.workload, apiPorts);
    }
  }
}
