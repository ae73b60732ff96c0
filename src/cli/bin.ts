import { main } from './main.js';

const code = await main(process.argv.slice(2));
// Interrupted (130, 143), a command has already written what it keeps: it exits now instead of waiting for the
// worker threads it ended to be torn down (a large heap takes up to a second).
if (code === 130 || code === 143) process.exit(code);
process.exitCode = code;
