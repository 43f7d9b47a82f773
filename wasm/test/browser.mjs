// Real-browser test of the viewer: serves wasm/build/site on 127.0.0.1,
// drives Debian's Chromium with playwright-core (fresh profile), loads
// testdata/sample.txt through the file input and checks what the page shows,
// then a damaged file and a pasted Base64 body. Every request must go to the
// local server (GET only); screenshots go to wasm/build/screenshots/.
// Run: node test/browser.mjs (after build.sh and npm ci). Exit 0 = pass.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { SAMPLE, SAMPLE_PATH, WASM_DIR } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const site = join(WASM_DIR, 'build', 'site');
const shots = join(WASM_DIR, 'build', 'screenshots');
mkdirSync(shots, { recursive: true });

const server = await serve(site);
const origin = server.url.replace(/\/$/, '');
const profile = mkdtempSync(join(tmpdir(), 'eindkomst-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  args: ARGS,
  headless: true,
  viewport: { width: 1280, height: 900 },
  locale: 'da-DK',
});

const requests = [];
const offsite = [];
const problems = [];
await context.route('**/*', (route) => {
  const req = route.request();
  requests.push(`${req.method()} ${req.url()}`);
  if (req.url().startsWith(`${origin}/`) && req.method() === 'GET') return route.continue();
  offsite.push(`${req.method()} ${req.url()}`);
  return route.abort();
});

let failed = false;
const step = async (name, fn) => {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failed = true;
    console.log(`not ok - ${name}\n${String(e.stack || e).replace(/^/gm, '  ')}`);
  }
};

const page = context.pages()[0] || (await context.newPage());
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

const text = (sel) => page.locator(sel).first().innerText();
const status = () => text('#status');

