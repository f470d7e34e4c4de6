import { API_SERVER_RULES } from './apiserver/util';

/**
 * Every rule id a finding can carry, with what it checks: the set `declareException` checks an id
 * against, so that an exception for a rule that does not exist (a typo, a renamed rule) fails at synth
 * time instead of silently excepting nothing. A new rule joins by one line here (a module with many,
 * such as a port of the API server's validation, by one line spreading its own table); a test fails
 * when a check emits an id that is not here.
 */
export const RULES: Readonly<Record<string, string>> = {
  // schema: what the API server rejects, its own validation ported rule by rule.
  ...Object.fromEntries(Object.entries(API_SERVER_RULES).map(([rule, what]) => [`schema/${rule}`, what])),
  'schema/object': 'every document is a Kubernetes object: a mapping with apiVersion, kind and metadata.name',
  'schema/duplicate': 'no object appears twice in the inputs',
  'schema/unknown-kind': 'the kind has a schema (or is declared external)',
  'schema/invalid': 'the object matches its kind\'s schema',
  'schema/unknown-field': 'no field the schema does not know',
  // wiring: objects fit together.
  'wiring/service-selects-pods': 'a Service selects some pod template',
  'wiring/service-target-port': 'a Service\'s targetPort is a port of the pods it selects',
  'wiring/service-account-exists': 'a pod\'s ServiceAccount is in the inputs or declared external',
  'wiring/config-map-exists': 'a ConfigMap a pod uses is in the inputs or declared external',
  'wiring/secret-exists': 'a Secret a pod uses is in the inputs or declared external',
  'wiring/role-binding-role': 'a binding\'s Role or ClusterRole is in the inputs, built in, or declared external',
  'wiring/role-binding-subject': 'a binding\'s ServiceAccount subjects have a namespace and are in the inputs',
  'wiring/network-policy-selects-pods': 'a NetworkPolicy with a selector selects some pod template',
  'wiring/gateway-route-service': 'a gateway route reaches a Service of the inputs on a port it exposes, in its namespace or granted',
  'wiring/ingress-backend': 'an Ingress backend is a Service of the inputs in the Ingress\'s namespace, or declared external',
  // policy: stricter than the server, by design.
  'policy/resources': 'every container sets cpu and memory requests and limits',
  'policy/probes': 'every container has liveness and readiness probes',
  'policy/credential-literal': 'no credential-looking env value written in the manifest',
  'policy/image-tag': 'every image is pinned to a tag other than latest, or a digest',
  'policy/image-reference': 'every image is a valid reference',
  'policy/secret-data': 'no Secret values in the manifests',
  'policy/rbac-wildcard': 'no wildcard in RBAC rules',
  // pss-restricted: the Pod Security Standards' restricted profile.
  'pss-restricted/host-namespaces': 'no host network, PID or IPC',
  'pss-restricted/host-process': 'no Windows host process',
  'pss-restricted/sysctls': 'only safe sysctls',
  'pss-restricted/volume-types': 'only the volume types the profile allows',
  'pss-restricted/run-as-user': 'not run as uid 0',
  'pss-restricted/seccomp': 'seccomp RuntimeDefault or Localhost',
  'pss-restricted/privileged': 'no privileged container',
  'pss-restricted/proc-mount': 'the default proc mount',
  'pss-restricted/host-ports': 'no host ports',
  'pss-restricted/allow-privilege-escalation': 'allowPrivilegeEscalation false',
  'pss-restricted/run-as-non-root': 'runAsNonRoot true',
  'pss-restricted/capabilities': 'drop ALL, add at most NET_BIND_SERVICE',
  'pss-restricted/selinux': 'only the SELinux options the profile allows',
  // traffic: what the NetworkPolicies allow.
  'traffic/ip-block': 'ipBlock CIDRs are CIDRs',
  'traffic/needed-flow': 'the flows a workload declares it needs are allowed',
  'traffic/exposure-beyond-needs': 'a workload that declares its needs reaches nothing outside the manifests beyond them',
  'traffic/attendee-boundary': 'nothing crosses from one attendee\'s namespace to another\'s',
};

/** Whether `id` is a rule of {@link RULES} or a family of them (`pss-restricted`, `policy`). */
export function isKnownRule(id: string): boolean {
  return id in RULES || Object.keys(RULES).some((rule) => rule.startsWith(`${id}/`));
}

/** The known rules closest to `id`: those of its family, else the families, for an error message. */
export function rulesLike(id: string): string[] {
  const family = id.split('/')[0];
  const same = Object.keys(RULES).filter((rule) => rule.startsWith(`${family}/`));
  return same.length > 0 ? same : [...new Set(Object.keys(RULES).map((rule) => rule.split('/')[0]))];
}
