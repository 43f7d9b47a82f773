// eIndkomst viewer: decodes a file (or a pasted Beskedfordeler Base64 body)
// in the page with the `eindkomst` package and shows records grouped by
// employer (2001 SE-nr) and person (6000 CPR, masked unless asked), amounts
// in Danish kroner, findings with their line, and counts per record type.
// Nothing leaves the page: the only requests are for the page's own files.
// All file content reaches the DOM through textContent, never as HTML.
import { DecoderStream, decodeBase64, formatKroner, layouts, maskCpr } from './eindkomst/web/index.js';

const MAX_ROWS = 5000; // records shown; counts and findings are always complete
const MAX_FINDINGS = 2000;

const $ = (id) => document.getElementById(id);
const state = { result: null, showCpr: false, excerpts: new Map() };

// ---- layouts ------------------------------------------------------------------

const LAYOUT = new Map(); // "6001" + variant -> layout
for (const l of layouts()) LAYOUT.set(l.record + l.variant, l);
const fieldInfo = (rec, name) => rec.layout.fields.find((f) => f.name === name);

// ---- DOM helpers ----------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

const nf = new Intl.NumberFormat('da-DK');
const num = (n) => nf.format(n);

function setStatus(text, bad = false) {
  $('status').textContent = text;
  $('status').classList.toggle('bad', bad);
}

// ---- values -------------------------------------------------------------------------

function showCpr(cpr) {
  if (!cpr) return '';
  return state.showCpr ? `${cpr.slice(0, 6)}-${cpr.slice(6)}` : maskCpr(cpr);
}

/** A field value for display: kroner, Danish numbers, masked CPR. */
function display(rec, name, value) {
  const f = fieldInfo(rec, name);
  if (value === null) return null;
  if (f && f.personal) return showCpr(value);
  if (f && f.format === 'amount') return formatKroner(value);
  if (f && f.format === 'quantity') return formatKroner(value, { unit: '' });
  return value;
}

function kv(rec, skip = []) {
  const out = el('span', { class: 'kv' });
  for (const [name, value] of Object.entries(rec.fields)) {
    if (skip.includes(name) || value === null) continue;
    const f = fieldInfo(rec, name);
    if (f && f.format === 'amount') continue; // in its own column
    out.append(el('span', {}, el('b', {}, name.replace(/_/g, ' ')), display(rec, name, value)));
  }
  return out;
}

function amountCell(rec) {
  const f = rec.layout.fields.find((x) => x.format === 'amount');
  const v = f ? rec.fields[f.name] : null;
  return el('td', { class: `amount${v && v.startsWith('-') ? ' negative' : ''}` }, v ? formatKroner(v) : '');
}

// ---- grouping --------------------------------------------------------------------------

/**
 * Walks records and rejected lines in line order: the 1000/9999 belong to
 * the file, a 2001 opens an employer, a 6000 a person under it; everything
 * else goes to the open person, else the open employer.
 */
function group(records, findings) {
  const rejected = findings.filter((f) => f.kind === 'rejected');
  const items = [];
  let i = 0;
  let j = 0;
  while (i < records.length || j < rejected.length) {
    if (j >= rejected.length || (i < records.length && records[i].line < rejected[j].line)) {
      items.push({ rec: records[i++] });
    } else {
      items.push({ rejected: rejected[j++] });
    }
  }
  const file = { head: [], tail: [] };
  const employers = [];
  let employer = null;
  let person = null;
  const loose = () => {
    if (!employer) {
      employer = { se: null, line: null, items: [], persons: [] };
      employers.push(employer);
    }
    return employer;
  };
  for (const it of items) {
    const type = it.rec ? it.rec.record : String(it.rejected.record ?? '');
    if (type === '1000') file.head.push(it);
    else if (type === '9999') file.tail.push(it);
    else if (type === '2001' && it.rec) {
      employer = { se: it.rec.fields.Virksomhed_SE_nr, line: it.rec.line, rec: it.rec, items: [], persons: [] };
      employers.push(employer);
      person = null;
    } else if (type === '6000' && it.rec) {
      person = { rec: it.rec, items: [] };
      loose().persons.push(person);
    } else if (/^(2101|2111|3101|4101|5000|2001)$/.test(type) || (type === '6000' && it.rejected)) {
      person = null;
      loose().items.push(it);
    } else if (person) person.items.push(it);
    else loose().items.push(it);
  }
  return { file, employers };
}

