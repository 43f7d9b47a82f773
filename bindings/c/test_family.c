/*
 * A family loaded from JSON through the C API: the made-up demo family of
 * docs/layouts.md (key at position 1, no line numbers, an optional tail, a
 * grammar of its own) and its apostrophe-separated twin both decode to the
 * committed --raw golden file, every field sliced by the family's own
 * tables. Unknown keys pass raw. Run by 30-ffi-c.sh under valgrind and
 * ASan/UBSan; a loaded family lives for the process by design, so valgrind
 * may report it as still reachable (never as lost).
 *
 *   ./test_family testdata/families
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"
#include "tap.h"

static char path[512];
static const char *at(const char *dir, const char *name) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static const eik_family *load(const char *dir, const char *name) {
    size_t n;
    uint8_t *json = read_file(at(dir, name), &n);
    const eik_family *f = NULL;
    char msg[200];
    eik_status st = eik_family_load(json, n, &f, (uint8_t *)msg, sizeof msg);
    free(json);
    if (st != EIK_STATUS_OK) printf("# %s: %s\n", name, msg);
    return f;
}

/* Appends the --raw JSON of one record (UTF-8, trailing blanks trimmed). */
static void raw_json(const eik_family *fam, const eik_event *e, char *out, size_t cap) {
    eik_layout l;
    size_t o = strlen(out);
    if (eik_family_layout(fam, e->layout, &l) != EIK_STATUS_OK) return;
    o += (size_t)snprintf(out + o, cap - o, "{\"line\":%llu,\"record\":\"%.*s\",\"fields\":{", (unsigned long long)e->line,
                          (int)l.key.len, (const char *)l.key.ptr);
    for (uint32_t i = 0; i < l.n_fields && o + 64 < cap; i++) {
        eik_field f;
        eik_family_field(fam, l.index, i, &f);
        size_t len = f.len;
        while (len > 0 && e->bytes[f.start + len - 1] == ' ') len--;
        o += (size_t)snprintf(out + o, cap - o, "%s\"%u\":\"", i ? "," : "", (unsigned)f.no);
        for (size_t j = 0; j < len && o + 8 < cap; j++) {
            uint8_t c = e->bytes[f.start + j];
            if (c == '"' || c == '\\') out[o++] = '\\';
            if (c < 0x80) {
                out[o++] = (char)c;
            } else {
                out[o++] = (char)(0xC0 | c >> 6);
                out[o++] = (char)(0x80 | (c & 0x3F));
            }
        }
        out[o++] = '"';
        out[o] = 0;
    }
    snprintf(out + o, cap - o, "}}\n");
}

/* Decodes `text` with `fam` in 11-byte chunks into --raw NDJSON. */
static size_t decode(const eik_family *fam, int unknown_raw, const uint8_t *text, size_t len, char *out, size_t cap,
                     size_t *raw_lines) {
    eik_options o;
    eik_options_default(&o);
    o.family = fam;
    o.unknown = unknown_raw ? EIK_UNKNOWN_RAW : EIK_UNKNOWN_REJECT;
    eik_decoder *dec = NULL;
    out[0] = 0;
    *raw_lines = 0;
    if (eik_decoder_new(&o, &dec, NULL, 0) != EIK_STATUS_OK) return 0;
    eik_event ev[EIK_MIN_EVENTS];
    eik_batch b;
    size_t records = 0;
    for (size_t pos = 0; pos <= len; pos += 11) {
        int last = pos >= len;
        size_t clen = last ? 0 : (len - pos < 11 ? len - pos : 11), off = 0;
        uint8_t *piece = xmalloc(clen);
        memcpy(piece, text + pos, clen);
        do {
            eik_status st = last ? eik_finish(dec, ev, EIK_MIN_EVENTS, &b) : eik_decode(dec, piece + off, clen - off, ev, EIK_MIN_EVENTS, &b);
            if (st != EIK_STATUS_OK) break;
            for (size_t i = 0; i < b.n_events; i++) {
                if (ev[i].event_type == EIK_EVENT_TYPE_RECORD) {
                    raw_json(fam, &ev[i], out, cap);
                    records++;
                } else if (ev[i].event_type == EIK_EVENT_TYPE_RAW && ev[i].key_len == 3 &&
                           memcmp(ev[i].bytes + ev[i].key_start, "150", 3) == 0) {
                    (*raw_lines)++;
                }
            }
            off += b.consumed;
        } while (last ? !b.done : off < clen);
        free(piece);
    }
    eik_decoder_free(dec);
    return records;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "testdata/families";
    size_t glen, n, raw;
    uint8_t *golden = read_file(at(dir, "demo.raw.ndjson"), &glen);
    char *golden_s = xmalloc(glen + 1);
    memcpy(golden_s, golden, glen);
    golden_s[glen] = 0;
    static char out[8192];

    const eik_family *demo = load(dir, "demo.json");
    CHECK(demo != NULL, "demo.json loads");
    CHECK(demo == load(dir, "demo.json"), "loading it again gives the same family");
    eik_family_info fi;
    eik_family_describe(demo, &fi);
    CHECK(fi.n_records == 6 && fi.has_line_numbers == 0 && fi.separator == 0, "demo: 6 record types, no line numbers");
    uint8_t *text = read_file(at(dir, "demo.txt"), &n);
    CHECK_EQ(decode(demo, 0, text, n, out, sizeof out, &raw), 10, "demo.txt: 10 records");
    CHECK_STR(out, golden_s, "demo.txt equals demo.raw.ndjson");

    /* An unknown key 150 inserted after line 3 passes raw. */
    uint8_t *more = xmalloc(n + 10);
    size_t cut = 0;
    for (int nl = 0; nl < 3; cut++)
        if (text[cut] == '\n') nl++;
    memcpy(more, text, cut);
    memcpy(more + cut, "150ABCDEF\n", 10);
    memcpy(more + cut + 10, text + cut, n - cut);
    CHECK_EQ(decode(demo, 1, more, n + 10, out, sizeof out, &raw), 10, "with an unknown line: still 10 records");
    CHECK_EQ(raw, 1, "... and the 150 line passed raw with its key");
    free(more);
    free(text);

    const eik_family *sep = load(dir, "demo-separated.json");
    eik_family_describe(sep, &fi);
    CHECK(sep != NULL && fi.separator == '\'', "demo-separated.json loads, separator '");
    text = read_file(at(dir, "demo-separated.txt"), &n);
    decode(sep, 0, text, n, out, sizeof out, &raw);
    CHECK_STR(out, golden_s, "demo-separated.txt equals the same golden file");
    free(text);

    const eik_family *bad = NULL;
    char msg[100];
    const char *json = "{\"family\": {\"name\": \"x\", \"key\": {\"start\": 1, \"len\": 3}}, \"records\": {}}";
    CHECK_EQ(eik_family_load((const uint8_t *)json, strlen(json), &bad, (uint8_t *)msg, sizeof msg), EIK_STATUS_INVALID_FAMILY,
             "a family without records is refused");
    CHECK_STR(msg, "no \"records\"", "... saying why");

    free(golden);
    free(golden_s);
    return tap_done();
}
