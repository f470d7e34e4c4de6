import { k8s } from 'cdk8s-plus-27';
import { pullPolicyFor } from './image';
import { ResourceSpec, toResourceRequirements } from './resources';
import { RunAs, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { StackContext } from './stack-chart';

/** A path the app writes to; it gets its own size-limited `emptyDir`, since the root filesystem is read-only. */
export interface WritablePath {
  /** Mount path inside the container. */
  readonly path: string;
  /**
   * Size limit of the emptyDir.
   * @default '64Mi'
   */
  readonly sizeLimit?: string;
}

/** How the kubelet checks the container, on its named port. */
export type ProbeSpec =
  | { readonly kind: 'tcp' }
  | { readonly kind: 'http'; readonly path: string };

/** A named container port. */
export interface ContainerPort {
  /** Port name (IANA_SVC_NAME: at most 15 characters), the target of Services and probes. */
  readonly name: string;
  /** The port the process listens on. */
  readonly containerPort: number;
}

/** One hardened single-container pod. Every field but the image, identity and resources is optional. */
export interface RestrictedPodProps {
  /** Container name. */
  readonly containerName: string;
  /** Image reference. */
  readonly image: string;
  /** The numeric identity the container runs as. */
  readonly runAs: RunAs;
  /** Requests and limits (scaled by the profile). */
  readonly resources: ResourceSpec;
  /** The port the app listens on, if any. */
  readonly port?: ContainerPort;
  /** Readiness and liveness check on `port`; none when unset. */
  readonly probe?: ProbeSpec;
  /** Whether the process binds a port below 1024 (sets the unprivileged-port sysctl). */
  readonly bindsPrivilegedPort?: boolean;
  /** Paths the app writes to. */
  readonly writablePaths?: readonly WritablePath[];
  readonly command?: string[];
  readonly args?: string[];
  readonly workingDir?: string;
  readonly env?: k8s.EnvVar[];
  /** Extra volumes and their mounts in the container (ConfigMaps and the like). */
  readonly volumes?: k8s.Volume[];
  readonly volumeMounts?: k8s.VolumeMount[];
  /** ServiceAccount; without one the pod gets no API token at all. */
  readonly serviceAccountName?: string;
  /** Whether the ServiceAccount token is mounted: only for apps that call the Kubernetes API. */
  readonly automountServiceAccountToken?: boolean;
  readonly restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  readonly runtimeClassName?: string;
  readonly affinity?: k8s.Affinity;
  readonly terminationGracePeriodSeconds?: number;
}

const DEFAULT_WRITABLE_SIZE = '64Mi';

/** Volume names derive from mount paths, so two building blocks can never disagree on them. */
export function volumeNameForPath(path: string): string {
  const name = path.replace(/^\/+|\/+$/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `${name || 'root'}`.slice(0, 63).replace(/-+$/, '');
}

function probe(spec: ProbeSpec, port: ContainerPort, timing: Omit<k8s.Probe, 'httpGet' | 'tcpSocket'>): k8s.Probe {
  const target = k8s.IntOrString.fromString(port.name);
  return spec.kind === 'tcp'
    ? { tcpSocket: { port: target }, ...timing }
    : { httpGet: { path: spec.path, port: target }, ...timing };
}

/**
 * A pod spec that passes PSS `restricted` with a read-only root filesystem: the one place where the
 * library's security defaults live, shared by Deployments, DaemonSets and Jobs.
 */
export function restrictedPodSpec(ctx: StackContext, props: RestrictedPodProps): k8s.PodSpec {
  const writable = props.writablePaths ?? [];
  const container: k8s.Container = {
    name: props.containerName,
    image: props.image,
    imagePullPolicy: pullPolicyFor(props.image, ctx.profile),
    command: props.command,
    args: props.args,
    workingDir: props.workingDir,
    env: props.env,
    ports: props.port ? [{ name: props.port.name, containerPort: props.port.containerPort, protocol: 'TCP' }] : undefined,
    readinessProbe: props.probe && props.port
      ? probe(props.probe, props.port, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }) : undefined,
    livenessProbe: props.probe && props.port
      ? probe(props.probe, props.port, { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }) : undefined,
    resources: toResourceRequirements(props.resources, ctx.settings.resourceScale),
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [
      ...writable.map((w) => ({ name: volumeNameForPath(w.path), mountPath: w.path })),
      ...(props.volumeMounts ?? []),
    ],
  };
  return {
    automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    serviceAccountName: props.serviceAccountName,
    // Service links inject `<NAME>_PORT=tcp://...` variables that clash with apps reading e.g. REDIS_PORT.
    enableServiceLinks: false,
    restartPolicy: props.restartPolicy,
    runtimeClassName: props.runtimeClassName,
    affinity: props.affinity,
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    securityContext: restrictedPodSecurityContext(props.runAs, props.bindsPrivilegedPort),
    containers: [container],
    volumes: [
      ...writable.map((w) => ({
        name: volumeNameForPath(w.path),
        emptyDir: { sizeLimit: k8s.Quantity.fromString(w.sizeLimit ?? DEFAULT_WRITABLE_SIZE) },
      })),
      ...(props.volumes ?? []),
    ],
  };
}
