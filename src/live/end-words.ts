/**
 * How a drill ended, in the words every surface uses (the drill's terminal, the page, `gameday ctl status`, the
 * debrief): the journal and the documents keep the reason's key (`by-hand`), people read these.
 */
import type { EndReason } from './session.js';

export const END_WORDS: Record<EndReason, string> = {
  horizon: "the scenario's horizon",
  'by-hand': 'by hand',
  'plans-done': 'every plan done',
  interrupted: 'interrupted',
};

/**
 * An action sent once the drill has ended: the record is closed (the debrief is written from it), so the action is
 * not in it, nor refused in it. Both terminals say so in these words: the drill's and `gameday ctl`'s.
 */
export const NOT_RECORDED = 'not recorded: the drill is over';
