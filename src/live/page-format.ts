/**
 * The formatters the dashboard shares with the run reports and the terminal (units/format.ts: `p99 14.7ms`,
 * `errors 0.52%`), written out as the page runs them. A function's own toString() is what the build made of it:
 * in the command's bundle, `ms` and `percent` called `trim` by its minified name, which the page does not
 * have, and every update of the page threw before its charts got their rows. test/drill-page-source.test.ts
 * holds these equal to the originals.
 */
import { CLOCK_SOURCE } from '../report/html/clock-axis.js';

export const FORMAT_JS = String.raw`
  var clock = ${CLOCK_SOURCE};
  function trim(x, digits) { return String(+x.toFixed(digits)); }
  function fmtMs(value) {
    if (value === null || value === undefined || Number.isNaN(value)) return '-';
    if (value >= 1000) return trim(value / 1000, 2) + 's';
    return value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0) + 'ms';
  }
  function count(n) {
    if (!isFinite(n)) return String(n);
    var parts = String(Math.abs(n)).split('.');
    return (n < 0 ? '-' : '') + parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (parts[1] ? '.' + parts[1] : '');
  }
  function percent(fraction, digits) {
    if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return '-';
    var p = fraction * 100;
    if (digits !== undefined) return p.toFixed(digits) + '%';
    if (p === 0) return '0%';
    var abs = Math.abs(p);
    return trim(p, abs < 0.1 ? 3 : abs < 1 ? 2 : abs < 10 ? 1 : abs < 100 ? 1 : 0) + '%';
  }
  function planPhase(phase, stage) { return phase === 'approval' ? 'awaiting approval of stage ' + (stage + 2) : phase; }
`;
