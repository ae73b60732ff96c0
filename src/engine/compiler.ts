import { setFlagsFromString } from 'node:v8';

/**
 * V8's inlining budget, widened for a run whose every event takes a short path (the model's lean path: no faults,
 * flags, timeouts or failures to ask about). Its hot path is one loop (engine.ts dispatch) calling the model's
 * handler, which calls telemetry, the random streams, latency sampling and the event queue: small functions, each
 * called a few times an event. Under V8's default budget (460 bytecodes a function, 920 in all into one compiled
 * function) the compiler inlines the handler and the first few of them, then calls the rest: a number passed to or
 * returned from such a call is boxed, and the call's frame and checks cost more than the work. Twice and three
 * times the default (920 and 2,760) inline the event's whole path. A run on the general path gains nothing from it
 * (its branches for what may fail are inlined too, and compiled longer), so it is not widened for those.
 *
 * Process-wide and never narrowed again: V8 reads these limits each time it compiles a function, and they change
 * only which functions are inlined, never what any of them computes (results are the same bytes either way).
 */
const FLAGS = ['--max-inlined-bytecode-size=920', '--max-inlined-bytecode-size-cumulative=2760'];

let widened = false;

/** Widens V8's inlining budget (see above), once a process. */
export function widenInlining(): void {
  if (widened) return;
  widened = true;
  for (const flag of FLAGS) setFlagsFromString(flag);
}
