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
export type ProbeSpec = { readonly kind: 'tcp' } | { readonly kind: 'http'; readonly path: string };

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
   * Startup, readiness and liveness check on `port`.
   * @default no probes
   */
  readonly probe?: ProbeSpec;
  /**
   * How long the app may take to start, from the container's start to its first answer to `probe`,
   * before the kubelet restarts it (the startup probe's period times its failure threshold). Liveness
   * and readiness run only once it has answered, so size it for a cold start at the CPU limit.
   * @default Duration.seconds(60)
   */
  readonly startupTimeout?: Duration;
  /**
   * The image was built on the node itself (inside minikube's Docker) and is in no registry: the
   * kubelet never pulls it (`imagePullPolicy: Never`).
   * @default false: the pull policy follows the profile
   */
  readonly builtLocally?: boolean;
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

/**
 * The probes' timing, in one place. The startup probe guards the start: it checks often (a started app
 * is ready soon) and long enough for a cold start at the CPU limit (dockercoins' hasher and webui take
 * 19-21 s at 250m: the default allows about three times that). Liveness and readiness begin only once
 * it has passed, so liveness never judges a starting app: it restarts an app that stopped answering
 * for 30 s. Readiness takes a pod out of its Service after 15 s without an answer and never restarts it.
 * Timeouts of 3 s leave room for an answer from a container throttled at its CPU limit.
 */
export const PROBE_DEFAULTS = {
  startupPeriod: Duration.seconds(2),
  startupTimeout: Duration.seconds(60),
  readiness: { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
  liveness: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
} as const;

/** The bounds a `startupTimeout` prop is checked against: at least one period, at most 10 minutes. */
export const STARTUP_TIMEOUT_RANGE: readonly [Duration, Duration] = [
  PROBE_DEFAULTS.startupPeriod,
  Duration.minutes(10),
];

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
  const probed = props.probe && props.port ? { spec: props.probe, port: props.port } : undefined;
  const startupPeriod = PROBE_DEFAULTS.startupPeriod.toSeconds();
  const startupTimeout = (props.startupTimeout ?? PROBE_DEFAULTS.startupTimeout).toSeconds();
  const container: k8s.Container = {
    name: props.containerName,
    image: props.image,
    imagePullPolicy: pullPolicyFor(props.image, ctx.profile, props.builtLocally),
    command: props.command,
    args: props.args,
    workingDir: props.workingDir,
    env: props.env,
    ports: props.port
      ? [{ name: props.port.name, containerPort: props.port.containerPort, protocol: 'TCP' }]
      : undefined,
    startupProbe:
      probed &&
      probe(probed.spec, probed.port, {
        periodSeconds: startupPeriod,
        timeoutSeconds: PROBE_DEFAULTS.readiness.timeoutSeconds,
        failureThreshold: Math.ceil(startupTimeout / startupPeriod),
      }),
    readinessProbe:
      probed &&
      probe(props.readinessPath ? { kind: 'http', path: props.readinessPath } : probed.spec, probed.port, {
        ...PROBE_DEFAULTS.readiness,
      }),
    livenessProbe: probed && probe(probed.spec, probed.port, { ...PROBE_DEFAULTS.liveness }),
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
