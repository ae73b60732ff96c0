/**
 * The composite GitHub Action (action.yml), run step by step as a runner would: its shell steps under
 * `bash --noprofile --norc -eo pipefail` with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH and
 * RUNNER_TEMP, `${{ }}` expressions evaluated in env, with and if, and the three actions it uses played by
 * stand-ins (the cache as a folder, uploads recorded). No GitHub runner exists here; the shell is the same.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};
interface Step { id?: string; name?: string; if?: string; shell?: string; run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, string> }

type Value = string | boolean | number | null;
interface Context { inputs: Record<string, string>; github: Record<string, string>; steps: Record<string, { outputs: Record<string, string> }>; status: 'success' | 'failure' }

/** The part of GitHub's expression language the action uses: contexts, literals, ==, !=, !, &&, ||, always(), success(), failure(). */
function evaluate(expr: string, ctx: Context): Value {
  const tokens = expr.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[!()]|[\w.-]+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): Value => {
    const t = tokens[i++];
    if (t === '!') return !truthy(primary());
    if (t === '(') {
      const v = or();
      i++;
      return v;
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t === 'true' || t === 'false') return t === 'true';
    if (/^\d/.test(t)) return Number(t);
    if (['always', 'success', 'failure'].includes(t) && peek() === '(') {
      i += 2;
      return t === 'always' ? true : t === 'success' ? ctx.status === 'success' : ctx.status === 'failure';
    }
    const [head, ...rest] = t.split('.');
    let v: unknown = (ctx as unknown as Record<string, unknown>)[head];
    for (const k of rest) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[k];
    return v === undefined ? '' : (v as Value);
  };
  const cmp = (): Value => {
    let l = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = tokens[i++];
      const r = primary();
      l = op === '==' ? String(l) === String(r) : String(l) !== String(r);
    }
    return l;
  };
  const and = (): Value => {
    let l = cmp();
    while (peek() === '&&') { i++; const r = cmp(); l = truthy(l) ? r : l; }
    return l;
  };
  const or = (): Value => {
    let l = and();
    while (peek() === '||') { i++; const r = and(); l = truthy(l) ? l : r; }
    return l;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`cannot evaluate ${expr}`);
  return v;
}
const truthy = (v: Value) => v !== '' && v !== false && v !== 0 && v !== null;
const interpolate = (s: string, ctx: Context) => String(s).replace(/\$\{\{(.*?)\}\}/g, (_m, e: string) => String(evaluate(e.trim(), ctx)));

interface Night {
  code: number;
  outputs: Record<string, string>;
  summary: string;
  uploads: { name: string; path: string }[];
  saved: string[];
  log: string;
}

/** One run of the action in `workspace` with these inputs; the cache persists in `cacheDir` between nights. */
function runAction(workspace: string, cacheDir: string, with_: Record<string, string>, runId: number): Night {
  const temp = mkdtempSync(join(tmpdir(), 'rehearse-runner-'));
  const summaryFile = join(temp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, with_[k] ?? v.default ?? '']));
  const ctx: Context = { inputs, github: { action_path: root.replace(/\/$/, ''), ref_name: 'main', run_id: String(runId), run_attempt: '1' }, steps: {}, status: 'success' };
  const night: Night = { code: 0, outputs: {}, summary: '', uploads: [], saved: [], log: '' };
  for (const step of action.runs.steps) {
    const cond = step.if ?? 'success()';
    if (!truthy(evaluate(cond.replace(/^\$\{\{|\}\}$/g, '').trim(), ctx))) continue;
    const outputs: Record<string, string> = {};
    const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]));
    let ok = true;
    if (step.uses?.startsWith('actions/cache/restore@')) {
      const keys = [w.key, ...(w['restore-keys'] ?? '').split('\n').filter(Boolean)];
      const stored = existsSync(cacheDir) ? readdirSync(cacheDir).sort().reverse() : [];
      const hit = keys.map((k) => stored.find((s) => s === k || s.startsWith(k))).find(Boolean);
      if (hit) {
        mkdirSync(dirname(join(workspace, w.path)), { recursive: true });
        cpSync(join(cacheDir, hit), join(workspace, w.path));
      }
    } else if (step.uses?.startsWith('actions/cache/save@')) {
      mkdirSync(cacheDir, { recursive: true });
      cpSync(join(workspace, w.path), join(cacheDir, w.key));
      night.saved.push(w.key);
    } else if (step.uses?.startsWith('actions/upload-artifact@')) {
      expect(existsSync(join(workspace, w.path)), `artifact path ${w.path}`).toBe(true);
      night.uploads.push({ name: w.name, path: w.path });
    } else if (step.run) {
      const script = join(temp, `${step.id ?? 'step'}.sh`);
      const outputFile = join(temp, `${step.id ?? 'step'}.out`);
      writeFileSync(script, step.run);
      writeFileSync(outputFile, '');
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]));
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: workspace,
        encoding: 'utf8',
        env: { ...process.env, ...env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTION_PATH: ctx.github.action_path, RUNNER_TEMP: temp, CI: 'true' },
      });
      night.log += r.stdout + r.stderr;
      for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
        const m = /^([\w-]+)=(.*)$/.exec(line);
        if (m) outputs[m[1]] = m[2];
      }
      ok = r.status === 0;
      if (!ok && night.code === 0) night.code = r.status ?? 1;
    } else {
      throw new Error(`the harness does not know step ${step.name ?? step.uses}`);
    }
    if (step.id) ctx.steps[step.id] = { outputs };
    if (!ok) ctx.status = 'failure';
  }
  night.outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, v]) => [k, interpolate(v.value, ctx)]));
  night.summary = readFileSync(summaryFile, 'utf8');
  rmSync(temp, { recursive: true, force: true });
  return night;
}

