/**
 * The layers of src/, top to bottom: each imports only from layers below it (or its own), and nothing forms a
 * cycle. docs/architecture.md explains each layer; test/layers.test.ts runs this through dependency-cruiser.
 */
const LAYERS = [
  ['cli', 'index.ts'],
  ['live'],
  ['report'],
  ['sweep'],
  ['load', 'calibrate', 'lint'],
  ['interop'],
  ['score'],
  ['rollout'],
  ['observe'],
  ['model'],
  ['promql', 'flags', 'faults'],
  ['scenario'],
  ['lang', 'metrics'],
  ['engine', 'telemetry', 'cohorts', 'units', 'errors.ts', 'records.ts', 'files', 'version.ts', 'types'],
];
const re = (names) => `^src/(${names.map((n) => n.replace('.', '\\.')).join('|')})(/|$)`;
const upward = LAYERS.slice(1).map((layer, i) => ({
  name: `layer-${layer.join('+').replace(/\.ts/g, '')}`,
  comment: `${layer.join(', ')} may not import from a layer above it (${LAYERS.slice(0, i + 1).flat().join(', ')})`,
  severity: 'error',
  from: { path: re(layer) },
  to: { path: re(LAYERS.slice(0, i + 1).flat()) },
}));
module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'an import cycle', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    ...upward,
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
