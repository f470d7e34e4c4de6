import { KubeObject, containersOf, podTemplateOf } from '../manifest';
import { Finding, finding } from '../manifest/finding';

// The Pod Security Standards, "restricted" level (which includes "baseline"), as of Kubernetes 1.29.
// https://kubernetes.io/docs/concepts/security/pod-security-standards/

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const SECCOMP_ALLOWED = new Set(['RuntimeDefault', 'Localhost']);

/** Checks every pod template in an object against PSS `restricted`. Objects without pods pass. */
export function checkPodSecurityRestricted(obj: KubeObject): Finding[] {
  const template = podTemplateOf(obj);
  if (!template) return [];
  const out: Finding[] = [];
  const fail = (field: string, rule: string, message: string) =>
    out.push(finding(obj, field, `pss-restricted/${rule}`, message));
  const { spec, path } = template;
  const pod = spec.securityContext ?? {};
  const podPath = `${path}.securityContext`;

  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[key]) fail(`${path}.${key}`, 'host-namespaces', `${key} must not be true`);
  }
  if (pod.windowsOptions?.hostProcess)
    fail(`${podPath}.windowsOptions.hostProcess`, 'host-process', 'must not be true');
  checkSeLinux(pod.seLinuxOptions, podPath, fail);
  for (const [i, sysctl] of (pod.sysctls ?? []).entries()) {
    if (!SAFE_SYSCTLS.has(sysctl.name))
      fail(`${podPath}.sysctls[${i}]`, 'sysctls', `sysctl ${sysctl.name} is not in the safe set`);
  }
  for (const [i, volume] of (spec.volumes ?? []).entries()) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.has(type))
      fail(`${path}.volumes[${i}]`, 'volume-types', `volume type ${type} is not allowed`);
  }
  if (pod.runAsUser === 0) fail(`${podPath}.runAsUser`, 'run-as-user', 'must not be 0 (root)');
  if (pod.seccompProfile && !SECCOMP_ALLOWED.has(pod.seccompProfile.type)) {
    fail(
      `${podPath}.seccompProfile.type`,
      'seccomp',
      `must be RuntimeDefault or Localhost, got ${pod.seccompProfile.type}`,
    );
  }

  for (const { path: cPath, container } of containersOf(spec, path)) {
    const sc = container.securityContext ?? {};
    const scPath = `${cPath}.securityContext`;
    if (sc.privileged) fail(`${scPath}.privileged`, 'privileged', 'must not be true');
    if (sc.windowsOptions?.hostProcess)
      fail(`${scPath}.windowsOptions.hostProcess`, 'host-process', 'must not be true');
    if (sc.procMount && sc.procMount !== 'Default') fail(`${scPath}.procMount`, 'proc-mount', 'must be Default');
    checkSeLinux(sc.seLinuxOptions, scPath, fail);
    for (const [i, port] of (container.ports ?? []).entries()) {
      if (port.hostPort) fail(`${cPath}.ports[${i}].hostPort`, 'host-ports', 'host ports are not allowed');
    }
    if (sc.allowPrivilegeEscalation !== false) {
      fail(`${scPath}.allowPrivilegeEscalation`, 'allow-privilege-escalation', 'must be false');
    }
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true)) {
      fail(`${scPath}.runAsNonRoot`, 'run-as-non-root', 'must be true, on the container or the pod');
    }
    if (sc.runAsUser === 0) fail(`${scPath}.runAsUser`, 'run-as-user', 'must not be 0 (root)');
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!SECCOMP_ALLOWED.has(seccomp)) {
      fail(
        `${scPath}.seccompProfile.type`,
        'seccomp',
        'must be RuntimeDefault or Localhost, on the container or the pod',
      );
    }
    const caps = sc.capabilities ?? {};
    if (!(caps.drop ?? []).includes('ALL')) fail(`${scPath}.capabilities.drop`, 'capabilities', 'must drop ALL');
    for (const cap of caps.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE')
        fail(`${scPath}.capabilities.add`, 'capabilities', `may add only NET_BIND_SERVICE, adds ${cap}`);
    }
  }
  return out;
}

function checkSeLinux(
  options: Record<string, string> | undefined,
  base: string,
  fail: (f: string, r: string, m: string) => void,
): void {
  if (!options) return;
  if (options.type !== undefined && !SELINUX_TYPES.has(options.type))
    fail(`${base}.seLinuxOptions.type`, 'selinux', `type ${options.type} is not allowed`);
  if (options.user) fail(`${base}.seLinuxOptions.user`, 'selinux', 'must not be set');
  if (options.role) fail(`${base}.seLinuxOptions.role`, 'selinux', 'must not be set');
}
