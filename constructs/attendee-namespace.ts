import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { declareException } from '../src/manifest/exceptions';
import {
  ACCOUNT_LABEL,
  ATTENDEE_LABEL,
  CLASSROOM_LABEL,
  COMPONENT_LABEL,
  DISPLAY_NAME_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PROVISIONER_LABELS,
  ownerLabels,
} from '../src/manifest/labels';
import { guardNamespace } from '../src/namespace';
import { NetworkTraffic, PodGroup } from '../src/network-traffic';
import { Profile, profileSettings } from '../src/profile';
import { bindRoleInNamespace, grantNamespacedRole } from '../src/rbac';
import { CpuAmount, ResourceSpec, SizeAmount, quantityOf, scaleQuantity } from '../src/resources';
import { StackChart } from '../src/stack-chart';
import { POLICY_API_VERSION } from '../src/manifest/kube-object';
import { ApiGateway } from './api-gateway';
import type { AttendeeAccess, AttendeeQuota, ClassroomStacks } from './attendee-props';
import { ConsoleHub } from './consolehub';
import { Dockercoins } from './dockercoins';
import { TrendingRepos } from './trending-repos';
import { optionsOf } from './stack-options';
import { WebConsole } from './webconsole';

/** The namespaces of a classroom's attendees, as the policy API selects them. */
export function attendeeNamespacesOf(classroom: string): {
  matchLabels: Record<string, string>;
  matchExpressions: Array<{ key: string; operator: string; values?: string[] }>;
} {
  return {
    matchLabels: { [CLASSROOM_LABEL]: classroom },
    matchExpressions: [{ key: ATTENDEE_LABEL, operator: 'Exists' }],
  };
}

/** Name of the attendee's ServiceAccount, Role, RoleBinding, ResourceQuota and LimitRange in their namespace. */
export const ATTENDEE_OBJECT_NAME = 'attendee';

/**
 * The `workshop` access: what the workshops do with kubectl, named exactly. Read-only on the objects
 * that keep attendees apart and bounded (NetworkPolicies, quotas, ServiceAccounts), nothing of RBAC,
 * no Secrets: they hold the instructor's credentials (tgr's), and a service-account-token Secret would
 * mint a token that outlives the kubeconfig's.
 */
