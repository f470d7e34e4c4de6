import * as fs from 'fs';
import { parseManifests } from '../manifest';
import { formatFinding } from './finding';
import { ValidateOptions, validateObjects } from './validate';

// The parts of cdk8s-cli's plugin contract this plugin uses (cdk8s-cli is not a runtime dependency).
interface ValidationContext {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(v: { ruleName: string; recommendation: string; fix: string; violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }> }): void;
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
    let failed = false;
    for (const manifestPath of context.manifests) {
      const { findings, exceptions } = validateObjects(parseManifests(fs.readFileSync(manifestPath, 'utf8')), this.options);
      for (const e of exceptions) context.logger.log(`exception ${formatFinding(e)} (reason: ${e.reason})`);
      for (const f of findings) {
        failed = true;
        context.report.addViolation({
          ruleName: f.rule,
          recommendation: f.message,
          fix: `change ${f.field}, or declare an exception for ${f.rule} with a reason`,
          violatingResources: [{ resourceName: f.object, locations: [f.field], manifestPath }],
        });
      }
    }
    context.report.submit(failed ? 'failure' : 'success');
  }
}
