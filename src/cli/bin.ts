// `gameday ctl` and `gameday invite` are one HTTP request each: they load only their own module, not the whole
// command line, so that they answer at once.
const args = process.argv.slice(2);
let code: number;
if (args[0] === 'gameday' && (args[1] === 'ctl' || args[1] === 'invite')) {
  const { ctlMain } = await import('./gameday-ctl.js');
  code = await ctlMain(args.slice(1), { out: (s) => console.log(s), err: (s) => console.error(s) });
} else {
  const { terminalColours } = await import('./colour.js');
  const { main } = await import('./main.js');
  code = await main(args, undefined, terminalColours());
}
// Interrupted (130, 143), a command has already written what it keeps: it exits now instead of waiting for the
// worker threads it ended to be torn down (a large heap takes up to a second).
if (code === 130 || code === 143) process.exit(code);
process.exitCode = code;
