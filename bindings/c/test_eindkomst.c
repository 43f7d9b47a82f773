/*
 * C tests of the eindkomst C API, against the committed header and the built
 * library. Output is TAP ("ok N - ...", plan "1..N" at the end) followed by
 * "N passed, N failed"; the exit status is 0 only when everything passed.
 *
 *   gcc -std=c99 -Wall -Wextra -Werror -I include bindings/c/test_eindkomst.c \
 *       -L target/debug -leindkomst -o test_eindkomst
 *   LD_LIBRARY_PATH=target/debug ./test_eindkomst testdata/sample.txt
 *
 * Every chunk is fed from a fresh malloc'd copy that is freed right after use,
 * so a record view that outlived its call shows up under valgrind or ASan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"
#include "tap.h"

/* Test hook of the library, deliberately not in the header: panics inside
 * the ABI boundary (poisoning dec, which may be NULL). */
eik_status eik_test_force_panic(eik_decoder *dec);

/* ------------------------------------------------------------- helpers */

/* A record copied out of its view. */
typedef struct {
    uint8_t *bytes;
    size_t len;
    uint64_t line, offset, seq;
    uint32_t lb_nr;
    uint16_t record_type, layout_index;
    eik_source source;
} rec;

/* Everything one run produced. */
typedef struct {
    rec *recs;
    size_t n_recs, cap_recs;
    eik_error *finds;
    size_t n_finds, cap_finds;
    eik_status status; /* first non-OK status, or OK */
    eik_counts counts;
} result;

static void result_free(result *r) {
    for (size_t i = 0; i < r->n_recs; i++) free(r->recs[i].bytes);
    free(r->recs);
    free(r->finds);
    memset(r, 0, sizeof *r);
}

static void keep_records(result *res, const eik_record *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (res->n_recs == res->cap_recs) {
            res->cap_recs = res->cap_recs ? 2 * res->cap_recs : 32;
            rec *grown = realloc(res->recs, res->cap_recs * sizeof *grown);
            if (!grown) exit(2);
            res->recs = grown;
        }
        rec *r = &res->recs[res->n_recs++];
        r->bytes = xmalloc(v[i].len);
        memcpy(r->bytes, v[i].bytes, v[i].len);
        r->len = v[i].len;
        r->line = v[i].line;
        r->offset = v[i].offset;
        r->seq = v[i].seq;
        r->lb_nr = v[i].lb_nr;
        r->record_type = v[i].record_type;
        r->layout_index = v[i].layout_index;
        r->source = v[i].source;
    }
}

static eik_status take_findings(eik_decoder *dec, result *res) {
    eik_error buf[3];
    size_t n;
    do {
        eik_status st = eik_take_findings(dec, buf, 3, &n);
        if (st != EIK_STATUS_OK) return st;
        for (size_t i = 0; i < n; i++) {
            if (res->n_finds == res->cap_finds) {
                res->cap_finds = res->cap_finds ? 2 * res->cap_finds : 8;
                eik_error *grown = realloc(res->finds, res->cap_finds * sizeof *grown);
                if (!grown) exit(2);
                res->finds = grown;
            }
            res->finds[res->n_finds++] = buf[i];
        }
    } while (n > 0);
    return EIK_STATUS_OK;
}

/* Decodes data in chunks of `chunk` bytes, `cap` records per call, then
 * finishes; copies every view right after its call. */
