import { ImageReferenceError, isPinned, parseImageReference } from '../manifest/image-reference';
import { KubeObject, containersOf, podTemplateOf } from '../manifest';
import { Finding, finding } from '../manifest/finding';

const LONG_RUNNING = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
const CREDENTIAL_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|CLIENT_ID)/i;
const RBAC_KINDS = new Set(['Role', 'ClusterRole']);

/**
 * The library's own policy, beyond PSS: requests and limits, probes on long-running workloads, pinned
 * image tags, no credential in an env literal or a Secret's data, no wildcard in RBAC rules.
 */
export function checkPolicy(obj: KubeObject): Finding[] {
  return [...workloadPolicy(obj), ...secretPolicy(obj), ...rbacPolicy(obj)];
}

function workloadPolicy(obj: KubeObject): Finding[] {
  const template = podTemplateOf(obj);
  if (!template) return [];
  const out: Finding[] = [];
  for (const { path, container } of containersOf(template.spec, template.path)) {
    const resources = container.resources ?? {};
    for (const side of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory']) {
        if (resources[side]?.[resource] === undefined) {
          out.push(
            finding(
              obj,
              `${path}.resources.${side}.${resource}`,
              'policy/resources',
              `container ${container.name} sets no ${resource} ${side.slice(0, -1)}`,
            ),
          );
        }
      }
    }
    if (LONG_RUNNING.has(obj.kind) && path.includes('.containers[')) {
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        if (!container[probe])
          out.push(finding(obj, `${path}.${probe}`, 'policy/probes', `container ${container.name} has no ${probe}`));
      }
    }
    out.push(...imagePolicy(obj, `${path}.image`, container.image));
    for (const [i, env] of (container.env ?? []).entries()) {
      if (env.value !== undefined && CREDENTIAL_NAME.test(env.name)) {
        out.push(
          finding(
            obj,
            `${path}.env[${i}].value`,
            'policy/credential-literal',
            `${env.name} looks like a credential: take it from a Secret (valueFrom.secretKeyRef)`,
          ),
        );
      }
    }
  }
  return out;
}

/** A valid reference the kubelet can pull, pinned to a tag other than latest or to a digest. */
function imagePolicy(obj: KubeObject, field: string, image: string | undefined): Finding[] {
  if (image === undefined)
    return [
      finding(obj, field, 'policy/image-tag', 'no image: name one, pinned to a tag other than latest (or a digest)'),
    ];
  try {
    return isPinned(parseImageReference(image))
      ? []
      : [
          finding(
            obj,
            field,
            'policy/image-tag',
            `image ${image} is not pinned to a tag other than latest (or a digest)`,
          ),
        ];
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error;
    return [finding(obj, field, 'policy/image-reference', error.message)];
  }
}

function secretPolicy(obj: KubeObject): Finding[] {
  if (obj.kind !== 'Secret' || obj.apiVersion !== 'v1') return [];
  return (['data', 'stringData'] as const)
    .filter((field) => obj[field] && Object.keys(obj[field]).length > 0)
    .map((field) =>
      finding(
        obj,
        field,
        'policy/secret-data',
        'a Secret with values must not be in the manifests: create it at apply time',
      ),
    );
}

function rbacPolicy(obj: KubeObject): Finding[] {
  if (!RBAC_KINDS.has(obj.kind) || !obj.apiVersion.startsWith('rbac.authorization.k8s.io/')) return [];
  return ((obj.rules ?? []) as Array<Record<string, string[] | undefined>>).flatMap((rule, i) =>
    (['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs'] as const)
      .filter((field) => (rule[field] ?? []).some((v) => v === '*' || v.includes('*')))
      .map((field) =>
        finding(
          obj,
          `rules[${i}].${field}`,
          'policy/rbac-wildcard',
          `wildcard in ${field}: name exactly what is allowed`,
        ),
      ),
  );
}
