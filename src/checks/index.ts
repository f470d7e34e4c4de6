/**
 * `workshop-stacks/checks`: the validator of manifests that `workshop-stacks validate` runs: schema, wiring
 * and policy checks over Kubernetes objects, the checks of a set of input documents (YAML errors,
 * duplicates), and the findings they report.
 *
 * @packageDocumentation
 */
export { validateObjects, CHECK_KINDS, type CheckKind, type ValidateOptions, type ValidationResult } from './validate';
export {
  validateDocuments,
  formatProblem,
  type Problem,
  type ExceptedProblem,
  type ValidDocument,
  type DocumentValidation,
  type DocumentValidationOptions,
} from './documents';
export { formatFinding, type Finding } from '../manifest/finding';
export { RULES, isKnownRule } from '../manifest/rules';
export { EXCEPTION_ANNOTATION_PREFIX, EXTERNAL_REFS_ANNOTATION, type ExceptedFinding } from '../manifest/exceptions';
export type { KubeObject, SourceDocument } from '../manifest/kube-object';
export { parseManifests, parseDocuments } from '../manifest/read';
export { loadSources, InputError, type LoadOptions, type NamedInputs } from '../manifest/load';
