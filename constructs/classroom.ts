import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { declareException } from '../src/checks/exceptions';
import { KubeObject, PodSpecLike, podTemplateOf } from '../src/manifest';
import { NetworkTraffic, PodGroup } from '../src/network';
import { Profile, profileSettings } from '../src/profile';
import { bindRoleInNamespace, grantNamespacedRole } from '../src/rbac';
import { ResourceSpec, quantityValue, scaleQuantity } from '../src/resources';
import { MANAGED_BY, StackChart } from '../src/stack-chart';
import { PropsValidator } from '../src/validation';
import { ApiGateway, ApiGatewayProps } from './api-gateway';
import { ConsoleHub, ConsoleHubProps } from './consolehub';
import { Dockercoins, DockercoinsProps } from './dockercoins';
import { TrendingRepos, TrendingReposProps } from './trending-repos';
import { WebConsole, WebConsoleProps } from './webconsole';
import { PROVISIONER_LABELS } from './webconsole-job';

/** On every object of an attendee: their (normalized) name. `kubectl get all -A -l workshop-stacks.io/attendee=alice`. */
export const ATTENDEE_LABEL = 'workshop-stacks.io/attendee';
/** On every object of a classroom: its name. */
export const CLASSROOM_LABEL = 'workshop-stacks.io/classroom';
/** `attendee` on the attendee's own ServiceAccount only: what `workshop-stacks kubeconfig` issues tokens for. */
export const ACCOUNT_LABEL = 'workshop-stacks.io/account';
/** The attendee's name as given (`Zoë Martin`), on their Namespace and ServiceAccount. */
export const DISPLAY_NAME_ANNOTATION = 'workshop-stacks.io/attendee-name';
/** Name of the attendee's ServiceAccount, Role, RoleBinding, ResourceQuota and LimitRange in their namespace. */
export const ATTENDEE_OBJECT_NAME = 'attendee';
/**
 * The pod network of a minikube cluster: the CIDR minikube gives kubeadm (`--pod-network-cidr`) and
 * configures its CNIs with (Calico, Flannel, the bridge). `kubectl cluster-info dump | grep -m1 cluster-cidr`
 * shows another cluster's.
 */
export const MINIKUBE_POD_NETWORK_CIDR = '10.244.0.0/16';

/** The attendees: their names, or a number of them named `<prefix><n>`. */
export type ClassroomAttendees = readonly string[] | {
  /** How many attendees. */
  readonly count: number;
  /**
   * Their names are this prefix and a number from 1, zero-padded to sort (`attendee-01` ... `attendee-30`).
   * @default 'attendee-'
   */
  readonly prefix?: string;
};

/** What one attendee may use in all, over every pod in their namespace (a ResourceQuota). */
export interface AttendeeQuota {
  /**
   * CPU of all the attendee's pods together: the sum of their requests and of their limits (scaled by
   * the profile, as every container's resources are).
   * @default { request: '1', limit: '8' }
   */
  readonly cpu?: { readonly request: string; readonly limit: string };
  /**
   * Memory of all the attendee's pods together (scaled by the profile).
   * @default { request: '1Gi', limit: '4Gi' }
   */
  readonly memory?: { readonly request: string; readonly limit: string };
  /**
   * Pods.
   * @default 25
   */
  readonly pods?: number;
  /**
   * Services.
   * @default 10
   */
  readonly services?: number;
  /**
   * Jobs.
   * @default 5
   */
  readonly jobs?: number;
}

/** What the attendees may do in their namespace (and nowhere else). */
export type AttendeeAccess = 'edit' | 'workshop';

/** The workshop's API gateway in front of tgr, for each attendee: the route `/` -> `tgr:5000`. */
export interface ClassroomApiGatewayProps {
  /**
   * The gateway; its node port is assigned by the cluster.
   * @default the ApiGateway defaults
   */
  readonly gateway?: Omit<ApiGatewayProps, 'namespace' | 'profile' | 'nodePort' | 'routes' | 'gatewayApi'>;
  /**
   * tgr. Its credentials Secret must be created in each attendee's namespace.
   * @default the TrendingRepos defaults
   */
  readonly tgr?: Omit<TrendingReposProps, 'namespace' | 'profile'>;
}

