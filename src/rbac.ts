import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** A ServiceAccount to grant a Role to. */
export interface ServiceAccountSubject {
  readonly name: string;
  /** Its namespace: a RoleBinding subject without one is rejected (or, worse, misread). */
  readonly namespace: string;
}

/** Props of {@link grantNamespacedRole}. */
export interface NamespacedRoleProps {
  /** Name of the Role and its RoleBinding. */
  readonly name: string;
  /** Namespace the Role grants access in. */
  readonly namespace: string;
  /** Labels of both objects. */
  readonly labels: Record<string, string>;
  /** Exactly the calls the subject makes: no wildcards (the policy checks reject them). */
  readonly rules: k8s.PolicyRule[];
  /** Who gets the Role. */
  readonly subject: ServiceAccountSubject;
}

/**
 * Least privilege, the one way the library grants API access: a namespaced Role (never a ClusterRole)
 * and a RoleBinding whose ServiceAccount subject names its namespace, which may differ from the Role's.
 */
export function grantNamespacedRole(scope: Construct, id: string, props: NamespacedRoleProps): k8s.KubeRole {
  const { rules, ...binding } = props;
  const role = new k8s.KubeRole(scope, `${id}-role`, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    rules,
  });
  bindRoleInNamespace(scope, id, { ...binding, roleRef: { kind: 'Role', name: role.name } });
  return role;
}

/** Props of {@link bindRoleInNamespace}. */
export interface NamespacedRoleBindingProps extends Omit<NamespacedRoleProps, 'rules'> {
  /** The Role of the namespace, or a ClusterRole (such as the built-in `edit`) granted in this namespace only. */
  readonly roleRef: { readonly kind: 'Role' | 'ClusterRole'; readonly name: string };
}

/** A RoleBinding, never a ClusterRoleBinding: even a ClusterRole it names grants rights in its namespace only. */
export function bindRoleInNamespace(
  scope: Construct,
  id: string,
  props: NamespacedRoleBindingProps,
): k8s.KubeRoleBinding {
  return new k8s.KubeRoleBinding(scope, `${id}-role-binding`, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...props.roleRef },
    subjects: [{ kind: 'ServiceAccount', name: props.subject.name, namespace: props.subject.namespace }],
  });
}
