// The package as a user gets it: `npm pack` of the build output installed
// into a scratch project (offline, from the tarball), resolved through the
// `exports` map by require, import and the browser condition, type-checked
// with tsc; plus versions in sync and the generated types up to date.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PKG_DIR, ROOT, SAMPLE_PATH, WASM_DIR, pkg } from './helpers.mjs';

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });

let project = null;
function install() {
  if (project) return project;
  const dir = mkdtempSync(join(tmpdir(), 'eindkomst-consumer-'));
  const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir, PKG_DIR]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, out[0].filename)], { cwd: dir });
  project = { dir, files: out[0].files.map((f) => f.path).sort() };
  return project;
}

test('the tarball holds the package and nothing else', () => {
  const { files } = install();
  assert.deepEqual(files, [
    'README.md',
    'api.cjs',
    'api.js',
    'index.d.cts',
    'index.d.ts',
    'node/eindkomst_wasm.js',
    'node/eindkomst_wasm_bg.wasm',
    'node/index.cjs',
    'node/index.mjs',
    'node/package.json',
    'package.json',
    'web/eindkomst_wasm.js',
    'web/eindkomst_wasm_bg.wasm',
    'web/index.js',
  ]);
});

test('require, import and the browser condition resolve through exports', () => {
  const { dir } = install();
  const cjs = run('node', ['-e', `
    const e = require('eindkomst');
    const r = e.decode(require('fs').readFileSync(${JSON.stringify(SAMPLE_PATH)}));
    console.log(require.resolve('eindkomst'), r.records.length, r.records[9].fields.Beloeb);`], { cwd: dir });
  assert.match(cjs.trim(), /node_modules\/eindkomst\/node\/index\.cjs 27 32500\.00$/);
  const esm = run('node', ['--input-type=module', '-e', `
    import { decode } from 'eindkomst';
    import { createRequire } from 'node:module';
    import { readFileSync } from 'node:fs';
    const cjs = createRequire(import.meta.url)('eindkomst');
    console.log(import.meta.resolve('eindkomst'), decode === cjs.decode,
      decode(readFileSync(${JSON.stringify(SAMPLE_PATH)})).records.length);`], { cwd: dir });
  assert.match(esm.trim(), /node_modules\/eindkomst\/node\/index\.mjs true 27$/);
  // Every function of the API is a named ESM export too (checkField was missing once).
  const names = JSON.parse(run('node', ['--input-type=module', '-e', `
    import * as ns from 'eindkomst';
    const { default: api, ...named } = ns;
    console.log(JSON.stringify([Object.keys(named).sort(), Object.keys(api).filter((k) => !k.startsWith('__')).sort()]));`],
  { cwd: dir }));
  assert.deepEqual(names[0], names[1]);
  assert.ok(names[0].includes('checkField') && names[0].includes('loadFamily'), names[0].join());
  const browser = run('node', ['-C', 'browser', '--input-type=module', '-e',
    "console.log(import.meta.resolve('eindkomst'))"], { cwd: dir });
  assert.match(browser.trim(), /node_modules\/eindkomst\/web\/index\.js$/);
});

const tsc = join(WASM_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
test('index.d.ts type-checks a strict ESM and a CommonJS consumer', { skip: !existsSync(tsc) && 'typescript not installed (npm ci in wasm/)' }, () => {
  const { dir } = install();
  cpSync(join(WASM_DIR, 'test', 'types'), join(dir, 'types'), { recursive: true });
  try {
    run('node', [tsc, '-p', join(dir, 'types', 'tsconfig.json')], { cwd: dir });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
  // ... and the checks bite: a wrong field name is an error.
  writeFileSync(
    join(dir, 'types', 'usage.mts'),
    readFileSync(join(dir, 'types', 'usage.mts'), 'utf8').replace('r.fields.Beloeb;', 'r.fields.Beloep;'),
  );
  assert.throws(() => run('node', [tsc, '-p', join(dir, 'types', 'tsconfig.json')], { cwd: dir }), (e) =>
    /Property 'Beloep' does not exist/.test(e.stdout),
  );
});

test('generated record types are up to date with the layouts', () => {
  try {
    run('node', [join(WASM_DIR, 'scripts', 'gen-types.mjs'), '--check']);
  } catch (e) {
    assert.fail(String(e.stderr));
  }
});

test('versions agree: crate, package.json, built package', () => {
  const cargo = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  const ws = /\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/.exec(cargo)[1];
  const dev = JSON.parse(readFileSync(join(WASM_DIR, 'package.json'), 'utf8'));
  const built = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
  assert.equal(pkg.version, ws);
  assert.equal(dev.version, ws);
  assert.equal(built.version, ws);
  assert.equal(built.name, 'eindkomst');
});
