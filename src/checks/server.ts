import { KubeObject, containersOf, describeObject, podTemplateOf } from '../manifest';
import { parseQuantity, quantityProblem } from '../manifest/quantity';
import { Finding, finding } from '../manifest/finding';
import { matchesSelector } from '../manifest/selector';

/** Kinds whose `spec.selector` must select their own pod template, or the API server refuses them. */
const SELECTOR_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job']);

/**
 * What the API server rejects beyond the schema, in one object: a workload whose selector does not
 * select its pod template, a request above its limit.
 */
export function checkServerRules(obj: KubeObject): Finding[] {
  return [...selectorMatchesTemplate(obj), ...requestsWithinLimits(obj)];
}

function selectorMatchesTemplate(obj: KubeObject): Finding[] {
  const template = podTemplateOf(obj);
  if (!template || !SELECTOR_KINDS.has(obj.kind)) return [];
  const selector = (obj.spec as { selector?: Parameters<typeof matchesSelector>[0] } | undefined)?.selector;
  // A Job's selector is generated when it is unset; the other kinds need one, which the schema reports.
  if (!selector || matchesSelector(selector, template.labels)) return [];
  return [finding(obj, 'spec.selector', 'schema/selector-matches-template',
    `does not select the pod template's labels (${JSON.stringify(template.labels)}): the API server rejects it`)];
}

function requestsWithinLimits(obj: KubeObject): Finding[] {
  const template = podTemplateOf(obj);
  if (!template) return [];
  return containersOf(template.spec, template.path).flatMap(({ path, container }) => {
    const resources = (container.resources ?? {}) as Record<'requests' | 'limits', Record<string, unknown> | undefined>;
    const out: Finding[] = [];
    // A value that is not a quantity is the schema check's to report.
    for (const [name, request] of Object.entries(resources.requests ?? {})) {
      const limit = resources.limits?.[name];
      if (limit === undefined || quantityProblem(request) || quantityProblem(limit)) continue;
      if (parseQuantity(request as string) > parseQuantity(limit as string)) {
        out.push(finding(obj, `${path}.resources.requests.${name}`, 'schema/request-above-limit',
          `${name} request ${request} is above its limit ${limit}: the API server rejects it`));
      }
    }
    return out;
  });
}

/**
 * Across all objects: two Services that claim the same nodePort (the API server allocates each port
 * once in the cluster, so the second is refused).
 */
export function checkNodePorts(objects: readonly KubeObject[]): Finding[] {
  const claimed = new Map<string, KubeObject>();
  return objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1').flatMap((svc) =>
    ((svc.spec as { ports?: Array<{ nodePort?: number }> } | undefined)?.ports ?? []).flatMap((port, i) => {
      if (port.nodePort === undefined) return [];
      // The allocator counts port numbers, whatever the protocol; one Service may use a port for TCP and UDP.
      const earlier = claimed.get(String(port.nodePort));
      if (!earlier) {
        claimed.set(String(port.nodePort), svc);
        return [];
      }
      return earlier === svc ? [] : [finding(svc, `spec.ports[${i}].nodePort`, 'schema/node-port-conflict',
        `nodePort ${port.nodePort} is already claimed by ${describeObject(earlier)}`)];
    }));
}