static result run(const eik_options *opts, const uint8_t *data, size_t len, size_t chunk,
                  size_t cap) {
    result res;
    memset(&res, 0, sizeof res);
    eik_decoder *dec = NULL;
    res.status = eik_decoder_new(opts, &dec);
    if (res.status != EIK_STATUS_OK) return res;
    eik_record *out = xmalloc(cap * sizeof *out);
    size_t n, used;
    for (size_t pos = 0; pos < len && res.status == EIK_STATUS_OK; pos += chunk) {
        size_t clen = len - pos < chunk ? len - pos : chunk;
        uint8_t *piece = xmalloc(clen);
        memcpy(piece, data + pos, clen);
        size_t off = 0;
        do {
            res.status = eik_decode(dec, piece + off, clen - off, out, cap, &n, &used);
            if (res.status != EIK_STATUS_OK) break;
            off += used;
            keep_records(&res, out, n);
            res.status = take_findings(dec, &res);
        } while (res.status == EIK_STATUS_OK && off < clen);
        free(piece);
    }
    bool done = false;
    while (res.status == EIK_STATUS_OK && !done) {
        res.status = eik_finish(dec, out, cap, &n, &done);
        if (res.status != EIK_STATUS_OK) break;
        keep_records(&res, out, n);
        res.status = take_findings(dec, &res);
    }
    if (res.status == EIK_STATUS_OK) res.status = eik_decoder_counts(dec, &res.counts);
    free(out);
    eik_decoder_free(dec);
    return res;
}

/* Base64 with a CRLF every 76 characters (the decoder skips whitespace). */
static uint8_t *base64(const uint8_t *in, size_t len, size_t *out_len) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t *out = xmalloc(len / 3 * 4 + len / 57 * 2 + 8);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        if (i > 0 && i % 57 == 0) {
            out[o++] = '\r';
            out[o++] = '\n';
        }
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[o++] = (uint8_t)A[v >> 18 & 63];
        out[o++] = (uint8_t)A[v >> 12 & 63];
        out[o++] = i + 1 < len ? (uint8_t)A[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? (uint8_t)A[v & 63] : '=';
    }
    *out_len = o;
    return out;
}

/* The sample's lines: start offsets and lengths. */
#define SAMPLE_LINES 27
static size_t line_off[SAMPLE_LINES + 1], line_len[SAMPLE_LINES];

static void index_lines(const uint8_t *data, size_t len) {
    size_t k = 0, start = 0;
    for (size_t i = 0; i < len && k < SAMPLE_LINES; i++) {
        if (data[i] == '\n') {
            line_off[k] = start;
            line_len[k] = i - start;
            k++;
            start = i + 1;
        }
    }
    line_off[k] = start;
}

/* Field `name` of the record's layout, through the exported tables. */
static int field_named(const rec *r, const char *name, eik_field *out) {
    eik_layout l;
    if (eik_layout_at(r->layout_index, &l) != EIK_STATUS_OK) return 0;
    for (uint32_t i = 0; i < l.n_fields; i++)
        if (eik_layout_field(l.index, i, out) == EIK_STATUS_OK && strcmp(out->name, name) == 0)
            return 1;
    return 0;
}

static int field_is(const rec *r, const char *name, const char *want) {
    eik_field f;
    return field_named(r, name, &f) && f.len == strlen(want) && (size_t)f.start + f.len <= r->len &&
           memcmp(r->bytes + f.start, want, f.len) == 0;
}

/* --------------------------------------------------------------- tests */

static const uint8_t *sample;
static size_t sample_len;

