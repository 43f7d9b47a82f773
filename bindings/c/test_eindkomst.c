/*
 * Tests of the C API (version 0.2) in C, run by scripts/test.d/30-ffi-c.sh
 * under valgrind and under ASan/UBSan: the event array in input order, chunk
 * sizes and array sizes, Base64, findings with their messages, strict mode,
 * options (encoding, person layout), layout tables, kinds, single values,
 * statuses, the panic boundary. Every chunk comes from its own malloc'd copy
 * freed right after the call, so a stale view is a memory error.
 * Output: TAP, then "N passed, N failed"; exit status 0 only when all passed.
 *
 *   ./test_eindkomst testdata/sample.txt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"
#include "tap.h"

/* Not in the header: makes the library panic inside its boundary. */
eik_status eik_test_force_panic(eik_decoder *dec);

#define MAX_EVENTS 4096

/* One event, copied. */
typedef struct {
    uint8_t type;
    uint8_t flags;
    uint16_t record_type, layout, kind;
    uint64_t line, offset, expected, found;
    uint32_t lb_nr, len;
    uint8_t field_no;
    uint8_t scratch; /* EIK_EVENT_IN_SCRATCH: depends on the chunking, so kept apart */
    char text[160]; /* the line (first bytes) or the finding's message */
} ev;

typedef struct {
    ev *evs;
    size_t n;
    eik_counts counts;
    eik_status status;
    int stopped;
} run_result;

static void copy_events(run_result *r, const eik_event *e, size_t n) {
    for (size_t i = 0; i < n && r->n < MAX_EVENTS; i++) {
        ev *o = &r->evs[r->n++];
        memset(o, 0, sizeof *o);
        o->type = e[i].event_type;
        o->flags = e[i].flags & (uint8_t)~EIK_EVENT_IN_SCRATCH;
        o->scratch = (e[i].flags & EIK_EVENT_IN_SCRATCH) != 0;
        o->record_type = e[i].record_type;
        o->layout = e[i].layout;
        o->kind = e[i].kind;
        o->line = e[i].line;
        o->offset = e[i].offset;
        o->expected = e[i].expected;
        o->found = e[i].found;
        o->lb_nr = e[i].lb_nr;
        o->len = e[i].len;
        o->field_no = e[i].field_no;
        size_t k = e[i].len < sizeof o->text - 1 ? e[i].len : sizeof o->text - 1;
        memcpy(o->text, e[i].bytes, k);
    }
}

/* Decodes `data` in chunks of `chunk` bytes with room for `cap` events. */
static run_result run(const eik_options *opts, const uint8_t *data, size_t len, size_t chunk, size_t cap) {
    run_result r;
    memset(&r, 0, sizeof r);
    r.evs = xmalloc(MAX_EVENTS * sizeof *r.evs);
    eik_decoder *dec = NULL;
    r.status = eik_decoder_new(opts, &dec, NULL, 0);
    if (r.status != EIK_STATUS_OK) return r;
    eik_event *out = xmalloc(cap * sizeof *out);
    eik_batch b;
    for (size_t pos = 0; pos < len && r.status == EIK_STATUS_OK; pos += chunk) {
        size_t clen = len - pos < chunk ? len - pos : chunk, off = 0;
        uint8_t *piece = xmalloc(clen);
        memcpy(piece, data + pos, clen);
        do {
            r.status = eik_decode(dec, piece + off, clen - off, out, cap, &b);
            if (r.status != EIK_STATUS_OK) break;
            copy_events(&r, out, b.n_events);
            off += b.consumed;
            if (b.done) r.stopped = 1;
        } while (off < clen);
        free(piece);
    }
    b.done = 0;
    while (r.status == EIK_STATUS_OK && !b.done) {
        r.status = eik_finish(dec, out, cap, &b);
        if (r.status == EIK_STATUS_OK) copy_events(&r, out, b.n_events);
    }
    if (r.status == EIK_STATUS_OK) r.status = eik_decoder_counts(dec, &r.counts);
    free(out);
    eik_decoder_free(dec);
    return r;
}

static int same_events(const run_result *a, const run_result *b) {
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        ev x = a->evs[i], y = b->evs[i];
        x.scratch = y.scratch = 0;
        if (memcmp(&x, &y, sizeof x) != 0) return 0;
    }
    return 1;
}

static size_t b64(const uint8_t *in, size_t len, uint8_t *out) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[o++] = (uint8_t)A[v >> 18 & 63];
        out[o++] = (uint8_t)A[v >> 12 & 63];
        out[o++] = i + 1 < len ? (uint8_t)A[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? (uint8_t)A[v & 63] : '=';
    }
    return o;
}

