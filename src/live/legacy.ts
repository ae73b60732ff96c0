/**
 * Refusals earlier versions worded otherwise. Journals and debrief documents keep an action's refusal as the drill
 * said it, so a record of 0.10.0 holds "new-pay is already at its last stage" where this version says "new-pay has
 * already completed" (as a pause of it always said). Replay reads the old words as the new: the same refusal,
 * recorded verbatim, so that an old record rebuilds the debrief it was given, byte for byte.
 */
const RENAMED: [RegExp, string][] = [
  // 0.10.0: a promote of a completed plan, and a rollback of one rolled back, in other words than pause's.
  [/^(.+) is already at its last stage$/s, '$1 has already completed'],
  [/^(.+) is already rolled back$/s, '$1 has already been rolled back'],
];

/**
 * Refusals this version says at more length, after a colon, where earlier versions stopped: 0.18.0 and before
 * refused an approval of a plan waiting for none with "new-pay is not waiting for an approval" alone, where this
 * version goes on with who approved its stage and where the plan is.
 */
const EXTENDED: RegExp[] = [/^.+ is not waiting for an approval$/s];

/** A refusal in this version's words. */
export function currentWording(refused: string): string {
  for (const [old, now] of RENAMED) if (old.test(refused)) return refused.replace(old, now);
  return refused;
}

/** Whether a refusal given now is the one a record holds, in its version's words. */
export function sameRefusal(now: string | null, recorded: string | null): boolean {
  if (now === recorded) return true;
  if (now === null || recorded === null) return false;
  return now === currentWording(recorded) || (EXTENDED.some((re) => re.test(recorded)) && now.startsWith(`${recorded}: `));
}