try {
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });

  await step('sample.txt through the file input: records, amounts, masked CPR, counts', async () => {
    await page.setInputFiles('#file', SAMPLE_PATH);
    await page.waitForFunction(() => /27 records afkodet/.test(document.getElementById('status').textContent));
    assert.match(await status(), /^sample\.txt: 27 records afkodet, 0 afvist, 0 fejl, 0 advarsler/);
    // amounts in kroner, Danish style
    assert.equal(await text('#groups tr[data-line="10"] td.amount'), '32.500,00 kr.');
    assert.equal(await text('#groups tr[data-line="13"] td.amount'), '-1.250,50 kr.');
    assert.equal(await text('#groups tr[data-line="18"] td.amount'), '4.500,00 kr.');
    assert.match(await text('#groups tr[data-line="17"]'), /Antal\s*160,50/);
    // grouped: one employer, three persons (two by CPR, one by SE-nr)
    assert.equal(await page.locator('section.employer').count(), 1);
    assert.match(await text('section.employer h3'), /Virksomhed SE-nr 12345678 · linje 2 · 3 personer/);
    const persons = await page.locator('.person h4').allInnerTexts();
    assert.deepEqual(persons.map((p) => p.split(' · ')[0]), ['CPR 610190-****', 'CPR 720488-****', 'SE-nr 87654321']);
    assert.equal(await page.locator('.person[data-line="9"] tr[data-line]').count(), 12); // 6000 + 11 records
    // no full CPR anywhere in the page while masked
    const html = await page.content();
    for (const cpr of ['6101901234', '7204881234', '6512851234', '610190-1234']) assert.ok(!html.includes(cpr), cpr);
    assert.match(await text('#groups tr[data-line="16"]'), /Overarbejde januar, afdeling Ærø/);
    assert.match(await text('#groups tr[data-line="22"]'), /Müller, Anna/);
    // counts per record type
    assert.equal(await text('#counts tr[data-record="6001"] td.decoded'), '7');
    assert.equal(await text('#counts tr[data-record="6000"] td.decoded'), '3');
    assert.equal(await text('#counts tr[data-record="2111"] td.decoded'), '2');
    assert.equal(await text('#counts tr[data-record="6001"] td.rejected'), '0');
    assert.equal(await text('#totals [data-key="Afkodet"] dd'), '27');
    assert.equal(await page.locator('#problems').isHidden(), true);
    await page.screenshot({ path: join(shots, 'viewer-sample.png'), fullPage: true });
  });

  await step('the CPR toggle shows and hides full CPR numbers', async () => {
    await page.check('#show-cpr');
    assert.match(await text('.person[data-line="9"] h4'), /^CPR 610190-1234/);
    assert.match(await text('#groups tr[data-line="3"]'), /610190-1234/); // 2101
    await page.uncheck('#show-cpr');
    assert.match(await text('.person[data-line="9"] h4'), /^CPR 610190-\*\*\*\*/);
    assert.ok(!(await page.content()).includes('6101901234'));
  });

  await step('a damaged file: error rows with line, field, offset and the marked byte', async () => {
    const lines = new TextDecoder('latin1').decode(SAMPLE).split('\n');
    lines[9] = lines[9].slice(0, 20) + 'X' + lines[9].slice(21); // line 10: letter in Beloeb
    lines[19] = lines[19].slice(0, 30); // line 20: 6111 cut to 30 bytes
    const dir = mkdtempSync(join(tmpdir(), 'eindkomst-damaged-'));
    const file = join(dir, 'damaged.txt');
    writeFileSync(file, Buffer.from(lines.join('\n'), 'latin1'));
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => /damaged\.txt: 25 records afkodet/.test(document.getElementById('status').textContent));
    assert.match(await status(), /25 records afkodet, 2 afvist, 0 fejl, 0 advarsler/);
    assert.equal(await page.locator('#problems').isVisible(), true);
    const row = '#findings tr[data-line="10"]';
    const cells = await page.locator(`${row} td`).allInnerTexts();
    assert.deepEqual(cells.slice(0, 7), ['Linje 10', '10', '6001', '4 Beloeb', '731', 'Afvist', 'non-digit in numeric field']);
    assert.equal(await text(`${row} code.excerpt mark`), 'X');
    assert.equal(await text(`${row} code.excerpt`), '00000106001001300000X2500000000+');
    assert.match(await text('#findings tr[data-line="20"]'), /wrong_length|line length differs/);
    assert.match(await text('#findings tr[data-line="20"]'), /\(forventet 43, fundet 30\)/);
    // the rejected lines stand in the grouped view, in red, where they belong
    assert.equal(await page.locator('.person[data-line="9"] tr.rejected[data-line="10"]').count(), 1);
    assert.equal(await text('#counts tr[data-record="6001"] td.rejected'), '1');
    assert.equal(await text('#counts tr[data-record="6111"] td.rejected'), '1');
    assert.equal(await text('#totals [data-key="Afvist"] dd'), '2');
    await page.screenshot({ path: join(shots, 'viewer-damaged.png'), fullPage: true });
    rmSync(dir, { recursive: true, force: true });
  });

  await step('a pasted Beskedfordeler Base64 body', async () => {
    await page.click('#paste summary');
    const b64 = Buffer.from(readFileSync(SAMPLE_PATH)).toString('base64').replace(/.{76}/g, '$&\n');
    await page.fill('#base64', b64);
    await page.click('#decode-base64');
    await page.waitForFunction(() => /indsat Base64: 27 records afkodet/.test(document.getElementById('status').textContent));
    assert.equal(await text('#groups tr[data-line="10"] td.amount'), '32.500,00 kr.');
    assert.equal(await page.locator('#problems').isHidden(), true);
  });

  await step('nothing left the machine: GET requests to the local server only, no console errors', async () => {
    assert.deepEqual(offsite, []);
    const paths = [...new Set(requests.map((r) => r.replace(`${origin}`, '')))].sort();
    assert.deepEqual(paths, [
      'GET /',
      'GET /eindkomst/api.js',
      'GET /eindkomst/web/eindkomst_wasm.js',
      'GET /eindkomst/web/eindkomst_wasm_bg.wasm',
      'GET /eindkomst/web/index.js',
      'GET /style.css',
      'GET /viewer.js',
    ]);
    assert.deepEqual(problems, []);
  });
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}

console.log(`screenshots: ${shots}`);
if (failed) {
  console.log('browser test: FAILED');
  process.exit(1);
}
console.log('browser test: passed');
