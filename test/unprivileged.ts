/**
 * The built CLI run as a user who is not root. Root reads and writes any file whatever its mode, so a test that runs
 * as root (here, and in CI's containers) and gives a command a file it may not read, or a folder it may not write,
 * proves nothing: when the tests run as root, the command runs as nobody (uid and gid 65534, no other groups: Node's
 * spawn sets them, as setpriv --reuid --regid --clear-groups does). The files it reads sit in a folder nobody can
 * enter (made by `sharedFolder`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(new URL('..', import.meta.url).pathname, 'bin/rehearse.js');
const NOBODY = 65534;

/** Whether the commands run as another user than the tests (the tests run as root). */
export const asNobody = process.getuid?.() === 0;

/** The user and group ids to spawn or fork a command with: nobody's when the tests run as root, else none. */
export const unprivilegedIds: { uid?: number; gid?: number } = asNobody ? { uid: NOBODY, gid: NOBODY } : {};

/** A fresh temporary folder that user can enter, read and write (mkdtemp makes one for its owner only). */
export function sharedFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return dir;
}

/** `rehearse ARGV...` in `cwd`, as that user, with a time limit: its exit code and what it printed. */
export function unprivileged(cwd: string, ...argv: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd, encoding: 'utf8', timeout: 120_000, ...unprivilegedIds });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}
