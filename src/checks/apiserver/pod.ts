/**
 * Pod specs, in a Pod and in every workload's template: ValidatePodSpec and what it calls in
 * pkg/apis/core/validation/validation.go (v1.33), and the keyed lists server-side apply requires
 * unique keys in.
 */
import { ContainerLike, PodSpecLike } from '../../manifest';
import { parseQuantity, quantityProblem } from '../../manifest/quantity';
import { validateLabelSelector, validateLabels } from './meta';
import { ApiServerRule } from '../../manifest/rules';
import {
  Fail,
  check,
  configMapKey,
  dns1123Label,
  dns1123Subdomain,
  duplicateKeys,
  envVarName,
  linuxId,
  nonNegative,
  oneOf,
  portName,
  portNumOrName,
  portNumber,
  qualifiedName,
} from './util';

/** The one restartPolicy an init container may have: it makes it a sidecar. */
const SIDECAR_RESTART = new Set(['Always']);
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
const PROBE_FIELDS = [
  'initialDelaySeconds',
  'timeoutSeconds',
  'periodSeconds',
  'successThreshold',
  'failureThreshold',
] as const;
const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'] as const;
// The resources a container may request (IsStandardContainerResourceName), besides hugepages-* and
// domain-qualified extended resources.
const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const MAX_INT32 = 2147483647;

/**
 * ValidatePodSpec. `restartPolicies` is what the owning kind allows (Always for the long-running
 * workloads, OnFailure or Never for a Job's pods), as the kinds' template validation narrows it.
 */
export function validatePodSpec(
  spec: PodSpecLike,
  path: string,
  fail: Fail,
  restartPolicies?: ReadonlySet<string>,
): void {
  const volumes = spec.volumes ?? [];
  validateVolumes(volumes, `${path}.volumes`, fail);
  const volumeNames = new Set(volumes.map((v) => v.name as string));
  if ((spec.containers ?? []).length === 0)
    fail(`${path}.containers`, 'containers', 'a pod needs at least one container');
  // Container names are unique across regular, init and ephemeral containers.
  const names = new Set<string>();
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[key] ?? []).forEach((c, i) => {
      const at = `${path}.${key}[${i}]`;
      if (c.name === undefined || c.name === '') fail(`${at}.name`, 'container-name', 'a container needs a name');
      else {
        check(fail, `${at}.name`, c.name, dns1123Label, 'container-name');
        if (names.has(c.name)) fail(`${at}.name`, 'container-name', `duplicate container name ${c.name}`);
        names.add(c.name);
      }
      validateContainer(c, at, key, volumeNames, fail);
    });
  }
  validateHostPorts(spec, path, fail);
  if (restartPolicies && !restartPolicies.has(spec.restartPolicy ?? 'Always')) {
    fail(
      `${path}.restartPolicy`,
      'restart-policy',
      `${spec.restartPolicy ?? 'Always (the default)'} is not allowed here: supported values are ${[...restartPolicies].join(', ')}`,
    );
  }
  if (spec.dnsPolicy === 'None' && !(spec.dnsConfig?.nameservers?.length > 0))
    fail(`${path}.dnsConfig.nameservers`, 'pod', 'must have at least one nameserver when dnsPolicy is None');
  if (
    typeof spec.activeDeadlineSeconds === 'number' &&
    (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > MAX_INT32)
  ) {
    fail(`${path}.activeDeadlineSeconds`, 'pod', 'must be between 1 and 2147483647, inclusive');
  }
  check(fail, `${path}.serviceAccountName`, spec.serviceAccountName || undefined, dns1123Subdomain, 'pod');
  check(fail, `${path}.hostname`, spec.hostname, dns1123Label, 'pod');
  check(fail, `${path}.subdomain`, spec.subdomain, dns1123Label, 'pod');
  validateLabels(spec.nodeSelector, `${path}.nodeSelector`, fail);
  validatePodSecurityContext(spec.securityContext, `${path}.securityContext`, fail);
  validateTolerations(spec.tolerations, `${path}.tolerations`, fail);
  (spec.topologySpreadConstraints ?? []).forEach((c: Record<string, any>, i: number) => {
    const at = `${path}.topologySpreadConstraints[${i}]`;
    if (typeof c.maxSkew === 'number' && c.maxSkew < 1) fail(`${at}.maxSkew`, 'pod', 'must be greater than 0');
    if (!c.topologyKey) fail(`${at}.topologyKey`, 'pod', 'is required');
    validateLabelSelector(c.labelSelector, `${at}.labelSelector`, fail);
  });
  duplicateKeys(
    spec.topologySpreadConstraints,
    (c: Record<string, string>) => `${c.topologyKey}/${c.whenUnsatisfiable}`,
    `${path}.topologySpreadConstraints`,
    fail,
    'topologyKey/whenUnsatisfiable',
  );
  duplicateKeys(
    spec.imagePullSecrets,
    (s: { name?: string }) => s.name,
    `${path}.imagePullSecrets`,
    fail,
    'imagePullSecret',
  );
  duplicateKeys(spec.hostAliases, (h: { ip?: string }) => h.ip, `${path}.hostAliases`, fail, 'hostAlias ip');
}

