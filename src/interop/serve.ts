/**
 * What an imported flag serves each rehearsal user, computed once per flag configuration by the flag's own
 * system (users are a finite cohort), so that the per-request path stays a pair of array reads.
 */
import type { Cohort } from '../cohorts/cohort.js';
import { userAttributes } from '../cohorts/cohort.js';
import type { FlagSource, ServedVariants } from '../scenario/types.js';
import { ADAPTERS } from './flags.js';
import type { CodeDefault, FlagSet } from './flagset.js';
import { quoted } from '../units/escape.js';

export type Served = ServedVariants;

const memo = new Map<string, { served: Served; notes: string[] }>();

/** Every user's evaluation of flag `key` from its source; `cohort` attributes form each system's context; an
 * evaluation error serves `codeDefault` (the value the calling code passes as its default). What the evaluator
 * noted on the way (FlagSet.notes) is put in `notes`. */
export function servedTo(key: string, source: FlagSource, cohort: Cohort, codeDefault: CodeDefault | null = null, notes: string[] = []): Served {
  const id = JSON.stringify([key, source.system, source.document, codeDefault, cohort.name, cohort.seed, cohort.size, cohort.key[0], cohort.key[cohort.size - 1]]);
  const hit = memo.get(id);
  if (hit) {
    notes.push(...hit.notes);
    return hit.served;
  }
  const set = openSource(source);
  try {
    const on = new Uint8Array(cohort.size);
    const variant = new Int16Array(cohort.size).fill(-1);
    for (let u = 0; u < cohort.size; u++) {
      const attrs = userAttributes(cohort, u);
      const e = set.evaluate(key, set.contextOf(cohort.key[u], attrs), codeDefault ?? undefined);
      on[u] = e.enabled ? 1 : 0;
      variant[u] = e.variant === null ? -1 : source.variants.indexOf(e.variant);
    }
    const served = { on, variant };
    const said = set.notes?.().map((n) => `${n} (flag ${quoted(key)})`) ?? [];
    notes.push(...said);
    if (memo.size > 64) memo.clear();
    memo.set(id, { served, notes: said });
    return served;
  } finally {
    set.close();
  }
}

/** The system's evaluator over the state imported from the source's file. */
export function openSource(source: FlagSource): FlagSet {
  return ADAPTERS[source.system].serve(source.document);
}
