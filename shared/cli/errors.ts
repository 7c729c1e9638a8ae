/** A failure the CLI explains in one sentence and exits with (1: the operation failed, 2: usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    /** Stable code of the `--json` error output. */
    readonly code: 'failed' | 'usage' | 'not_found' | 'no_local_stack' = exitCode === 2 ? 'usage' : 'failed',
  ) {
    super(message);
    this.name = 'CliError';
  }
}
