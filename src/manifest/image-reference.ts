/**
 * Container image references, the one parser of the library, after the grammar of
 * distribution/reference (which containerd and the kubelet use):
 *
 * ```
 * reference  ::= name [":" tag] ["@" digest]
 * name       ::= [domain "/"] path
 * domain     ::= host [":" port]        (a first component with ".", ":" or "localhost")
 * path       ::= component ("/" component)*
 * component  ::= [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
 * tag        ::= [\w][\w.-]{0,127}
 * digest     ::= algorithm ":" hex      (algorithm [A-Za-z][A-Za-z0-9]* joined by [+._-]; hex 32+ chars)
 * ```
 * https://github.com/distribution/reference/blob/main/reference.go
 *
 * One deliberate difference: the domain must be lowercase too. Registries' names are case-insensitive,
 * and an upper-case one is a mistake that tools disagree on (Docker then reads the first component as a
 * registry rather than a Docker Hub namespace).
 */

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** distribution/reference's limit on the name (domain and path). */
const NAME_TOTAL_LENGTH_MAX = 255;

/** The parts of an image reference. */
export interface ImageReference {
  /** The registry, with its port: `ghcr.io`, `localhost:5000`; unset for Docker Hub. */
  readonly domain?: string;
  /** The repository path: `library/redis`, `jpetazzo/dockercoins_worker`. */
  readonly path: string;
  /** The tag, unset when there is none. */
  readonly tag?: string;
  /** The digest, `sha256:...`, unset when there is none. */
  readonly digest?: string;
}

/** Thrown for a string that is not an image reference. */
export class ImageReferenceError extends Error {}

/** Parses an image reference; throws an {@link ImageReferenceError} that says which part is wrong. */
export function parseImageReference(reference: string): ImageReference {
  const fail = (why: string): never => {
    throw new ImageReferenceError(`"${reference}" is not a valid image reference: ${why}`);
  };
  if (reference === '') fail('it is empty');
  const at = reference.indexOf('@');
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  if (digest !== undefined && !DIGEST.test(digest))
    fail(`digest "${digest}" is not algorithm:hex (e.g. sha256: and 64 hex digits)`);
  const named = at === -1 ? reference : reference.slice(0, at);
  // A tag follows the last colon after the last slash; a colon before a slash is a registry's port.
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag))
    fail(`tag "${tag}" must be up to 128 letters, digits, _ . - and not start with . or -`);
  const name = hasTag ? named.slice(0, colon) : named;
  if (name.length > NAME_TOTAL_LENGTH_MAX) fail(`the name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const domain = isDomain ? first : undefined;
  const path = isDomain ? name.slice(slash + 1) : name;
  if (domain !== undefined && !DOMAIN.test(domain))
    fail(`registry "${domain}" must be a lowercase host name with an optional port`);
  if (!PATH.test(path))
    fail(`repository "${path}" must be lowercase letters and digits, separated by /, ., _, __ or -`);
  return { domain, path, tag, digest };
}

/** Why `reference` is not a valid image reference, or `undefined` when it is one. */
export function imageReferenceProblem(reference: unknown): string | undefined {
  if (typeof reference !== 'string')
    return `an image reference is a string, got ${reference === undefined ? 'none' : typeof reference}`;
  try {
    parseImageReference(reference);
    return undefined;
  } catch (error) {
    if (error instanceof ImageReferenceError) return error.message;
    throw error;
  }
}

/** Whether a (valid) reference names one image for good: a digest, or a tag other than `latest`. */
export function isPinned(reference: ImageReference): boolean {
  return reference.digest !== undefined || (reference.tag !== undefined && reference.tag !== 'latest');
}
