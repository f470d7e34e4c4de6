import { Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { ownerLabels } from './manifest/labels';
import { slugify } from './manifest/names';
import { restrictedNamespace } from './namespace';
import { Profile, ProfileSettings, profileSettings } from './profile';
import { PropsValidator } from './props-validator';

/** Props of {@link StackChart}. */
export interface StackChartProps {
  /**
   * Namespace of every object in the chart. The chart creates it as a Namespace object labelled to
   * enforce the Pod Security Standards `restricted` profile. Never a system namespace (`kube-system`,
   * `kube-public`, `kube-node-lease` or any other `kube-*`).
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

/**
 * The chart every workshop stack lives in: one namespace per stack, human object names (resource
 * name hashes are off, because the apps dial fixed Service names), and a profile.
 */
export class StackChart extends Chart {
  /** The nearest StackChart above a construct, if any (`Chart.of` finds any chart). */
  static nearest(scope: IConstruct): StackChart | undefined {
    for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
      // Not `instanceof`: Chart overrides Symbol.hasInstance, so any Chart would pass.
      if (node instanceof StackChart) return node as StackChart;
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
    check.userNamespace('namespace', namespace, props.namespace === undefined ? "(the chart's id)" : undefined);
    check.profile('profile', props.profile);
    this.profile = props.profile ?? 'local';
    this.partOf = partOf;
    if (props.createNamespace ?? true) {
      this.namespaceObject = restrictedNamespace(this, 'namespace', { name: namespace, labels: ownerLabels(partOf) });
    }
  }
}

/** Props every stack construct accepts to place itself. */
export interface StackPlacementProps {
  /**
   * Namespace of the construct's objects; never a system namespace (`kube-*`).
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

/**
 * Resolves a construct's placement from its props and its chart, validating both fields. `partOf` is the
 * nearest enclosing stack's (a StackChart's or a stack construct's), else the given fallback.
 */
export function resolveStackContext(
  scope: Construct,
  props: StackPlacementProps,
  check: PropsValidator,
  partOf: string,
): StackContext {
  check.userNamespace('namespace', props.namespace);
  check.profile('profile', props.profile);
  const namespace = props.namespace ?? Chart.of(scope).namespace ?? 'default';
  // A namespace from the chart is checked too: a plain cdk8s Chart of kube-system is not checked by a StackChart.
  if (props.namespace === undefined) check.userNamespace('namespace', namespace, "(the chart's namespace)");
  const stack = StackChart.nearest(scope);
  const profile = props.profile ?? stack?.profile ?? 'local';
  // A construct inside another stack construct (a Job template inside a hub) is part of that stack.
  let enclosing: IConstruct | undefined = scope;
  while (enclosing && typeof (enclosing as { partOf?: unknown }).partOf !== 'string') enclosing = enclosing.node.scope;
  return {
    namespace,
    profile,
    settings: profileSettings(profile),
    partOf: (enclosing as { partOf?: string } | undefined)?.partOf ?? partOf,
    // A label value: a DNS-1123 subdomain fits, up to 63 characters.
    instance: slugify(scope.node.id, { keepDots: true }) || 'default',
  };
}