describe('action.yml', () => {
  it('is a composite action whose scripts see inputs only through env', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['scenarios', 'baseline', 'html', 'fail-on']));
    expect(action.inputs['fail-on'].default).toBe('criteria');
    for (const step of action.runs.steps) {
      if (step.run) {
        expect(step.shell).toBe('bash');
        expect(step.run, step.name).not.toContain('${{');
      }
    }
  });

  describe('run as a runner would', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'rehearse-action-'));
    const cache = join(workspace, '..', `${workspace.split('/').pop()}-cache`);

    beforeAll(() => {
      // A team's repository: the scaffold of rehearse init, and rehearse installed in node_modules.
      const init = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'init', workspace], { encoding: 'utf8' });
      expect(init.status, init.stderr).toBe(0);
      mkdirSync(join(workspace, 'node_modules/.bin'), { recursive: true });
      symlinkSync(join(root, 'bin/rehearse.js'), join(workspace, 'node_modules/.bin/rehearse'));
    });

    it('first night: passes, writes the summary and JUnit, uploads the HTML, keeps the report as the baseline', () => {
      const n = runAction(workspace, cache, {}, 1);
      expect(n.code, n.log).toBe(0);
      expect(n.outputs.passed).toBe('true');
      expect(n.outputs.regressions).toBe('0');
      expect(readFileSync(join(workspace, n.outputs.junit), 'utf8')).toMatch(/<testsuite[^>]*tests="2"/);
      expect(n.summary).toContain('new-checkout');
      expect(n.summary).toContain('baseline: no');
      expect(n.uploads).toEqual([{ name: 'rehearsal-reports', path: 'reports/rehearse/html' }]);
      expect(existsSync(join(workspace, 'reports/rehearse/html/index.html'))).toBe(true);
      expect(n.saved).toEqual(['rehearse-baseline-main-1-1']);
    });

    it('a night worse than the baseline: reported under fail-on criteria, failed under regression, never kept', () => {
      // Last night's report as if the defect had hurt nobody: tonight's harm is a regression.
      const key = join(cache, 'rehearse-baseline-main-1-1');
      const doc = JSON.parse(readFileSync(key, 'utf8'));
      const defective = doc.cases.find((c: { case: string }) => c.case === 'defective');
      expect(defective.flags['new-checkout'].blast_radius_users).toBeGreaterThan(1);
      defective.flags['new-checkout'].blast_radius_users = 0;
      writeFileSync(key, JSON.stringify(doc));

      const criteria = runAction(workspace, cache, { 'fail-on': 'criteria', html: 'false' }, 2);
      expect(criteria.code, criteria.log).toBe(0);
      expect(criteria.outputs.passed).toBe('false');
      expect(criteria.outputs.regressions).toBe('1');
      expect(criteria.summary).toContain('Worse than the baseline');
      expect(criteria.summary).toContain('baseline: yes');
      expect(criteria.uploads).toEqual([]);
      expect(criteria.saved).toEqual([]);

      const regression = runAction(workspace, cache, { 'fail-on': 'regression', html: 'false' }, 3);
      expect(regression.code).toBe(1);
      expect(regression.log).toContain('::error::rehearse ci failed');
      expect(regression.summary).toContain('Worse than the baseline');
      expect(regression.saved).toEqual([]);
      expect(readdirSync(cache)).toEqual(['rehearse-baseline-main-1-1']);
    });

    it('a failed criterion fails under criteria, not under never; a folder that is not there fails under never', () => {
      const file = join(workspace, 'rehearsals/new-checkout.yaml');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace("blast_radius_users{flag:new-checkout} max<300", "blast_radius_users{flag:new-checkout} max<1"));
      try {
        const criteria = runAction(workspace, cache, { baseline: 'false', html: 'false' }, 4);
        expect(criteria.code).toBe(1);
        expect(criteria.outputs.passed).toBe('false');
        expect(criteria.summary).toContain('rehearsals failed');
        const never = runAction(workspace, cache, { baseline: 'false', html: 'false', 'fail-on': 'never' }, 5);
        expect(never.code, never.log).toBe(0);
        expect(never.outputs.passed).toBe('false');
      } finally {
        writeFileSync(file, text);
      }
      const missing = runAction(workspace, cache, { scenarios: 'nowhere/', 'fail-on': 'never', html: 'false' }, 6);
      expect(missing.code).toBe(1);
      expect(missing.log).toContain('nowhere/: no such directory');
      const badInput = runAction(workspace, cache, { 'fail-on': 'sometimes' }, 7);
      expect(badInput.code).toBe(2);
      expect(badInput.log).toContain('fail-on: expected criteria, regression or never');
      expect(readdirSync(cache)).toEqual(['rehearse-baseline-main-1-1']);
    });
  });
});