/* Checks a run over the undamaged sample: 27 exact records, no findings. */
static void check_sample(const result *res, const char *label) {
    char what[160];
    snprintf(what, sizeof what, "%s: status ok", label);
    CHECK_EQ(res->status, EIK_STATUS_OK, what);
    snprintf(what, sizeof what, "%s: 27 records", label);
    CHECK_EQ(res->n_recs, 27, what);
    snprintf(what, sizeof what, "%s: no findings", label);
    CHECK_EQ(res->n_finds, 0, what);
    if (res->n_recs != 27) return;
    int bytes_ok = 1, pos_ok = 1, type_ok = 1;
    for (size_t i = 0; i < 27; i++) {
        const rec *r = &res->recs[i];
        bytes_ok &= r->len == line_len[i] && memcmp(r->bytes, sample + line_off[i], r->len) == 0;
        pos_ok &= r->line == i + 1 && r->lb_nr == i + 1 && r->offset == line_off[i] && r->seq == i;
        unsigned t = 0;
        for (int k = 7; k < 11; k++) t = t * 10 + (unsigned)(sample[line_off[i] + k] - '0');
        type_ok &= r->record_type == t && r->layout_index != EIK_LAYOUT_NONE;
    }
    snprintf(what, sizeof what, "%s: every record's bytes equal its line", label);
    CHECK(bytes_ok, what);
    snprintf(what, sizeof what, "%s: line, Lb_nr, offset and seq of every record", label);
    CHECK(pos_ok, what);
    snprintf(what, sizeof what, "%s: record types and layouts", label);
    CHECK(type_ok, what);
    const rec *r10 = &res->recs[9];
    snprintf(what, sizeof what, "%s: line 10 is a 6001 at offset 711", label);
    CHECK(r10->record_type == 6001 && r10->line == 10 && r10->offset == 711, what);
    snprintf(what, sizeof what, "%s: line 10 Feltnummer 0013", label);
    CHECK(field_is(r10, "Feltnummer", "0013"), what);
    snprintf(what, sizeof what, "%s: line 10 Beloeb 0000032500000000 +", label);
    CHECK(field_is(r10, "Beloeb", "0000032500000000") && field_is(r10, "Fortegn", "+"), what);
    snprintf(what, sizeof what, "%s: counts lines=27 decoded=27 rejected=0", label);
    CHECK(res->counts.lines == 27 && res->counts.decoded == 27 && res->counts.rejected == 0 &&
              res->counts.warnings == 0 && res->counts.errors == 0,
          what);
}

static void test_version(void) {
    CHECK_STR(eik_version(), EIK_VERSION, "eik_version() equals EIK_VERSION");
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", EIK_VERSION_MAJOR, EIK_VERSION_MINOR, EIK_VERSION_PATCH);
    CHECK_STR(v, EIK_VERSION, "EIK_VERSION_MAJOR.MINOR.PATCH equals EIK_VERSION");
    CHECK_STR(eik_status_str(EIK_STATUS_OK), "ok", "eik_status_str(OK)");
    CHECK_STR(eik_status_str(EIK_STATUS_NULL_POINTER), "null pointer argument",
              "eik_status_str(NULL_POINTER)");
    CHECK_STR(eik_status_str(4242), "unknown status", "eik_status_str of an unknown code");
    CHECK_STR(eik_error_kind_code(EIK_ERROR_KIND_LB_NR_GAP), "lb_nr_gap", "eik_error_kind_code");
    CHECK_STR(eik_error_kind_code(999), "unknown", "eik_error_kind_code of an unknown kind");
}

static void test_sample_whole(void) {
    result res = run(NULL, sample, sample_len, sample_len, 256);
    check_sample(&res, "whole file, cap 256");
    int all_input = res.n_recs == 27;
    for (size_t i = 0; i < res.n_recs; i++) all_input &= res.recs[i].source == EIK_SOURCE_INPUT;
    CHECK(all_input, "whole file: every record points into the caller's input");
    int types = 0;
    for (int i = 0; i < EIK_COUNTS_TYPES; i++)
        if (res.counts.by_type[i].record_type == 6001)
            types = res.counts.by_type[i].decoded == 7 && res.counts.by_type[i].rejected == 0;
    CHECK(types, "counts.by_type: 7 decoded 6001 records");
    CHECK_EQ(res.counts.bytes, sample_len, "counts.bytes is the file size");
    result_free(&res);
}

