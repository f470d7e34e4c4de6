import { isPinned, parseImageReference } from './manifest/image-reference';
import { Profile } from './profile';

/** Joins an optional registry (or Docker Hub namespace), a repository and a tag. */
export function imageRef(registry: string | undefined, repository: string, tag: string): string {
  return `${registry ? `${registry.replace(/\/+$/, '')}/` : ''}${repository}:${tag}`;
}

/**
 * Pull policy. An image built on the node (inside minikube's Docker, `eval $(minikube docker-env)`) is
 * in no registry and never pulled: `workshop-stacks/webconsole:v1` means
 * docker.io/workshop-stacks/webconsole:v1, so a pull could only fetch a stranger's image of that name;
 * `Never` makes a missing image a clear `ErrImageNeverPull` instead. Other images, by profile: in
 * `local`, never pulled when present; in `cloud`, a pinned image (a digest, or a tag other than
 * `latest`) is pulled once and a floating one on every start, as Kubernetes itself would. The reference
 * is parsed by the library's one image-reference parser (a registry port is not a tag).
 */
export function pullPolicyFor(
  image: string,
  profile: Profile,
  builtLocally = false,
): 'Never' | 'IfNotPresent' | 'Always' {
  if (builtLocally) return 'Never';
  if (profile === 'local') return 'IfNotPresent';
  return isPinned(parseImageReference(image)) ? 'IfNotPresent' : 'Always';
}
