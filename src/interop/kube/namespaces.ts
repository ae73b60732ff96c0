/**
 * Namespaces of the resources a file gives, as a controller finds a resource it names: by name in one namespace.
 * A resource given without a namespace is applied where kubectl puts it (its context's namespace, or -n), so it
 * is taken to be wherever it is looked for; likewise when the namespace looked in is unknown (null).
 */
import { get, type Resource } from './resources.js';
import { quoted } from '../../units/escape.js';

/** metadata.namespace, or null where the file gives none. */
export function namespaceOf(r: Resource): string | null {
  const n = get(r.value, 'metadata', 'namespace');
  return typeof n === 'string' && n !== '' ? n : null;
}

/**
 * The resource among `named` (those of the kind and name) in namespace `want`; else, when the files hold it only
 * in other namespaces, words saying so (`how`: why the controller looks in `want`); null when none is named so.
 */
export function inNamespace(named: readonly Resource[], want: string | null, how: string): { found: Resource } | { elsewhere: string } | null {
  const found = named.find((r) => want === null || namespaceOf(r) === null || namespaceOf(r) === want);
  if (found) return { found };
  if (named.length === 0) return null;
  const where = [...new Set(named.map((r) => `${quoted(String(namespaceOf(r)))}`))].join(', ');
  return { elsewhere: `the files hold it in namespace ${where}, not in ${quoted(String(want))} (${how}), where the controller looks` };
}
