/**
 * The layering of src/ (ARCHITECTURE.md, "Layers"), checked by `npm run lint:deps` in `npm test`.
 * Each line below is one layer, top to bottom; a module may import from its own layer and the ones
 * below it, never from one above. Type imports count (tsPreCompilationDeps): a type is a dependency too.
 */
const LAYERS = [
  ['commands'],
  ['src/cli', 'src/ui', 'src/export', 'src/run', 'src/mcp'],
  ['src/daemon', 'src/lan'],
  ['src/frontdoor'],
  ['src/proxy'],
  ['src/pipeline'],
  ['src/balance'],
  ['src/transport'],
  ['src/certs', 'src/trust', 'src/hosts', 'src/domains'],
  ['src/traffic'],
  ['src/routes', 'src/state'],
  ['src/errors\\.ts', 'src/version\\.ts'],
];

const folders = (layer) => `^(${layer.join('|')})(/|$)`;

const upward = LAYERS.slice(1).map((layer, index) => ({
  name: `layer-${layer.map((f) => f.replace(/^src\//, '').replace(/\\\.ts$/, '')).join('-')}`,
  comment: `${layer.join(', ')} may not import from a layer above it (${LAYERS.slice(0, index + 1).flat().join(', ')}).`,
  severity: 'error',
  from: {path: folders(layer)},
  to: {path: folders(LAYERS.slice(0, index + 1).flat()), dependencyTypesNot: ['npm', 'npm-dev', 'core']},
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle ties its modules into one: break it by moving the shared piece down a layer.',
      severity: 'error',
      from: {path: '^(src|commands)/'},
      to: {circular: true},
    },
    {
      name: 'no-unlayered',
      comment: 'Every folder of src/ has a place in the layer list (.dependency-cruiser.cjs, ARCHITECTURE.md).',
      severity: 'error',
      from: {path: '^src/', pathNot: folders(LAYERS.flat())},
      to: {},
    },
    ...upward,
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    includeOnly: '^(src|commands)/',
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {extensions: ['.ts', '.tsx', '.js']},
  },
};
