/**
 * Rows of an Unleash file that name a toggle the file does not hold: a strategy, or a toggle's state in an
 * environment. Unleash's imports write them to that toggle of the server they import into, and fail where the
 * server holds no such toggle; a rehearsal holds the file's toggles only, so such a file is refused, with the
 * import's own reason, at the row.
 * - The feature import (Unleash/unleash src/lib/features/export-import-toggles/export-import-service.ts at
 *   ceeb5a9ca6, one transaction: export-import-controller.ts importData): importStrategies calls createStrategy for
 *   each strategy with a featureName (one without is left out), importToggleStatuses updateEnabled with each
 *   featureEnvironments row's `name`, importToggleVariants legacySaveVariantsOnEnv with the `featureName` of each
 *   row that has variants. createStrategy and updateEnabled check the toggle first
 *   (feature-toggle-service.ts validateFeatureBelongsToProject: NotFoundError), legacySaveVariantsOnEnv inserts a
 *   feature_environments row (db/feature-environment-store.ts setVariantsToFeatureEnvironments).
 * - The state import (src/lib/services/state-service.ts at ff377cd70461, import()): importFeatureEnvironments
 *   and importFeatureStrategies insert every row as it stands.
 * Both tables' feature_name REFERENCES features(name) (src/migrations/20210610085817-features-strategies-table.js).
 * - A state export's featureStrategySegments rows link a segment to a strategy by their ids: the state import inserts
 *   each as it stands (state-service.ts importFeatureStrategySegments: segmentStore.addToStrategy), and
 *   feature_strategy_segment's feature_strategy_id REFERENCES feature_strategies(id), its segment_id segments(id)
 *   (src/migrations/20220307130902-add-segments.js): a row naming a strategy or a segment the file does not hold
 *   fails the import where the server holds none, and takes the server's where it does (a segment whose constraints
 *   the file does not carry). unleash-client never sees such a link: a server serves only segments it holds.
 */
import type { PathSegment } from '../../scenario/problems.js';
import { quoted } from '../../units/escape.js';

type Json = Record<string, unknown>;

export interface Unjoined {
  readonly path: PathSegment[];
  readonly message: string;
  readonly refused: boolean;
}

const named = (v: unknown) => (typeof v === 'string' ? `${quoted(v)}` : `named by ${JSON.stringify(v)}`);
const REHEARSED = 'a rehearsal holds the file\'s toggles only: add the toggle to the file, or leave the row out';
const FOREIGN = (table: string) => `the database refuses it where the server holds no such toggle (${table}.feature_name REFERENCES features(name))`;

/** The rows of a feature export that name no toggle of the file (after its import validation: names are text). */
export function exportUnjoined(strategies: readonly Json[], rows: readonly Json[], names: ReadonlySet<unknown>): Unjoined[] {
  const out: Unjoined[] = [];
  const notFound = (name: unknown, call: string) => `no toggle ${named(name)} in the file: Unleash's feature import ${call} of the project it imports into, and fails where the project has none ("There's no feature named ${JSON.stringify(String(name))} in project ...": feature-toggle-service.ts validateFeatureBelongsToProject), importing nothing (export-import-service.ts, one transaction); ${REHEARSED}`;
  strategies.forEach((s, j) => {
    if (!s.featureName) out.push({ path: ['featureStrategies', j], message: 'a strategy with no featureName belongs to no toggle: Unleash\'s feature import leaves it out (export-import-service.ts importStrategies: hasFeatureName), and so does rehearse', refused: false });
    else if (!names.has(s.featureName)) out.push({ path: ['featureStrategies', j, 'featureName'], message: notFound(s.featureName, `adds this strategy to that toggle (export-import-service.ts importStrategies: createStrategy)`), refused: true });
  });
  rows.forEach((r, i) => {
    if (!names.has(r.name)) out.push({ path: ['featureEnvironments', i, 'name'], message: notFound(r.name, 'turns that toggle on or off by this row\'s name (export-import-service.ts importToggleStatuses: updateEnabled)'), refused: true });
    if (r.featureName && !names.has(r.featureName) && Array.isArray(r.variants) && r.variants.length) {
      out.push({ path: ['featureEnvironments', i, 'featureName'], message: `no toggle ${named(r.featureName)} in the file: Unleash's feature import gives that toggle this row's variants (export-import-service.ts importToggleVariants: legacySaveVariantsOnEnv by featureName), and ${FOREIGN('feature_environments')}, importing nothing; ${REHEARSED}`, refused: true });
    }
  });
  return out;
}

/** The rows of a state export (versions 2 to 4, as Joi converted them) that name no toggle of the file. */
export function stateUnjoined(strategies: readonly Json[], rows: readonly Json[], names: ReadonlySet<unknown>): Unjoined[] {
  const out: Unjoined[] = [];
  const insert = (what: string, call: string, table: string) => `no toggle ${what} in the file: Unleash's state import inserts this row as it stands (state-service.ts ${call}), and ${FOREIGN(table)}: the import fails there; where the server holds it, the row is that toggle's; ${REHEARSED}`;
  strategies.forEach((s, j) => {
    // One without a featureName is refused where the import inserts it (state.ts insertable).
    if (s.featureName !== undefined && !names.has(s.featureName)) out.push({ path: ['featureStrategies', j, 'featureName'], message: insert(named(s.featureName), 'importFeatureStrategies: createStrategyFeatureEnv', 'feature_strategies'), refused: true });
  });
  rows.forEach((r, i) => {
    if (r.featureName !== undefined && !names.has(r.featureName)) out.push({ path: ['featureEnvironments', i, 'featureName'], message: insert(named(r.featureName), 'importFeatureEnvironments: addFeatureEnvironment', 'feature_environments'), refused: true });
  });
  return out;
}

/** The featureStrategySegments rows of a state export that name a strategy or a segment the file does not hold. */
export function linksUnjoined(links: readonly Json[], strategies: readonly Json[], segments: readonly unknown[]): Unjoined[] {
  const has = (ids: readonly unknown[], id: unknown) => ids.some((x) => String(x) === String(id));
  const ids = strategies.map((s) => s.id);
  const insert = (what: string, table: string, column: string, theirs: string, add: string) => `no ${what} in the file: Unleash's state import links it as the row stands (state-service.ts importFeatureStrategySegments: segmentStore.addToStrategy), and the database refuses it where the server holds none (feature_strategy_segment.${column} REFERENCES ${table}(id)): the import fails there; where the server holds it, ${theirs}; a rehearsal holds the file's strategies and segments only: ${add}, or leave the row out`;
  const out: Unjoined[] = [];
  links.forEach((l, i) => {
    if (!has(ids, l.featureStrategyId)) out.push({ path: ['featureStrategySegments', i, 'featureStrategyId'], message: insert(`strategy ${named(l.featureStrategyId)}`, 'feature_strategies', 'feature_strategy_id', 'the segment is that strategy\'s, of a toggle the file may not hold', 'add the strategy to the file'), refused: true });
    if (!has(segments, l.segmentId)) out.push({ path: ['featureStrategySegments', i, 'segmentId'], message: insert(`segment ${JSON.stringify(l.segmentId)}`, 'segments', 'segment_id', 'the strategy takes the server\'s segment, whose constraints the file does not carry', 'add the segment to the file'), refused: true });
  });
  return out;
}