// ---- rendering -------------------------------------------------------------------------

let shown = 0;

function recRow(it, warnLines) {
  if (it.rejected) {
    const f = it.rejected;
    return el(
      'tr',
      { class: 'rejected', 'data-line': f.line, 'data-record': f.record ?? '' },
      el('td', { class: 'line' }, f.line),
      el('td', { class: 'type' }, f.record ?? '?', ' afvist'),
      el('td', {}, `${f.fieldName ? `felt ${f.fieldNo} ${f.fieldName}: ` : ''}${f.description}`),
      el('td', { class: 'amount' }),
    );
  }
  const r = it.rec;
  shown++;
  return el(
    'tr',
    { class: warnLines.has(r.line) ? 'has-warning' : '', 'data-line': r.line, 'data-record': r.record },
    el('td', { class: 'line' }, r.line),
    el('td', { class: 'type', title: r.layout.name }, r.record, ' ', el('span', { class: 'muted' }, r.layout.name)),
    el('td', {}, kv(r)),
    amountCell(r),
  );
}

function recTable(items, warnLines) {
  const body = el('tbody');
  for (const it of items) {
    if (shown >= MAX_ROWS) break;
    body.append(recRow(it, warnLines));
  }
  return el('table', { class: 'recs' }, body);
}

function renderGroups(result) {
  const { records, findings } = result;
  const warnLines = new Set(findings.filter((f) => f.kind === 'warning').map((f) => f.line));
  const { file, employers } = group(records, findings);
  const root = $('groups');
  root.replaceChildren();
  shown = 0;
  if (file.head.length) root.append(el('h3', {}, 'Fil'), recTable(file.head, warnLines));
  for (const emp of employers) {
    if (shown >= MAX_ROWS) break;
    const sec = el('section', { class: 'employer', 'data-se': emp.se ?? '' });
    sec.append(
      el(
        'h3',
        {},
        emp.se ? `Virksomhed SE-nr ${emp.se}` : 'Uden virksomhedsrecord',
        emp.line ? el('span', { class: 'muted' }, ` · linje ${emp.line}`) : null,
        el('span', { class: 'muted' }, ` · ${num(emp.persons.length)} personer`),
      ),
    );
    if (emp.rec) shown++;
    if (emp.items.length) sec.append(recTable(emp.items, warnLines));
    for (const p of emp.persons) {
      if (shown >= MAX_ROWS) break;
      const r = p.rec;
      const cpr = r.fields.Person_CPR_nr ?? r.fields.CPR ?? null;
      const se = r.fields.Person_CVR_SE_nr ?? r.fields.CVR_SE ?? null;
      const who = cpr ? el('span', { class: 'cpr' }, `CPR ${showCpr(cpr)}`) : `SE-nr ${se ?? '—'}`;
      const nr = r.fields.Person_medarbejder_nr ?? r.fields.MedarbejderNr ?? null;
      const box = el('div', { class: 'person', 'data-line': r.line });
      box.append(
        el('h4', {}, who, nr ? el('span', { class: 'muted' }, ` · medarbejder ${nr}`) : null,
          el('span', { class: 'muted' }, ` · linje ${r.line}`)),
        recTable([{ rec: r }, ...p.items], warnLines),
      );
      sec.append(box);
    }
    root.append(sec);
  }
  if (file.tail.length && shown < MAX_ROWS) root.append(el('h3', {}, 'Slut'), recTable(file.tail, warnLines));
  const t = $('truncated');
  t.hidden = records.length <= MAX_ROWS;
  t.textContent = `Viser de første ${num(MAX_ROWS)} af ${num(records.length)} records (optællingerne omfatter alle).`;
}