/** The stacks deployed for each attendee, in their namespace, with the constructs' own props (`true`: defaults). */
export interface ClassroomStacks {
  /**
   * dockercoins; its webui's node port is assigned by the cluster.
   * @default none
   */
  readonly dockercoins?: Omit<DockercoinsProps, 'namespace' | 'profile' | 'webuiNodePort'> | true;
  /**
   * webconsole; its node port is assigned by the cluster.
   * @default none
   */
  readonly webconsole?: Omit<WebConsoleProps, 'namespace' | 'profile' | 'nodePort'> | true;
  /**
   * The API gateway and tgr.
   * @default none
   */
  readonly apiGateway?: ClassroomApiGatewayProps | true;
  /**
   * consolehub, with its users' Jobs in the attendee's namespace: this needs a hub image that creates
   * them there (the workshop's hard-codes `default`). Its own guard rails are off: the attendee's
   * quota and LimitRange bound the hub's users' pods. `maxSessions` is how many consoles the quota
   * must have room for (2 unless set).
   * @default none
   */
  readonly consolehub?: Omit<ConsoleHubProps, 'namespace' | 'profile' | 'nodePort' | 'jobsNamespace' | 'guardRails'> | true;
}

/** Props of {@link Classroom}. */
export interface ClassroomProps {
  /** The attendees: a list of names (any text; normalized to DNS labels), or `{ count, prefix }`. */
  readonly attendees: ClassroomAttendees;
  /**
   * Name of the classroom: the value of its `workshop-stacks.io/classroom` and `app.kubernetes.io/part-of` labels.
   * @default the construct's id
   */
  readonly name?: string;
  /**
   * Start of every attendee's namespace name; the rest is their normalized name.
   * @default `<name>-`
   */
  readonly namespacePrefix?: string;
  /**
   * The stacks deployed for each attendee.
   * @default none: empty namespaces
   */
  readonly stacks?: ClassroomStacks;
  /**
   * What each attendee may use in all. Synthesis fails when the stacks do not fit in it.
   * @default the {@link AttendeeQuota} defaults
   */
  readonly quota?: AttendeeQuota;
  /**
   * Requests and limits of a container that sets none (a LimitRange; the quota rejects pods without
   * them otherwise): what `kubectl create deployment` gets. Scaled by the profile.
   * @default cpu 50m/250m, memory 64Mi/256Mi
   */
  readonly containerDefaults?: Omit<ResourceSpec, 'ephemeralStorage'>;
  /**
   * The attendee's rights in their namespace: `edit`, the built-in ClusterRole (bound by a RoleBinding
   * in their namespace only), or `workshop`, a Role of this construct's own with what the workshops do
   * (workloads, Services, ConfigMaps, logs, exec, port-forward) that cannot change NetworkPolicies,
   * ServiceAccounts or anything RBAC, nor touch Secrets. With `edit`, an attendee can read the
   * namespace's Secrets and make tokens that outlive their kubeconfig's (a service-account-token
   * Secret); deleting the classroom revokes those too.
   * @default 'edit'
   */
  readonly access?: AttendeeAccess;
  /**
   * The address ranges of the cluster's pods. Front doors open to "anywhere" admit the attendee's own
   * namespace and every address outside these ranges (nodes, load balancers, NodePort clients), so no
   * attendee's pod can reach another's. Wrong ranges break that isolation or the front doors.
   * @default [MINIKUBE_POD_NETWORK_CIDR] ('10.244.0.0/16')
   */
  readonly podNetworkCidrs?: string[];
  /**
   * Let the pods attendees create themselves (anything not from the stacks) reach each other, DNS and
   * addresses outside the pod network, and be reached from their namespace and from outside the pod
   * network, as a workshop's `kubectl create deployment` and `kubectl expose` expect. Without it the
   * namespace's default deny isolates them completely.
   * @default true
   */
  readonly ownWorkloadTraffic?: boolean;
  /**
   * Where the classroom runs: `local` (minikube) or `cloud` (LoadBalancers: one address per front door per attendee).
   * @default the enclosing StackChart's, else 'local'
   */
  readonly profile?: Profile;
}

