// Many command lines of the built command in one process: `node test/built-cli-batch.mjs < cases.json`, where each
// case is { cwd, argv }, prints one JSON array of { code, stdout, stderr }. Each command line runs as bin/rehearse.js
// runs it (src/cli/bin.ts's run, on dist/: main with the terminal's colours and width, none here) in the folder
// given, with everything written to the process's stdout and stderr kept as that case's; a command that throws
// instead of answering is code "crash", with the error. One Node start-up and one loading of the modules for all
// the cases, instead of one a case: tests that read the messages of many inputs run them here, and hold a command
// line spawned as people run it to give the same bytes (test/built-cli.ts, batchOfBuiltCli).
import { readFileSync } from 'node:fs';

const dist = (file) => import(new URL(`../dist/cli/${file}`, import.meta.url).href);
const { main } = await dist('main.js');
const { terminalColours } = await dist('colour.js');
const { terminalWidth } = await dist('wrap.js');
const { ctlMain } = await dist('gameday-ctl.js');
/** bin.ts's run. */
const run = (args) => (args[0] === 'gameday' && (args[1] === 'ctl' || args[1] === 'invite')
  ? ctlMain(args.slice(1), { out: (s) => console.log(s), err: (s) => console.error(s) })
  : main(args, undefined, terminalColours(), terminalWidth()));
const cases = JSON.parse(readFileSync(0, 'utf8'));
const realOut = process.stdout.write.bind(process.stdout);
const results = [];
for (const { cwd, argv } of cases) {
  let stdout = '';
  let stderr = '';
  process.stdout.write = (chunk, ...rest) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    rest.find((r) => typeof r === 'function')?.();
    return true;
  };
  process.stderr.write = (chunk, ...rest) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    rest.find((r) => typeof r === 'function')?.();
    return true;
  };
  process.chdir(cwd);
  let code;
  try {
    code = await run(argv);
  } catch (err) {
    code = 'crash';
    stderr += `${err?.stack ?? err}\n`;
  }
  results.push({ code, stdout, stderr });
}
process.stdout.write = realOut;
process.stdout.write(JSON.stringify(results));
