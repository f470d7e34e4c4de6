import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { Profile, ProfileSettings, profileSettings } from './profile';
import { PropsValidator } from './validation';

/** The value of `app.kubernetes.io/managed-by` on every object. */
export const MANAGED_BY = 'workshop-stacks';

/** Props of {@link StackChart}. */
export interface StackChartProps {
  /**
   * Namespace of every object in the chart. The chart creates it as a Namespace object labelled to
   * enforce the Pod Security Standards `restricted` profile.
   * @default the chart's id
   */
  readonly namespace?: string;
  /**
   * Where the stack runs: `local` (minikube) or `cloud`.
   * @default 'local'
   */
  readonly profile?: Profile;
  /**
   * Whether the chart creates the Namespace object. Turn it off when the namespace is managed
   * elsewhere (for example, by a Classroom).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Value of `app.kubernetes.io/part-of` on every object.
   * @default the chart's id
   */
  readonly partOf?: string;
  /**
   * Extra labels for every object in the chart.
   * @default none
   */
  readonly labels?: Record<string, string>;
}

/** Labels that make a namespace enforce, audit and warn on the PSS `restricted` profile. */
export const RESTRICTED_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
};

/**
 * The chart every workshop stack lives in: one namespace per stack, human object names (resource
 * name hashes are off, because the apps dial fixed Service names), and a profile.
 */
export class StackChart extends Chart {
  /** The nearest StackChart above a construct, if any (`Chart.of` finds any chart). */
  static nearest(scope: IConstruct): StackChart | undefined {
    for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
      // Not `instanceof`: Chart overrides Symbol.hasInstance, so any Chart would pass.
      if (StackChart.prototype.isPrototypeOf(node)) return node as StackChart;
    }
    return undefined;
  }

  readonly profile: Profile;
  readonly partOf: string;
  /** The Namespace object, when the chart creates it. */
  readonly namespaceObject?: k8s.KubeNamespace;

  constructor(scope: Construct, id: string, props: StackChartProps = {}) {
    const namespace = props.namespace ?? id;
    const partOf = props.partOf ?? id;
    const chartProps: ChartProps = {
      namespace,
      disableResourceNameHashes: true,
      labels: { ...props.labels },
    };
    super(scope, id, chartProps);
    const check = new PropsValidator(this, 'StackChart');
    check.dnsLabel('namespace', namespace);
    check.oneOf('profile', props.profile, ['local', 'cloud']);
    this.profile = props.profile ?? 'local';
    this.partOf = partOf;
    if (props.createNamespace ?? true) {
      this.namespaceObject = clusterScoped(new k8s.KubeNamespace(this, 'namespace', {
        metadata: {
          name: namespace,
          labels: {
            ...RESTRICTED_NAMESPACE_LABELS,
            'app.kubernetes.io/part-of': partOf,
            'app.kubernetes.io/managed-by': MANAGED_BY,
          },
        },
      }));
    }
  }
}

/**
 * cdk8s stamps the chart's namespace on every object, cluster-scoped ones included; the API server
 * ignores it there, but it misleads readers and validators. Every cluster-scoped object goes through here.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}

/** Props every stack construct accepts to place itself. */
export interface StackPlacementProps {
  /**
   * Namespace of the construct's objects.
   * @default the enclosing chart's namespace, else `default`
   */
  readonly namespace?: string;
  /**
   * Where the stack runs: `local` (minikube) or `cloud`.
   * @default the enclosing StackChart's profile, else 'local'
   */
  readonly profile?: Profile;
}

/** What a construct needs to know about where it is: resolved once, passed to building blocks. */
export interface StackContext {
  readonly namespace: string;
  readonly profile: Profile;
  readonly settings: ProfileSettings;
  /** `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /** `app.kubernetes.io/instance`: tells two copies of a stack apart. */
  readonly instance: string;
}

/** Resolves a construct's placement from its props and its chart, validating both fields. */
export function resolveStackContext(scope: Construct, props: StackPlacementProps, check: PropsValidator, partOf: string): StackContext {
  check.dnsLabel('namespace', props.namespace);
  check.oneOf('profile', props.profile, ['local', 'cloud']);
  const stack = StackChart.nearest(scope);
  const profile = props.profile ?? stack?.profile ?? 'local';
  return {
    namespace: props.namespace ?? Chart.of(scope).namespace ?? 'default',
    profile,
    settings: profileSettings(profile),
    partOf: stack?.partOf ?? partOf,
    instance: toLabelValue(scope.node.id),
  };
}

/** The recommended `app.kubernetes.io/*` labels, plus the workshop's `app=<name>`. */
export function standardLabels(ctx: StackContext, name: string, component: string): Record<string, string> {
  return {
    'app': name,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': ctx.instance,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': ctx.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** The stable subset of the labels that selectors use (selectors are immutable once applied). */
export function selectorLabels(ctx: StackContext, name: string): Record<string, string> {
  return { 'app': name, 'app.kubernetes.io/instance': ctx.instance };
}

function toLabelValue(id: string): string {
  const value = id.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63);
  return value.replace(/[^a-z0-9]+$/, '') || 'default';
}