function renderSummary(result) {
  const c = result.counts;
  const totals = [
    ['Kilde', result.source],
    ['Bytes', num(c.bytes)],
    ['Linjer', num(c.lines)],
    ['Afkodet', num(c.decoded)],
    ['Afvist', num(c.rejected)],
    ['Fejl', num(c.errors)],
    ['Advarsler', num(c.warnings)],
    ['Personer', num(result.records.filter((r) => r.record === '6000').length)],
  ];
  $('totals').replaceChildren(
    ...totals.map(([k, v]) => el('div', { 'data-key': k }, el('dt', {}, k), el('dd', {}, v))),
  );
  const rows = Object.entries(c.byType).map(([rec, t]) =>
    el(
      'tr',
      { 'data-record': rec, class: t.decoded + t.rejected === 0 ? 'zero' : '' },
      el('td', {}, rec),
      el('td', {}, (LAYOUT.get(rec) || { name: '' }).name),
      el('td', { class: 'num decoded' }, num(t.decoded)),
      el('td', { class: 'num rejected' }, num(t.rejected)),
    ),
  );
  if (c.rejectedUntyped) {
    rows.push(el('tr', { 'data-record': '?' }, el('td', {}, '?'), el('td', {}, 'Ukendt type'),
      el('td', { class: 'num decoded' }, '0'), el('td', { class: 'num rejected' }, num(c.rejectedUntyped))));
  }
  $('counts').tBodies[0].replaceChildren(...rows);
  $('summary').hidden = false;
}

const KIND = { rejected: 'Afvist', error: 'Fejl', warning: 'Advarsel' };

function excerptCell(f) {
  const td = el('td');
  const ex = state.excerpts.get(f);
  if (ex) {
    const code = el('code', { class: 'excerpt' });
    code.append(ex.before, el('mark', {}, ex.at || ' '), ex.after);
    td.append(code);
  }
  return td;
}

function renderFindings(result) {
  const fs = result.findings;
  $('problem-count').textContent = `(${num(fs.length)})`;
  const rows = fs.slice(0, MAX_FINDINGS).map((f) =>
    el(
      'tr',
      { class: f.kind, 'data-line': f.line, 'data-code': f.code },
      el('td', { class: 'line' }, f.line > 0 ? `Linje ${f.line}` : '—'),
      el('td', {}, f.lbNr ?? ''),
      el('td', {}, f.record === null ? '' : String(f.record).padStart(4, '0')),
      el('td', {}, f.fieldNo === null ? '' : `${f.fieldNo} ${f.fieldName}`),
      el('td', { class: 'num' }, num(f.offset)),
      el('td', { class: 'kind' }, KIND[f.kind] || f.kind),
      el('td', { title: f.message }, f.description, detailText(f)),
      excerptCell(f),
    ),
  );
  $('findings').tBodies[0].replaceChildren(...rows);
  $('problems').hidden = fs.length === 0;
}

function detailText(f) {
  const d = f.details || {};
  if ('expected' in d && 'found' in d) return ` (forventet ${d.expected}, fundet ${d.found})`;
  if ('counted' in d) return ` (talt ${d.counted}, angivet ${d.stated})`;
  if ('byte' in d) return ` (byte 0x${d.byte.toString(16).toUpperCase().padStart(2, '0')})`;
  if ('needs' in d) return ` (kræver ${String(d.needs).padStart(4, '0')})`;
  return '';
}

function render() {
  const r = state.result;
  if (!r) return;
  renderSummary(r);
  renderFindings(r);
  renderGroups(r);
  $('records').hidden = false;
}

// ---- excerpts of damaged lines ---------------------------------------------------------

/**
 * The line around a finding's offset, read from the input, with the byte at
 * the offset marked and CPR digits masked (the line's layout, if its type is
 * known, says where the CPR is).
 */
