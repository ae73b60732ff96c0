/**
 * A local runner for the composite GitHub Action (action.yml): its shell steps under
 * `bash --noprofile --norc -eo pipefail` with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH and
 * RUNNER_TEMP, `${{ }}` expressions evaluated in env, with and if, and the actions it uses played by stand-ins
 * (the cache as a folder, uploads recorded). No GitHub runner exists here; the shell is the same.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { expect } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
export const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
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

export interface Night {
  code: number;
  outputs: Record<string, string>;
  summary: string;
  uploads: { name: string; path: string }[];
  saved: string[];
  /** Report files published as checks (the JUnit report action). */
  checks: string[];
  log: string;
}

/**
 * One run of the action in `workspace` with these inputs; the cache persists in `cacheDir` between nights. `runner`
 * adds to the environment the runner gives every step (as a runner's own configuration does).
 */
export function runAction(workspace: string, cacheDir: string, with_: Record<string, string>, runId: number, github: Record<string, string> = {}, runner: Record<string, string> = {}): Night {
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, with_[k] ?? v.default ?? '']));
  const ctx: Context = { inputs, github: { action_path: root.replace(/\/$/, ''), ref_name: 'main', run_id: String(runId), run_attempt: '1', ...github }, steps: {}, status: 'success' };
  const night = runSteps(action.runs.steps, ctx, workspace, cacheDir, runner);
  night.outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, v]) => [k, interpolate(v.value, ctx)]));
  return night;
}

/**
 * One run of a workflow's job (the one rehearse init writes) in `workspace`: checkout, setup-node and `npm ci`
 * are taken as done (the workspace is the checkout, with rehearse in node_modules), the JUnit report action
 * checks its file is there. `inputs` are workflow_dispatch's; `github` adds to the context (ref_name, base_ref).
 */
export function runWorkflow(file: string, workspace: string, cacheDir: string, inputs: Record<string, string>, runId: number, github: Record<string, unknown> = {}): Night & { permissions: Record<string, string> } {
  const workflow = parse(readFileSync(file, 'utf8')) as { permissions?: Record<string, string>; jobs: Record<string, { steps: Step[] }> };
  const [job] = Object.values(workflow.jobs);
  const ctx = { inputs, github: { ref_name: 'main', run_id: String(runId), run_attempt: '1', event: { repository: { default_branch: 'main' } }, ...github }, steps: {}, status: 'success' } as unknown as Context;
  return { ...runSteps(job.steps, ctx, workspace, cacheDir), permissions: workflow.permissions ?? {} };
}

function runSteps(steps: Step[], ctx: Context, workspace: string, cacheDir: string, runner: Record<string, string> = {}): Night {
  const temp = mkdtempSync(join(tmpdir(), 'rehearse-runner-'));
  const summaryFile = join(temp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const night: Night = { code: 0, outputs: {}, summary: '', uploads: [], saved: [], checks: [], log: '' };
  for (const [n, step] of steps.entries()) {
    const cond = step.if ?? 'success()';
    if (!truthy(evaluate(cond.replace(/^\$\{\{|\}\}$/g, '').trim(), ctx))) continue;
    const outputs: Record<string, string> = {};
    const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]));
    let ok = true;
    if (step.uses?.startsWith('actions/checkout@') || step.uses?.startsWith('actions/setup-node@') || step.run?.trim() === 'npm ci') {
      // The workspace is the checkout, with Node.js and its node_modules.
    } else if (step.uses?.startsWith('actions/cache/restore@')) {
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
    } else if (step.uses?.startsWith('mikepenz/action-junit-report@')) {
      ok = existsSync(join(workspace, w.report_paths));
      night.checks.push(w.report_paths);
    } else if (step.run) {
      const script = join(temp, `${step.id ?? `step${n}`}.sh`);
      const outputFile = join(temp, `${step.id ?? `step${n}`}.out`);
      writeFileSync(script, step.run);
      writeFileSync(outputFile, '');
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]));
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: workspace,
        encoding: 'utf8',
        env: { ...process.env, ...runner, ...env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTION_PATH: String(ctx.github.action_path ?? ''), RUNNER_TEMP: temp, CI: 'true' },
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
  night.summary = readFileSync(summaryFile, 'utf8');
  rmSync(temp, { recursive: true, force: true });
  return night;
}
