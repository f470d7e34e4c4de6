import { isPinned, parseImageReference } from './manifest/image-reference';
import { Profile } from './profile';

/** Joins an optional registry (or Docker Hub namespace), a repository and a tag. */
export function imageRef(registry: string | undefined, repository: string, tag: string): string {
  return `${registry ? `${registry.replace(/\/+$/, '')}/` : ''}${repository}:${tag}`;
}

/**
 * Pull policy by profile. In `local`, images may exist only in minikube's Docker (built there with
 * `eval $(minikube docker-env)`), so they are never pulled when present. In `cloud`, a pinned image (a
 * digest, or a tag other than `latest`) is pulled once and a floating one on every start, as Kubernetes
 * itself would. The reference is parsed by the library's one image-reference parser (a registry port
 * is not a tag).
 */
export function pullPolicyFor(image: string, profile: Profile): 'IfNotPresent' | 'Always' {
  if (profile === 'local') return 'IfNotPresent';
  return isPinned(parseImageReference(image)) ? 'IfNotPresent' : 'Always';
}