/** One attendee's place in the classroom. */
export interface ClassroomAttendee {
  /** The name as given. */
  readonly displayName: string;
  /** The normalized name: a DNS-1123 label, the value of `workshop-stacks.io/attendee`. */
  readonly name: string;
  readonly namespace: string;
  /** The chart of the attendee's objects. */
  readonly chart: StackChart;
  /** The ServiceAccount the attendee works as. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** The stacks deployed for the attendee, as configured. */
  readonly stacks: {
    readonly dockercoins?: Dockercoins;
    readonly webconsole?: WebConsole;
    readonly apiGateway?: ApiGateway;
    readonly tgr?: TrendingRepos;
    readonly consolehub?: ConsoleHub;
  };
}

const DEFAULT_QUOTA: Required<AttendeeQuota> = {
  cpu: { request: '1', limit: '8' },
  memory: { request: '1Gi', limit: '4Gi' },
  pods: 25,
  services: 10,
  jobs: 5,
};
const DEFAULT_CONTAINER: Omit<ResourceSpec, 'ephemeralStorage'> = {
  cpu: { request: '50m', limit: '250m' },
  memory: { request: '64Mi', limit: '256Mi' },
};
/** Consoles a classroom's consolehub must have room for, unless its `maxSessions` says otherwise. */
const DEFAULT_CLASSROOM_SESSIONS = 2;

/**
 * The `workshop` access: what the workshops do with kubectl, named exactly. Read-only on the objects
 * that keep attendees apart and bounded (NetworkPolicies, quotas, ServiceAccounts), nothing of RBAC,
 * no Secrets: they hold the instructor's credentials (tgr's), and a service-account-token Secret would
 * mint a token that outlives the kubeconfig's.
 */
export const ATTENDEE_WORKSHOP_RULES: readonly k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/exec', 'pods/attach', 'pods/portforward'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['events', 'endpoints', 'serviceaccounts', 'resourcequotas', 'limitranges'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'daemonsets', 'statefulsets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['apps'], resources: ['deployments/scale', 'replicasets/scale', 'statefulsets/scale'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
];

/**
 * A class: one isolated namespace per attendee, with the chosen stacks deployed into it by the same
 * constructs users import. Place it in an App: it adds one StackChart per attendee.
 *
 * Per attendee: a Namespace enforcing PSS `restricted`; a ResourceQuota and a LimitRange; a
 * ServiceAccount bound in that namespace only (to `edit`, or the narrower `workshop` Role); a default
 * deny and, for the attendee's own pods, traffic within the namespace and to and from outside the pod
 * network; and the stacks, whose front doors admit only the attendee's namespace and addresses outside
 * the pod network. No NetworkPolicy admits another attendee's pods. Node ports are assigned by the
 * cluster, since N attendees cannot all pin one.
 */
export class Classroom extends Construct {
  /** Every attendee, in the given order. */
  readonly attendees: readonly ClassroomAttendee[];
  readonly name: string;
  readonly profile: Profile;

