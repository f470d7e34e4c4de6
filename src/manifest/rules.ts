/**
 * The API server rules' ids (the part after `schema/`), each with what it checks: the schema part of
 * the registry below. The API server rules' `Fail` (src/checks/apiserver/util.ts) takes only these, so a rule cannot emit an id
 * the registry lacks.
 */
export const API_SERVER_RULES = {
  'removed-api-version': 'the API version is still served (a removed one names its replacement)',
  name: 'the object name has the form its kind needs',
  label: 'label keys and values have the form and length the server allows',
  annotation: 'annotation keys are qualified names and all annotations stay within 256 KiB',
  'label-selector': 'label selectors are well formed',
  containers: 'a pod has at least one container',
  'container-name': 'container names are DNS labels, unique in the pod',
  container: 'container fields (image, termination message, lifecycle) are valid',
  port: 'container ports are in range, host ports not repeated',
  'port-name': 'port names are IANA service names, unique in the container',
  'duplicate-key': 'no key repeated in a keyed list (server-side apply rejects it)',
  env: 'env var names and sources are valid',
  volume: 'volume names are unique DNS labels with exactly one valid source',
  'volume-mount': 'volume mounts name a volume of the pod, at a valid path',
  probe: 'probes have one handler and non-negative timings',
  'restart-policy': 'the restartPolicy is one the workload kind allows',
  'security-context': 'securityContext ids, seccomp and capabilities are in range',
  resources: 'resource names and quantities are valid',
  pod: 'pod-level fields (DNS, grace periods, host aliases, topology spread) are valid',
  selector: 'a workload has a selector',
  'selector-matches-template': "a workload's selector matches its pod template's labels",
  'request-above-limit': 'no request above its limit',
  replicas: 'replica counts and rollout numbers are non-negative',
  strategy: 'update strategies are well formed',
  job: 'Job completions, parallelism, backoff and failure policy are valid',
  'cron-schedule': 'a CronJob schedule and time zone parse',
  service: 'Service type-dependent fields are valid',
  'service-port': 'Service ports are unique, named when several, with valid targets',
  'node-port-range': 'node ports lie in 30000-32767',
  'node-port-conflict': 'no node port used twice',
  'network-policy': 'NetworkPolicy peers, ports and CIDRs are valid',
  ingress: 'Ingress hosts, paths and backends are valid',
  rbac: 'RBAC rules, roleRefs and subjects are valid',
  'config-key': 'ConfigMap and Secret keys are valid and unique',
  base64: 'Secret and binary data are base64',
  size: 'a ConfigMap or Secret stays within 1 MiB',
  'secret-type': "a typed Secret carries its type's keys",
  quantity: 'quotas and limits are valid quantities',
  'limit-range': 'LimitRange defaults and bounds are ordered',
  pdb: 'a PodDisruptionBudget sets one of minAvailable and maxUnavailable',
} as const;

/** An API server rule id, without its `schema/` prefix. */
export type ApiServerRule = keyof typeof API_SERVER_RULES;

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
  'schema/invalid': "the object matches its kind's schema",
  'schema/unknown-field': 'no field the schema does not know',
  // wiring: objects fit together.
  'wiring/service-selects-pods': 'a Service selects some pod template',
  'wiring/service-target-port': "a Service's targetPort is a port of the pods it selects",
  'wiring/service-account-exists': "a pod's ServiceAccount is in the inputs or declared external",
  'wiring/config-map-exists': 'a ConfigMap a pod uses is in the inputs or declared external',
  'wiring/secret-exists': 'a Secret a pod uses is in the inputs or declared external',
  'wiring/role-binding-role': "a binding's Role or ClusterRole is in the inputs, built in, or declared external",
  'wiring/role-binding-subject': "a binding's ServiceAccount subjects have a namespace and are in the inputs",
  'wiring/network-policy-selects-pods': 'a NetworkPolicy with a selector selects some pod template',
  'wiring/gateway-route-service':
    'a gateway route reaches a Service of the inputs on a port it exposes, in its namespace or granted',
  'wiring/ingress-backend':
    "an Ingress backend is a Service of the inputs in the Ingress's namespace, or declared external",
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
  'traffic/exposure-beyond-needs':
    'a workload that declares its needs reaches nothing outside the manifests beyond them',
  'traffic/attendee-boundary': "nothing crosses from one attendee's namespace to another's",
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
