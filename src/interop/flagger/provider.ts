/**
 * A MetricTemplate's provider as Flagger builds it before every check of the template (pkg/controller/
 * scheduler_metrics.go runMetricChecks): the Secret of provider.secretRef is read in the template's namespace,
 * and the prometheus provider is made from the address and those credentials (pkg/metrics/providers/
 * prometheus.go NewPrometheusProvider). Any error there fails the check, every time, and the canary rolls back:
 * refused at its place, since the simulated Prometheus would answer. What the files cannot tell (a Secret they do
 * not hold) is said not checked.
 */
import { didYouMean } from '../../errors.js';
import { get, type Path, type Resource } from '../kube/resources.js';
import { quoted, quotedList } from '../../units/escape.js';

type Report = (r: Resource, path: Path, m: string) => void;

export function providerCheck(t: Resource, context: readonly Resource[], problem: Report, warn: Report): void {
  const type = get(t.value, 'spec', 'provider', 'type');
  const namespace = String(get(t.value, 'metadata', 'namespace') ?? '');
  const fails = `every check of this template fails and the canary rolls back`;
  if (type === 'prometheus') {
    const address = get(t.value, 'spec', 'provider', 'address');
    let valid = typeof address === 'string' && address !== '';
    // Go's url.Parse refuses a control character or a malformed scheme or host; an empty address too.
    if (valid) valid = !/[\x00-\x1f\x7f ]/.test(address as string) && !/^[^a-zA-Z]*:/.test(address as string);
    if (!valid) problem(t, ['spec', 'provider', ...(address === undefined ? [] : ['address'])], `the prometheus provider needs a valid address URL (providers/prometheus.go NewPrometheusProvider: "prometheus address ${typeof address === 'string' ? address : ''} is not a valid URL"): ${fails}`);
  }
  const name = get(t.value, 'spec', 'provider', 'secretRef', 'name');
  if (typeof name !== 'string' || name === '') return;
  const path: Path = ['spec', 'provider', 'secretRef', 'name'];
  const secrets = context.filter((c) => c.kind === 'Secret' && c.group === '' && String(get(c.value, 'metadata', 'namespace') ?? '') === namespace);
  const secret = secrets.find((s) => s.name === name);
  if (secrets.length === 0) {
    warn(t, path, `credentials from the Secret ${quoted(name)}, read at every check (a Secret Flagger cannot read fails the check): the simulated Prometheus needs none, and the files hold no Secret to check it against`);
  } else if (!secret) {
    const names = secrets.map((s) => s.name);
    problem(t, path, `no Secret ${quoted(name)}${namespace ? ` in namespace ${quoted(namespace)}` : ''} in the files given${didYouMean(name, names)} (found ${quotedList(names)}): Flagger cannot read it ("Metric template ${t.name}.${namespace} secret ${name} error"): ${fails}`);
  } else if (type === 'prometheus') {
    // NewPrometheusProvider: a token, else a username and a password.
    const keys = new Set([...Object.keys(Object(get(secret.value, 'data'))), ...Object.keys(Object(get(secret.value, 'stringData')))]);
    const lacking = keys.has('token') ? null : !keys.has('username') ? 'username' : !keys.has('password') ? 'password' : null;
    if (lacking) problem(t, path, `the Secret ${quoted(name)} holds no token and no ${lacking} (providers/prometheus.go NewPrometheusProvider: "prometheus credentials does not contain a ${lacking}"): ${fails}`);
  }
}
