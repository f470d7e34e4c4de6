import { KubeObject, PodTemplateRef, podTemplateOf } from '../manifest';
import { Finding, finding } from '../manifest/finding';
import { selects } from '../manifest/selector';

/** A pod template with the object it belongs to. */
export interface PodSource {
  readonly owner: KubeObject;
  readonly namespace: string;
  readonly template: PodTemplateRef;
}

export function podSources(objects: readonly KubeObject[]): PodSource[] {
  return objects.flatMap((owner) => {
    const template = podTemplateOf(owner);
    return template ? [{ owner, namespace: owner.metadata.namespace ?? 'default', template }] : [];
  });
}

/** Pod templates by namespace: selectors are matched within one, and a join over all would be quadratic. */
export function podSourcesByNamespace(objects: readonly KubeObject[]): Map<string, PodSource[]> {
  const byNamespace = new Map<string, PodSource[]>();
  for (const pod of podSources(objects)) {
    const list = byNamespace.get(pod.namespace);
    if (list) list.push(pod);
    else byNamespace.set(pod.namespace, [pod]);
  }
  return byNamespace;
}

/**
 * Every Service with a selector selects at least one pod template of the same namespace, and each of
 * its target ports is a container port (by name or number) of every pod it selects.
 */
export function checkServiceWiring(objects: readonly KubeObject[]): Finding[] {
  const pods = podSourcesByNamespace(objects);
  return objects
    .filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')
    .flatMap((svc) => {
      const spec = (svc.spec ?? {}) as {
        selector?: Record<string, string>;
        ports?: Array<{ port: number; targetPort?: number | string }>;
      };
      if (!spec.selector || Object.keys(spec.selector).length === 0) return [];
      const namespace = svc.metadata.namespace ?? 'default';
      const selected = (pods.get(namespace) ?? []).filter((p) => selects(spec.selector!, p.template.labels));
      if (selected.length === 0) {
        return [
          finding(
            svc,
            'spec.selector',
            'wiring/service-selects-pods',
            `selects no pod template in namespace ${namespace}`,
          ),
        ];
      }
      return (spec.ports ?? []).flatMap((port, i) => {
        const target = port.targetPort ?? port.port;
        return selected
          .filter((p) => !exposes(p.template, target))
          .map((p) =>
            finding(
              svc,
              `spec.ports[${i}].targetPort`,
              'wiring/service-target-port',
              `target port ${target} is not a container port of ${p.owner.kind} ${p.owner.metadata.name}`,
            ),
          );
      });
    });
}

function exposes(template: PodTemplateRef, target: number | string): boolean {
  return (template.spec.containers ?? []).some((c) =>
    (c.ports ?? []).some((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target)),
  );
}