  constructor(scope: Construct, id: string, props: ClassroomProps) {
    super(scope, id);
    const check = new PropsValidator(this, 'Classroom');
    this.name = props.name ?? id;
    check.dnsLabel('name', this.name);
    check.oneOf('profile', props.profile, ['local', 'cloud']);
    check.oneOf('access', props.access, ['edit', 'workshop']);
    const prefix = props.namespacePrefix ?? `${this.name}-`;
    if (prefix !== '' && (prefix.length > 62 || !/^[a-z0-9][-a-z0-9]*$/.test(prefix))) {
      check.fail('namespacePrefix', `must be lower-case letters, digits and '-', start with a letter or digit and leave room for a name (at most 62 characters), got ${JSON.stringify(prefix)}`);
    }
    const podNetwork = props.podNetworkCidrs ?? [MINIKUBE_POD_NETWORK_CIDR];
    check.cidrs('podNetworkCidrs', podNetwork);
    podNetwork.forEach((cidr, i) => {
      if (cidr.endsWith('/0')) check.fail(`podNetworkCidrs[${i}]`, `must not be every address (then nothing would be outside the pod network), got ${JSON.stringify(cidr)}`);
    });
    const quota: Required<AttendeeQuota> = {
      cpu: props.quota?.cpu ?? DEFAULT_QUOTA.cpu,
      memory: props.quota?.memory ?? DEFAULT_QUOTA.memory,
      pods: props.quota?.pods ?? DEFAULT_QUOTA.pods,
      services: props.quota?.services ?? DEFAULT_QUOTA.services,
      jobs: props.quota?.jobs ?? DEFAULT_QUOTA.jobs,
    };
    const defaults = props.containerDefaults ?? DEFAULT_CONTAINER;
    checkQuota(check, quota, defaults);
    this.profile = props.profile ?? StackChart.nearest(this)?.profile ?? 'local';
    const scale = profileSettings(this.profile).resourceScale;

    // Before any child: every policy below treats "anywhere" as "this namespace or outside the pod network".
    NetworkTraffic.confineAnywhere(this, podNetwork);

    this.attendees = normalizeAttendees(check, props.attendees, prefix).map(({ displayName, name, namespace }, i) => {
      const labels = { [CLASSROOM_LABEL]: this.name, [ATTENDEE_LABEL]: name };
      const chart = new StackChart(this, name, { namespace, profile: this.profile, partOf: this.name, labels });
      chart.namespaceObject!.metadata.addAnnotation(DISPLAY_NAME_ANNOTATION, displayName);
      const serviceAccount = this.access(chart, namespace, displayName, props.access ?? 'edit');
      this.guardRails(chart, namespace, quota, defaults, scale);
      const stacks = this.deploy(chart, namespace, props.stacks ?? {}, props.ownWorkloadTraffic ?? true);
      // Every attendee gets the same stacks: checking the first checks them all.
      if (i === 0) checkFit(check, chart, quota, scale, sessionsOf(props.stacks?.consolehub, stacks.consolehub));
      return { displayName, name, namespace, chart, serviceAccount, stacks };
    });
  }

  private access(chart: StackChart, namespace: string, displayName: string, access: AttendeeAccess): k8s.KubeServiceAccount {
    const metadata = { name: ATTENDEE_OBJECT_NAME, namespace, labels: this.labels('access') };
    const serviceAccount = new k8s.KubeServiceAccount(chart, 'service-account', {
      metadata: { ...metadata, labels: { ...metadata.labels, [ACCOUNT_LABEL]: 'attendee' }, annotations: { [DISPLAY_NAME_ANNOTATION]: displayName } },
      // The account is for a person's kubeconfig, never for a pod.
      automountServiceAccountToken: false,
    });
    const grant = { ...metadata, subject: { name: serviceAccount.name, namespace } };
    if (access === 'workshop') grantNamespacedRole(chart, 'attendee', { ...grant, rules: ATTENDEE_WORKSHOP_RULES.map((r) => ({ ...r })) });
    else bindRoleInNamespace(chart, 'attendee', { ...grant, roleRef: { kind: 'ClusterRole', name: 'edit' } });
    return serviceAccount;
  }

