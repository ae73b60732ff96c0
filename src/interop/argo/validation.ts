/**
 * What the Argo Rollouts controller refuses in a Rollout's own spec (pkg/apis/rollouts/validation/validation.go
 * ValidateRolloutSpec and ValidateRolloutStrategyCanary): the API server takes the resource (no webhook checks
 * it), then rollout/controller.go getRolloutValidationErrors sets the InvalidSpec condition and the controller
 * does nothing else with it. Each rule below is one of validation.go's, with its message; validation_test.go
 * holds their cases. A setWeight out of range and a step of two kinds are refused in steps.ts, a pause's
 * duration where it is read. Of the pod template (which the CRD's schema types: kube/schema.ts), the rules that
 * decide whether the Rollout runs at all: its labels against the selector, and no template beside a workloadRef.
 */
import { get, type Path, type Resource } from '../kube/resources.js';

const present = (v: unknown): boolean => v !== undefined && v !== null;
/** A string field's text; a value of another type (which the API server refuses, said elsewhere) is left unjudged as null. */
const text = (v: unknown): string | null => (typeof v === 'string' ? v : present(v) ? null : '');

/** validation.go getIntOrPercentValue: "N%" is N, a number itself, other text as strconv.Atoi reads it (0 when it fails). */
function intOrPercent(v: unknown, fallback: number): number {
  if (!present(v)) return fallback;
  if (typeof v === 'number') return v;
  const s = String(v);
  const m = /^([0-9]+)%$/.exec(s);
  if (m) return Number(m[1]);
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : 0;
}

/**
 * Whether labels.SelectorFromSet/LabelSelectorAsSelector's selector matches a set of labels (k8s.io/apimachinery
 * pkg/labels): every matchLabels pair, and each expression (In: the label has one of the values; NotIn: it has
 * none of them or is absent; Exists; DoesNotExist). null when an operator is none of those (an invalid selector).
 */
function selects(selector: unknown, labels: Readonly<Record<string, unknown>>): boolean | null {
  const has = (k: string) => Object.hasOwn(labels, k);
  const pairs = get(selector, 'matchLabels');
  for (const [k, v] of Object.entries(pairs !== null && typeof pairs === 'object' ? pairs : {})) if (!has(k) || labels[k] !== v) return false;
  const expressions = get(selector, 'matchExpressions');
  for (const e of Array.isArray(expressions) ? expressions : []) {
    const key = String(get(e, 'key'));
    const values = Array.isArray(get(e, 'values')) ? get(e, 'values') as unknown[] : [];
    const op = get(e, 'operator');
    const ok = op === 'In' ? has(key) && values.includes(labels[key]) : op === 'NotIn' ? !has(key) || !values.includes(labels[key])
      : op === 'Exists' ? has(key) : op === 'DoesNotExist' ? !has(key) : null;
    if (ok === null) return null;
    if (!ok) return false;
  }
  return true;
}

/**
 * ValidateRolloutSpec on the template: with a workloadRef, a template with labels or annotations (EmptyTemplate)
 * is "template must be empty for workload reference rollout"; without one, Kubernetes' own
 * ValidatePodTemplateSpecForReplicaSet (pkg/apis/core/validation/validation.go), which validation.go calls, refuses
 * labels the selector does not select ("`selector` does not match template `labels`", the InvalidSpec of Argo's
 * pkg/kubectl-argo-rollouts/info/testdata/rollout-invalid) and a pod spec without containers.
 */
function templateProblems(spec: unknown, invalid: (path: Path, message: string) => void): void {
  const meta = get(spec, 'template', 'metadata');
  const labels = get(meta, 'labels');
  const own = labels !== null && typeof labels === 'object' && !Array.isArray(labels) ? labels as Record<string, unknown> : {};
  if (present(get(spec, 'workloadRef'))) {
    const annotations = get(meta, 'annotations');
    const annotated = annotations !== null && typeof annotations === 'object' && Object.keys(annotations).length > 0;
    if (Object.keys(own).length > 0 || annotated) invalid(['spec', 'template'], 'template must be empty for workload reference rollout');
    return;
  }
  const selector = get(spec, 'selector');
  if (present(selector)) {
    const matched = selects(selector, own);
    if (matched === null) invalid(['spec', 'selector'], 'invalid label selector');
    else if (!matched) invalid(present(labels) ? ['spec', 'template', 'metadata', 'labels'] : ['spec', 'template'], '`selector` does not match template `labels`');
  }
  // ValidatePodSpec (validateContainers): a pod runs at least one container.
  const containers = get(spec, 'template', 'spec', 'containers');
  if (!Array.isArray(containers) || containers.length === 0) {
    const at: Path = present(containers) ? ['spec', 'template', 'spec', 'containers'] : present(get(spec, 'template', 'spec')) ? ['spec', 'template', 'spec'] : ['spec', 'template'];
    invalid(at, 'spec.template.spec.containers: Required value');
  }
}

