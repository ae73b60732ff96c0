import { terminalColours } from './colour.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), undefined, terminalColours());