  private guardRails(chart: StackChart, namespace: string, quota: Required<AttendeeQuota>, defaults: Omit<ResourceSpec, 'ephemeralStorage'>, scale: number): void {
    const metadata = { name: ATTENDEE_OBJECT_NAME, namespace, labels: this.labels('quota') };
    const q = (value: string) => k8s.Quantity.fromString(scaleQuantity(value, scale));
    new k8s.KubeResourceQuota(chart, 'quota', {
      metadata,
      spec: {
        hard: {
          'requests.cpu': q(quota.cpu.request), 'limits.cpu': q(quota.cpu.limit),
          'requests.memory': q(quota.memory.request), 'limits.memory': q(quota.memory.limit),
          'pods': k8s.Quantity.fromNumber(quota.pods),
          'services': k8s.Quantity.fromNumber(quota.services),
          'count/jobs.batch': k8s.Quantity.fromNumber(quota.jobs),
        },
      },
    });
    // No `max`: the quota bounds the whole namespace, and a per-container cap would only reject
    // containers (the stacks' or the attendee's) that the quota has room for.
    new k8s.KubeLimitRange(chart, 'limits', {
      metadata,
      spec: {
        limits: [{
          type: 'Container',
          default: { cpu: q(defaults.cpu.limit), memory: q(defaults.memory.limit) },
          defaultRequest: { cpu: q(defaults.cpu.request), memory: q(defaults.memory.request) },
        }],
      },
    });
  }

  private deploy(chart: StackChart, namespace: string, stacks: ClassroomStacks, ownWorkloadTraffic: boolean): ClassroomAttendee['stacks'] {
    const placement = { namespace, profile: this.profile };
    // The namespace is the classroom's: its default deny comes first, and the stacks' own calls share it.
    const traffic = new NetworkTraffic(chart, 'traffic', { labels: this.labels('network') });
    traffic.denyAllIn(namespace);
    const out: { -readonly [K in keyof ClassroomAttendee['stacks']]: ClassroomAttendee['stacks'][K] } = {};
    if (stacks.dockercoins) {
      out.dockercoins = new Dockercoins(chart, 'dockercoins', { ...optionsOf(stacks.dockercoins), ...placement, webuiNodePort: 'auto' });
    }
    if (stacks.webconsole) {
      out.webconsole = new WebConsole(chart, 'webconsole', { ...optionsOf(stacks.webconsole), ...placement, nodePort: 'auto' });
    }
    if (stacks.apiGateway) {
      const api = optionsOf(stacks.apiGateway);
      out.tgr = new TrendingRepos(chart, 'tgr', { ...api.tgr, ...placement });
      out.apiGateway = new ApiGateway(chart, 'api-gateway', { ...api.gateway, ...placement, nodePort: 'auto' });
      out.apiGateway.addRoute(out.tgr.route);
    }
    if (stacks.consolehub) {
      out.consolehub = new ConsoleHub(chart, 'consolehub', {
        ...optionsOf(stacks.consolehub), ...placement, nodePort: 'auto', jobsNamespace: namespace, guardRails: false,
      });
    }
    if (ownWorkloadTraffic) {
      // The attendee's own pods: everything not from a stack (nor a consolehub user's pod, which dials nothing).
      const own: PodGroup = {
        name: 'attendee-workloads',
        namespace,
        selector: {},
        matchExpressions: [
          { key: 'app.kubernetes.io/managed-by', operator: 'NotIn', values: [MANAGED_BY] },
          ...(out.consolehub ? Object.entries(PROVISIONER_LABELS).map(([key, value]) => ({ key, operator: 'NotIn', values: [value] })) : []),
        ],
      };
      traffic.allowFromAnywhere(own, []);
      traffic.allowToAnywhere(own, []);
      declareException(traffic.policyOf(own)!, 'wiring/network-policy-selects-pods',
        'selects the pods an attendee creates during the workshop (kubectl create deployment); none of them is in the manifests');
    }
    return out;
  }

  private labels(component: string): Record<string, string> {
    return { 'app.kubernetes.io/component': component, 'app.kubernetes.io/part-of': this.name, 'app.kubernetes.io/managed-by': MANAGED_BY };
  }
}