/** ValidateVolumes: DNS-1123 label names, unique, each with exactly one source. */
function validateVolumes(volumes: Array<Record<string, any>>, path: string, fail: Fail): void {
  const seen = new Set<string>();
  volumes.forEach((v, i) => {
    const at = `${path}[${i}]`;
    if (!v.name) fail(`${at}.name`, 'volume', 'a volume needs a name');
    else {
      check(fail, `${at}.name`, v.name, dns1123Label, 'volume');
      if (seen.has(v.name)) fail(`${at}.name`, 'volume', `duplicate volume name ${v.name}`);
      seen.add(v.name);
    }
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.length === 0) fail(at, 'volume', 'must specify a volume type');
    else if (sources.length > 1) fail(at, 'volume', `may not specify more than 1 volume type (${sources.join(', ')})`);
    // validateConfigMapVolumeSource, validateSecretVolumeSource, validateKeyToPath.
    for (const [kind, nameField] of [
      ['configMap', 'name'],
      ['secret', 'secretName'],
    ] as const) {
      const source = v[kind];
      if (!source) continue;
      if (!source[nameField]) fail(`${at}.${kind}.${nameField}`, 'volume', 'is required');
      if (typeof source.defaultMode === 'number' && (source.defaultMode < 0 || source.defaultMode > 0o777))
        fail(`${at}.${kind}.defaultMode`, 'volume', 'must be a file mode between 0 and 0777 (octal)');
      (source.items ?? []).forEach((item: { key?: string; path?: string; mode?: number }, j: number) => {
        const itemAt = `${at}.${kind}.items[${j}]`;
        if (!item.key) fail(`${itemAt}.key`, 'volume', 'is required');
        if (!item.path) fail(`${itemAt}.path`, 'volume', 'is required');
        else relativePath(item.path, `${itemAt}.path`, fail);
        if (typeof item.mode === 'number' && (item.mode < 0 || item.mode > 0o777))
          fail(`${itemAt}.mode`, 'volume', 'must be a file mode between 0 and 0777 (octal)');
      });
    }
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName)
      fail(`${at}.persistentVolumeClaim.claimName`, 'volume', 'is required');
    if (v.emptyDir?.sizeLimit !== undefined) quantity(v.emptyDir.sizeLimit, `${at}.emptyDir.sizeLimit`, fail, 'volume');
  });
}

/** validateLocalDescendingPath: relative, without a `..` element. */
function relativePath(p: string, field: string, fail: Fail): void {
  if (p.startsWith('/')) fail(field, 'volume', 'must be a relative path');
  if (p.split('/').includes('..')) fail(field, 'volume', "must not contain '..'");
}

function validateContainer(
  c: ContainerLike,
  at: string,
  key: 'containers' | 'initContainers' | 'ephemeralContainers',
  volumes: ReadonlySet<string>,
  fail: Fail,
): void {
  if (!c.image && key !== 'ephemeralContainers') fail(`${at}.image`, 'container', 'a container needs an image');
  validatePorts(c.ports ?? [], `${at}.ports`, fail);
  validateEnv(c, at, fail);
  validateVolumeMounts(c.volumeMounts ?? [], `${at}.volumeMounts`, volumes, fail);
  validateResources(c.resources, `${at}.resources`, fail);
  validateContainerSecurityContext(c.securityContext, `${at}.securityContext`, fail);
  // A sidecar is an init container with restartPolicy Always; other containers may not set one (v1.33).
  if (key === 'initContainers') oneOf(fail, `${at}.restartPolicy`, c.restartPolicy, SIDECAR_RESTART, 'restart-policy');
  else if (c.restartPolicy !== undefined)
    fail(`${at}.restartPolicy`, 'restart-policy', 'may not be set for non-init containers');
  const sidecar = key === 'initContainers' && c.restartPolicy === 'Always';
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (!c[probe]) continue;
    if (key !== 'containers' && !sidecar) {
      fail(
        `${at}.${probe}`,
        'probe',
        `may not be set for ${key === 'initContainers' ? 'init containers without restartPolicy=Always' : 'ephemeral containers'}`,
      );
      continue;
    }
    validateProbe(c[probe], `${at}.${probe}`, probe, fail);
  }
  for (const hook of ['postStart', 'preStop'] as const) {
    const handler = c.lifecycle?.[hook];
    if (!handler) continue;
    if (key !== 'containers' && !sidecar)
      fail(`${at}.lifecycle`, 'probe', 'may not be set for init containers without restartPolicy=Always');
    validateHandler(handler, `${at}.lifecycle.${hook}`, LIFECYCLE_HANDLERS, fail);
  }
}

