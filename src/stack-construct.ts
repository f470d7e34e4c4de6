import { Construct } from 'constructs';
import { imageRef } from './image';
import { ownerLabels } from './manifest/labels';
import { NetworkTraffic } from './network-traffic';
import { StackContext, StackPlacementProps, resolveStackContext } from './stack-chart';
import { PropsValidator } from './props-validator';

/** Where an image built by the workshop comes from: a registry (optional) and a tag. */
export interface WorkshopImageProps {
  /**
   * Registry (or Docker Hub namespace) of the image.
   * @default none: the image built inside minikube's Docker
   */
  readonly registry?: string;
  /**
   * Tag of the image.
   * @default 'v1'
   */
  readonly tag?: string;
}

/**
 * The base of every stack construct: what each one does first. It names itself in props errors (a
 * {@link PropsValidator}), resolves its placement (namespace, profile, `part-of`) from its props and
 * its chart, and checks both.
 */
export abstract class StackConstruct extends Construct {
  /** Namespace of the construct's objects. */
  readonly namespace: string;
  /** `app.kubernetes.io/part-of` of the construct's objects; constructs inside it inherit it. */
  readonly partOf: string;
  /** Checks props; every failure names the construct and the field. */
  protected readonly check: PropsValidator;
  /** Where the construct is: namespace, profile and its settings, labels' `part-of` and `instance`. */
  protected readonly ctx: StackContext;

  /**
   * @param kind the class name errors use (`Dockercoins 'app/chart/coins'`)
   * @param partOf `app.kubernetes.io/part-of` when no enclosing stack says otherwise: the construct's own app
   */
  protected constructor(scope: Construct, id: string, props: StackPlacementProps, kind: string, partOf: string) {
    super(scope, id);
    this.check = new PropsValidator(this, kind);
    this.ctx = resolveStackContext(this, props, this.check, partOf);
    this.namespace = this.ctx.namespace;
    this.partOf = this.ctx.partOf;
  }

  /**
   * Checks `registry` and `tag` and returns the reference of `repository`: the workshop builds its
   * images (`webconsole:v1`, `consolehub:v1`) without a registry, inside minikube's Docker.
   */
  protected workshopImage(props: WorkshopImageProps, repository: string, defaultTag = 'v1'): string {
    this.check.imageRegistry('registry', props.registry);
    this.check.imageTag('tag', props.tag);
    return imageRef(props.registry, repository, props.tag ?? defaultTag);
  }

  /** The construct's NetworkPolicies, labelled as the stack's. */
  protected networkTraffic(id = 'traffic'): NetworkTraffic {
    return new NetworkTraffic(this, id, { labels: ownerLabels(this.ctx.partOf) });
  }
}
