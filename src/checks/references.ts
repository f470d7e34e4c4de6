import { KubeObject, containersOf } from '../manifest';
import { externalRefs } from '../manifest/exceptions';
import { Finding, finding } from '../manifest/finding';
import { matchesSelector } from '../manifest/selector';
import { podSources, podSourcesByNamespace } from './wiring';

/** The user-facing ClusterRoles every cluster has, which bindings may name without defining them. */
const BUILT_IN_CLUSTER_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);

/** The rule of a reference from a pod to an object of each kind. */
const EXISTS_RULE = {
  ServiceAccount: 'wiring/service-account-exists',
  ConfigMap: 'wiring/config-map-exists',
  Secret: 'wiring/secret-exists',
} as const;

class Inventory {
  private readonly keys: Set<string>;

  constructor(objects: readonly KubeObject[]) {
    this.keys = new Set(objects.map((o) => key(o.kind, o.metadata.namespace, o.metadata.name)));
  }

  has(kind: string, namespace: string | undefined, name: string): boolean {
    return this.keys.has(key(kind, namespace, name));
  }
}

function key(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/**
 * References between objects resolve: pods use ServiceAccounts, ConfigMaps and Secrets that exist (or
 * that the pod's owner declares external), RoleBindings and ClusterRoleBindings name Roles and
 * ClusterRoles that exist (in the inputs, built in, or declared external on the binding) and
 * ServiceAccounts of the inputs, and NetworkPolicies select some pod.
 */
export function checkReferences(objects: readonly KubeObject[]): Finding[] {
  const inventory = new Inventory(objects);
  return [
    ...podReferences(objects, inventory),
    ...roleBindingReferences(objects, inventory),
    ...networkPolicySelections(objects),
  ];
}

function podReferences(objects: readonly KubeObject[], inventory: Inventory): Finding[] {
  return podSources(objects).flatMap(({ owner, namespace, template }) => {
    const external = externalRefs(owner);
    const out: Finding[] = [];
    const need = (kind: keyof typeof EXISTS_RULE, name: string | undefined, field: string, optional?: boolean) => {
      if (!name || optional || external.has(`${kind}/${name}`) || inventory.has(kind, namespace, name)) return;
      out.push(
        finding(
          owner,
          field,
          EXISTS_RULE[kind],
          `${kind} ${namespace}/${name} is not in the manifests (declare it external if it is created elsewhere)`,
        ),
      );
    };
    const spec = template.spec;
    if (spec.serviceAccountName && spec.serviceAccountName !== 'default') {
      need('ServiceAccount', spec.serviceAccountName, `${template.path}.serviceAccountName`);
    }
    for (const [i, volume] of (spec.volumes ?? []).entries()) {
      const path = `${template.path}.volumes[${i}]`;
      need('ConfigMap', volume.configMap?.name, `${path}.configMap.name`, volume.configMap?.optional);
      need('Secret', volume.secret?.secretName, `${path}.secret.secretName`, volume.secret?.optional);
      for (const [j, source] of (volume.projected?.sources ?? []).entries()) {
        need(
          'ConfigMap',
          source.configMap?.name,
          `${path}.projected.sources[${j}].configMap.name`,
          source.configMap?.optional,
        );
        need('Secret', source.secret?.name, `${path}.projected.sources[${j}].secret.name`, source.secret?.optional);
      }
    }
    for (const { path, container } of containersOf(spec, template.path)) {
      for (const [i, env] of (container.env ?? []).entries()) {
        const from = env.valueFrom ?? {};
        need(
          'ConfigMap',
          from.configMapKeyRef?.name,
          `${path}.env[${i}].valueFrom.configMapKeyRef.name`,
          from.configMapKeyRef?.optional,
        );
        need(
          'Secret',
          from.secretKeyRef?.name,
          `${path}.env[${i}].valueFrom.secretKeyRef.name`,
          from.secretKeyRef?.optional,
        );
      }
      for (const [i, source] of (container.envFrom ?? []).entries()) {
        need(
          'ConfigMap',
          source.configMapRef?.name,
          `${path}.envFrom[${i}].configMapRef.name`,
          source.configMapRef?.optional,
        );
        need('Secret', source.secretRef?.name, `${path}.envFrom[${i}].secretRef.name`, source.secretRef?.optional);
      }
    }
    return out;
  });
}

function roleBindingReferences(objects: readonly KubeObject[], inventory: Inventory): Finding[] {
  const bindings = objects.filter(
    (o) =>
      o.apiVersion === 'rbac.authorization.k8s.io/v1' && (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding'),
  );
  return bindings.flatMap((binding) => {
    const out: Finding[] = [];
    const roleRef = binding.roleRef as { kind?: unknown; name?: unknown } | undefined;
    // A roleRef without a kind or name of the right type is the schema check's finding.
    if (typeof roleRef?.name === 'string' && (roleRef.kind === 'Role' || roleRef.kind === 'ClusterRole')) {
      const { kind, name } = roleRef;
      const exists =
        externalRefs(binding).has(`${kind}/${name}`) ||
        (kind === 'ClusterRole'
          ? isBuiltInClusterRole(name) || inventory.has('ClusterRole', undefined, name)
          : inventory.has('Role', binding.metadata.namespace, name));
      if (!exists) {
        const where = kind === 'Role' ? ` ${binding.metadata.namespace ?? 'default'}/${name}` : ` ${name}`;
        out.push(
          finding(
            binding,
            'roleRef',
            'wiring/role-binding-role',
            `${kind}${where} is not in the manifests, nor built in (declare it external if it is created elsewhere)`,
          ),
        );
      }
    }
    const subjects = Array.isArray(binding.subjects)
      ? (binding.subjects as Array<{ kind?: unknown; name?: unknown; namespace?: string }>)
      : [];
    for (const [i, subject] of subjects.entries()) {
      if (subject?.kind !== 'ServiceAccount' || typeof subject.name !== 'string') continue;
      if (!subject.namespace) {
        out.push(
          finding(
            binding,
            `subjects[${i}].namespace`,
            'wiring/role-binding-subject',
            `ServiceAccount subject ${subject.name} has no namespace`,
          ),
        );
      } else if (subject.name !== 'default' && !inventory.has('ServiceAccount', subject.namespace, subject.name)) {
        out.push(
          finding(
            binding,
            `subjects[${i}]`,
            'wiring/role-binding-subject',
            `ServiceAccount ${subject.namespace}/${subject.name} is not in the manifests`,
          ),
        );
      }
    }
    return out;
  });
}

/** The ClusterRoles every cluster has: the user-facing ones, and the `system:` ones of its components. */
function isBuiltInClusterRole(name: string): boolean {
  return BUILT_IN_CLUSTER_ROLES.has(name) || name.startsWith('system:');
}

function networkPolicySelections(objects: readonly KubeObject[]): Finding[] {
  const pods = podSourcesByNamespace(objects);
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .flatMap((policy) => {
      const selector = (policy.spec as { podSelector?: Record<string, any> } | undefined)?.podSelector;
      const namespace = policy.metadata.namespace ?? 'default';
      // An empty selector is a namespace-wide default: it applies to whatever pods come.
      if (!selector || (!selector.matchLabels && !selector.matchExpressions)) return [];
      const selected = (pods.get(namespace) ?? []).some((p) => matchesSelector(selector, p.template.labels));
      return selected
        ? []
        : [
            finding(
              policy,
              'spec.podSelector',
              'wiring/network-policy-selects-pods',
              `selects no pod template in namespace ${namespace}`,
            ),
          ];
    });
}
