import { loadSources } from '../manifest/load';
import { formatProblem, validateDocuments } from './documents';
import { ValidateOptions } from './validate';

// The parts of cdk8s-cli's plugin contract this plugin uses (cdk8s-cli is not a runtime dependency).
export interface ValidationContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(v: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  readonly logger: { log(message: string): void };
}

/**
 * A cdk8s validation plugin: `cdk8s synth` (which validates by default when `validations` are configured)
 * runs the same checks as `workshop-stacks validate` over the synthesized manifests.
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/workshop-stacks/lib/src/index.js
 *     class: WorkshopStacksValidation
 *     version: 0.1.0
 *     properties: { externalKinds: [] }
 * ```
 */
export class WorkshopStacksValidation {
  constructor(private readonly options: ValidateOptions = {}) {}

  async validate(context: ValidationContext): Promise<void> {
    // All manifests at once, so that wiring and duplicates are checked across them, as `validate dist` does,
    // read as every command reads its inputs. A chart without objects synthesizes an empty file: not an error.
    const documents = loadSources(context.manifests, { allowEmpty: true });
    const { problems, exceptions } = validateDocuments(documents, this.options);
    for (const e of exceptions) context.logger.log(`exception ${formatProblem(e)} (reason: ${e.reason})`);
    for (const p of problems) {
      const field = p.field ?? '.';
      context.report.addViolation({
        ruleName: p.rule ?? 'schema/object',
        recommendation: p.message,
        fix: `change ${field}, or declare an exception for ${p.rule} with a reason`,
        violatingResources: [
          { resourceName: p.object ?? `document ${p.index}`, locations: [field], manifestPath: p.source ?? '' },
        ],
      });
    }
    context.report.submit(problems.length > 0 ? 'failure' : 'success');
  }
}
