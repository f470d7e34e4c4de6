import { Profile } from './profile';

/** Joins an optional registry (or Docker Hub namespace), a repository and a tag. */
export function imageRef(registry: string | undefined, repository: string, tag: string): string {
  return `${registry ? `${registry.replace(/\/+$/, '')}/` : ''}${repository}:${tag}`;
}

/** The tag of an image reference, or undefined when it has none (a digest counts as pinned). */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return image.split('@')[1];
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  return colon === -1 ? undefined : lastPart.slice(colon + 1);
}

/**
 * Pull policy by profile. In `local`, images may exist only in minikube's Docker (built there with
 * `eval $(minikube docker-env)`), so they are never pulled when present. In `cloud`, a pinned tag is
 * pulled once and a floating one (`latest` or none) on every start, as Kubernetes itself would.
 */
export function pullPolicyFor(image: string, profile: Profile): 'IfNotPresent' | 'Always' {
  if (profile === 'local') return 'IfNotPresent';
  const tag = imageTag(image);
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}