/** validateContainerPorts, and the (containerPort, protocol) key server-side apply needs unique. */
function validatePorts(ports: NonNullable<ContainerLike['ports']>, path: string, fail: Fail): void {
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (p.name !== undefined) {
      check(fail, `${at}.name`, p.name, portName, 'port-name');
      if (names.has(p.name)) fail(`${at}.name`, 'port-name', `duplicate port name ${p.name}`);
      names.add(p.name);
    }
    if (p.containerPort === undefined) fail(`${at}.containerPort`, 'port', 'is required');
    else if (portNumber(p.containerPort))
      fail(`${at}.containerPort`, 'port', `${p.containerPort} ${portNumber(p.containerPort)}`);
    if (p.hostPort !== undefined && p.hostPort !== 0 && portNumber(p.hostPort))
      fail(`${at}.hostPort`, 'port', `${p.hostPort} ${portNumber(p.hostPort)}`);
  });
  duplicateKeys(ports, (p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`, path, fail, 'containerPort/protocol');
}

/** AccumulateUniqueHostPorts over all containers; with hostNetwork, a hostPort must be its containerPort. */
function validateHostPorts(spec: PodSpecLike, path: string, fail: Fail): void {
  const seen = new Set<string>();
  for (const key of ['initContainers', 'containers'] as const) {
    (spec[key] ?? []).forEach((c, i) =>
      (c.ports ?? []).forEach((p, j) => {
        const at = `${path}.${key}[${i}].ports[${j}].hostPort`;
        if (spec.hostNetwork && p.hostPort !== undefined && p.hostPort !== 0 && p.hostPort !== p.containerPort) {
          fail(at, 'port', 'must match containerPort when hostNetwork is true');
        }
        const hostPort = spec.hostNetwork ? p.containerPort : p.hostPort;
        if (!hostPort) return;
        const k = `${hostPort}/${p.protocol ?? 'TCP'}`;
        if (seen.has(k)) fail(at, 'port', `host port ${k} is already used in this pod`);
        seen.add(k);
      }),
    );
  }
}

/** ValidateEnv and ValidateEnvFrom. */
function validateEnv(c: ContainerLike, at: string, fail: Fail): void {
  const env: Array<Record<string, any>> = c.env ?? [];
  env.forEach((e, i) => {
    const field = `${at}.env[${i}]`;
    if (!e.name) fail(`${field}.name`, 'env', 'an env var needs a name');
    else check(fail, `${field}.name`, e.name, envVarName, 'env');
    if (!e.valueFrom) return;
    const sources = ENV_SOURCES.filter((s) => e.valueFrom[s] !== undefined);
    if (sources.length !== 1)
      fail(
        `${field}.valueFrom`,
        'env',
        sources.length === 0
          ? 'must specify one of fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef'
          : 'may not have more than one field specified at a time',
      );
    if (e.value) fail(`${field}.valueFrom`, 'env', 'may not be specified when `value` is not empty');
    // validateConfigMapKeySelector, validateSecretKeySelector: a name and a key, both valid.
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const r = e.valueFrom[ref];
      if (!r) continue;
      if (!r.key) fail(`${field}.valueFrom.${ref}.key`, 'env', 'is required');
      else check(fail, `${field}.valueFrom.${ref}.key`, r.key, configMapKey, 'env');
      referencedName(r.name, `${field}.valueFrom.${ref}.name`, fail);
    }
    if (e.valueFrom.fieldRef && !e.valueFrom.fieldRef.fieldPath)
      fail(`${field}.valueFrom.fieldRef.fieldPath`, 'env', 'is required');
  });
  duplicateKeys(env, (e) => e.name, `${at}.env`, fail, 'env var');
  (c.envFrom ?? []).forEach((e: Record<string, any>, i: number) => {
    const field = `${at}.envFrom[${i}]`;
    if (e.prefix) check(fail, `${field}.prefix`, e.prefix, envVarName, 'env');
    const refs = (['configMapRef', 'secretRef'] as const).filter((r) => e[r] !== undefined);
    if (refs.length !== 1)
      fail(
        field,
        'env',
        refs.length === 0
          ? 'must specify one of configMapRef or secretRef'
          : 'may not have more than one field specified at a time',
      );
    // validateConfigMapEnvSource, validateSecretEnvSource.
    for (const r of refs) referencedName(e[r].name, `${field}.${r}.name`, fail);
  });
}

/** The name of a referenced ConfigMap or Secret: required, a DNS-1123 subdomain. */
function referencedName(name: string | undefined, field: string, fail: Fail): void {
  if (!name) fail(field, 'env', 'is required');
  else check(fail, field, name, dns1123Subdomain, 'env');
}

/** ValidateVolumeMounts: a defined volume, a mount path, unique mount paths, a relative subPath. */
function validateVolumeMounts(
  mounts: Array<Record<string, any>>,
  path: string,
  volumes: ReadonlySet<string>,
  fail: Fail,
): void {
  mounts.forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!m.name) fail(`${at}.name`, 'volume-mount', 'is required');
    else if (!volumes.has(m.name)) fail(`${at}.name`, 'volume-mount', `names no volume of the pod (${m.name})`);
    if (!m.mountPath) fail(`${at}.mountPath`, 'volume-mount', 'is required');
    if (m.subPath) relativePath(m.subPath, `${at}.subPath`, fail);
  });
  duplicateKeys(mounts, (m) => m.mountPath, path, fail, 'mountPath');
}

/** validateProbe: exactly one handler, non-negative numbers, successThreshold 1 for liveness and startup. */
function validateProbe(
  probe: Record<string, any>,
  at: string,
  kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe',
  fail: Fail,
): void {
  validateHandler(probe, at, PROBE_HANDLERS, fail);
  for (const field of PROBE_FIELDS) nonNegative(fail, `${at}.${field}`, probe[field], 'probe');
  if (kind !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    fail(`${at}.successThreshold`, 'probe', `must be 1 for a ${kind}`);
  }
  if (kind === 'readinessProbe' && probe.terminationGracePeriodSeconds !== undefined)
    fail(`${at}.terminationGracePeriodSeconds`, 'probe', 'must not be set for readinessProbes');
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds < 1)
    fail(`${at}.terminationGracePeriodSeconds`, 'probe', 'must be greater than 0');
}

/** validateHandler / validateLifecycleHandler: exactly one handler, each valid. */
function validateHandler(h: Record<string, any>, at: string, kinds: readonly string[], fail: Fail): void {
  const set = kinds.filter((k) => h[k] !== undefined);
  if (set.length === 0) fail(at, 'probe', `must specify a handler type (${kinds.join(', ')})`);
  else if (set.length > 1) fail(at, 'probe', `may not specify more than 1 handler type (${set.join(', ')})`);
  if (h.exec && !(h.exec.command?.length > 0)) fail(`${at}.exec.command`, 'probe', 'is required');
  if (h.httpGet) portOf(h.httpGet.port, `${at}.httpGet.port`, fail);
  if (h.tcpSocket) portOf(h.tcpSocket.port, `${at}.tcpSocket.port`, fail);
  if (h.grpc) {
    const problem = h.grpc.port === undefined ? 'is required' : portNumber(h.grpc.port);
    if (problem) fail(`${at}.grpc.port`, 'probe', `${h.grpc.port ?? ''} ${problem}`.trim());
  }
  if (h.sleep) nonNegative(fail, `${at}.sleep.seconds`, h.sleep.seconds, 'probe');
}

function portOf(port: number | string | undefined, field: string, fail: Fail): void {
  if (port === undefined) fail(field, 'probe', 'is required');
  else if (portNumOrName(port)) fail(field, 'probe', `${JSON.stringify(port)} ${portNumOrName(port)}`);
}

/** ValidateResourceRequirements: standard names, valid non-negative quantities. Requests above limits are the workloads' rule. */
function validateResources(
  resources: Record<string, Record<string, unknown> | undefined> | undefined,
  at: string,
  fail: Fail,
): void {
  for (const side of ['requests', 'limits'] as const) {
    for (const [name, value] of Object.entries(resources?.[side] ?? {})) {
      const field = `${at}.${side}.${name}`;
      if (!CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-') && !name.includes('/'))
        fail(field, 'resources', `${name} is not a standard resource for containers`);
      else if (name.includes('/')) check(fail, field, name, qualifiedName, 'resources');
      quantity(value, field, fail, 'resources');
    }
  }
}

/** ValidateResourceQuantityValue: a valid quantity, not negative. */
export function quantity(value: unknown, field: string, fail: Fail, rule: ApiServerRule): void {
  const problem = quantityProblem(value);
  if (problem) fail(field, rule, problem);
  else if (parseQuantity(value as string | number) < 0)
    fail(field, rule, `${JSON.stringify(value)} must be greater than or equal to 0`);
}

/** ValidatePodSecurityContext: ids in range, seccomp profile consistent. */
function validatePodSecurityContext(sc: Record<string, any> | undefined, at: string, fail: Fail): void {
  if (!sc) return;
  for (const id of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    if (typeof sc[id] === 'number' && linuxId(sc[id]))
      fail(`${at}.${id}`, 'security-context', `${sc[id]} ${linuxId(sc[id])}`);
  }
  (sc.supplementalGroups ?? []).forEach((g: number, i: number) => {
    if (linuxId(g)) fail(`${at}.supplementalGroups[${i}]`, 'security-context', `${g} ${linuxId(g)}`);
  });
  validateSeccomp(sc.seccompProfile, `${at}.seccompProfile`, fail);
  (sc.sysctls ?? []).forEach((s: { name?: string }, i: number) => {
    if (!s.name) fail(`${at}.sysctls[${i}].name`, 'security-context', 'is required');
  });
  duplicateKeys(sc.sysctls, (s: { name?: string }) => s.name, `${at}.sysctls`, fail, 'sysctl');
}

/** ValidateSecurityContext of a container. */
function validateContainerSecurityContext(sc: Record<string, any> | undefined, at: string, fail: Fail): void {
  if (!sc) return;
  for (const id of ['runAsUser', 'runAsGroup'] as const) {
    if (typeof sc[id] === 'number' && linuxId(sc[id]))
      fail(`${at}.${id}`, 'security-context', `${sc[id]} ${linuxId(sc[id])}`);
  }
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true) {
    fail(at, 'security-context', 'cannot set allowPrivilegeEscalation to false and privileged to true');
  }
  if (
    sc.allowPrivilegeEscalation === false &&
    (sc.capabilities?.add ?? []).some((c: string) => c === 'SYS_ADMIN' || c === 'CAP_SYS_ADMIN')
  ) {
    fail(at, 'security-context', 'cannot set allowPrivilegeEscalation to false and capabilities.Add CAP_SYS_ADMIN');
  }
  validateSeccomp(sc.seccompProfile, `${at}.seccompProfile`, fail);
}

/** validateSeccompProfileField: a known type; a localhostProfile with Localhost and only then. */
function validateSeccomp(
  profile: { type?: string; localhostProfile?: string } | undefined,
  at: string,
  fail: Fail,
): void {
  if (!profile) return;
  if (profile.type === 'Localhost' && !profile.localhostProfile)
    fail(`${at}.localhostProfile`, 'security-context', 'must be set when seccomp type is Localhost');
  if (profile.type !== 'Localhost' && profile.localhostProfile !== undefined)
    fail(`${at}.localhostProfile`, 'security-context', 'can only be set when seccomp type is Localhost');
}

/** ValidateTolerations. */
function validateTolerations(tolerations: Array<Record<string, any>> | undefined, path: string, fail: Fail): void {
  (tolerations ?? []).forEach((t, i) => {
    const at = `${path}[${i}]`;
    if (t.key) check(fail, `${at}.key`, t.key, qualifiedName, 'pod');
    else if (t.operator !== 'Exists') fail(`${at}.operator`, 'pod', 'must be Exists when `key` is empty');
    if (t.operator === 'Exists' && t.value) fail(`${at}.value`, 'pod', 'must be empty when `operator` is Exists');
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute')
      fail(`${at}.effect`, 'pod', 'must be NoExecute when `tolerationSeconds` is set');
  });
}