static void test_chunks(void) {
    const size_t chunks[] = {1, 7, 4096};
    const size_t caps[] = {1, 3, 256};
    for (size_t c = 0; c < 3; c++) {
        for (size_t k = 0; k < 3; k++) {
            char label[64];
            snprintf(label, sizeof label, "chunks of %zu, cap %zu", chunks[c], caps[k]);
            result res = run(NULL, sample, sample_len, chunks[c], caps[k]);
            check_sample(&res, label);
            if (chunks[c] == 1) {
                int all_scratch = res.n_recs == 27;
                for (size_t i = 0; i < res.n_recs; i++)
                    all_scratch &= res.recs[i].source == EIK_SOURCE_SCRATCH;
                snprintf(label, sizeof label, "chunks of 1, cap %zu: records from scratch",
                         caps[k]);
                CHECK(all_scratch, label);
            }
            result_free(&res);
        }
    }
}

static void test_base64(void) {
    size_t b64_len;
    uint8_t *b64 = base64(sample, sample_len, &b64_len);
    eik_options o;
    CHECK_EQ(eik_options_default(&o), EIK_STATUS_OK, "eik_options_default");
    CHECK_EQ(o.amount_scale, 6, "default amount_scale is 6");
    o.base64 = 1;
    const size_t chunks[] = {1, 7, 4096};
    for (size_t c = 0; c < 3; c++) {
        char label[64];
        snprintf(label, sizeof label, "Base64 in chunks of %zu", chunks[c]);
        result res = run(&o, b64, b64_len, chunks[c], 5);
        check_sample(&res, label);
        result_free(&res);
    }
    /* A character outside the alphabet: a stream error with its offset. */
    b64[100] = '*';
    result res = run(&o, b64, b64_len, 4096, 5);
    CHECK_EQ(res.status, EIK_STATUS_OK, "broken Base64: status ok");
    int found = 0;
    for (size_t i = 0; i < res.n_finds; i++)
        if (res.finds[i].kind == EIK_ERROR_KIND_INVALID_BASE64 &&
            res.finds[i].finding == EIK_FINDING_ERROR && res.finds[i].found == '*')
            found = 1;
    CHECK(found, "broken Base64: invalid_base64 error naming the byte");
    result_free(&res);
    free(b64);
}

static void test_damaged(void) {
    uint8_t *bad = xmalloc(sample_len);
    memcpy(bad, sample, sample_len);
    /* Line 10 (offset 711) is a 6001; Beloeb spans bytes 15..30. */
    bad[711 + 20] = 'X';
    const size_t chunks[] = {1, 7, 4096};
    for (size_t c = 0; c < 3; c++) {
        char what[96];
        result res = run(NULL, bad, sample_len, chunks[c], 4);
        snprintf(what, sizeof what, "damaged, chunks of %zu: 26 records, 1 finding", chunks[c]);
        CHECK(res.status == EIK_STATUS_OK && res.n_recs == 26 && res.n_finds == 1, what);
        if (res.n_finds == 1) {
            const eik_error *e = &res.finds[0];
            snprintf(what, sizeof what, "damaged, chunks of %zu: rejected not_digit", chunks[c]);
            CHECK(e->finding == EIK_FINDING_REJECTED && e->kind == EIK_ERROR_KIND_NOT_DIGIT &&
                      strcmp(e->code, "not_digit") == 0,
                  what);
            snprintf(what, sizeof what, "damaged, chunks of %zu: line 10, Lb_nr 10, record 6001",
                     chunks[c]);
            CHECK(e->line == 10 && e->has_lb_nr && e->lb_nr == 10 && e->has_record &&
                      e->record == 6001,
                  what);
            snprintf(what, sizeof what, "damaged, chunks of %zu: field 4 Beloeb", chunks[c]);
            CHECK(e->has_field && e->field_no == 4 && strcmp(e->field_name, "Beloeb") == 0, what);
            snprintf(what, sizeof what, "damaged, chunks of %zu: offset", chunks[c]);
            CHECK_EQ(e->offset, 731, what);
            snprintf(what, sizeof what, "damaged, chunks of %zu: seq between records 9 and 10",
                     chunks[c]);
            CHECK(e->seq == 9 && res.n_recs > 9 && res.recs[8].seq == 8 && res.recs[9].seq == 10 &&
                      res.recs[9].line == 11,
                  what);
        }
        snprintf(what, sizeof what, "damaged, chunks of %zu: lines=27 decoded=26 rejected=1",
                 chunks[c]);
        CHECK(res.counts.lines == 27 && res.counts.decoded == 26 && res.counts.rejected == 1, what);
        result_free(&res);
    }
    free(bad);
}

