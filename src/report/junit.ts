/**
 * JUnit XML of a CI run, as CI systems render it: one suite per scenario file, one test case per case. Every
 * test case says its verdict in the vocabulary's words (the message of a failure, error or skip; the first
 * line of its output when it passed), what happened to each flag and each criterion with its verdict.
 */
import { caseName, type CiCase, type CiReport } from '../score/ci.js';
import { controlEscape, escapeControls } from './escape.js';
import { statusLabel } from './ci-terminal.js';
import { VERDICTS, caseHeadlines, caseNotes, caseVerdict, criterionLine } from './vocabulary.js';

/** What XML 1.0's Char production leaves out beyond the controls: U+FFFE, U+FFFF and unpaired surrogates. */
const NOT_XML = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  // XML 1.0 cannot hold most C0 characters; C1 and the others would reach whoever reads the report: all made visible.
  return escapeControls(text, '\t\n\r').replace(NOT_XML, controlEscape)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The verdict with what it means for this case: "✘ FAIL: 1 acceptance criterion failed". */
function verdictMessage(c: CiCase): string {
  const failed = c.acceptance.filter((a) => !a.pass).length;
  const why = c.status === 'failed' && failed ? `${failed} acceptance ${failed === 1 ? 'criterion' : 'criteria'} failed` : VERDICTS[caseVerdict(c.status)].means;
  return `${statusLabel(c.status)}: ${why}`;
}

/** The case's story: what happened to each flag, each criterion with its verdict, other messages. */
function details(c: CiCase): string[] {
  return [...caseHeadlines(c), ...c.acceptance.map(criterionLine), ...caseNotes(c)];
}

export function junitXml(report: CiReport): string {
  const files = [...new Set(report.cases.map((c) => c.file))];
  const failures = report.counts.failed + report.counts.invalid;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="rehearse" tests="${report.counts.cases}" failures="${failures}" errors="${report.counts.crashed}" skipped="${report.counts['no-criteria'] ?? 0}" time="${report.timing.seconds.toFixed(3)}">`);
  for (const file of files) {
    const cases = report.cases.filter((c) => c.file === file);
    const f = cases.filter((c) => c.status === 'failed' || c.status === 'invalid').length;
    const e = cases.filter((c) => c.status === 'crashed').length;
    const s = cases.filter((c) => c.status === 'no-criteria').length;
    const time = cases.reduce((sum, c) => sum + c.seconds, 0);
    out.push(`  <testsuite name="${escapeXml(cases[0].scenario)}" file="${escapeXml(file)}" tests="${cases.length}" failures="${f}" errors="${e}" skipped="${s}" time="${time.toFixed(3)}">`);
    for (const c of cases) {
      const attrs = `name="${escapeXml(caseName(c))}" classname="rehearse.${escapeXml(c.scenario)}" file="${escapeXml(file)}" time="${c.seconds.toFixed(3)}"`;
      const body = escapeXml(details(c).join('\n'));
      out.push(`    <testcase ${attrs}>`);
      if (c.status === 'no-criteria') out.push(`      <skipped message="${escapeXml(verdictMessage(c))}"/>`);
      else if (c.status !== 'passed') {
        const tag = c.status === 'crashed' ? 'error' : 'failure';
        const type = c.status === 'invalid' ? 'invalid-scenario' : c.status === 'crashed' ? 'crash' : 'acceptance';
        out.push(`      <${tag} type="${type}" message="${escapeXml(verdictMessage(c))}">${body}</${tag}>`);
      }
      out.push(`      <system-out>${escapeXml(verdictMessage(c))}${body ? `\n${body}` : ''}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
