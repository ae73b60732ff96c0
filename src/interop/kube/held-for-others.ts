/**
 * The resources of other readers that files given to an adapter hold instead of its own (an Argo Rollout given to
 * import flagger, a PrometheusRule given to import argo), named with what reads them.
 */
import { where, type Resource } from './resources.js';
import { quoted } from '../../units/escape.js';

/** Resources of another reader's kinds, and what reads them. */
const READERS: Readonly<Record<string, string>> = {
  'argoproj.io/Rollout': 'rehearse import argo reads it',
  'flagger.app/Canary': 'rehearse import flagger reads it',
  'monitoring.coreos.com/PrometheusRule': 'a scenario reads its alerts through metrics.rules',
  'core.openfeature.dev/FeatureFlag': 'a scenario reads its flags through flags.from.flagd',
};

/**
 * Where the files hold none of an adapter's resources but another reader's (an Argo Rollout given to import flagger,
 * a PrometheusRule): "; the files hold Rollout "x" (file:line:column), which rehearse import argo reads", or "".
 */
export function heldForOthers(context: readonly Resource[]): string {
  const parts: string[] = [];
  for (const [key, reader] of Object.entries(READERS)) {
    const found = context.filter((r) => `${r.group}/${r.kind}` === key);
    if (found.length === 0) continue;
    const named = found.slice(0, 3).map((r) => `${r.kind}${r.name ? ` ${quoted(r.name)}` : ''} (${where(r, [])})`).join(', ') + (found.length > 3 ? ` and ${found.length - 3} more` : '');
    parts.push(`${named}: ${reader.replace(/\bit\b|\bits\b/, (w) => (found.length > 1 ? (w === 'it' ? 'them' : 'their') : w))}`);
  }
  return parts.length ? `; the files hold ${parts.join('; ')}` : '';
}