static void test_missing_end(void) {
    /* Everything but the 9999, and no final line break. */
    size_t len = line_off[26] - 1;
    uint8_t *data = xmalloc(len);
    memcpy(data, sample, len);
    result res = run(NULL, data, len, 7, 2);
    CHECK_EQ(res.n_recs, 26, "no 9999: 26 records");
    CHECK(res.n_recs == 26 && res.recs[25].line == 26 && res.recs[25].source == EIK_SOURCE_SCRATCH,
          "no 9999: the unterminated last line comes from eik_finish, in scratch");
    CHECK(res.n_finds == 1 && res.finds[0].kind == EIK_ERROR_KIND_MISSING_END_RECORD &&
              res.finds[0].finding == EIK_FINDING_ERROR && res.finds[0].seq == 26,
          "no 9999: missing_end_record stream error after the last record");
    result_free(&res);
    free(data);
}

static void test_bad_calls(void) {
    eik_decoder *dec = NULL;
    eik_record out[4];
    eik_error errs[2];
    size_t n = 99, used = 99;
    bool done = false;
    eik_options o;
    eik_options_default(&o);

    CHECK_EQ(eik_decoder_new(NULL, NULL), EIK_STATUS_NULL_POINTER, "new: NULL out");
    o.amount_scale = 17;
    CHECK_EQ(eik_decoder_new(&o, &dec), EIK_STATUS_INVALID_ARGUMENT, "new: amount_scale 17");
    CHECK(dec == NULL, "new: out untouched on error");
    o.amount_scale = 6;
    o.person_layout = 0xDEADBEEFu;
    CHECK_EQ(eik_decoder_new(&o, &dec), EIK_STATUS_OK, "new: unknown person_layout falls back");
    eik_decoder_free(dec);
    dec = NULL;
    eik_decoder_free(NULL); /* a no-op */
    CHECK_EQ(eik_options_default(NULL), EIK_STATUS_NULL_POINTER, "options_default: NULL");
    CHECK_EQ(eik_decoder_new(NULL, &dec), EIK_STATUS_OK, "new: NULL options = defaults");

    CHECK_EQ(eik_decode(NULL, sample, 10, out, 4, &n, &used), EIK_STATUS_NULL_POINTER,
             "decode: NULL decoder");
    CHECK_EQ(eik_decode(dec, NULL, 10, out, 4, &n, &used), EIK_STATUS_NULL_POINTER,
             "decode: NULL input with len > 0");
    CHECK_EQ(eik_decode(dec, sample, 10, NULL, 4, &n, &used), EIK_STATUS_NULL_POINTER,
             "decode: NULL out");
    CHECK_EQ(eik_decode(dec, sample, 10, out, 4, NULL, &used), EIK_STATUS_NULL_POINTER,
             "decode: NULL n_out");
    CHECK_EQ(eik_decode(dec, sample, 10, out, 4, &n, NULL), EIK_STATUS_NULL_POINTER,
             "decode: NULL consumed");
    CHECK_EQ(eik_decode(dec, sample, 10, out, 0, &n, &used), EIK_STATUS_BUFFER_TOO_SMALL,
             "decode: cap 0");
    CHECK_EQ(eik_decode(dec, sample, SIZE_MAX, out, 4, &n, &used), EIK_STATUS_INVALID_ARGUMENT,
             "decode: len above PTRDIFF_MAX");
    CHECK(n == 99 && used == 99, "decode: out-parameters untouched on errors");
    CHECK_EQ(eik_decode(dec, NULL, 0, out, 4, &n, &used), EIK_STATUS_OK,
             "decode: zero-length NULL input");
    CHECK(n == 0 && used == 0, "decode: zero-length input gives nothing");
    CHECK_EQ(eik_decode(dec, sample, 0, out, 4, &n, &used), EIK_STATUS_OK,
             "decode: zero-length input");
    CHECK(n == 0 && used == 0, "decode: zero-length input gives nothing, again");

    /* Half of line 1, then the rest: no record until the line is complete. */
    CHECK_EQ(eik_decode(dec, sample, 100, out, 1, &n, &used), EIK_STATUS_OK, "decode: half a line");
    CHECK(n == 0 && used == 100, "decode: half a line is kept, nothing out");
    CHECK_EQ(eik_decode(dec, sample + 100, line_off[2] - 100, out, 1, &n, &used), EIK_STATUS_OK,
             "decode: rest of line 1 and line 2, cap 1");
    CHECK(n == 1 && used == line_off[1] - 100 && out[0].record_type == 1000 &&
              out[0].source == EIK_SOURCE_SCRATCH && out[0].len == 142 &&
              memcmp(out[0].bytes, sample, 142) == 0,
          "decode: cap 1 stops after the assembled 1000, consumed up to line 2");
    CHECK_EQ(eik_decode(dec, sample + line_off[1], line_off[2] - line_off[1], out, 1, &n, &used),
             EIK_STATUS_OK, "decode: line 2");
    CHECK(n == 1 && out[0].record_type == 2001 && out[0].source == EIK_SOURCE_INPUT &&
              out[0].bytes == sample + line_off[1],
          "decode: a whole line is a view into the input (zero copy)");

    CHECK_EQ(eik_take_findings(dec, errs, 0, &n), EIK_STATUS_BUFFER_TOO_SMALL, "take: cap 0");
    CHECK_EQ(eik_take_findings(dec, NULL, 2, &n), EIK_STATUS_NULL_POINTER, "take: NULL out");
    CHECK_EQ(eik_take_findings(NULL, errs, 2, &n), EIK_STATUS_NULL_POINTER, "take: NULL decoder");
    CHECK_EQ(eik_take_findings(dec, errs, 2, NULL), EIK_STATUS_NULL_POINTER, "take: NULL n_out");
    CHECK_EQ(eik_pending_findings(NULL, &n), EIK_STATUS_NULL_POINTER, "pending: NULL decoder");
    CHECK_EQ(eik_decoder_counts(dec, NULL), EIK_STATUS_NULL_POINTER, "counts: NULL out");
    CHECK_EQ(eik_decoder_counts(NULL, NULL), EIK_STATUS_NULL_POINTER, "counts: NULL decoder");
    CHECK_EQ(eik_decoder_stopped(dec, NULL), EIK_STATUS_NULL_POINTER, "stopped: NULL out");
    CHECK_EQ(eik_finish(dec, out, 0, &n, &done), EIK_STATUS_BUFFER_TOO_SMALL, "finish: cap 0");
    CHECK_EQ(eik_finish(dec, out, 4, &n, NULL), EIK_STATUS_NULL_POINTER, "finish: NULL done");
    CHECK_EQ(eik_finish(NULL, out, 4, &n, &done), EIK_STATUS_NULL_POINTER, "finish: NULL decoder");

    CHECK_EQ(eik_finish(dec, out, 4, &n, &done), EIK_STATUS_OK, "finish");
    CHECK(n == 0 && done, "finish: done, no records");
    CHECK_EQ(eik_take_findings(dec, errs, 2, &n), EIK_STATUS_OK, "take after finish");
    CHECK(n == 1 && errs[0].kind == EIK_ERROR_KIND_MISSING_END_RECORD && errs[0].line == 2,
          "finish: missing_end_record at line 2");
    n = used = 77;
    CHECK_EQ(eik_decode(dec, sample, 10, out, 4, &n, &used), EIK_STATUS_FINISHED,
             "decode after finish");
    CHECK_EQ(eik_decode(dec, NULL, 0, out, 4, &n, &used), EIK_STATUS_FINISHED,
             "zero-length decode after finish");
    CHECK(n == 77 && used == 77, "decode after finish: out-parameters untouched");
    done = false;
    CHECK_EQ(eik_finish(dec, out, 4, &n, &done), EIK_STATUS_OK, "finish again");
    CHECK(n == 0 && done, "finish again: done, nothing new");
    eik_counts c;
    CHECK_EQ(eik_decoder_counts(dec, &c), EIK_STATUS_OK, "counts");
    CHECK(c.lines == 2 && c.decoded == 2 && c.rejected == 0 && c.errors == 1,
          "counts: 2 lines decoded, 1 stream error");
    eik_decoder_free(dec);
}

