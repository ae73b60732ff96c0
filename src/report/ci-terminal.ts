/** The terminal table of a CI run: each rehearsal, its flags' outcomes, the users each flag hurt. */
import { caseName, type CiReport } from '../score/ci.js';
import { duration, plural } from './format.js';
import { textTable } from './table.js';

export function ciSummaryTable(doc: CiReport): string {
  const rows = doc.cases.map((c) => {
    const flags = Object.entries(c.flags);
    return [
      c.status.toUpperCase(),
      caseName(c),
      flags.map(([k, f]) => `${k} ${f.outcome} at ${f.final_percent}%`).join('\n') || '-',
      flags.map(([k, f]) => `${k}: ${plural(f.blast_radius_users, 'user')}${f.time_to_detect_seconds !== null ? `, detected after ${duration(f.time_to_detect_seconds)}` : ''}`).join('\n') || '-',
      c.regressions.length ? `${c.regressions.length} worse` : '',
    ];
  });
  const c = doc.counts;
  return [...textTable(['result', 'rehearsal', 'flags', 'users hurt', 'vs baseline'], rows, ['left', 'left', 'left', 'left', 'left']), '',
    `${plural(c.cases, 'case')}: ${c.passed} passed, ${c.failed} failed, ${c.invalid} invalid, ${c.crashed} crashed${c['no-criteria'] ? `, ${c['no-criteria']} with no criteria` : ''}${c.worse ? `; ${c.worse} worse than the baseline` : ''}`].join('\n');
}
