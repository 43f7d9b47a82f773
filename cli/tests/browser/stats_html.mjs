// `eindkomst stats --html` in a real headless Chromium (Debian's, driven by
// playwright-core from wasm/node_modules, as the viewer's test does): the
// page is opened from disk as a user would open a saved or mailed file; the
// figures are read from what the page shows and compared with exact values
// and with `stats --json` of the same input; the only request is the file
// itself, and the browser reports no error. Screenshots: target/stats-html/.
// Run: node cli/tests/browser/stats_html.mjs [path/to/eindkomst]. Exit 0 = pass.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { chromium } = createRequire(join(ROOT, 'wasm', 'package.json'))('playwright-core');
const EXE = process.argv[2] || join(ROOT, 'target', 'release', 'eindkomst');
const SAMPLE = join(ROOT, 'testdata', 'sample.txt');
const shots = join(ROOT, 'target', 'stats-html');
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'eindkomst-stats-html-'));

/** Runs `eindkomst stats` with `args`; returns the exit status. */
const stats = (...args) => spawnSync(EXE, ['stats', ...args], { encoding: 'utf8' });
const json = (file) => JSON.parse(stats('--json', file).stdout);

// The sample, and the sample damaged as the CLI tests do: a letter in line
// 10's Beloeb, Feltnummer 0999 on line 11, line 20 cut to 30 bytes.
const lines = readFileSync(SAMPLE, 'latin1').split('\n');
lines[9] = lines[9].slice(0, 20) + 'X' + lines[9].slice(21);
lines[10] = lines[10].slice(0, 11) + '0999' + lines[10].slice(15);
lines[19] = lines[19].slice(0, 30);
const damaged = join(work, 'damaged.txt');
writeFileSync(damaged, Buffer.from(lines.join('\n'), 'latin1'));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const profile = mkdtempSync(join(tmpdir(), 'eindkomst-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true,
  viewport: { width: 900, height: 900 },
});

let passed = 0;
let failed = 0;
const step = async (name, fn) => {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}\n${String(e.stack || e).replace(/^/gm, '  ')}`);
  }
};

/** Opens the page `eindkomst stats --html` writes for `input`; returns page helpers. */
async function open(input, name) {
  const html = join(work, `${name}.html`);
  const run = stats('--html', html, input);
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => problems.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const url = pathToFileURL(html).href;
  await page.goto(url);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const text = (sel) => page.locator(sel).first().textContent();
  const value = (section, key) => text(`#${section} g.bar[data-key="${key}"] text.value`);
  const width = async (section, key, cls) =>
    Number(await page.locator(`#${section} g.bar[data-key="${key}"] rect.${cls}`).first().getAttribute('width'));
  return { page, run, url, requests, problems, text, value, width };
}