export const ATTENDEE_WORKSHOP_RULES: readonly k8s.PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/exec', 'pods/attach', 'pods/portforward'], verbs: ['get', 'create'] },
  {
    apiGroups: [''],
    resources: ['events', 'endpoints', 'serviceaccounts', 'resourcequotas', 'limitranges'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'replicasets', 'daemonsets', 'statefulsets'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments/scale', 'replicasets/scale', 'statefulsets/scale'],
    verbs: ['get', 'update', 'patch'],
  },
  {
    apiGroups: ['batch'],
    resources: ['jobs', 'cronjobs'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
];

/** The stacks deployed for one attendee. */
export interface AttendeeStacks {
  readonly dockercoins?: Dockercoins;
  readonly webconsole?: WebConsole;
  readonly apiGateway?: ApiGateway;
  readonly tgr?: TrendingRepos;
  readonly consolehub?: ConsoleHub;
}

/** Props of {@link AttendeeNamespace}: the classroom's props, resolved, for one attendee. */
export interface AttendeeNamespaceProps {
  /** The name as given (`Zoë Martin`). */
  readonly displayName: string;
  /** The normalized name: a DNS-1123 label, the value of `workshop-stacks.io/attendee`. */
  readonly name: string;
  /** The attendee's namespace. */
  readonly namespace: string;
  /** Name of the classroom: `workshop-stacks.io/classroom` and `app.kubernetes.io/part-of`. */
  readonly classroom: string;
  /** Where the classroom runs. */
  readonly profile: Profile;
  /** The attendee's rights in their namespace. */
  readonly access: AttendeeAccess;
  /** What the attendee may use in all (every field set). */
  readonly quota: Required<AttendeeQuota>;
  /** Requests and limits of containers that set none. */
  readonly containerDefaults: Omit<ResourceSpec, 'ephemeralStorage'>;
  /** The stacks to deploy. */
  readonly stacks: ClassroomStacks;
  /** Whether the attendee's own pods may talk (see `ClassroomProps.ownWorkloadTraffic`). */
  readonly ownWorkloadTraffic: boolean;
  /**
   * Priority of an AdminNetworkPolicy keeping the other attendees out (see `ClassroomProps.adminIsolation`).
   * @default none
   */
  readonly adminPriority?: number;
}

/**
 * One attendee's namespace in a {@link Classroom}: a chart with a Namespace enforcing PSS `restricted`
 * (annotated with the attendee's name as given), a ServiceAccount bound in that namespace only, a
 * ResourceQuota and a LimitRange, a default deny (and traffic for the attendee's own pods), and the stacks.
 */
export class AttendeeNamespace extends StackChart {
  /** The name as given. */
  readonly displayName: string;
  /** The normalized name: a DNS-1123 label, the value of `workshop-stacks.io/attendee`. */
  readonly name: string;
  /** The ServiceAccount the attendee works as. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** The stacks deployed for the attendee, as configured. */
  readonly stacks: AttendeeStacks;

  constructor(scope: Construct, id: string, props: AttendeeNamespaceProps) {
    super(scope, id, {
      namespace: props.namespace,
      profile: props.profile,
      partOf: props.classroom,
      labels: { [CLASSROOM_LABEL]: props.classroom, [ATTENDEE_LABEL]: props.name },
    });
    this.displayName = props.displayName;
    this.name = props.name;
    this.namespaceObject!.metadata.addAnnotation(DISPLAY_NAME_ANNOTATION, props.displayName);
    this.serviceAccount = this.grantAccess(props.access);
    this.guard(props.quota, props.containerDefaults);
    this.stacks = this.deploy(props.stacks, props.ownWorkloadTraffic);
    if (props.adminPriority !== undefined) this.adminIsolation(props.classroom, props.adminPriority);
  }

  /**
   * An AdminNetworkPolicy for this namespace: nothing from or to the other attendees' namespaces, decided
   * before any NetworkPolicy (which the attendee might change). The policy API cannot say "another
   * namespace than the subject's", hence one per attendee.
   */
  private adminIsolation(classroom: string, priority: number): void {
    const attendees = attendeeNamespacesOf(classroom);
    const others = [
      {
        namespaces: {
          ...attendees,
          matchExpressions: [
            ...attendees.matchExpressions,
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [this.namespace!] },
          ],
        },
      },
    ];
    new ApiObject(this, 'admin-network-policy', {
      apiVersion: POLICY_API_VERSION,
      kind: 'AdminNetworkPolicy',
      metadata: { name: `${this.namespace}-isolation`, labels: this.objectLabels('network') },
      spec: {
        priority,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': this.namespace! } } },
        ingress: [{ name: 'deny-from-other-attendees', action: 'Deny', from: others }],
        egress: [{ name: 'deny-to-other-attendees', action: 'Deny', to: others }],
      },
    });
  }

  private objectLabels(component: string): Record<string, string> {
    return { [COMPONENT_LABEL]: component, ...ownerLabels(this.partOf) };
  }

  private grantAccess(access: AttendeeAccess): k8s.KubeServiceAccount {
    const namespace = this.namespace!;
    const metadata = { name: ATTENDEE_OBJECT_NAME, namespace, labels: this.objectLabels('access') };
    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: {
        ...metadata,
        labels: { ...metadata.labels, [ACCOUNT_LABEL]: 'attendee' },
        annotations: { [DISPLAY_NAME_ANNOTATION]: this.displayName },
      },
      // The account is for a person's kubeconfig, never for a pod.
      automountServiceAccountToken: false,
    });
    const grant = { ...metadata, subject: { name: serviceAccount.name, namespace } };
    if (access === 'workshop')
      grantNamespacedRole(this, 'attendee', { ...grant, rules: ATTENDEE_WORKSHOP_RULES.map((r) => ({ ...r })) });
    else bindRoleInNamespace(this, 'attendee', { ...grant, roleRef: { kind: 'ClusterRole', name: 'edit' } });
    return serviceAccount;
  }

  private guard(quota: Required<AttendeeQuota>, defaults: Omit<ResourceSpec, 'ephemeralStorage'>): void {
    const scale = profileSettings(this.profile).resourceScale;
    const q = (value: CpuAmount | SizeAmount) => k8s.Quantity.fromString(scaleQuantity(quantityOf(value), scale));
    guardNamespace(this, {
      namespace: this.namespace!,
      labels: this.objectLabels('quota'),
      quotas: [
        {
          name: ATTENDEE_OBJECT_NAME,
          hard: {
            'requests.cpu': q(quota.cpu.request),
            'limits.cpu': q(quota.cpu.limit),
            'requests.memory': q(quota.memory.request),
            'limits.memory': q(quota.memory.limit),
            pods: k8s.Quantity.fromNumber(quota.pods),
            services: k8s.Quantity.fromNumber(quota.services),
            'count/jobs.batch': k8s.Quantity.fromNumber(quota.jobs),
          },
        },
      ],
      // No `max`: the quota bounds the whole namespace, and a per-container cap would only reject
      // containers (the stacks' or the attendee's) that the quota has room for.
      limitRange: {
        name: ATTENDEE_OBJECT_NAME,
        container: {
          default: { cpu: q(defaults.cpu.limit), memory: q(defaults.memory.limit) },
          defaultRequest: { cpu: q(defaults.cpu.request), memory: q(defaults.memory.request) },
        },
      },
    });
  }

  private deploy(stacks: ClassroomStacks, ownWorkloadTraffic: boolean): AttendeeStacks {
    const namespace = this.namespace!;
    const placement = { namespace, profile: this.profile };
    // The namespace is the classroom's: its default deny comes first, and the stacks' own calls share it.
    const traffic = new NetworkTraffic(this, 'traffic', { labels: this.objectLabels('network') });
    traffic.denyAllIn(namespace);
    const out: { -readonly [K in keyof AttendeeStacks]: AttendeeStacks[K] } = {};
    if (stacks.dockercoins) {
      out.dockercoins = new Dockercoins(this, 'dockercoins', {
        ...optionsOf(stacks.dockercoins),
        ...placement,
        webuiNodePort: 'auto',
      });
    }
    if (stacks.webconsole) {
      out.webconsole = new WebConsole(this, 'webconsole', {
        ...optionsOf(stacks.webconsole),
        ...placement,
        nodePort: 'auto',
      });
    }
    if (stacks.apiGateway) {
      const api = optionsOf(stacks.apiGateway);
      out.tgr = new TrendingRepos(this, 'tgr', { ...api.tgr, ...placement });
      out.apiGateway = new ApiGateway(this, 'api-gateway', { ...api.gateway, ...placement, nodePort: 'auto' });
      out.apiGateway.addRoute(out.tgr.route);
    }
    if (stacks.consolehub) {
      const hub = optionsOf(stacks.consolehub);
      out.consolehub = new ConsoleHub(this, 'consolehub', {
        ...hub,
        ...placement,
        nodePort: 'auto',
        guardRails: false,
        // The workshop's hub needs to be told; ours creates its Jobs in its own namespace anyway.
        jobsNamespace: hub.hub === 'workshop-stacks' ? undefined : namespace,
      });
    }
    if (ownWorkloadTraffic) {
      // The attendee's own pods: everything not from a stack (nor a consolehub user's pod, which dials nothing).
      const own: PodGroup = {
        name: 'attendee-workloads',
        namespace,
        selector: {},
        matchExpressions: [
          { key: MANAGED_BY_LABEL, operator: 'NotIn', values: [MANAGED_BY] },
          ...(out.consolehub
            ? Object.entries(PROVISIONER_LABELS).map(([key, value]) => ({ key, operator: 'NotIn', values: [value] }))
            : []),
        ],
      };
      traffic.allowFromAnywhere(own, []);
      traffic.allowToAnywhere(own, []);
      declareException(
        traffic.policyOf(own)!,
        'wiring/network-policy-selects-pods',
        'selects the pods an attendee creates during the workshop (kubectl create deployment); none of them is in the manifests',
      );
    }
    return out;
  }
}
