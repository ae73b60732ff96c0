/** The piscina worker: a batch of sweep runs, or one rehearsal of `rehearse ci`. */
import { executeRehearsal, type RehearsalOutcome, type RehearsalTask } from './rehearsal.js';
import { executeBatch, type RunBatch, type RunRecord } from './run.js';

export default function run(task: RunBatch | RehearsalTask): RunRecord[] | RehearsalOutcome {
  return 'rehearsal' in task ? executeRehearsal(task) : executeBatch(task);
}
