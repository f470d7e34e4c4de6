import { k8s } from 'cdk8s-plus-27';

/** The sysctl that lets a non-root process bind ports below 1024. PSS `restricted` allows it as "safe". */
export const UNPRIVILEGED_PORT_SYSCTL = 'net.ipv4.ip_unprivileged_port_start';

/** A numeric identity for a pod: PSS `restricted` needs `runAsNonRoot`, which needs a numeric uid to verify. */
export interface RunAs {
  /** The uid; must not be 0. */
  readonly user: number;
  /** The primary gid. */
  readonly group: number;
}

/** A uid/gid pair that no image in the workshop uses: for images that have no `USER` of their own. */
export const DEFAULT_RUN_AS: RunAs = { user: 10001, group: 10001 };

/**
 * A pod security context that passes PSS `restricted`. `fsGroup` is the run-as group, so emptyDir
 * volumes are writable. When the image binds a port below 1024, the pod lowers the unprivileged
 * port start to 0: the only way for a non-root process to bind there, since `NET_BIND_SERVICE`
 * in `capabilities.add` is not an ambient capability and so does not reach the process.
 */
export function restrictedPodSecurityContext(runAs: RunAs, bindsPrivilegedPort = false): k8s.PodSecurityContext {
  if (runAs.user === 0) throw new Error('restrictedPodSecurityContext: runAs.user must not be 0 (root)');
  return {
    runAsNonRoot: true,
    runAsUser: runAs.user,
    runAsGroup: runAs.group,
    fsGroup: runAs.group,
    seccompProfile: { type: 'RuntimeDefault' },
    ...(bindsPrivilegedPort ? { sysctls: [{ name: UNPRIVILEGED_PORT_SYSCTL, value: '0' }] } : {}),
  };
}

/** A container security context that passes PSS `restricted`, with a read-only root filesystem. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
