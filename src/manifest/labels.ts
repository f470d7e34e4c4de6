/**
 * Every label and annotation key the library writes, and the label sets built from them: shared by the
 * constructs, the apply engine and the CLI, so that what one writes the others find.
 */

/** The value of `app.kubernetes.io/managed-by` on every object. */
export const MANAGED_BY = 'workshop-stacks';

/** The workshop's own label, `app=<name>`, which its `kubectl` steps select by. */
export const APP_LABEL = 'app';
/** The recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
export const NAME_LABEL = 'app.kubernetes.io/name';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** On every object of a classroom: its name. */
export const CLASSROOM_LABEL = 'workshop-stacks.io/classroom';
/** On every object of an attendee: their (normalized) name. `kubectl get all -A -l workshop-stacks.io/attendee=alice`. */
export const ATTENDEE_LABEL = 'workshop-stacks.io/attendee';
/** `attendee` on the attendee's own ServiceAccount only: what `workshop-stacks kubeconfig` issues tokens for. */
export const ACCOUNT_LABEL = 'workshop-stacks.io/account';
/** The attendee's name as given (`Zoë Martin`), on their Namespace and ServiceAccount. */
export const DISPLAY_NAME_ANNOTATION = 'workshop-stacks.io/attendee-name';

/** The ConfigMap key consolehub reads its Job template from. */
export const JOB_TEMPLATE_KEY = 'job-template.yaml';
/** How the Jobs consolehub creates from a template are named (`webconsole-<uname>`), as one workload. */
export const TEMPLATE_JOBS_NAME = 'webconsole-*';
/**
 * Annotation on a ConfigMap holding a Job template: the namespace the Jobs are created in, when the
 * template does not say. Without either, `default`, where the consolehub image creates them.
 */
export const JOBS_NAMESPACE_ANNOTATION = 'workshop-stacks.io/jobs-namespace';

/**
 * The pod labels the workshop's consolehub sets on every user's pod, replacing whatever the template had:
 * `{uname: <uname>, managed-by: provisioner}`. `managed-by` is the only one that is the same for every
 * user, so it is what NetworkPolicies select the users' pods by.
 */
export const PROVISIONER_LABELS: Readonly<Record<string, string>> = { 'managed-by': 'provisioner' };

/** What the label sets of a stack's app depend on (a `StackContext` has both). */
export interface LabelContext {
  /** `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /** `app.kubernetes.io/instance`. */
  readonly instance: string;
}

/** Who owns an object that belongs to a stack as a whole (a namespace, a policy): `part-of` and `managed-by`. */
export function ownerLabels(partOf: string): Record<string, string> {
  return { [PART_OF_LABEL]: partOf, [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** The recommended `app.kubernetes.io/*` labels of one app of a stack, plus the workshop's `app=<name>`. */
export function standardLabels(ctx: LabelContext, name: string, component: string): Record<string, string> {
  return {
    [APP_LABEL]: name,
    [NAME_LABEL]: name,
    [INSTANCE_LABEL]: ctx.instance,
    [COMPONENT_LABEL]: component,
    ...ownerLabels(ctx.partOf),
  };
}

/** The stable subset of {@link standardLabels} that selectors use (selectors are immutable once applied). */
export function selectorLabels(ctx: LabelContext, name: string): Record<string, string> {
  return { [APP_LABEL]: name, [INSTANCE_LABEL]: ctx.instance };
}