static void test_findings_full(void) {
    /* A 1000, then 2000 lines of an unknown record type: 2000 rejections. */
    size_t len = line_len[0] + 1 + 2000 * 14;
    uint8_t *data = xmalloc(len + 1);
    memcpy(data, sample, line_len[0] + 1);
    size_t o = line_len[0] + 1;
    for (unsigned i = 2; i <= 2001; i++) {
        snprintf((char *)data + o, 15, "%07u7777xx\n", i);
        o += 14;
    }
    eik_decoder *dec = NULL;
    eik_record out[8];
    size_t n, used, pending;
    eik_decoder_new(NULL, &dec);
    CHECK_EQ(eik_decode(dec, data, len, out, 8, &n, &used), EIK_STATUS_OK, "many findings: decode");
    CHECK(n == 1 && used < len, "many findings: stops early, input left");
    CHECK_EQ(eik_pending_findings(dec, &pending), EIK_STATUS_OK, "pending");
    CHECK_EQ(pending, EIK_MAX_PENDING_FINDINGS, "pending = EIK_MAX_PENDING_FINDINGS");
    size_t off = used;
    CHECK_EQ(eik_decode(dec, data + off, len - off, out, 8, &n, &used), EIK_STATUS_FINDINGS_FULL,
             "decode with the findings queue full");
    eik_error *errs = xmalloc(2000 * sizeof *errs);
    CHECK_EQ(eik_take_findings(dec, errs, 2000, &n), EIK_STATUS_OK, "take 1024");
    CHECK(n == EIK_MAX_PENDING_FINDINGS && errs[0].line == 2 && errs[1023].line == 1025 &&
              errs[1023].kind == EIK_ERROR_KIND_UNKNOWN_RECORD_TYPE,
          "findings in order, with lines");
    CHECK_EQ(eik_decode(dec, data + off, len - off, out, 8, &n, &used), EIK_STATUS_OK,
             "decode the rest");
    CHECK_EQ(off + used, len, "the rest is consumed");
    CHECK_EQ(eik_take_findings(dec, errs, 2000, &n), EIK_STATUS_OK, "take the rest");
    CHECK_EQ(n, 2000 - EIK_MAX_PENDING_FINDINGS, "976 more findings");
    free(errs);
    eik_decoder_free(dec);
    free(data);
}