export function controllerSpecProblems(ro: Resource): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const invalid = (path: Path, message: string) => out.push({ path, message: `the controller marks the Rollout InvalidSpec and never rolls it out ("${message}", pkg/apis/rollouts/validation/validation.go)` });
  const spec = get(ro.value, 'spec');
  const cp: Path = ['spec', 'strategy', 'canary'];
  const canary = get(spec, 'strategy', 'canary');

  // ValidateRolloutSpec: a selector unless workloadRef; progressDeadlineSeconds (default 600) above minReadySeconds.
  if (!present(get(spec, 'workloadRef'))) {
    const selector = get(spec, 'selector');
    if (!present(selector)) invalid(['spec'], 'Rollout has missing field \'.spec.selector\'');
    else {
      const labels = get(selector, 'matchLabels');
      const expressions = get(selector, 'matchExpressions');
      const count = (labels && typeof labels === 'object' ? Object.keys(labels).length : 0) + (Array.isArray(expressions) ? expressions.length : 0);
      if (count === 0) invalid(['spec', 'selector'], 'empty selector is invalid for deployment');
    }
  }
  templateProblems(spec, invalid);
  const minReady = typeof get(spec, 'minReadySeconds') === 'number' ? get(spec, 'minReadySeconds') as number : 0;
  const deadline = typeof get(spec, 'progressDeadlineSeconds') === 'number' ? get(spec, 'progressDeadlineSeconds') as number : 600;
  if (deadline <= minReady) invalid(present(get(spec, 'progressDeadlineSeconds')) ? ['spec', 'progressDeadlineSeconds'] : ['spec', 'minReadySeconds'], 'must be greater than minReadySeconds');

  if (!present(canary)) return out;
  // invalidMaxSurgeMaxUnavailable: the defaults are "25" each.
  if (intOrPercent(get(canary, 'maxSurge'), 25) === 0 && intOrPercent(get(canary, 'maxUnavailable'), 25) === 0) invalid([...cp, 'maxSurge'], 'MaxSurge and MaxUnavailable both can not be zero');
  const canaryService = text(get(canary, 'canaryService'));
  const stableService = text(get(canary, 'stableService'));
  if (canaryService !== null && canaryService !== '' && canaryService === stableService) invalid([...cp, 'stableService'], 'This rollout uses the same service for the stable and canary services, but two different services are required.');

  const routingKey = present(get(canary, 'trafficRouting')) ? 'trafficRouting' : 'trafficManagement';
  const routing = get(canary, routingKey);
  const rp: Path = [...cp, routingKey];
  const has = (router: string) => present(get(routing, router));
  const plugins = get(routing, 'plugins');
  const hasPlugins = plugins !== null && typeof plugins === 'object' && Object.keys(plugins).length > 0;
  const pingPong = get(canary, 'pingPong');
  if (present(pingPong)) {
    if (present(routing) && !has('alb') && !has('istio') && !hasPlugins) invalid([...rp, 'alb'], 'Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only');
    const ping = text(get(pingPong, 'pingService'));
    const pong = text(get(pingPong, 'pongService'));
    if (ping === '') invalid([...cp, 'pingPong', 'pingService'], 'Ping service and Pong service must to be set to use Ping-Pong feature');
    if (pong === '') invalid([...cp, 'pingPong', 'pongService'], 'Ping service and Pong service must to be set to use Ping-Pong feature');
    if (ping !== null && ping === pong) invalid([...cp, 'pingPong', 'pingService'], 'This rollout uses the same service for the ping and pong services, but two different services are required.');
    if (has('alb') && text(get(routing, 'alb', 'rootService')) === '') invalid([...rp, 'alb', 'rootService'], 'Root service field is required for the configuration with ALB and ping-pong feature enabled');
  }
  // requireCanaryStableServices.
  const needsServices = present(routing) && ((has('alb') && !present(pingPong)) || (has('istio') && !present(get(routing, 'istio', 'destinationRule')) && !present(pingPong))
    || has('smi') || has('apisix') || has('ambassador') || has('nginx') || has('appMesh') || has('traefik'));
  if (needsServices && stableService === '') invalid([...cp, 'stableService'], 'Canary service and Stable service must to be set to use Traffic Routing');
  if (needsServices && canaryService === '') invalid([...cp, 'canaryService'], 'Canary service and Stable service must to be set to use Traffic Routing');

  const scaleDownDelay = present(get(canary, 'scaleDownDelaySeconds'));
  const dynamic = get(canary, 'dynamicStableScale') === true;
  if (!present(routing)) {
    if (scaleDownDelay) invalid([...cp, 'scaleDownDelaySeconds'], 'Canary scaleDownDelaySeconds can only be used with traffic routing');
    if (dynamic) invalid([...cp, 'dynamicStableScale'], 'Canary dynamicStableScale can only be used with traffic routing');
  } else {
    if (scaleDownDelay && dynamic) invalid([...cp, 'dynamicStableScale'], 'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds');
    if (present(get(routing, 'maxTrafficWeight')) && !has('nginx') && !hasPlugins) invalid([...rp, 'maxTrafficWeight'], 'Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins');
  }

  const steps = get(canary, 'steps');
  const managed = get(routing, 'managedRoutes');
  const managedNames = Array.isArray(managed) ? managed.map((m) => get(m, 'name')) : [];
  (Array.isArray(steps) ? steps : []).forEach((step, i) => {
    const sp: Path = [...cp, 'steps', i];
    const kinds = ['experiment', 'pause', 'setWeight', 'analysis', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'];
    if (!kinds.some((k) => present(get(step, k)))) invalid(sp, 'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause');
    if (present(get(step, 'setCanaryScale')) && !present(routing)) invalid([...cp, 'trafficRouting'], 'SetCanaryScale requires TrafficRouting to be set');
    const header = present(get(step, 'setHeaderRoute'));
    const mirror = present(get(step, 'setMirrorRoute'));
    if (header && (!present(routing) || (!has('istio') && !has('alb') && !has('apisix') && !hasPlugins))) invalid([...sp, 'setHeaderRoute'], 'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix');
    if (mirror && (!present(routing) || (!has('istio') && !hasPlugins))) invalid([...sp, 'setMirrorRoute'], 'SetMirrorRoute requires TrafficRouting, supports Istio and Plugins');
    if (present(routing) && (header || mirror)) {
      if (!present(managed)) invalid([...rp, 'managedRoutes'], 'Rollout has missing field \'spec.strategy.canary.trafficRouting.managedRoutes\'');
      else {
        for (const key of ['setHeaderRoute', 'setMirrorRoute']) {
          if (present(get(step, key)) && !managedNames.includes(get(step, key, 'name'))) invalid([...sp, key], 'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes');
        }
      }
    }
    const templates = get(step, 'experiment', 'templates');
    (Array.isArray(templates) ? templates : []).forEach((t, j) => {
      if (!present(get(t, 'weight'))) return;
      const wp: Path = [...sp, 'experiment', 'templates', j, 'weight'];
      if (!present(routing)) invalid(wp, 'Experiment template weight cannot be set unless TrafficRouting is enabled');
      else if (!has('alb') && !has('smi') && !has('istio') && !hasPlugins) invalid(wp, 'Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time');
    });
  });

  // ValidateRolloutStrategyAntiAffinity: exactly one of preferred and required; a preferred weight from 1 to 100.
  const anti = get(canary, 'antiAffinity');
  if (present(anti)) {
    const preferred = get(anti, 'preferredDuringSchedulingIgnoredDuringExecution');
    const required = get(anti, 'requiredDuringSchedulingIgnoredDuringExecution');
    if (present(preferred) === present(required)) invalid([...cp, 'antiAffinity'], 'AntiAffinity must have exactly one strategy listed');
    const weight = get(preferred, 'weight');
    if (present(preferred) && !(typeof weight === 'number' && weight >= 1 && weight <= 100)) invalid([...cp, 'antiAffinity', 'weight'], 'AntiAffinity weight must be between 1-100');
  }
  return out;
}
