/**
 * What the API server refuses a Flagger resource for before the controller reads it, beyond a field's type and
 * values (kube/crd-types.ts): an apiVersion it does not serve, a missing metadata.name, and the rest of the CRD's
 * schema (kube/schema.ts: a field it requires, the analysis's `oneOf`, a match's `oneOf`, lengths and counts), from
 * fluxcd/flagger artifacts/flagger/crd.yaml (test/fixtures/vendor/flagger/crd.yaml). A v1alpha3 Canary (Flagger
 * 0.x) is not checked against the v1beta1 schema: the adapter warns that current Flagger refuses it.
 */
import { apiVersionProblem, get, pathText, where, type Path, type Resource } from '../kube/resources.js';
import { schemaProblems } from '../kube/schema.js';

/** The API versions of flagger.app the current CRD serves (crd.yaml: versions[].served). */
const SERVED = ['v1beta1'];

/** The problems of one resource of flagger.app (Canary or MetricTemplate), in the API server's terms. */
export function apiServerProblems(r: Resource): string[] {
  const problems: string[] = [];
  const at = (path: Path, message: string) => problems.push(`${where(r, path)}: ${pathText(path)}: ${message}`);
  const apiVersion = get(r.value, 'apiVersion');
  // Flagger 0.x's v1alpha1 to v1alpha3 Canary: warned by the adapter, not checked against the v1beta1 schema.
  if (r.kind === 'Canary' && typeof apiVersion === 'string' && /^flagger\.app\/v1alpha[123]$/.test(apiVersion)) return problems;
  const version = apiVersionProblem(r, 'flagger.app', SERVED);
  if (version !== null) return [version];
  if (typeof apiVersion !== 'string') return problems; // a value of another type: refused as such (kube/fields.ts)
  const name = get(r.value, 'metadata', 'name');
  if (name === undefined || name === null || name === '') at(get(r.value, 'metadata') ? ['metadata'] : [], 'metadata.name: Required value: the API server refuses a resource without a name');
  problems.push(...schemaProblems(r, 'flagger.app'));
  return problems;
}