static void test_strict(void) {
    uint8_t *bad = xmalloc(sample_len);
    memcpy(bad, sample, sample_len);
    bad[711 + 20] = 'X';
    eik_options o;
    eik_options_default(&o);
    o.strict = 1;
    result res = run(&o, bad, sample_len, 4096, 64);
    CHECK(res.status == EIK_STATUS_OK && res.n_recs == 9 && res.n_finds == 1 &&
              res.finds[0].line == 10 && res.counts.lines == 10,
          "strict: stops at the first rejected line (9 records, 1 finding)");
    result_free(&res);
    free(bad);
}

static void test_panic(void) {
    eik_decoder *dec = NULL;
    eik_record out[4];
    size_t n, used;
    bool done;
    eik_counts c;
    printf("# two deliberate panics follow; their messages on stderr are expected\n");
    fflush(stdout);
    CHECK_EQ(eik_test_force_panic(NULL), EIK_STATUS_PANIC, "forced panic returns PANIC");
    eik_decoder_new(NULL, &dec);
    CHECK_EQ(eik_test_force_panic(dec), EIK_STATUS_PANIC, "forced panic on a decoder");
    CHECK_EQ(eik_decode(dec, sample, 10, out, 4, &n, &used), EIK_STATUS_PANIC,
             "poisoned decoder: decode returns PANIC");
    CHECK_EQ(eik_finish(dec, out, 4, &n, &done), EIK_STATUS_PANIC,
             "poisoned decoder: finish returns PANIC");
    CHECK_EQ(eik_decoder_counts(dec, &c), EIK_STATUS_PANIC, "poisoned decoder: counts returns PANIC");
    eik_decoder_free(dec);
    result res = run(NULL, sample, sample_len, 4096, 256);
    check_sample(&res, "after a panic, a new decoder");
    result_free(&res);
}

