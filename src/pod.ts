import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { slugify } from './manifest/names';
import { pullPolicyFor } from './image';
import { ResourceSpec, SizeAmount, quantityOf, toResourceRequirements } from './resources';
import { RunAs, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { StackContext } from './stack-chart';

/** A path the app writes to; it gets its own size-limited `emptyDir`, since the root filesystem is read-only. */
export interface WritablePath {
  /** Mount path inside the container. */
  readonly path: string;
  /**
   * Size limit of the emptyDir: a quantity or a cdk8s `Size`.
   * @default '64Mi'
   */
  readonly sizeLimit?: SizeAmount;
}

/** How the kubelet checks the container, on its named port. */
export type ProbeSpec =
  | { readonly kind: 'tcp' }
  | { readonly kind: 'http'; readonly path: string };

/** A container port with a name: what Services and probes target. */
export interface NamedPort {
  /** Port name (IANA_SVC_NAME: at most 15 characters), the target of Services and probes. */
  readonly name: string;
  /** The port the process listens on. */
  readonly containerPort: number;
}

/** One hardened single-container pod. Every field but the image, identity and resources is optional. */
export interface RestrictedPodProps {
  /** Container name. */
  readonly containerName: string;
  /** Image reference (its pull policy follows the profile). */
  readonly image: string;
  /** The numeric identity the container runs as. */
  readonly runAs: RunAs;
  /** Requests and limits (scaled by the profile). */
  readonly resources: ResourceSpec;
  /**
   * The port the app listens on.
   * @default none (no port, no probe)
   */
  readonly port?: NamedPort;
  /**
   * Readiness and liveness check on `port`.
   * @default no probes
   */
  readonly probe?: ProbeSpec;
  /**
   * Whether the process binds a port below 1024 as non-root (sets the unprivileged-port sysctl).
   * @default false
   */
  readonly bindsPrivilegedPort?: boolean;
  /**
   * Paths the app writes to, each an emptyDir (the root filesystem is read-only).
   * @default none
   */
  readonly writablePaths?: readonly WritablePath[];
  /**
   * Entrypoint override.
   * @default the image's ENTRYPOINT
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default the image's CMD
   */
  readonly args?: string[];
  /**
   * Working directory.
   * @default the image's WORKDIR
   */
  readonly workingDir?: string;
  /**
   * Environment variables (credentials only through `valueFrom.secretKeyRef`).
   * @default none
   */
  readonly env?: k8s.EnvVar[];
  /**
   * Extra volumes (ConfigMaps and the like).
   * @default none
   */
  readonly volumes?: k8s.Volume[];
  /**
   * Mounts of the extra volumes in the container.
   * @default none
   */
  readonly volumeMounts?: k8s.VolumeMount[];
  /**
   * ServiceAccount of the pod.
   * @default the namespace's `default` ServiceAccount (with no token mounted)
   */
  readonly serviceAccountName?: string;
  /**
   * Whether the ServiceAccount token is mounted: only for apps that call the Kubernetes API.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Restart policy.
   * @default the controller's (`Always` for Deployments and DaemonSets)
   */
  readonly restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  /**
   * RuntimeClass, for a sandboxing runtime such as gVisor.
   * @default the cluster's default runtime
   */
  readonly runtimeClassName?: string;
  /**
   * Scheduling affinity.
   * @default none
   */
  readonly affinity?: k8s.Affinity;
  /**
   * Time the pod gets to stop (whole seconds).
   * @default 30 seconds (Kubernetes' default)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * What the kubelet runs before it sends SIGTERM: for apps that must be told to drain first.
   * @default none
   */
  readonly preStop?: k8s.LifecycleHandler;
  /**
   * An HTTP path for the readiness probe only, when readiness differs from liveness (a pod that
   * reports itself unready while it drains must not be restarted for it).
   * @default readiness checks what `probe` does
   */
  readonly readinessPath?: string;
}

const DEFAULT_WRITABLE_SIZE = '64Mi';

/** Volume names derive from mount paths, so two building blocks can never disagree on them. */
export function volumeNameForPath(path: string): string {
  return slugify(path) || 'root';
}

function probe(spec: ProbeSpec, port: NamedPort, timing: Omit<k8s.Probe, 'httpGet' | 'tcpSocket'>): k8s.Probe {
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
      ? probe(props.readinessPath ? { kind: 'http', path: props.readinessPath } : props.probe, props.port,
        { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }) : undefined,
    livenessProbe: props.probe && props.port
      ? probe(props.probe, props.port, { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }) : undefined,
    resources: toResourceRequirements(props.resources, ctx.settings.resourceScale),
    lifecycle: props.preStop && { preStop: props.preStop },
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
    terminationGracePeriodSeconds: props.terminationGracePeriod?.toSeconds(),
    securityContext: restrictedPodSecurityContext(props.runAs, props.bindsPrivilegedPort),
    containers: [container],
    volumes: [
      ...writable.map((w) => ({
        name: volumeNameForPath(w.path),
        emptyDir: { sizeLimit: k8s.Quantity.fromString(quantityOf(w.sizeLimit ?? DEFAULT_WRITABLE_SIZE)) },
      })),
      ...(props.volumes ?? []),
    ],
  };
}
