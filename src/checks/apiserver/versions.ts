/**
 * API versions kube-apiserver v1.33 no longer serves, with what replaced them (the Kubernetes
 * deprecated API migration guide). The schema models still have some of them (extensions/v1beta1
 * Deployment), so they are judged before the schema.
 */
import { KubeObject } from '../../manifest';
import { Finding, finding } from '../../manifest/finding';

const NO_REPLACEMENT_PSP =
  'no replacement: use Pod Security Admission (the pod-security.kubernetes.io labels of a Namespace)';

/** Whole group/versions that are gone, and the version that replaced each kind in them. */
const REMOVED_VERSIONS: Readonly<
  Record<string, { removedIn: string; replacement: (kind: string) => string | undefined }>
> = {
  'extensions/v1beta1': {
    removedIn: '1.16 (Ingress 1.22, PodSecurityPolicy 1.25)',
    replacement: (kind) =>
      (
        ({
          Deployment: 'apps/v1',
          DaemonSet: 'apps/v1',
          ReplicaSet: 'apps/v1',
          NetworkPolicy: 'networking.k8s.io/v1',
          Ingress: 'networking.k8s.io/v1',
          PodSecurityPolicy: NO_REPLACEMENT_PSP,
        }) as Record<string, string>
      )[kind],
  },
  'apps/v1beta1': { removedIn: '1.16', replacement: () => 'apps/v1' },
  'apps/v1beta2': { removedIn: '1.16', replacement: () => 'apps/v1' },
  'batch/v1beta1': { removedIn: '1.25', replacement: () => 'batch/v1' },
  'batch/v2alpha1': { removedIn: '1.21', replacement: () => 'batch/v1' },
  'policy/v1beta1': {
    removedIn: '1.25',
    replacement: (kind) => (kind === 'PodSecurityPolicy' ? NO_REPLACEMENT_PSP : 'policy/v1'),
  },
  'rbac.authorization.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'rbac.authorization.k8s.io/v1' },
  'rbac.authorization.k8s.io/v1alpha1': { removedIn: '1.22', replacement: () => 'rbac.authorization.k8s.io/v1' },
  'autoscaling/v2beta1': { removedIn: '1.25', replacement: () => 'autoscaling/v2' },
  'autoscaling/v2beta2': { removedIn: '1.26', replacement: () => 'autoscaling/v2' },
  'flowcontrol.apiserver.k8s.io/v1beta1': { removedIn: '1.26', replacement: () => 'flowcontrol.apiserver.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1beta2': { removedIn: '1.29', replacement: () => 'flowcontrol.apiserver.k8s.io/v1' },
  'flowcontrol.apiserver.k8s.io/v1beta3': { removedIn: '1.32', replacement: () => 'flowcontrol.apiserver.k8s.io/v1' },
  'apiextensions.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'apiextensions.k8s.io/v1' },
  'apiregistration.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'apiregistration.k8s.io/v1' },
  'authentication.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'authentication.k8s.io/v1' },
  'authorization.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'authorization.k8s.io/v1' },
  'certificates.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'certificates.k8s.io/v1' },
  'coordination.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'coordination.k8s.io/v1' },
  'discovery.k8s.io/v1beta1': { removedIn: '1.25', replacement: () => 'discovery.k8s.io/v1' },
  'events.k8s.io/v1beta1': { removedIn: '1.25', replacement: () => 'events.k8s.io/v1' },
  'node.k8s.io/v1beta1': { removedIn: '1.25', replacement: () => 'node.k8s.io/v1' },
  'node.k8s.io/v1alpha1': { removedIn: '1.22', replacement: () => 'node.k8s.io/v1' },
  'scheduling.k8s.io/v1beta1': { removedIn: '1.22', replacement: () => 'scheduling.k8s.io/v1' },
  'scheduling.k8s.io/v1alpha1': { removedIn: '1.22', replacement: () => 'scheduling.k8s.io/v1' },
  'settings.k8s.io/v1alpha1': { removedIn: '1.20', replacement: () => 'no replacement (PodPreset was removed)' },
};

/** Kinds removed from a version that still serves other kinds. */
const REMOVED_KINDS: Readonly<Record<string, { removedIn: string; replacement: string }>> = {
  'networking.k8s.io/v1beta1/Ingress': { removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  'networking.k8s.io/v1beta1/IngressClass': { removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  'storage.k8s.io/v1beta1/CSIDriver': { removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  'storage.k8s.io/v1beta1/CSINode': { removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  'storage.k8s.io/v1beta1/StorageClass': { removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  'storage.k8s.io/v1beta1/VolumeAttachment': { removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  'storage.k8s.io/v1beta1/CSIStorageCapacity': { removedIn: '1.27', replacement: 'storage.k8s.io/v1' },
  'admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration': {
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  'admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration': {
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
};

/** A finding for an object of an API version the server no longer serves, naming its replacement. */
export function removedApiVersion(obj: KubeObject): Finding | undefined {
  const version = REMOVED_VERSIONS[obj.apiVersion];
  const kind = REMOVED_KINDS[`${obj.apiVersion}/${obj.kind}`];
  if (!version && !kind) return undefined;
  const removedIn = kind?.removedIn ?? version.removedIn;
  const replacement = kind?.replacement ?? version.replacement(obj.kind);
  const use = !replacement
    ? ''
    : replacement.startsWith('no replacement')
      ? `: ${replacement}`
      : `: use ${replacement}`;
  return finding(
    obj,
    'apiVersion',
    'schema/removed-api-version',
    `${obj.apiVersion} ${obj.kind} was removed in Kubernetes ${removedIn}; the API server no longer serves it${use}`,
  );
}
