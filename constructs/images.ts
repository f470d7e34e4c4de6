import { imageRef } from '../src/image';
import { WorkshopImageProps } from '../src/stack-construct';

/**
 * The Docker Hub namespace of this project's own images, which the README's walkthrough builds from
 * `images/` inside minikube's Docker. The constructs that run them default to it, and a test compares
 * the README's `docker build -t` lines and the images in `dist/` with {@link PROJECT_IMAGES}.
 */
export const PROJECT_IMAGE_REGISTRY = 'workshop-stacks';

/** The tag of this project's images, and of the workshop's. */
export const PROJECT_IMAGE_TAG = 'v1';

/**
 * This project's images by repository: what `docker build -t` names them and what the constructs run by
 * default. Built on the node and in no registry, they run with `imagePullPolicy: Never`.
 */
export const PROJECT_IMAGES = {
  webconsole: imageRef(PROJECT_IMAGE_REGISTRY, 'webconsole', PROJECT_IMAGE_TAG),
  consolehub: imageRef(PROJECT_IMAGE_REGISTRY, 'consolehub', PROJECT_IMAGE_TAG),
} as const;

/** Where one of this project's images comes from, resolved from a construct's `registry` and `tag` props. */
export interface ProjectImageSource extends WorkshopImageProps {
  /** No registry was given: the image is the one built on the node, never pulled. */
  readonly builtLocally: boolean;
}

/**
 * The rule of every construct that runs an image the class builds itself: the image built inside
 * minikube's Docker (never pulled), named under `localRegistry`, unless `registry` names where to pull
 * it from.
 * @param localRegistry the Docker Hub namespace of the locally built image: {@link PROJECT_IMAGE_REGISTRY}, or none for the workshop's own
 */
export function projectImageSource(props: WorkshopImageProps, localRegistry: string | undefined): ProjectImageSource {
  return { registry: props.registry ?? localRegistry, tag: props.tag, builtLocally: props.registry === undefined };
}