static void test_sample(const uint8_t *sample, size_t len) {
    run_result whole = run(NULL, sample, len, len, 64);
    CHECK_EQ(whole.status, EIK_STATUS_OK, "sample: decodes");
    CHECK_EQ(whole.n, 27, "sample: 27 events");
    int records_ok = 1;
    for (size_t i = 0; i < whole.n; i++)
        records_ok = records_ok && whole.evs[i].type == EIK_EVENT_TYPE_RECORD && whole.evs[i].line == i + 1 &&
                     whole.evs[i].lb_nr == i + 1 && (whole.evs[i].flags & EIK_EVENT_HAS_LB_NR);
    CHECK(records_ok, "sample: 27 records, lines and Lb_nr 1..27 in order");
    CHECK_EQ(whole.evs[9].record_type, 6001, "line 10 is a 6001");
    CHECK(memcmp(whole.evs[9].text + 11, "00130000032500000000+", 21) == 0, "line 10: felt 0013, 32500.00 kr +");
    eik_layout l;
    CHECK_EQ(eik_family_layout(NULL, whole.evs[9].layout, &l), EIK_STATUS_OK, "line 10: its layout");
    CHECK_EQ(l.length, whole.evs[9].len, "line 10: the layout's length");
    CHECK_EQ(whole.counts.lines, 27, "counts: lines");
    CHECK_EQ(whole.counts.decoded, 27, "counts: decoded");
    static const size_t chunks[] = {1, 7, 100, 4096}, caps[] = {EIK_MIN_EVENTS, 17};
    int same = 1;
    for (size_t c = 0; c < 4; c++)
        for (size_t k = 0; k < 2; k++) {
            run_result r = run(NULL, sample, len, chunks[c], caps[k]);
            same = same && r.status == EIK_STATUS_OK && same_events(&r, &whole);
            free(r.evs);
        }
    CHECK(same, "sample: the same events in chunks of 1, 7, 100, 4096 with room for 16 or 17");

    uint8_t *enc = xmalloc(len * 2);
    size_t n = b64(sample, len, enc);
    eik_options o;
    eik_options_default(&o);
    o.base64 = 1;
    run_result r = run(&o, enc, n, 33, EIK_MIN_EVENTS);
    CHECK(r.status == EIK_STATUS_OK && r.n == 27 && memcmp(r.evs[9].text, whole.evs[9].text, 32) == 0 &&
              r.evs[9].scratch,
          "Base64: the same records, from the scratch area");
    free(r.evs);
    free(enc);
    free(whole.evs);
}

static void test_findings(const uint8_t *sample, size_t len) {
    uint8_t *d = xmalloc(len);
    memcpy(d, sample, len);
    size_t line11 = 0;
    for (int nl = 0; nl < 10; line11++)
        if (d[line11] == '\n') nl++;
    d[line11 + 20] = 'X';
    run_result r = run(NULL, d, len, 50, EIK_MIN_EVENTS);
    CHECK_EQ(r.n, 27, "damaged: 26 records and one finding");
    const ev *f = &r.evs[10];
    CHECK(r.evs[9].type == EIK_EVENT_TYPE_RECORD && r.evs[9].line == 10 && r.evs[11].line == 12,
          "damaged: the finding stands between lines 10 and 12");
    CHECK_EQ(f->type, EIK_EVENT_TYPE_REJECTED, "damaged: line 11 rejected");
    CHECK_EQ(f->kind, EIK_KIND_NOT_DIGIT, "damaged: not_digit");
    CHECK_EQ(f->field_no, 4, "damaged: field 4");
    CHECK_EQ(f->offset, line11 + 20, "damaged: offset of the bad byte");
    char want[160];
    snprintf(want, sizeof want, "line 11 (Lb_nr 11), record 6001, field 4 Beloeb, offset %zu: non-digit in numeric field",
             line11 + 20);
    CHECK_STR(f->text, want, "damaged: the engine's message");
    CHECK_EQ(r.counts.rejected, 1, "damaged: one rejected line");
    free(r.evs);

    eik_options o;
    eik_options_default(&o);
    o.strict = 1;
    r = run(&o, d, len, 4096, 64);
    CHECK(r.n == 11 && r.evs[10].kind == EIK_KIND_NOT_DIGIT && r.stopped,
          "strict: ten records, then the finding ends the stream");
    free(r.evs);

    r = run(NULL, d, len - 32, 64, EIK_MIN_EVENTS);
    CHECK(r.n > 0 && r.evs[r.n - 1].type == EIK_EVENT_TYPE_ERROR && r.evs[r.n - 1].kind == EIK_KIND_MISSING_END_RECORD,
          "cut before the 9999: missing_end_record comes last");
    free(r.evs);
    free(d);
}

