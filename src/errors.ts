/**
 * Unexpected failures are named error classes under one root. Expected ones (a bad scenario) travel as
 * problems, not exceptions; the CLI turns them into a message and exit code 2.
 */
export class RehearseError extends Error {
  override name = 'RehearseError';
}

/** Bad input or usage: reported without a stack trace, exit code 2. */
export class InputError extends RehearseError {
  override name = 'InputError';
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}
