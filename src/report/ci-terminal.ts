/** The terminal table of a CI run: each rehearsal, its flags' outcomes, the users each flag hurt. */
import { caseName, type CiReport } from '../score/ci.js';
import { duration, plural } from '../units/format.js';
import { textTable } from './table.js';

/** The verdict word of a case, the same in the line per case and the table: PASS, FAIL, NO CRITERIA... */
export function statusLabel(status: CiReport['cases'][number]['status']): string {
  return status === 'passed' ? 'PASS' : status === 'failed' ? 'FAIL' : status === 'invalid' ? 'INVALID' : status === 'no-criteria' ? 'NO CRITERIA' : 'CRASH';
}

/** Names longer than this are cut with an ellipsis in the table (files keep them whole). */
export const TABLE_NAME_WIDTH = 60;

/** A name cut to `width` characters (code points), the last one an ellipsis when it was longer. */
export function ellipsis(name: string, width = TABLE_NAME_WIDTH): string {
  const chars = Array.from(name);
  return chars.length <= width ? name : `${chars.slice(0, width - 1).join('')}…`;
}

export function ciSummaryTable(doc: CiReport): string {
  const rows = doc.cases.map((c) => {
    const flags = Object.entries(c.flags);
    return [
      statusLabel(c.status),
      ellipsis(caseName(c)),
      flags.map(([k, f]) => `${ellipsis(k)} ${f.outcome} at ${f.final_percent}%`).join('\n') || '-',
      flags.map(([k, f]) => `${ellipsis(k)}: ${plural(f.blast_radius_users, 'user')}${f.time_to_detect_seconds !== null ? `, detected after ${duration(f.time_to_detect_seconds)}` : ''}`).join('\n') || '-',
      c.regressions.length ? `${c.regressions.length} worse` : '',
    ];
  });
  const c = doc.counts;
  return [...textTable(['result', 'rehearsal', 'flags', 'users hurt', 'vs baseline'], rows, ['left', 'left', 'left', 'left', 'left']), '',
    `${plural(c.cases, 'case')}: ${c.passed} passed, ${c.failed} failed, ${c.invalid} invalid, ${c.crashed} crashed${c['no-criteria'] ? `, ${c['no-criteria']} with no criteria` : ''}${c.worse ? `; ${c.worse} worse than the baseline` : ''}`].join('\n');
}
