// Its own module, free of cdk8s, so that the CLI can tell a props error from a bug without loading the constructs.

/** A construct prop that cannot produce a valid manifest. Thrown at synth time, before any output. */
export class PropsValidationError extends Error {
  constructor(
    /** The construct, as `ClassName 'path'`. */
    public readonly construct: string,
    /** The prop, in dotted form (`services.webui.nodePort`). */
    public readonly field: string,
    reason: string,
  ) {
    super(`${construct}: invalid prop '${field}': ${reason}`);
    this.name = 'PropsValidationError';
  }
}
