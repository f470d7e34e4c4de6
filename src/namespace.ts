import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

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
 * cdk8s stamps the chart's namespace on every object, cluster-scoped ones included; the API server
 * ignores it there, but it misleads readers and validators. Every cluster-scoped object goes through here.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}

/** What goes on a namespace the library creates. */
export interface NamespaceMetadata {
  /** Name of the Namespace. */
  readonly name: string;
  /** Its labels, besides those that enforce PSS `restricted`. */
  readonly labels: Record<string, string>;
  /** Its annotations. */
  readonly annotations?: Record<string, string>;
}

/** A Namespace that enforces PSS `restricted`: the only kind of namespace the library creates. */
export function restrictedNamespace(scope: Construct, id: string, props: NamespaceMetadata): k8s.KubeNamespace {
  return clusterScoped(
    new k8s.KubeNamespace(scope, id, {
      metadata: {
        name: props.name,
        labels: { ...RESTRICTED_NAMESPACE_LABELS, ...props.labels },
        annotations: props.annotations,
      },
    }),
  );
}

/** One ResourceQuota of {@link guardNamespace}. */
export interface NamespaceQuota {
  /** Name of the ResourceQuota. */
  readonly name: string;
  /** The bounds (`requests.cpu`, `pods`, `count/jobs.batch`, ...). */
  readonly hard: Record<string, k8s.Quantity>;
  /** Quota scopes (`Terminating`: pods with a deadline only). */
  readonly scopes?: string[];
}

/** What {@link guardNamespace} puts in a namespace. */
export interface NamespaceGuard {
  /** The namespace. */
  readonly namespace: string;
  /** Labels of every object. */
  readonly labels: Record<string, string>;
  /** The ResourceQuotas. */
  readonly quotas: readonly NamespaceQuota[];
  /** The LimitRange: its name, and the defaults (and caps) of every container. */
  readonly limitRange: { readonly name: string; readonly container: Omit<k8s.LimitRangeItem, 'type'> };
}

/**
 * Bounds what the pods of a namespace may use: ResourceQuotas, and a LimitRange that gives containers
 * without requests and limits some (a quota on CPU or memory rejects pods that set none otherwise).
 */
export function guardNamespace(scope: Construct, props: NamespaceGuard): void {
  for (const quota of props.quotas) {
    new k8s.KubeResourceQuota(scope, `quota-${quota.name}`, {
      metadata: { name: quota.name, namespace: props.namespace, labels: props.labels },
      spec: { scopes: quota.scopes, hard: quota.hard },
    });
  }
  new k8s.KubeLimitRange(scope, `limits-${props.limitRange.name}`, {
    metadata: { name: props.limitRange.name, namespace: props.namespace, labels: props.labels },
    spec: { limits: [{ type: 'Container', ...props.limitRange.container }] },
  });
}
