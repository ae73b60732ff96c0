/**
 * After an interrupted command has written what it keeps, it exits with 130 or 143 (bin.ts). Until it does, a
 * further SIGINT or SIGTERM quits the same way instead of taking the default action, which would end the process
 * with no exit code.
 */
export function exitOnSignal(code: number): void {
  const quit = () => process.exit(code);
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
}
