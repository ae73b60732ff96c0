// `gameday ctl` and `gameday invite` are one HTTP request each: they load only their own module, not the whole
// command line, so that they answer at once.
async function run(args: string[]): Promise<number> {
  if (args[0] === 'gameday' && (args[1] === 'ctl' || args[1] === 'invite')) {
    const { ctlMain } = await import('./gameday-ctl.js');
    return ctlMain(args.slice(1), { out: (s) => console.log(s), err: (s) => console.error(s) });
  }
  const { terminalColours } = await import('./colour.js');
  const { main } = await import('./main.js');
  const { terminalWidth } = await import('./wrap.js');
  return main(args, undefined, terminalColours(), terminalWidth());
}

// A reader that stops early (`rehearse ci | head`) closes the pipe: what the command would still print is dropped,
// and it runs to its end, writing its files and exiting with its own code, instead of dying of the write's EPIPE with
// a stack trace and its reports unwritten. Any other error of the streams is thrown, as before.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

// No top-level await: the bundle (scripts/bundle.mjs) is a script. A failure is thrown out of the promise, as
// an uncaught error.
void run(process.argv.slice(2)).then((code) => {
  // Interrupted (130, 143), a command has already written what it keeps: it exits now instead of waiting for the
  // worker threads it ended to be torn down (a large heap takes up to a second).
  if (code === 130 || code === 143) process.exit(code);
  process.exitCode = code;
}, (err: unknown) => {
  process.nextTick(() => {
    throw err;
  });
});
