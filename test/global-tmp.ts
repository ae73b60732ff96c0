/**
 * One temporary folder for the whole run, removed when it ends: every test's mkdtemp(tmpdir()) and every child
 * process's temporary files land inside it (os.tmpdir() reads TMPDIR, which the workers and their children
 * inherit), so a run leaves nothing in the system's temporary folder, even where a test file does not clean up.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-test-'));
  // As the system's temporary folder is (sticky, open to every user): test/unprivileged.test.ts runs the CLI as a user
  // who is not root, who must reach the files a test made for it here (mkdtemp makes the folder its owner's alone).
  chmodSync(dir, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
