// `gameday ctl` and `gameday invite` are one HTTP request each: they load only their own module, not the whole
// command line, so that they answer at once.
const args = process.argv.slice(2);
if (args[0] === 'gameday' && (args[1] === 'ctl' || args[1] === 'invite')) {
  const { ctlMain } = await import('./gameday-ctl.js');
  process.exitCode = await ctlMain(args.slice(1), { out: (s) => console.log(s), err: (s) => console.error(s) });
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(args);
}