static void test_options(const uint8_t *sample, size_t len) {
    /* The sample as UTF-8: transcoded back, one warning for the file. */
    uint8_t *u = xmalloc(len * 2);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (sample[i] < 0x80) {
            u[n++] = sample[i];
        } else {
            u[n++] = (uint8_t)(0xC0 | sample[i] >> 6);
            u[n++] = (uint8_t)(0x80 | (sample[i] & 0x3F));
        }
    }
    run_result r = run(NULL, u, n, 64, EIK_MIN_EVENTS);
    size_t records = 0, warnings = 0;
    for (size_t i = 0; i < r.n; i++) {
        records += r.evs[i].type == EIK_EVENT_TYPE_RECORD;
        warnings += r.evs[i].type == EIK_EVENT_TYPE_WARNING && r.evs[i].kind == EIK_KIND_UTF8_ENCODED;
    }
    CHECK(n > len && records == 27 && warnings == 1, "UTF-8 input: 27 records and one utf8_encoded warning");
    free(r.evs);
    eik_options o;
    eik_options_default(&o);
    o.encoding = EIK_ENCODING_LATIN1;
    r = run(&o, u, n, 64, EIK_MIN_EVENTS);
    CHECK(r.counts.rejected > 0, "UTF-8 input read as ISO-8859-1: lines rejected");
    free(r.evs);
    free(u);

    uint32_t tcb;
    CHECK_EQ(eik_family_find_layout(NULL, 6000, (const uint8_t *)"TaxCardBuilder", 14, &tcb), EIK_STATUS_OK,
             "the TaxCardBuilder 6000 is a layout");
    eik_layout l;
    eik_family_layout(NULL, tcb, &l);
    CHECK_EQ(l.length, 99, "TaxCardBuilder's 6000 is 99 bytes");
    eik_options_default(&o);
    o.person_layout = EIK_PERSON_LAYOUT_TAX_CARD_BUILDER;
    r = run(&o, sample, len, 4096, 64);
    CHECK(r.counts.rejected > 0 && r.evs[8].type == EIK_EVENT_TYPE_REJECTED && r.evs[8].line == 9,
          "person layout TaxCardBuilder forced: the 95-byte 6000 on line 9 is rejected");
    free(r.evs);
    eik_options_default(&o);
    o.forced_layouts[0] = 999;
    eik_decoder *dec = NULL;
    char msg[100];
    CHECK_EQ(eik_decoder_new(&o, &dec, (uint8_t *)msg, sizeof msg), EIK_STATUS_INVALID_ARGUMENT,
             "a forced layout the family does not have");
    CHECK(dec == NULL && strstr(msg, "forced layout") != NULL, "... says so, handle untouched");
}

static void test_tables(void) {
    eik_family_info fi;
    CHECK_EQ(eik_family_describe(eik_family_employer(), &fi), EIK_STATUS_OK, "employer family");
    CHECK(fi.name.len == 8 && memcmp(fi.name.ptr, "employer", 8) == 0 && fi.has_line_numbers == 1 && fi.n_layouts > fi.n_records,
          "employer: name, line numbers, variants");
    uint32_t i6001;
    CHECK_EQ(eik_family_find_layout(NULL, 6001, NULL, 0, &i6001), EIK_STATUS_OK, "find 6001");
    eik_field f;
    CHECK_EQ(eik_family_field(NULL, i6001, 3, &f), EIK_STATUS_OK, "6001 field 4");
    CHECK(f.no == 4 && f.start == 15 && f.len == 16 && f.format == EIK_FIELD_FORMAT_AMOUNT && f.role == EIK_ROLE_AMOUNT &&
              f.name.len == 6 && memcmp(f.name.ptr, "Beloeb", 6) == 0,
          "6001 field 4 is Beloeb at 16-31, an amount");
    CHECK_EQ(eik_family_field(NULL, i6001, 99, &f), EIK_STATUS_NOT_FOUND, "no field 100");
    CHECK_EQ(eik_family_layout(NULL, fi.n_layouts, NULL), EIK_STATUS_NULL_POINTER, "NULL out");
    eik_layout l;
    CHECK_EQ(eik_family_layout(NULL, fi.n_layouts, &l), EIK_STATUS_NOT_FOUND, "no layout past the last");

    eik_kind_info k;
    CHECK_EQ(eik_kind_get(EIK_KIND_NOT_DIGIT, &k), EIK_STATUS_OK, "kind not_digit");
    CHECK(k.code.len == 9 && memcmp(k.code.ptr, "not_digit", 9) == 0 && k.severity == EIK_SEVERITY_ERROR,
          "not_digit: code and severity");
    CHECK_EQ(eik_kind_get(0, &k), EIK_STATUS_NOT_FOUND, "no kind 0");
    CHECK(eik_kind_count() >= 43, "43 kinds or more");

    eik_field_check c;
    CHECK_EQ(eik_check_field(NULL, 6000, EIK_ROLE_CPR, 0, (const uint8_t *)"6101901234", 10, &c), EIK_STATUS_OK,
             "check a CPR");
    CHECK(c.kind == 0 && c.field_no == 4, "a valid CPR: no finding, field 4");
    eik_check_field(NULL, 6000, EIK_ROLE_CPR, 0, (const uint8_t *)"61019O1234", 10, &c);
    CHECK(c.kind == EIK_KIND_NOT_DIGIT && c.at == 5 && c.severity == EIK_SEVERITY_ERROR, "a letter in a CPR: not_digit at 5");
    eik_check_field(NULL, 2001, EIK_ROLE_SE, 0, (const uint8_t *)"1234567", 7, &c);
    CHECK(c.kind == EIK_KIND_WRONG_LENGTH && c.expected == 8 && c.found == 7, "a 7-digit SE-nr: wrong_length 8/7");
    CHECK_EQ(eik_check_field(NULL, 2001, EIK_ROLE_CPR, 0, (const uint8_t *)"6101901234", 10, &c), EIK_STATUS_NOT_FOUND,
             "2001 has no CPR");

    uint8_t p[EIK_PSEUDONYM_LEN];
    CHECK_EQ(eik_pseudonymise((const uint8_t *)"0123456789abcdef", 16, (const uint8_t *)"6101901234", 10, p),
             EIK_STATUS_OK, "pseudonymise one CPR");
    int hex = 1;
    for (int i = 0; i < EIK_PSEUDONYM_LEN; i++) hex = hex && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'));
    CHECK(hex, "the pseudonym is 16 hex characters");
}

