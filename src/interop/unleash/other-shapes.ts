/**
 * Answers of Unleash's other APIs, which hold no definitions rehearse can evaluate: said for what they are where an
 * Unleash file is expected, rather than only "not an Unleash file".
 */
import { isObject } from '../document.js';

/** A clause naming the shape of `v`, or '' when it is none of them. */
export function otherShape(v: Record<string, unknown>): string {
  // Frontend API (/api/frontend) and Unleash Edge: toggles evaluated for one context (frontendApiFeatureSchema:
  // name, enabled, variant, impressionData).
  if (Array.isArray(v.toggles) && v.toggles.every((t) => isObject(t) && 'name' in t && 'enabled' in t && !('strategies' in t))) {
    return ': this is an answer of Unleash\'s Frontend API (/api/frontend), toggles already evaluated for one context, not their strategies; give the client API\'s answer (/api/client/features) or an export';
  }
  // Admin API feature (/api/admin/projects/{project}/features/{feature}: featureSchema, environments with strategies).
  if (typeof v.name === 'string' && Array.isArray(v.environments) && v.environments.some((e) => isObject(e) && Array.isArray(e.strategies))) {
    return ': this is one feature as Unleash\'s Admin API answers it (/api/admin/projects/{project}/features/{name}), its strategies per environment; give the client API\'s answer (/api/client/features, one environment) or a feature export (/api/admin/features-batch/export)';
  }
  return '';
}