static void test_layouts(void) {
    eik_layout l;
    eik_field f;
    CHECK_EQ(eik_layout_count(), 20, "20 layouts (18 types + 2 variants of 6000)");
    CHECK_EQ(eik_layout_get(6001, &l), EIK_STATUS_OK, "layout of 6001");
    CHECK(l.record_type == 6001 && l.length == 32 && l.n_fields == 5 && strcmp(l.variant, "") == 0,
          "6001: 32 bytes, 5 fields");
    CHECK_EQ(eik_layout_field(l.index, 3, &f), EIK_STATUS_OK, "6001 field 3");
    CHECK(strcmp(f.name, "Beloeb") == 0 && f.no == 4 && f.start == 15 && f.len == 16 &&
              f.field_type == EIK_FIELD_TYPE_NUMERIC && f.format == EIK_FIELD_FORMAT_AMOUNT,
          "6001 Beloeb: no 4, bytes 15..30, numeric amount");
    CHECK_EQ(eik_layout_field(l.index, 5, &f), EIK_STATUS_NOT_FOUND, "6001 has no field index 5");
    CHECK_EQ(eik_layout_get(1234, &l), EIK_STATUS_NOT_FOUND, "no layout for 1234");
    CHECK_EQ(eik_layout_at(eik_layout_count(), &l), EIK_STATUS_NOT_FOUND, "index past the end");
    CHECK_EQ(eik_layout_at(0, NULL), EIK_STATUS_NULL_POINTER, "layout_at: NULL out");
    CHECK_EQ(eik_layout_field(0, 0, NULL), EIK_STATUS_NULL_POINTER, "layout_field: NULL out");
    CHECK_EQ(eik_layout_get(6000, &l), EIK_STATUS_OK, "layout of 6000");
    int cpr = 0;
    for (uint32_t i = 0; i < l.n_fields; i++)
        if (eik_layout_field(l.index, i, &f) == EIK_STATUS_OK && f.personal)
            cpr = strcmp(f.name, "Person_CPR_nr") == 0 && f.len == 10;
    CHECK(cpr, "6000 Person_CPR_nr is marked personal");
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "testdata/sample.txt";
    uint8_t *data = read_file(path, &sample_len);
    sample = data;
    index_lines(sample, sample_len);
    if (sample_len != 1578 || line_off[SAMPLE_LINES] != sample_len) {
        fprintf(stderr, "%s is not the 27-line sample (1578 bytes)\n", path);
        return 2;
    }
    test_version();
    test_sample_whole();
    test_chunks();
    test_base64();
    test_damaged();
    test_missing_end();
    test_bad_calls();
    test_findings_full();
    test_strict();
    test_panic();
    test_layouts();
    free(data);
    return tap_done();
}
