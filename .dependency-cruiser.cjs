// dependency-cruiser config for cloudletd: no cycles, and the layers of shared/design/architecture.md.
//
//   core, gen <- wire <- cache, store, metrics <- notify, platform <- crm, dme, controller <- cli
//   platforms/<driver> may import src/platform, src/core, src/wire, src/gen and platforms/common only.
//
// Every layer rule is an allow-list: a module of layer L may import, inside this repository, only the
// folders listed for L (npm packages and node builtins are not restricted here). A folder under src/ that
// is not a known layer is reported so that it gets a place in this table.
//
// Run: npx depcruise src platforms bench scripts --config .dependency-cruiser.cjs   (npm run lint:deps)

/** Project folders whose imports the layer rules look at. */
const PROJECT = '^(src|platforms|test|bench|scripts)/';

/** What each src layer may import (besides itself, npm packages and node builtins). */
const SRC_LAYERS = {
  core: [],
  gen: [],
  wire: ['core', 'gen'],
  cache: ['core', 'gen', 'wire'],
  store: ['core', 'gen', 'wire'],
  metrics: ['core', 'gen', 'wire'],
  notify: ['core', 'gen', 'wire', 'cache', 'store', 'metrics'],
  platform: ['core', 'gen', 'wire', 'cache', 'store', 'metrics'],
  crm: ['core', 'gen', 'wire', 'cache', 'store', 'metrics', 'notify', 'platform'],
  dme: ['core', 'gen', 'wire', 'cache', 'store', 'metrics', 'notify', 'platform'],
  controller: ['core', 'gen', 'wire', 'cache', 'store', 'metrics', 'notify', 'platform'],
};

/** src/cli wires everything together: any src layer, and the drivers in platforms/. */
const CLI_MAY_IMPORT = ['^src/', '^platforms/'];

/** Drivers (platforms/<name>/) and their shared helpers (platforms/common/). */
const DRIVER_MAY_IMPORT = ['^src/(platform|core|wire|gen)/', '^platforms/common/'];

const KNOWN_SRC = [...Object.keys(SRC_LAYERS), 'cli'];

/** @param {string[]} names */
const srcFolders = (names) => names.map((n) => `^src/${n}/`);

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = Object.entries(SRC_LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  severity: 'error',
  comment:
    allowed.length === 0
      ? `src/${layer} imports nothing of the project outside src/${layer} (see architecture.md).`
      : `src/${layer} may import only src/{${allowed.join(',')}} and itself (see architecture.md).`,
  from: { path: `^src/${layer}/` },
  to: { path: PROJECT, pathNot: srcFolders([layer, ...allowed]) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make load order and layering fragile; invert the dependency instead.',
      from: { path: '^(src|platforms|bench|scripts)/' },
      to: { circular: true },
    },

    ...layerRules,
    {
      name: 'layer-cli',
      severity: 'error',
      comment: 'src/cli may import any src layer and the drivers, never tests, bench or scripts.',
      from: { path: '^src/cli/' },
      to: { path: PROJECT, pathNot: CLI_MAY_IMPORT },
    },
    {
      name: 'src-unknown-layer',
      severity: 'error',
      comment: `Every folder in src/ is a layer of architecture.md (${KNOWN_SRC.join(', ')}); add new ones to .dependency-cruiser.cjs.`,
      from: { path: '^src/', pathNot: srcFolders(KNOWN_SRC) },
      to: {},
    },
    {
      name: 'driver-imports',
      severity: 'error',
      comment:
        'A driver in platforms/<name>/ may import only src/platform, src/core, src/wire, src/gen, ' +
        'platforms/common and its own folder.',
      from: { path: '^platforms/([^/]+)/', pathNot: '^platforms/common/' },
      to: { path: PROJECT, pathNot: [...DRIVER_MAY_IMPORT, '^platforms/$1/'] },
    },
    {
      name: 'driver-common-imports',
      severity: 'error',
      comment: 'platforms/common may import only src/platform, src/core, src/wire, src/gen and itself.',
      from: { path: '^platforms/common/' },
      to: { path: PROJECT, pathNot: DRIVER_MAY_IMPORT },
    },
    {
      name: 'not-to-test-or-bench',
      severity: 'error',
      comment: 'Shipped code (src/, platforms/) never imports test/, bench/ or scripts/.',
      from: { path: '^(src|platforms)/' },
      to: { path: '^(test|bench|scripts)/' },
    },

    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import cannot be resolved to a file: a typo, a missing file or a missing package.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'This imports an npm package that is not declared in package.json.',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Shipped code (src/, platforms/) imports a devDependency at run time; move it to dependencies ' +
        'or use `import type`.',
      from: { path: '^(src|platforms)/' },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['node_modules/@types/'],
      },
    },
    {
      name: 'no-deprecated-core',
      severity: 'error',
      comment: 'This imports a deprecated node builtin.',
      from: {},
      to: {
        dependencyTypes: ['core'],
        path: ['^(node:)?(punycode|domain|constants|sys|_linklist|_stream_wrap)$'],
      },
    },
  ],

  options: {
    // node_modules is not traversed (doNotFollow) but stays visible as a target, so the npm rules above can
    // see which packages are imported. `exclude` would drop those dependencies altogether.
    doNotFollow: { path: ['(^|/)node_modules/'] },
    exclude: { path: ['^dist/', '^coverage/'] },
    // type-only imports count too: a type from an upper layer is still an upward dependency.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
