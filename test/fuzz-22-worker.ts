/** Runs one command line of rehearse per message, in this child process, for test/fuzz-22.test.ts (which can stop a hang). */
import { main } from '../src/cli/main.js';

process.on('message', async (argv: unknown) => {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main(argv as string[], { out: (s) => out.push(s), err: (s) => err.push(s) });
    process.send!({ code, out: out.join('\n'), err: err.join('\n') });
  } catch (e) {
    process.send!({ code: 'threw', out: out.join('\n'), err: `${err.join('\n')}\n${(e as Error)?.stack ?? String(e)}` });
  }
});