try {
  await step('the sample: totals, records per type, amounts per Feltnummer, no findings', async () => {
    const p = await open(SAMPLE, 'sample');
    assert.equal(p.run.status, 0);
    assert.equal(await p.page.title(), 'eindkomst stats: sample.txt');
    assert.equal(await p.text('#verdict'), 'clean: every line decoded, no stream error');
    const totals = await p.page.locator('#totals div').evaluateAll((ds) =>
      ds.map((d) => `${d.dataset.key}=${d.querySelector('dd').textContent}`));
    assert.deepEqual(totals, ['lines=27', 'decoded=27', 'rejected=0', 'errors=0', 'warnings=0', 'persons=2', 'se_numbers=1']);
    // One bar per record type seen, in layout order, with its count.
    const keys = await p.page.locator('#records g.bar').evaluateAll((gs) => gs.map((g) => g.dataset.key));
    assert.deepEqual(keys, ['1000', '2001', '2101', '2111', '3101', '4101', '5000', '6000', '6001', '6002', '6003',
      '6004', '6005', '6102', '6111', '6202', '8001', '9999']);
    assert.equal(await p.value('records', '6001'), '7');
    assert.equal(await p.value('records', '6000'), '3');
    assert.equal(await p.value('records', '2111'), '2');
    assert.equal(await p.width('records', '6001', 'decoded'), 320); // the longest bar
    assert.equal(await p.width('records', '6000', 'decoded'), 137.1); // 3/7 of it
    // Amounts: exact kroner, the same as stats --json.
    const expected = json(SAMPLE).amounts;
    const amounts = await p.page.locator('#amounts g.bar').evaluateAll((gs) =>
      Object.fromEntries(gs.map((g) => [g.dataset.key, g.querySelector('text.value').textContent])));
    assert.deepEqual(amounts, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, `${v} kr`])));
    assert.equal(amounts['6001/0013'], '49249.50 kr');
    assert.equal(await p.text('#amounts g.bar[data-key="6001/0013"] text.label'), '6001 Feltnummer 0013');
    assert.equal(await p.text('#findings p.none'), 'none');
    // The bars are drawn: the chart has the size the page gives it.
    const box = await p.page.locator('#records svg').boundingBox();
    assert.ok(box.width >= 600 && box.height === 18 * 22, JSON.stringify(box));
    assert.deepEqual(p.requests, [p.url]);
    assert.deepEqual(p.problems, []);
    assert.ok(!(await p.page.content()).includes('6101901234'));
  });

  await step('a damaged file: rejected lines in red, findings per kind, sums of what was decoded', async () => {
    const p = await open(damaged, 'damaged');
    assert.equal(p.run.status, 1);
    assert.equal(await p.text('#verdict'), 'NOT clean');
    assert.equal(await p.text('#totals [data-key="rejected"] dd'), '2');
    assert.equal(await p.text('#totals [data-key="warnings"] dd'), '1');
    assert.equal(await p.value('records', '6001'), '6 + 1 rejected');
    assert.equal(await p.value('records', '6111'), '0 + 1 rejected');
    assert.equal(await p.width('records', '6001', 'rejected'), 45.7); // 1/7 of 320 px
    const fill = await p.page.locator('#records g.bar[data-key="6001"] rect.rejected').evaluate((r) => getComputedStyle(r).fill);
    assert.equal(fill, 'rgb(198, 40, 40)');
    const findings = await p.page.locator('#findings g.bar').evaluateAll((gs) =>
      gs.map((g) => `${g.querySelector('text.label').textContent}=${g.querySelector('text.value').textContent}`));
    assert.deepEqual(findings, ['not_digit (rejected)=1', 'wrong_length (rejected)=1', 'unknown_code (warning)=1']);
    const want = json(damaged);
    assert.deepEqual(want.findings, { rejected: { not_digit: 1, wrong_length: 1 }, warning: { unknown_code: 1 } });
    assert.equal(await p.value('amounts', '6001/0013'), `${want.amounts['6001/0013']} kr`);
    assert.equal(await p.value('amounts', '6001/0999'), '9100.00 kr');
    assert.deepEqual(p.requests, [p.url]);
    assert.deepEqual(p.problems, []);
  });

  await step('a negative sum is drawn as such', async () => {
    // Only line 13 (-1250.50) stays felt 0013: lines 10 and 23 become felt 0014.
    const neg = readFileSync(SAMPLE, 'latin1').split('\n');
    neg[9] = neg[9].slice(0, 11) + '0014' + neg[9].slice(15);
    neg[22] = neg[22].slice(0, 11) + '0014' + neg[22].slice(15);
    const file = join(work, 'negative.txt');
    writeFileSync(file, Buffer.from(neg.join('\n'), 'latin1'));
    const p = await open(file, 'negative');
    assert.equal(await p.value('amounts', '6001/0013'), '-1250.50 kr');
    assert.equal(await p.page.locator('#amounts g.bar[data-key="6001/0013"] rect.negative').count(), 1);
    assert.deepEqual(p.problems, []);
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}

console.log(`screenshots: ${shots}`);
console.log(`stats-html: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
