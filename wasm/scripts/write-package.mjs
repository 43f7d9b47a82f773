// Writes the published package.json of `eindkomst` into the build output,
// from the development manifest wasm/package.json (same name and version;
// no scripts, no devDependencies) plus the entry points build.sh lays out.
// Usage: node scripts/write-package.mjs <out-dir>
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) throw new Error('usage: write-package.mjs <out-dir>');
const dev = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8'));

const web = { types: './index.d.ts', default: './web/index.js' };
const pkg = {
  name: dev.name,
  version: dev.version,
  description: dev.description,
  license: dev.license,
  keywords: dev.keywords,
  engines: dev.engines,
  type: 'module',
  // Conditions are tried in order: browsers (and bundlers targeting them)
  // take the `web` build; Node takes the `nodejs` build for both `import` and
  // `require`, which share one instance.
  exports: {
    '.': {
      browser: web,
      node: {
        import: { types: './index.d.ts', default: './node/index.mjs' },
        require: { types: './index.d.cts', default: './node/index.cjs' },
      },
      import: web,
      require: { types: './index.d.cts', default: './node/index.cjs' },
      default: web,
    },
    './package.json': './package.json',
  },
  main: './node/index.cjs',
  module: './web/index.js',
  browser: './web/index.js',
  types: './index.d.ts',
  sideEffects: false,
  files: ['api.js', 'api.cjs', 'index.d.ts', 'index.d.cts', 'node/', 'web/', 'README.md'],
};

writeFileSync(join(out, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
