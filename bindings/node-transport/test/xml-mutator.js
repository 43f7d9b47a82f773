// A reproducible mutator of valid captured XML messages for the XML fuzz test (the same operations as the Java
// transport's XmlMutator): byte flips, truncation, deleted and repeated slices, a duplicated element, characters
// that matter to XML, a huge attribute, synthetic CPRs planted in texts and attributes, and entity tricks (a DTD
// with external entities to a canary file and a loopback canary server, entity expansion, XInclude, a
// schemaLocation on the canary server). The canaries prove that nothing external is resolved.
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CPRS = ['0101604321', '010160-4321', '3112609999', '311260-9999'];
export const MARKER = 'XXE-CANARY-5e1d';
const CPR_LIKE = /(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])/;

/** What `text` leaks (a CPR-like run, a planted CPR, the canary file's content), or null. */
export function leak(text) {
  if (text == null) return null;
  const t = String(text);
  if (CPR_LIKE.test(t)) return 'a CPR-like number';
  const c = CPRS.find((x) => t.includes(x));
  if (c) return `the planted CPR ${c}`;
  return t.includes(MARKER) ? "the canary file's content" : null;
}

export async function xmlMutator(seed, seeds, dir) {
  // Placeholders for the canaries' URLs, replaced after mutating: the inputs do not depend on the temp
  // directory's name or the port (the same seed gives the same inputs).
  const canaryUrl = '@canary-file@';
  writeFileSync(join(dir, 'canary.txt'), MARKER);
  let connections = 0;
  const server = createServer((s) => { connections++; s.destroy(); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const httpUrl = '@canary-http@';
  const urls = [pathToFileURL(join(dir, 'canary.txt')).href, `http://127.0.0.1:${server.address().port}/x`];
  let x = BigInt(seed) * 0x9E3779B97F4A7C15n | 1n;
  const M = (1n << 64n) - 1n;
  const int = (n) => { // xorshift64
    x ^= (x << 13n) & M; x ^= x >> 7n; x ^= (x << 17n) & M;
    return Number((x >> 11n) % BigInt(n));
  };
  const texts = seeds.map((b) => Buffer.from(b).toString('latin1'));
  const at = (s) => int(s.length + 1);
  const inStartTag = (s) => {
    for (let tries = 0; tries < 8; tries++) {
      const lt = s.indexOf('<', at(s));
      if (lt < 0 || lt + 1 >= s.length || '/?!'.includes(s[lt + 1])) continue;
      let end = lt + 1;
      while (end < s.length && !' \t\n/>'.includes(s[end])) end++;
      return end;
    }
    return -1;
  };
  const rootStart = (s) => (s.startsWith('<?xml') ? Math.max(s.indexOf('?>') + 2, 0) : 0);
  const BITS = ['<', '>', '&', '&amp;', '&#0;', '&#x110000;', ']]>', '<![CDATA[', '"', "'", '=', '</', '/>', '<?pi x?>', '<!-- -->',
    '\u0000', '\u00ff', '\r\n', 'xmlns=""', 'xmlns:sd="urn:x"'];
  const mutate = (s) => {
    const p = at(s);
    switch (int(12)) {
      case 0: { const c = [...s]; for (let k = 1 + int(4); k > 0 && c.length; k--) c[int(c.length)] = String.fromCharCode(int(256)); return c.join(''); }
      case 1: return s.slice(0, p);
      case 2: return s.slice(0, p) + s.slice(Math.min(s.length, p + int(64)));
      case 3: {
        const lt = s.indexOf('<', p);
        if (lt < 0 || lt + 1 >= s.length || '/?!'.includes(s[lt + 1])) return s;
        let ne = lt + 1;
        while (ne < s.length && !' \t\n/>'.includes(s[ne])) ne++;
        const close = `</${s.slice(lt + 1, ne)}>`;
        let end = s.indexOf(close, ne);
        if (end < 0) return s;
        end += close.length;
        return s.slice(0, end) + s.slice(lt, end) + s.slice(end);
      }
      case 4: return s.slice(0, p) + BITS[int(BITS.length)] + s.slice(p);
      case 5: { const t = inStartTag(s); return t < 0 ? s : `${s.slice(0, t)} big="${'A'.repeat(1 + int(200000))}"${s.slice(t)}`; }
      case 6: {
        const cpr = CPRS[int(CPRS.length)];
        const t = inStartTag(s);
        if (int(2) && t >= 0) return `${s.slice(0, t)} x="${cpr}"${s.slice(t)}`;
        // A value (a text that is not only blanks) replaced, so that refusals which quote a value get to quote a CPR.
        const values = [...s.matchAll(/>([^<]*[^<\s][^<]*)</g)].map((m) => [m.index + 1, m.index + 1 + m[1].length]);
        if (!values.length) return s.slice(0, p) + cpr + s.slice(p);
        const [a, b] = values[int(values.length)];
        return s.slice(0, a) + (int(2) ? cpr : `urn:cpr:${cpr}`) + s.slice(b);
      }
      case 7: {
        const r = rootStart(s);
        const dtd = `<!DOCTYPE r [<!ENTITY f SYSTEM "${canaryUrl}"><!ENTITY h SYSTEM "${httpUrl}"><!ENTITY % p SYSTEM "${httpUrl}">%p;]>`;
        const w = s.slice(0, r) + dtd + s.slice(r);
        const gt = w.indexOf('>', r + dtd.length + int(Math.max(1, w.length - r - dtd.length)));
        return gt < 0 ? w : `${w.slice(0, gt + 1)}&f;&h;${w.slice(gt + 1)}`;
      }
      case 8: {
        const r = rootStart(s);
        let d = '<!DOCTYPE r [<!ENTITY a0 "lol">';
        for (let i = 1; i < 10; i++) d += `<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`;
        d += ']>';
        const gt = s.indexOf('>', Math.max(r, p));
        const body = gt < 0 ? s : `${s.slice(0, gt + 1)}&a9;${s.slice(gt + 1)}`;
        return body.slice(0, r) + d + body.slice(r);
      }
      case 9: {
        const t = inStartTag(s);
        const gt = t < 0 ? -1 : s.indexOf('>', t);
        if (gt < 0) return s;
        return `${s.slice(0, t)} xmlns:xi="http://www.w3.org/2001/XInclude" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
          + ` xsi:schemaLocation="urn:oio:besked:kuvert:1.0 ${httpUrl}"${s.slice(t, gt + 1)}<xi:include href="${canaryUrl}" parse="text"/>${s.slice(gt + 1)}`;
      }
      case 10: { const o = texts[int(texts.length)]; const a = at(o); return s.slice(0, p) + o.slice(a, Math.min(o.length, a + int(400))) + s.slice(p); }
      default: { const q = Math.min(s.length, p + int(200)); return s.slice(0, q) + s.slice(p, q).repeat(1 + int(20)) + s.slice(q); }
    }
  };
  return {
    next() {
      let s = texts[int(texts.length)];
      for (let n = 1 + int(4); n > 0; n--) s = mutate(s);
      return Buffer.from(s.replaceAll(canaryUrl, urls[0]).replaceAll(httpUrl, urls[1]), 'latin1');
    },
    connections: () => connections,
    close: () => new Promise((r) => server.close(r)),
  };
}
