import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkTraffic } from '../src/network-traffic';
import { Profile, profileSettings } from '../src/profile';
import { ResourceSpec } from '../src/resources';
import { StackChart } from '../src/stack-chart';
import { PropsValidator } from '../src/props-validator';
import { ownerLabels } from '../src/manifest/labels';
import { isSystemNamespace, slugify } from '../src/manifest/names';
import { POLICY_API_VERSION } from '../src/manifest/kube-object';
import { AttendeeNamespace, attendeeNamespacesOf } from './attendee-namespace';
import { AttendeeAccess, AttendeeQuota, ClassroomStacks } from './attendee-props';
import { checkFit, sessionsOf } from './quota-fit';
import { optionsOf } from './stack-options';

/**
 * The pod network of a minikube cluster: the CIDR minikube gives kubeadm (`--pod-network-cidr`) and
 * configures its CNIs with (Calico, Flannel, the bridge). `kubectl cluster-info dump | grep -m1 cluster-cidr`
 * shows another cluster's.
 */
export const MINIKUBE_POD_NETWORK_CIDR = '10.244.0.0/16';

/** The attendees: their names, or a number of them named `<prefix><n>`. */
export type ClassroomAttendees =
  | readonly string[]
  | {
      /** How many attendees. */
      readonly count: number;
      /**
       * Their names are this prefix and a number from 1, zero-padded to sort (`attendee-01` ... `attendee-30`).
       * @default 'attendee-'
       */
      readonly prefix?: string;
    };

/**
 * Cluster-wide isolation of the attendees with the policy API (policy.networking.k8s.io/v1alpha1), on top
 * of the NetworkPolicies, for clusters whose network plugin enforces it (see the README).
 */
export interface ClassroomAdminIsolation {
  /**
   * `admin`: one AdminNetworkPolicy per attendee, denying traffic from and to the other attendees'
   * namespaces before any NetworkPolicy is consulted, so that no attendee can weaken it. `baseline`: the
   * cluster's BaselineAdminNetworkPolicy (`default`; a cluster has at most one), denying traffic between
   * attendee namespaces for pods no NetworkPolicy selects: if an attendee deletes their namespace's
   * policies, their pods fail closed (cut off from every attendee namespace, their own included).
   */
  readonly policy: 'admin' | 'baseline';
  /**
   * `admin`: priority of the first attendee's AdminNetworkPolicy, the next ones +1 each (no two share
   * one); all must lie within 0-1000. Lower comes first, before the cluster's other ANPs of higher numbers.
   * @default 100
   */
  readonly priority?: number;
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
   * Also isolate the attendees with an AdminNetworkPolicy per attendee or the BaselineAdminNetworkPolicy.
   * @default none: the NetworkPolicies alone
   */
  readonly adminIsolation?: ClassroomAdminIsolation;
  /**
   * Where the classroom runs: `local` (minikube) or `cloud` (LoadBalancers: one address per front door per attendee).
   * @default the enclosing StackChart's, else 'local'
   */
  readonly profile?: Profile;
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
  /** Every attendee's namespace, in the given order. */
  readonly attendees: readonly AttendeeNamespace[];
  readonly name: string;
  readonly profile: Profile;

  constructor(scope: Construct, id: string, props: ClassroomProps) {
    super(scope, id);
    const check = new PropsValidator(this, 'Classroom');
    this.name = props.name ?? id;
    check.dnsLabel('name', this.name);
    check.profile('profile', props.profile);
    check.oneOf('access', props.access, ['edit', 'workshop']);
    const prefix = props.namespacePrefix ?? `${this.name}-`;
    check.namePrefix('namespacePrefix', prefix);
    const podNetwork = props.podNetworkCidrs ?? [MINIKUBE_POD_NETWORK_CIDR];
    check.cidrs('podNetworkCidrs', podNetwork, undefined, false);
    const quota: Required<AttendeeQuota> = {
      cpu: props.quota?.cpu ?? DEFAULT_QUOTA.cpu,
      memory: props.quota?.memory ?? DEFAULT_QUOTA.memory,
      pods: props.quota?.pods ?? DEFAULT_QUOTA.pods,
      services: props.quota?.services ?? DEFAULT_QUOTA.services,
      jobs: props.quota?.jobs ?? DEFAULT_QUOTA.jobs,
    };
    const defaults = props.containerDefaults ?? DEFAULT_CONTAINER;
    check.requestAndLimit('quota.cpu', quota.cpu);
    check.requestAndLimit('quota.memory', quota.memory);
    check.integer('quota.pods', quota.pods, 1, 100000);
    check.integer('quota.services', quota.services, 0, 100000);
    check.integer('quota.jobs', quota.jobs, 0, 100000);
    check.resources('containerDefaults', defaults);
    this.profile = props.profile ?? StackChart.nearest(this)?.profile ?? 'local';

    // Before any child: every policy below treats "anywhere" as "this namespace or outside the pod network".
    NetworkTraffic.confineAnywhere(this, podNetwork);

    const isolation = props.adminIsolation;
    const normalized = normalizeAttendees(check, props.attendees, prefix);
    if (isolation) {
      check.oneOf('adminIsolation.policy', isolation.policy, ['admin', 'baseline']);
      check.integer(
        'adminIsolation.priority',
        isolation.priority ?? DEFAULT_ADMIN_PRIORITY,
        0,
        MAX_ADMIN_PRIORITY - (normalized.length - 1),
        `an integer from 0 to ${MAX_ADMIN_PRIORITY - (normalized.length - 1)}, so that each of the ${normalized.length} attendees' AdminNetworkPolicies has a priority up to ${MAX_ADMIN_PRIORITY}`,
      );
      if (isolation.policy === 'baseline') this.baselineIsolation();
    }

    this.attendees = normalized.map(
      ({ displayName, name, namespace }, i) =>
        new AttendeeNamespace(this, name, {
          displayName,
          name,
          namespace,
          classroom: this.name,
          profile: this.profile,
          access: props.access ?? 'edit',
          quota,
          containerDefaults: defaults,
          stacks: props.stacks ?? {},
          ownWorkloadTraffic: props.ownWorkloadTraffic ?? true,
          adminPriority: isolation?.policy === 'admin' ? (isolation.priority ?? DEFAULT_ADMIN_PRIORITY) + i : undefined,
        }),
    );

    // At synth time, so that stacks changed after construction (more replicas, another route) are counted.
    const scale = profileSettings(this.profile).resourceScale;
    const sessions = optionsOf(props.stacks?.consolehub ?? {}).maxSessions ?? DEFAULT_CLASSROOM_SESSIONS;
    this.node.addValidation({
      validate: () => {
        for (const attendee of this.attendees)
          checkFit(check, attendee, quota, scale, sessionsOf(attendee.stacks.consolehub, sessions));
        return [];
      },
    });
  }