/**
 * An attendee's name as a DNS-1123 label of at most `maxLength` characters: accents dropped, lower
 * case, every run of other characters one '-', no '-' at either end. `''` when nothing is left.
 */
export function normalizeAttendeeName(name: string, maxLength = 63): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, maxLength).replace(/-+$/, '');
}

interface NormalizedAttendee {
  readonly displayName: string;
  readonly name: string;
  readonly namespace: string;
}

function normalizeAttendees(check: PropsValidator, attendees: ClassroomAttendees, prefix: string): NormalizedAttendee[] {
  let names: readonly string[];
  if (Array.isArray(attendees)) {
    names = attendees;
  } else {
    const { count, prefix: namePrefix = 'attendee-' } = attendees as Exclude<ClassroomAttendees, readonly string[]>;
    check.integer('attendees.count', count, 1, 10000);
    names = Array.from({ length: count }, (_, i) => `${namePrefix}${String(i + 1).padStart(String(count).length, '0')}`);
  }
  if (names.length === 0) check.fail('attendees', 'must name at least one attendee');
  const taken = new Map<string, string>();
  return names.map((displayName, i) => {
    const field = Array.isArray(attendees) ? `attendees[${i}]` : 'attendees.prefix';
    if (typeof displayName !== 'string') check.fail(field, `must be a string, got ${JSON.stringify(displayName)}`);
    const name = normalizeAttendeeName(displayName, 63 - prefix.length);
    if (name === '') check.fail(field, `${JSON.stringify(displayName)} has no letter or digit to name a namespace after`);
    const namespace = `${prefix}${name}`;
    if (namespace === 'default' || namespace.startsWith('kube-')) {
      check.fail(field, `${JSON.stringify(displayName)} would be the namespace ${namespace}, which is the system's: set a namespacePrefix`);
    }
    const other = taken.get(name);
    if (other !== undefined) {
      check.fail(field, `${JSON.stringify(displayName)} and ${JSON.stringify(other)} both become ${JSON.stringify(name)} (namespace ${namespace}); make them differ in letters or digits`);
    }
    taken.set(name, displayName);
    return { displayName, name, namespace };
  });
}

function optionsOf<T extends object>(value: T | true): T | Record<string, never> {
  return value === true ? {} : value;
}

function checkQuota(check: PropsValidator, quota: Required<AttendeeQuota>, defaults: Omit<ResourceSpec, 'ephemeralStorage'>): void {
  for (const [field, pairs] of [['quota', quota], ['containerDefaults', defaults]] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      const pair = pairs[resource];
      check.quantity(`${field}.${resource}.request`, pair?.request ?? '');
      check.quantity(`${field}.${resource}.limit`, pair?.limit ?? '');
      if (quantityValue(pair.request) > quantityValue(pair.limit)) {
        check.fail(`${field}.${resource}.request`, `must not exceed the limit (${pair.limit}), got ${pair.request}`);
      }
    }
  }
  check.integer('quota.pods', quota.pods, 1, 100000);
  check.integer('quota.services', quota.services, 0, 100000);
  check.integer('quota.jobs', quota.jobs, 0, 100000);
}

/** What pods take from a quota, in cores and bytes. */
interface PodCost {
  'requests.cpu': number;
  'limits.cpu': number;
  'requests.memory': number;
  'limits.memory': number;
}

const COST_KEYS = ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory'] as const;
/** Kinds whose objects take from the quota. */
const QUOTA_KINDS = new Set(['Service', 'Job', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'CronJob']);

/** The consolehub's users' consoles the quota must hold: how many, and one's pod. */
interface Sessions {
  readonly count: number;
  readonly cost: PodCost;
}

function sessionsOf(props: ClassroomStacks['consolehub'], hub: ConsoleHub | undefined): Sessions | undefined {
  if (!hub) return undefined;
  return { count: optionsOf(props ?? {}).maxSessions ?? DEFAULT_CLASSROOM_SESSIONS, cost: podCost(podTemplateOf(hub.job.manifest)!.spec) };
}

