/** The piscina worker: one sweep run per task. */
import { executeBatch, type RunBatch, type RunRecord } from './run.js';

export default function run(batch: RunBatch): RunRecord[] {
  return executeBatch(batch);
}
