import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { notAScenarioText } from '../src/load/kinds.js';
import { describe, expect, it } from 'vitest';
import { toScenarioParts as argo } from '../src/interop/argo/index.js';
import { toScenarioParts as flagger } from '../src/interop/flagger/index.js';

const problems = (r: { ok: boolean; problems?: string[] }): string[] => (r.ok ? [] : r.problems!);
const given = (path: string) => [{ file: path, text: readFileSync(path, 'utf8') }];
const ARGO_GET = "give the resource's YAML (kubectl get rollouts.argoproj.io NAME -o yaml, with its AnalysisTemplates)";

describe('a file of another format given where Argo or Flagger resources are read', () => {
  it('a rehearse scenario is named as one, with the command that runs it, not "kind: missing"', () => {
    expect(problems(argo(given('examples/first-scenario.yaml')))).toEqual([
      `examples/first-scenario.yaml:2:1: this is a rehearse scenario, not an Argo Rollout: run it with rehearse run examples/first-scenario.yaml (rehearse validate examples/first-scenario.yaml checks it); a scenario runs a Rollout or a Canary through its rollout[].argo or rollout[].flagger entry; to import, ${ARGO_GET}`,
    ]);
    expect(problems(flagger(given('examples/flagger/podinfo.yaml')))[0]).toMatch(/^examples\/flagger\/podinfo\.yaml:7:1: this is a rehearse scenario, not a Flagger Canary: run it with rehearse run examples\/flagger\/podinfo\.yaml .*kubectl get canaries\.flagger\.app NAME -o yaml, with its MetricTemplates\)$/);
  });

  it('a flagd file, a Prometheus rule file, a promtool test, Zipkin traces and a document rehearse wrote are each named', () => {
    const first = (path: string) => problems(argo(given(path)))[0];
    expect(first('test/fixtures/flags/flag-sets.flagd.json')).toBe(`test/fixtures/flags/flag-sets.flagd.json:1:1: this is a flagd flag file (a scenario reads it through flags.from), not an Argo Rollout: ${ARGO_GET}`);
    expect(first('test/fixtures/promtool-vectors/rules.yml')).toBe(`test/fixtures/promtool-vectors/rules.yml:1:1: this is a Prometheus rule file, not an Argo Rollout: ${ARGO_GET}`);
    expect(first('test/fixtures/promtool-vectors/test.yml')).toBe(`test/fixtures/promtool-vectors/test.yml:1:1: this is a promtool test file, not an Argo Rollout: ${ARGO_GET}`);
    expect(first('test/fixtures/traces/zipkin-yelp.json')).toBe(`test/fixtures/traces/zipkin-yelp.json:1:1: this is Zipkin traces (rehearse calibrate reads them), not an Argo Rollout: ${ARGO_GET}`);
    expect(first('test/fixtures/drill-0.13.0/drill.json')).toBe(`test/fixtures/drill-0.13.0/drill.json:1:1: this is a rehearse/drill@2 document that rehearse wrote, not an Argo Rollout: ${ARGO_GET}`);
  });

  it('a mapping of no format rehearse knows still says its kind is missing', () => {
    expect(problems(argo([{ file: 'x.yaml', text: 'name: x\nspec: {}\n' }]))).toEqual(['x.yaml:1:1: kind: missing (expected one of Rollout, AnalysisTemplate, ClusterAnalysisTemplate)']);
  });

  it('rehearse import argo given a scenario exits 2 with the message and no stack trace', () => {
    const r = spawnSync(process.execPath, ['bin/rehearse.js', 'import', 'argo', 'examples/first-scenario.yaml'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('examples/first-scenario.yaml:2:1: this is a rehearse scenario, not an Argo Rollout: run it with rehearse run examples/first-scenario.yaml');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('files of another reader\'s resources name them and what reads them', () => {
    expect(problems(argo(given('examples/flagger/canary.yaml')))).toEqual(['examples/flagger/canary.yaml: expected exactly one Rollout, found 0; the files hold Canary "podinfo" (examples/flagger/canary.yaml:3:1): rehearse import flagger reads it']);
    expect(problems(argo(given('test/fixtures/flagger/canaries.yaml')))[0]).toMatch(/; the files hold Canary "podinfo" \(test\/fixtures\/flagger\/canaries\.yaml:3:1\), Canary "checkout" \(test\/fixtures\/flagger\/canaries\.yaml:75:1\): rehearse import flagger reads them$/);
    expect(problems(argo(given('examples/prometheus/slo-rules.yaml')))[0]).toMatch(/: expected exactly one Rollout, found 0; the files hold PrometheusRule "monitoring-http-errors" \(examples\/prometheus\/slo-rules\.yaml:4:1\): a scenario reads its alerts through metrics\.rules$/);
    expect(problems(flagger(given('examples/argo/rollout.yaml')))).toEqual(['examples/argo/rollout.yaml: expected exactly one Canary, found 0; the files hold Rollout "guestbook" (examples/argo/rollout.yaml:3:1): rehearse import argo reads it']);
  });

  // Every layout calibrate reads (docs/calibration.md "Formats read"), as the vendors' own files hold them.
  const TRACES = readdirSync('test/fixtures/traces').filter((f) => f.endsWith('.json')).map((f) => `test/fixtures/traces/${f}`);

  it('every trace file calibrate reads is named as traces by both importers and skipped by rehearse ci, never "kind: missing"', () => {
    expect(TRACES.length).toBe(32);
    for (const path of TRACES) {
      for (const [read, noun] of [[argo, 'an Argo Rollout'], [flagger, 'a Flagger Canary']] as const) {
        const said = problems(read(given(path)));
        expect(said, path).toHaveLength(1);
        expect(said[0], path).toMatch(new RegExp(`^${path.replace(/\./g, '\\.')}:1:1: this is .*, not ${noun}: give the resource's YAML`));
        expect(said[0], path).not.toContain('kind: missing');
      }
      expect(notAScenarioText(readFileSync(path, 'utf8')), path).not.toBeNull();
    }
  });

  it('Jaeger and Tempo layouts are each named for what they are', () => {
    const what = (path: string) => problems(argo(given(`test/fixtures/traces/${path}`)))[0].replace(/^[^ ]+ this is (.*), not an Argo Rollout: .*$/, '$1');
    expect(what('jaeger-ui-testtrace.json')).toBe('a Jaeger trace (rehearse calibrate reads it)');
    expect(what('jaeger-ui-state-trace.json')).toBe("a Jaeger trace as Jaeger's UI holds it loaded (rehearse calibrate reads it)");
    expect(what('jaeger-anonymized-spans.json')).toBe("Jaeger spans, each with its process inside (as Jaeger's anonymizer writes them) (rehearse calibrate reads them)");
    expect(what('jaeger-es-span.json')).toBe("a Jaeger span (as Jaeger's Elasticsearch storage keeps one) (rehearse calibrate reads it)");
    expect(what('hotrod-otlp.json')).toBe('OTLP traces as Jaeger\'s /api/v3 answers them ({"result": {"resourceSpans": [...]}}) (rehearse calibrate reads them)');
    expect(what('tempo-api-v1-batches.json')).toBe('a Grafana Tempo trace (its /api/traces answer, {"batches": [...]}) (rehearse calibrate reads it)');
    expect(what('tempo-api-v2-trace.json')).toBe('a Grafana Tempo trace (its /api/v2/traces answer, {"trace": {"resourceSpans": [...]}}) (rehearse calibrate reads it)');
    expect(what('zipkin-one-span.json')).toBe('a Zipkin span (rehearse calibrate reads it)');
    expect(what('otlp-proto-example-logs.json')).toBe('an OTLP export of logs (LogsData, opentelemetry/proto/logs/v1/logs.proto), not of traces (rehearse calibrate reads OTLP traces: resourceSpans)');
  });

  it('a mapping with a data or trace key and no spans in it is no trace file', () => {
    expect(problems(argo([{ file: 'x.yaml', text: 'data: {a: 1}\n' }]))).toEqual(['x.yaml:1:1: kind: missing (expected one of Rollout, AnalysisTemplate, ClusterAnalysisTemplate)']);
    expect(problems(argo([{ file: 'x.yaml', text: 'trace: {id: 1}\n' }]))).toEqual(['x.yaml:1:1: kind: missing (expected one of Rollout, AnalysisTemplate, ClusterAnalysisTemplate)']);
  });
});