  /**
   * The BaselineAdminNetworkPolicy: between the classroom's attendee namespaces, nothing, for pods that
   * no NetworkPolicy selects. A cluster-scoped singleton, in a chart of its own.
   */
  private baselineIsolation(): void {
    const chart = new Chart(this, 'cluster-policy', { labels: ownerLabels(this.name) });
    const attendees = attendeeNamespacesOf(this.name);
    new ApiObject(chart, 'baseline-admin-network-policy', {
      apiVersion: POLICY_API_VERSION,
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'default' },
      spec: {
        subject: { namespaces: attendees },
        ingress: [{ name: 'deny-from-attendees', action: 'Deny', from: [{ namespaces: attendees }] }],
        egress: [{ name: 'deny-to-attendees', action: 'Deny', to: [{ namespaces: attendees }] }],
      },
    });
  }
}

const DEFAULT_ADMIN_PRIORITY = 100;
const MAX_ADMIN_PRIORITY = 1000;

/**
 * An attendee's name as a DNS-1123 label of at most `maxLength` characters: accents dropped, lower
 * case, every run of other characters one '-', no '-' at either end. `''` when nothing is left.
 */
export function normalizeAttendeeName(name: string, maxLength = 63): string {
  return slugify(name, { maxLength });
}

interface NormalizedAttendee {
  readonly displayName: string;
  readonly name: string;
  readonly namespace: string;
}

function normalizeAttendees(
  check: PropsValidator,
  attendees: ClassroomAttendees,
  prefix: string,
): NormalizedAttendee[] {
  let names: readonly string[];
  if (Array.isArray(attendees)) {
    names = attendees;
  } else {
    const { count, prefix: namePrefix = 'attendee-' } = attendees as Exclude<ClassroomAttendees, readonly string[]>;
    check.integer('attendees.count', count, 1, 10000);
    names = Array.from(
      { length: count },
      (_, i) => `${namePrefix}${String(i + 1).padStart(String(count).length, '0')}`,
    );
  }
  if (names.length === 0) check.fail('attendees', 'must name at least one attendee');
  const taken = new Map<string, string>();
  return names.map((displayName, i) => {
    const field = Array.isArray(attendees) ? `attendees[${i}]` : 'attendees.prefix';
    if (typeof displayName !== 'string') check.fail(field, `must be a string, got ${JSON.stringify(displayName)}`);
    const name = normalizeAttendeeName(displayName, 63 - prefix.length);
    if (name === '')
      check.fail(field, `${JSON.stringify(displayName)} has no letter or digit to name a namespace after`);
    const namespace = `${prefix}${name}`;
    if (namespace === 'default' || isSystemNamespace(namespace)) {
      check.fail(
        field,
        `${JSON.stringify(displayName)} would be the namespace ${namespace}, which is the system's: set a namespacePrefix`,
      );
    }
    const other = taken.get(name);
    if (other !== undefined) {
      check.fail(
        field,
        `${JSON.stringify(displayName)} and ${JSON.stringify(other)} both become ${JSON.stringify(name)} (namespace ${namespace}); make them differ in letters or digits`,
      );
    }
    taken.set(name, displayName);
    return { displayName, name, namespace };
  });
}
