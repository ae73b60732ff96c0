/** The segments a generated cohort has when none are named (kept apart from the generator so the CLI's help does not load faker). */
export const DEFAULT_SEGMENTS: Readonly<Record<string, number>> = { general: 0.85, business: 0.08, beta: 0.05, internal: 0.02 };