async function excerpts(blob, findings) {
  state.excerpts = new Map();
  if (!blob) return;
  for (const f of findings.slice(0, 200)) {
    if (!(f.line > 0) || f.lbNr === null || f.offset === null) continue;
    const from = Math.max(0, f.offset - 520);
    const bytes = new Uint8Array(await blob.slice(from, f.offset + 520).arrayBuffer());
    const at = f.offset - from;
    let start = at;
    while (start > 0 && bytes[start - 1] !== 10) start--;
    let end = at;
    while (end < bytes.length && bytes[end] !== 10 && bytes[end] !== 13) end++;
    let text = '';
    for (let i = start; i < end; i++) text += bytes[i] >= 0x20 && bytes[i] !== 0x7f ? String.fromCharCode(bytes[i]) : '\u00b7';
    if (!state.showCpr) text = maskLine(text, f.record);
    const k = at - start;
    state.excerpts.set(f, { before: text.slice(0, k), at: text.slice(k, k + 1), after: text.slice(k + 1) });
  }
}

function maskLine(text, record) {
  const l = record === null ? null : LAYOUT.get(String(record).padStart(4, '0'));
  if (!l) return text.replace(/\d{10}/g, (m) => `${m.slice(0, 6)}****`);
  let out = text;
  for (const f of l.fields.filter((x) => x.personal)) {
    const s = f.start + 6;
    const e = f.start + f.len;
    if (out.length > s) out = out.slice(0, s) + '*'.repeat(Math.max(0, Math.min(e, out.length) - s)) + out.slice(e);
  }
  return out;
}

// ---- input -------------------------------------------------------------------------------

async function decodeBlob(blob, source) {
  setStatus(`Afkoder ${source} …`);
  const started = performance.now();
  const stream = new DecoderStream();
  const records = [];
  const findings = [];
  try {
    const reader = blob.stream().pipeThrough(stream).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const r of value.records) records.push(r);
      for (const f of value.findings) findings.push(f);
    }
  } catch (e) {
    setStatus(`Kunne ikke afkode ${source}: ${e.message}`, true);
    return;
  }
  await finish({ records, findings, counts: stream.decoder.counts, source }, blob, started);
}

async function finish(result, blob, started) {
  state.result = result;
  state.blob = blob;
  await excerpts(blob, result.findings);
  render();
  const ms = Math.round(performance.now() - started);
  const c = result.counts;
  setStatus(
    `${result.source}: ${num(c.decoded)} records afkodet, ${num(c.rejected)} afvist, ` +
      `${num(c.errors)} fejl, ${num(c.warnings)} advarsler (${num(ms)} ms).`,
    c.rejected + c.errors > 0,
  );
}

async function decodePasted() {
  const text = $('base64').value;
  if (!text.trim()) return;
  const started = performance.now();
  let result;
  try {
    result = { ...decodeBase64(text), source: 'indsat Base64' };
  } catch (e) {
    setStatus(`Kunne ikke afkode: ${e.message}`, true);
    return;
  }
  // For line excerpts: the decoded bytes, when the Base64 is clean.
  let blob = null;
  try {
    blob = new Blob([Uint8Array.from(atob(text.replace(/\s+/g, '')), (c) => c.charCodeAt(0))]);
  } catch {
    blob = null;
  }
  await finish(result, blob, started);
}

$('file').addEventListener('change', () => {
  const f = $('file').files[0];
  if (f) decodeBlob(f, f.name);
});
$('decode-base64').addEventListener('click', decodePasted);
$('show-cpr').addEventListener('change', async () => {
  state.showCpr = $('show-cpr').checked;
  if (state.result) await excerpts(state.blob, state.result.findings);
  render();
});
$('findings').addEventListener('click', (ev) => {
  const tr = ev.target.closest('tr[data-line]');
  if (!tr) return;
  const target = document.querySelector(`#groups tr[data-line="${tr.dataset.line}"]`);
  if (target) {
    target.scrollIntoView({ block: 'center' });
    target.classList.add('flash');
    setTimeout(() => target.classList.remove('flash'), 1500);
  }
});

const drop = $('drop');
for (const t of ['dragenter', 'dragover']) {
  document.addEventListener(t, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
}
document.addEventListener('dragleave', () => drop.classList.remove('over'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer && e.dataTransfer.files[0];
  if (f) decodeBlob(f, f.name);
});

document.body.dataset.ready = 'true';
