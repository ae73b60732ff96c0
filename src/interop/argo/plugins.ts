/**
 * Step and traffic-router plugins against the controller's configuration, where the files give it. The controller
 * loads a plugin only if its ConfigMap `argo-rollouts-config` lists it (argoproj/argo-rollouts utils/config/config.go
 * InitializeConfig reads data.stepPlugins and data.trafficRouterPlugins, each a YAML list of {name, location, disabled,
 * ...}; GetPlugin matches name and type). A step plugin it lists as disabled is skipped (rollout/steps/plugin/
 * resolver.go: disabledStepPlugin); one it does not list cannot be had (utils/plugin/plugin.go GetPluginInfo: "plugin
 * %s not configured in configmap"): the Rollout stays at that step with a ReconciliationError and turns Degraded
 * (test/e2e/step_plugin_test.go TestRolloutErrorWhenStepPluginNotConfigured, step-plugin/invalid-rollout.yaml). A
 * traffic-router plugin it does not list likewise stops every reconciliation that sets a weight. Without the
 * ConfigMap among the files, nothing here is checked (the dispositions' warning says so).
 */
import { parse } from 'yaml';
import { didYouMean } from '../../errors.js';
import { get, where, type Path, type Resource } from '../kube/resources.js';
import { quoted, quotedList } from '../../units/escape.js';

/** The name of the controller's ConfigMap (utils/defaults/defaults.go DefaultRolloutsConfigMapName). */
export const CONFIG_MAP = 'argo-rollouts-config';

interface Listed { readonly name: string; readonly disabled: boolean }

export interface PluginCheck {
  readonly rollout: Resource;
  /** The AnalysisTemplates given, whose metrics may name a metric provider plugin. */
  readonly templates: readonly Resource[];
  readonly context: readonly Resource[];
  readonly problem: (r: Resource, path: Path, message: string) => void;
  readonly warn: (r: Resource, path: Path, message: string) => void;
}

/** The plugins a data key of the ConfigMap lists, or a problem where the controller cannot read the key. */
function listed(cm: Resource, key: string, c: PluginCheck): Listed[] | null {
  const text = get(cm.value, 'data', key);
  if (text === undefined || text === null) return [];
  let items: unknown;
  try {
    items = parse(String(text));
  } catch (e) {
    c.problem(cm, ['data', key], `not YAML the controller reads (${(e as Error).message.split('\n')[0]}): it fails to start ("failed to unmarshal ${key.replace(/s$/, '')} configuration")`);
    return null;
  }
  if (items === null || items === undefined) return [];
  if (!Array.isArray(items)) {
    c.problem(cm, ['data', key], `a list of plugins ({name, location, ...}), not ${typeof items}: the controller fails to read its configuration`);
    return null;
  }
  return items.map((x) => ({ name: String(get(x, 'name') ?? ''), disabled: get(x, 'disabled') === true }));
}

