/**
 * The debrief, written in a worker thread: the journal replayed, the policy run, the page made and both files
 * written, off the server's event loop, which keeps answering the pages (they show the progress).
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { writeText } from '../files/write.js';
import { drillHtml } from './debrief-html.js';
import { debriefLines } from './debrief-words.js';
import { debriefFromJournal } from './from-journal.js';

export interface DebriefTask {
  journal: string;
  scenario?: string;
  out: string;
}

export type DebriefMessage =
  | { kind: 'progress'; share: number; step: string }
  | { kind: 'done'; json: string; html: string; digest: string; summary: string[] }
  | { kind: 'failed'; error: string; lines: string[] };

const task = workerData as DebriefTask;
// The pages come first: on Linux a thread has its own nice value, and 0 names this thread, not the process.
try {
  setPriority(0, 10);
} catch { /* not allowed here: the debrief runs at the usual priority */ }
const post = (m: DebriefMessage) => parentPort!.postMessage(m);
try {
  let last = -1;
  const doc = debriefFromJournal(task.journal, { scenario: task.scenario }, (share, step) => {
    // At most a hundred messages: the server only shows the figure.
    if (Math.floor(share * 100) === last) return;
    last = Math.floor(share * 100);
    post({ kind: 'progress', share: share * 0.95, step });
  });
  post({ kind: 'progress', share: 0.95, step: 'writing the page' });
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  const html = drillHtml(doc);
  writeText(`${task.out}.json`, json);
  writeText(`${task.out}.html`, html);
  post({ kind: 'done', json, html, digest: doc.digest, summary: debriefLines(doc) });
} catch (e) {
  const lines = (e as { lines?: string[] }).lines;
  post({ kind: 'failed', error: (e as Error).message.split('\n')[0], lines: lines ?? [(e as Error).stack ?? String(e)] });
}
