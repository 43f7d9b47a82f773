// Opens a consumer project's index.html (packaging/npm/consumer, installed
// with the npm pack tarball) in headless Chromium, served from that project
// on 127.0.0.1, and prints the line the page shows. Fails on a request that
// is not a GET to the local server, on a console error, or on no result.
// Usage: node packaging/npm/browser.mjs PROJECT_DIR
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = createRequire(join(root, 'wasm', 'package.json'))('playwright-core');
const { serve } = await import(join(root, 'wasm', 'test', 'serve.mjs'));

const server = await serve(resolve(process.argv[2]));
const origin = server.url.replace(/\/$/, '');
const profile = mkdtempSync(join(tmpdir(), 'eindkomst-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
  headless: true,
});
const problems = [];
const requests = [];
await context.route('**/*', (route) => {
  const req = route.request();
  const local = req.url().startsWith(`${origin}/`) && req.method() === 'GET';
  requests.push(req.url().replace(origin, ''));
  if (!local) problems.push(`request ${req.method()} ${req.url()}`);
  return local ? route.continue() : route.abort();
});
let code = 0;
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('result').textContent !== '', null, { timeout: 15000 });
  console.log(await page.locator('#result').textContent());
  console.log(`requests: ${requests.sort().join(' ')}`);
} catch (e) {
  problems.push(String(e));
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
if (problems.length) {
  console.error(problems.join('\n'));
  code = 1;
}
process.exit(code);