/** Checks the Rollout's step plugins and its traffic-router plugins against the files' argo-rollouts-config. */
export function checkPlugins(c: PluginCheck, steps: readonly unknown[], stepsPath: Path, routerPath: Path): void {
  const maps = c.context.filter((r) => r.kind === 'ConfigMap' && r.group === '' && r.name === CONFIG_MAP);
  if (maps.length === 0) return;
  const cm = maps[0];
  const at = `the ConfigMap ${CONFIG_MAP} (${where(cm, ['metadata', 'name'])})`;
  if (maps.length > 1) {
    c.warn(c.rollout, stepsPath, `${maps.length} ConfigMaps ${CONFIG_MAP} in the files (${maps.map((m) => where(m, [])).join(', ')}): the controller reads the one of its own namespace; the plugins are checked against none`);
    return;
  }
  const stepPlugins = listed(cm, 'stepPlugins', c);
  if (stepPlugins) {
    steps.forEach((step, i) => {
      const name = get(step, 'plugin', 'name');
      if (typeof name !== 'string') return;
      const p: Path = [...stepsPath, i, 'plugin', 'name'];
      const item = stepPlugins.find((x) => x.name === name);
      if (!item) {
        const names = stepPlugins.map((x) => x.name);
        c.problem(c.rollout, p, `step plugin ${quoted(name)} is not in the stepPlugins of ${at}${didYouMean(name, names)}${names.length ? ` (it lists ${quotedList(names)})` : ' (it lists none)'}: the controller cannot load it ("failed to get step plugin ${name}: plugin ${name} not configured in configmap", rollout/steps/plugin/resolver.go, utils/plugin/plugin.go GetPluginInfo), so the Rollout stays at step ${i} and turns Degraded, as argo-rollouts' TestRolloutErrorWhenStepPluginNotConfigured expects`);
      } else if (item.disabled) {
        c.warn(c.rollout, p, `step plugin ${quoted(name)} is disabled in ${at}: the controller skips the step (rollout/steps/plugin/resolver.go disabledStepPlugin), as the rehearsal does`);
      }
    });
  }
  metricPlugins(c, cm, at);
  const plugins = get(c.rollout.value, ...routerPath, 'plugins');
  if (plugins === null || typeof plugins !== 'object' || Array.isArray(plugins)) return;
  const routers = listed(cm, 'trafficRouterPlugins', c);
  if (!routers) return;
  for (const name of Object.keys(plugins)) {
    if (routers.some((x) => x.name === name)) continue;
    const names = routers.map((x) => x.name);
    c.problem(c.rollout, [...routerPath, 'plugins', name], `traffic router plugin ${quoted(name)} is not in the trafficRouterPlugins of ${at}${didYouMean(name, names)}${names.length ? ` (it lists ${quotedList(names)})` : ' (it lists none)'}: the controller cannot load it ("failed to get traffic router plugin ${name}: plugin ${name} not configured in configmap", rollout/trafficrouting/plugin/plugin.go NewReconciler, utils/plugin/plugin.go GetPluginInfo) and sets no weight: the Rollout does not progress`);
  }
}

/**
 * A metric's provider plugin the ConfigMap does not list: the controller cannot make the provider, and records each
 * measurement as Error (analysis/analysis.go runMeasurements: "Error in getting metric provider", newMeasurement.Phase
 * = Error; metricproviders/plugin/plugin.go NewRpcPlugin, utils/plugin/plugin.go GetPluginInfo), where the rehearsal
 * reads the plugin as an unsimulated provider, Inconclusive: refused rather than read as something else.
 */
function metricPlugins(c: PluginCheck, cm: Resource, at: string): void {
  const wanted = c.templates.flatMap((t) => {
    const metrics = get(t.value, 'spec', 'metrics');
    return (Array.isArray(metrics) ? metrics : []).flatMap((m, i) => {
      const plugin = get(m, 'provider', 'plugin');
      if (plugin === null || typeof plugin !== 'object' || Array.isArray(plugin)) return [];
      return Object.keys(plugin).map((name) => ({ t, name, path: ['spec', 'metrics', i, 'provider', 'plugin', name] as Path }));
    });
  });
  if (wanted.length === 0) return;
  const providers = listed(cm, 'metricProviderPlugins', c);
  if (!providers) return;
  const names = providers.map((x) => x.name);
  for (const w of wanted) {
    if (names.includes(w.name)) continue;
    c.problem(w.t, w.path, `metric provider plugin ${quoted(w.name)} is not in the metricProviderPlugins of ${at}${didYouMean(w.name, names)}${names.length ? ` (it lists ${quotedList(names)})` : ' (it lists none)'}: the controller cannot make the provider, and each measurement is Error ("Error in getting metric provider", analysis/analysis.go; utils/plugin/plugin.go GetPluginInfo: "plugin ${w.name} not configured in configmap"), where a rehearsal would read it Inconclusive`);
  }
}
