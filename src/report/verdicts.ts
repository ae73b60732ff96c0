/**
 * The words and marks of verdicts, the same in every output (src/report/vocabulary.ts says what each means and
 * tells the story around them). Nothing here imports anything: the CLI colours verdicts from it at start-up.
 */
export type Verdict = 'pass' | 'fail' | 'n/a' | 'no-criteria' | 'invalid' | 'crashed';
/** How a verdict is shown: good (green, a tick), bad (red, a cross) or neither. */
export type Tone = 'good' | 'bad' | 'neutral';

export const VERDICTS: Readonly<Record<Verdict, { word: string; mark: string; tone: Tone; means: string }>> = {
  pass: { word: 'PASS', mark: '✔', tone: 'good', means: 'every criterion that applies was met' },
  fail: { word: 'FAIL', mark: '✘', tone: 'bad', means: 'a criterion was not met' },
  'n/a': { word: 'N/A', mark: '–', tone: 'neutral', means: 'the criterion does not apply to this run' },
  'no-criteria': { word: 'NO CRITERIA', mark: '–', tone: 'neutral', means: 'no acceptance criterion applies: nothing was judged' },
  invalid: { word: 'INVALID', mark: '✘', tone: 'bad', means: 'the scenario did not load' },
  crashed: { word: 'CRASHED', mark: '✘', tone: 'bad', means: 'the run stopped with an error' },
};

/** A verdict as every output shows it: its mark and word, "✔ PASS". */
export function verdictLabel(v: Verdict): string {
  return `${VERDICTS[v].mark} ${VERDICTS[v].word}`;
}

/** The widest label, for columns of verdicts. */
export const LABEL_WIDTH = Math.max(...Object.keys(VERDICTS).map((v) => verdictLabel(v as Verdict).length));

/** Every label, each with its tone: what a terminal colours. */
export const LABELS: readonly { label: string; tone: Tone }[] = (Object.keys(VERDICTS) as Verdict[]).map((v) => ({ label: verdictLabel(v), tone: VERDICTS[v].tone }));

