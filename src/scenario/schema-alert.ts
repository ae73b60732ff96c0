/** The shape of an alert gate in the scenario file: an alert of the rule files named by metrics.rules. */
import { z } from 'zod';

/** Built when a file has a rollout (schema.ts says why). */
export const AlertGate = z.lazy(() => z.strictObject({
  alert: z.string().min(1).meta({ description: 'An alerting rule of a rule file in metrics.rules: the gate fails while it fires (after its for:).' }),
  from: z.string().optional().meta({ description: 'The rule file that holds it (one of metrics.rules; default: the one that does).' }),
  labels: z.record(z.string(), z.string()).optional().meta({ description: 'Only alerts with these labels, e.g. { sloth_severity: page }.' }),
}));