/**
 * Fails unless the stacks fit in the quota: every pod running, plus the extra pods of the largest
 * rollout (a Deployment's surge; the largest in each resource), plus the consolehub's consoles.
 * A DaemonSet counts one pod, as on a one-node cluster.
 */
function checkFit(check: PropsValidator, chart: StackChart, quota: Required<AttendeeQuota>, scale: number, sessions: Sessions | undefined): void {
  const needs = { pods: 0, services: 0, jobs: 0, ...zeroCost() };
  const surge = { pods: 0, ...zeroCost() };
  const objects = chart.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && QUOTA_KINDS.has(c.kind))
    .map((o) => o.toJson() as KubeObject);
  for (const obj of objects) {
    if (obj.kind === 'Service') needs.services++;
    if (obj.kind === 'Job') needs.jobs++;
    const template = podTemplateOf(obj);
    if (!template) continue;
    const spec = obj.spec as Record<string, any>;
    const replicas: number = obj.kind === 'Deployment' || obj.kind === 'StatefulSet' ? spec.replicas ?? 1 : 1;
    const extra = obj.kind === 'Deployment' ? surgeOf(spec.strategy?.rollingUpdate?.maxSurge, replicas) : 0;
    const cost = podCost(template.spec);
    needs.pods += replicas;
    surge.pods = Math.max(surge.pods, extra);
    for (const key of COST_KEYS) {
      needs[key] += cost[key] * replicas;
      surge[key] = Math.max(surge[key], cost[key] * extra);
    }
  }
  needs.pods += surge.pods + (sessions?.count ?? 0);
  needs.jobs += sessions?.count ?? 0;
  for (const key of COST_KEYS) needs[key] += surge[key] + (sessions ? sessions.cost[key] * sessions.count : 0);

  const what = `the stacks need (${['their pods', surge.pods > 0 ? 'a rollout\'s extra pods' : '', sessions ? `${sessions.count} consolehub consoles` : '']
    .filter(Boolean).join(', ')})`;
  for (const key of ['pods', 'services', 'jobs'] as const) {
    if (needs[key] > quota[key]) check.fail(`quota.${key}`, `must allow the ${needs[key]} ${key} ${what}, got ${quota[key]}`);
  }
  for (const [resource, unit, size] of [['cpu', 'm', 1e-3], ['memory', 'Mi', 2 ** 20]] as const) {
    for (const side of ['request', 'limit'] as const) {
      const given = quota[resource][side];
      // Both sides scale with the profile; the message shows them before it. The margin absorbs rounding.
      const need = needs[`${side}s.${resource}`] / scale;
      if (need > quantityValue(given) * (1 + 1e-9)) {
        check.fail(`quota.${resource}.${side}`, `must allow the ${Math.ceil(need / size - 1e-6)}${unit} of ${resource} ${side}s ${what}, got ${given}`);
      }
    }
  }
}

function zeroCost(): PodCost {
  return { 'requests.cpu': 0, 'limits.cpu': 0, 'requests.memory': 0, 'limits.memory': 0 };
}

/** A Deployment's extra pods during a rollout: `maxSurge` as a number or a percentage (rounded up), 25% by default. */
function surgeOf(maxSurge: number | string | undefined, replicas: number): number {
  if (typeof maxSurge === 'number') return maxSurge;
  const percent = Number(/^(\d+)%$/.exec(maxSurge ?? '25%')?.[1] ?? 25);
  return Math.ceil((replicas * percent) / 100);
}

/** The requests and limits of one pod: the sum of its containers'. */
function podCost(spec: PodSpecLike): PodCost {
  const cost = zeroCost();
  for (const container of spec.containers ?? []) {
    for (const key of COST_KEYS) {
      const [side, resource] = key.split('.');
      const quantity = container.resources?.[side]?.[resource];
      if (quantity !== undefined) cost[key] += quantityValue(String(quantity));
    }
  }
  return cost;
}
