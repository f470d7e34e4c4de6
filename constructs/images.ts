import { imageRef } from '../src/image';

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