static void test_statuses(const uint8_t *sample, size_t len) {
    eik_decoder *dec = NULL;
    CHECK_EQ(eik_decoder_new(NULL, &dec, NULL, 0), EIK_STATUS_OK, "defaults");
    eik_event ev16[EIK_MIN_EVENTS];
    eik_batch b;
    CHECK_EQ(eik_decode(NULL, sample, len, ev16, EIK_MIN_EVENTS, &b), EIK_STATUS_NULL_POINTER, "NULL decoder");
    CHECK_EQ(eik_decode(dec, NULL, 1, ev16, EIK_MIN_EVENTS, &b), EIK_STATUS_NULL_POINTER, "NULL input with a length");
    CHECK_EQ(eik_decode(dec, sample, len, ev16, EIK_MIN_EVENTS - 1, &b), EIK_STATUS_BUFFER_TOO_SMALL, "array too short");
    CHECK_EQ(eik_decode(dec, sample, len, ev16, EIK_MIN_EVENTS, NULL), EIK_STATUS_NULL_POINTER, "NULL batch");
    CHECK_EQ(eik_decode(dec, sample, len, ev16, EIK_MIN_EVENTS, &b), EIK_STATUS_OK, "a first batch");
    CHECK(b.n_events == EIK_MIN_EVENTS && b.consumed < len, "the array filled before the input ended");
    CHECK_EQ(eik_finish(dec, ev16, EIK_MIN_EVENTS, &b), EIK_STATUS_OK, "finish");
    CHECK_EQ(eik_decode(dec, sample, len, ev16, EIK_MIN_EVENTS, &b), EIK_STATUS_FINISHED, "decode after finish");
    eik_decoder_free(dec);
    eik_decoder_free(NULL);
    eik_options o;
    eik_options_default(&o);
    o.amount_scale = 17;
    dec = NULL;
    CHECK_EQ(eik_decoder_new(&o, &dec, NULL, 0), EIK_STATUS_INVALID_ARGUMENT, "amount scale 17");
    CHECK(dec == NULL, "no handle on failure");
    CHECK_STR(eik_status_str(EIK_STATUS_INVALID_FILTER), "invalid filter", "status text");
    CHECK_STR(eik_status_str(5), "unknown status", "status 5 retired");
    CHECK_STR(eik_version(), EIK_VERSION, "version");

    CHECK_EQ(eik_decoder_new(NULL, &dec, NULL, 0), EIK_STATUS_OK, "a decoder to poison");
    CHECK_EQ(eik_test_force_panic(dec), EIK_STATUS_PANIC, "a panic is caught");
    CHECK_EQ(eik_decode(dec, sample, len, ev16, EIK_MIN_EVENTS, &b), EIK_STATUS_PANIC, "the decoder is poisoned");
    eik_decoder_free(dec);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "testdata/sample.txt";
    size_t len;
    uint8_t *sample = read_file(path, &len);
    test_sample(sample, len);
    test_findings(sample, len);
    test_options(sample, len);
    test_tables();
    test_statuses(sample, len);
    free(sample);
    return tap_done();
}
