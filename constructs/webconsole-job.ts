import { createHash } from 'crypto';
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { PROVISIONER_LABELS } from '../src/manifest/labels';
import { KubeObject } from '../src/manifest';
import { PodGroup } from '../src/network-traffic';
import { restrictedPodSpec } from '../src/pod';
import { ResourceSpec, SizeAmount, quantityOf } from '../src/resources';
import { StackPlacementProps } from '../src/stack-chart';
import { StackConstruct, WorkshopImageProps } from '../src/stack-construct';
import { PROJECT_IMAGE_REGISTRY, PROJECT_IMAGE_TAG, projectImageSource } from './images';
import { FLASK_API_POD } from './webconsole';

/** Props of {@link WebConsoleJob}. */
export interface WebConsoleJobProps extends StackPlacementProps, WorkshopImageProps {
  /**
   * Registry (or Docker Hub namespace) of the `webconsole` image. Set, the image is pulled from there.
   * @default 'workshop-stacks': this project's `workshop-stacks/webconsole:v1`, built inside minikube's
   * Docker and never pulled (`imagePullPolicy: Never`)
   */
  readonly registry?: string;
  /**
   * How long a user's console may run before Kubernetes stops it (on the Job and on its pod; whole
   * seconds, from a minute to a week). It runs untrusted code, so it must not live forever.
   * @default Duration.hours(1) (one workshop session)
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished Job (and its pod) stays before Kubernetes deletes it (whole seconds, at most a
   * week). The hub names each Job `webconsole-<uname>`, so until then that user cannot start a new console.
   * @default Duration.minutes(1)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Requests and limits of the console container (scaled by the profile). All three limits are
   * required: CPU, memory and ephemeral storage.
   * @default 50m/500m CPU, 64Mi/256Mi memory, 32Mi/128Mi ephemeral storage
   */
  readonly resources?: ResourceSpec;
  /**
   * Size limit of the `emptyDir` at `/tmp` (the only writable path): a quantity or a cdk8s `Size`.
   * @default '32Mi'
   */
  readonly tmpSizeLimit?: SizeAmount;
  /**
   * RuntimeClass of the pod, for a stronger sandbox (gVisor, Kata Containers). It must exist on the cluster.
   * @default the cluster's default runtime
   */
  readonly runtimeClassName?: string;
}

/** The default sandbox: one user's interpreter. */
export const WEBCONSOLE_JOB_RESOURCES: ResourceSpec = {
  cpu: { request: '50m', limit: '500m' },
  memory: { request: '64Mi', limit: '256Mi' },
  ephemeralStorage: { request: '32Mi', limit: '128Mi' },
};

/**
 * The typed `batch/v1` Job that consolehub starts for each user, rendered as the hub's
 * `job-template.yaml`: one source for the template the hub reads and for everything the library
 * derives from it (the hub's NetworkPolicies, quotas and LimitRange). It adds no object to the chart.
 *
 * It runs untrusted code, so it is a sandbox: no restart and no retry, a deadline, PSS `restricted`,
 * a read-only root filesystem with a size-limited `/tmp`, CPU, memory and ephemeral-storage limits,
 * no ServiceAccount token, and optionally a sandboxing RuntimeClass.
 *
 * The hub replaces the Job's `metadata` with `{name: webconsole-<uname>}` and the pod template's
 * `metadata` with `{labels: {uname: <uname>, managed-by: provisioner}}`, then creates the Job in the
 * namespace it was built for. So the template carries no name, no namespace (the API server rejects a
 * body whose namespace differs from the request's) and no `uname`; it carries `managed-by` only so
 * that the template alone matches the same selectors.
 *
 * As a pod group, it names the users' pods in the jobs namespace for NetworkPolicies.
 */
export class WebConsoleJob extends StackConstruct implements PodGroup {
  /** The Job template, as the hub reads it (plain JSON, ready for YAML). */
  readonly manifest: KubeObject;
  /** The template as YAML: the content of `job-template.yaml` for the workshop's hub. */
  readonly yaml: string;
  /**
   * The template as JSON, which is also YAML: the content of `job-template.yaml` for this project's hub,
   * whose image parses it with Python's standard library alone.
   */
  readonly json: string;
  /** SHA-256 of {@link yaml}: put it on whatever must change when the template does. */
  readonly hash: string;
  /** The container's requests and limits, after profile scaling: what quotas are sized from. */
  readonly resources: k8s.ResourceRequirements;
  /** Name of the users' pod group (used for the NetworkPolicy that selects them). */
  readonly name = 'webconsole-sessions';
  /** The labels that every user's pod carries whatever its user: `managed-by=provisioner`. */
  readonly selector: Record<string, string> = { ...PROVISIONER_LABELS };
  /** The container port the hub proxies to. */
  readonly port = FLASK_API_POD.port;

  constructor(scope: Construct, id: string, props: WebConsoleJobProps = {}) {
    super(scope, id, props, 'WebConsoleJob', 'webconsole');
    const { check, ctx } = this;
    const source = projectImageSource(props, PROJECT_IMAGE_REGISTRY);
    const image = this.workshopImage(source, 'webconsole', PROJECT_IMAGE_TAG);
    const week = Duration.days(7);
    const activeDeadlineSeconds =
      check.seconds('activeDeadline', props.activeDeadline, Duration.minutes(1), week) ?? 3600;
    const ttlSecondsAfterFinished = check.seconds('ttlAfterFinished', props.ttlAfterFinished, undefined, week) ?? 60;
    check.dnsSubdomain('runtimeClassName', props.runtimeClassName);
    const resources = props.resources ?? WEBCONSOLE_JOB_RESOURCES;
    if (!resources.ephemeralStorage)
      check.fail('resources.ephemeralStorage', 'is required: the sandbox must bound its disk use');
    check.quantity('tmpSizeLimit', props.tmpSizeLimit === undefined ? undefined : quantityOf(props.tmpSizeLimit));
    check.resources('resources', resources);

    const podSpec = restrictedPodSpec(ctx, {
      ...FLASK_API_POD,
      containerName: 'webconsole',
      image,
      builtLocally: source.builtLocally,
      resources,
      writablePaths: [{ path: '/tmp', sizeLimit: props.tmpSizeLimit ?? '32Mi' }],
      restartPolicy: 'Never',
      runtimeClassName: props.runtimeClassName,
      automountServiceAccountToken: false,
    });
    const job = k8s.KubeJob.manifest({
      spec: {
        // One try: a crashed console (`GET /api/crash/`) is the user's to restart through the hub.
        backoffLimit: 0,
        activeDeadlineSeconds,
        ttlSecondsAfterFinished,
        template: {
          metadata: { labels: { ...PROVISIONER_LABELS } },
          // The pod's own deadline also lets a ResourceQuota scoped to `Terminating` count only these pods.
          spec: { ...podSpec, activeDeadlineSeconds },
        },
      },
    });
    // An empty `metadata` keeps the template working whether the hub assigns `metadata.name` or
    // replaces `metadata` whole; a name or namespace here would be overwritten or clash.
    this.manifest = { apiVersion: job.apiVersion, kind: job.kind, metadata: {}, spec: job.spec };
    this.resources = podSpec.containers[0].resources!;
    this.yaml = stringify(this.manifest);
    this.json = `${JSON.stringify(this.manifest, undefined, 2)}\n`;
    this.hash = createHash('sha256').update(this.yaml).digest('hex');
  }
}
