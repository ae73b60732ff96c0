/**
 * One process at a time writes a drill's journal. A second `gameday resume` of a journal whose drill is still served
 * (or of a drill's journal while the drill runs) served the same drill again on another port, and both processes
 * appended to the journal: its hash chain broke at the first line the second one wrote, and `debrief`, `replay` and
 * `resume` then refused the whole drill as altered. The process that writes the journal holds `PREFIX.journal.lock`
 * (its process id) until the journal is closed or the process exits; one left by a process that was killed (kill -9,
 * a crash) names a process that no longer runs, and is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Whether a process runs with that id (EPERM: it runs, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const holder = (file: string): number | null => {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

/** Takes the journal's lock, or says which process serves the drill now; returns what releases it. */
export function lockJournal(journal: string): () => void {
  const file = `${journal}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError([`${file}: cannot lock the journal: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
      const pid = holder(file);
      // This process's own (a drill opened again in one process) or a stopped one's is taken over; a running one's is not.
      if (attempt > 2 || (pid !== null && pid !== process.pid && running(pid))) {
        throw new InputError([`${journal}: the drill is served now by process ${pid ?? 'unknown'} (${file}): use the links it gave (gameday ctl URL status), or stop it (Ctrl-C) and resume then`]);
      }
      rmSync(file, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    if (holder(file) === process.pid) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return () => {
    process.off('exit', release);
    release();
  };
}
