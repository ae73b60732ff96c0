/** JUnit XML of a CI run, as CI systems render it: one suite per scenario file, one test case per case. */
import { caseName, type CiReport } from '../score/ci.js';
import { escapeControls } from './escape.js';
import { caseMessages } from '../units/format.js';

export function escapeXml(text: string): string {
  // XML 1.0 cannot hold most C0 characters; C1 and the others would reach whoever reads the report: all made visible.
  return escapeControls(text, '\t\n\r')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
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
    const time = cases.reduce((s, c) => s + c.seconds, 0);
    out.push(`  <testsuite name="${escapeXml(cases[0].scenario)}" file="${escapeXml(file)}" tests="${cases.length}" failures="${f}" errors="${e}" time="${time.toFixed(3)}">`);
    for (const c of cases) {
      const attrs = `name="${escapeXml(caseName(c))}" classname="rehearse.${escapeXml(c.scenario)}" file="${escapeXml(file)}" time="${c.seconds.toFixed(3)}"`;
      if (c.status === 'passed') {
        out.push(`    <testcase ${attrs}/>`);
        continue;
      }
      if (c.status === 'no-criteria') {
        out.push(`    <testcase ${attrs}>`, '      <skipped message="no acceptance criteria: nothing was judged"/>', '    </testcase>');
        continue;
      }
      const tag = c.status === 'crashed' ? 'error' : 'failure';
      const type = c.status === 'invalid' ? 'invalid-scenario' : c.status === 'crashed' ? 'crash' : 'acceptance';
      const message = c.status === 'invalid' ? 'invalid scenario' : c.status === 'crashed' ? 'the run crashed' : `${c.messages.length} acceptance criteria failed`;
      out.push(`    <testcase ${attrs}>`);
      out.push(`      <${tag} type="${type}" message="${escapeXml(message)}">${escapeXml(caseMessages(c).join('\n'))}</${tag}>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
