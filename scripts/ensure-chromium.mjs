// The report tests open pages in Debian's chromium. On a machine without it, install it when we can (root with
// apt-get, as on the project's machines and CI), else say how; the browser test then fails with that message.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.error('chromium is missing: installing Debian\'s chromium for the report tests (about 40 s)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  } else {
    console.error(`chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium) for the report tests`);
  }
}
