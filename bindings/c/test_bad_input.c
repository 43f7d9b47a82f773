/*
 * Bad input through the C API (the classes of docs/bad-input.md), run by
 * scripts/test.d/30-ffi-c.sh under valgrind and under ASan/UBSan. Each case is
 * fed in chunks of 1, 7 and 4096 bytes with room for 1 and for 64 records per
 * call, every chunk from its own malloc'd copy freed right after the call, and
 * every record's bytes are read while they are valid: an out-of-bounds or
 * stale view is a memory error. Counts and the first finding must be exact.
 * Output: TAP, then "N passed, N failed"; exit status 0 only when all passed.
 *
 *   ./test_bad_input testdata/sample.txt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"
#include "tap.h"

/* What one run produced. */
typedef struct {
    eik_status status; /* first non-OK status, or OK */
    eik_counts counts;
    size_t records, findings;
    uint32_t first_kind; /* kind of the first finding (EIK_ERROR_KIND_UNKNOWN if none) */
    uint32_t last_kind;
    int views_ok; /* every record's bytes were readable and looked right */
} result;

/* Reads every record's bytes: Lb_nr and Rec_nr are 11 digits, the length is
 * the layout's, and a view into the input lies inside it. */
static void use_records(result *res, const eik_record *v, size_t n, const uint8_t *in, size_t len) {
    for (size_t i = 0; i < n; i++) {
        eik_layout l;
        unsigned sum = 0;
        for (size_t j = 0; j < v[i].len; j++) sum += v[i].bytes[j];
        int ok = sum > 0 && v[i].len >= 11 && eik_layout_at(v[i].layout_index, &l) == EIK_STATUS_OK &&
                 l.length == v[i].len && l.record_type == v[i].record_type;
        for (size_t j = 0; ok && j < 11; j++) ok = v[i].bytes[j] >= '0' && v[i].bytes[j] <= '9';
        if (v[i].source == EIK_SOURCE_INPUT)
            ok = ok && in != NULL && v[i].bytes >= in && v[i].bytes + v[i].len <= in + len;
        if (!ok) res->views_ok = 0;
        res->records++;
    }
}

static eik_status take(eik_decoder *dec, result *res) {
    eik_error buf[5];
    size_t n;
    do {
        eik_status st = eik_take_findings(dec, buf, 5, &n);
        if (st != EIK_STATUS_OK) return st;
        for (size_t i = 0; i < n; i++) {
            if (res->findings++ == 0) res->first_kind = buf[i].kind;
            res->last_kind = buf[i].kind;
        }
    } while (n > 0);
    return EIK_STATUS_OK;
}

static result run(int base64, const uint8_t *data, size_t len, size_t chunk, size_t cap) {
    result res;
    memset(&res, 0, sizeof res);
    res.views_ok = 1;
    eik_options opts;
    eik_options_default(&opts);
    opts.base64 = (uint8_t)base64;
    eik_decoder *dec = NULL;
    res.status = eik_decoder_new(&opts, &dec);
    if (res.status != EIK_STATUS_OK) return res;
    eik_record *out = xmalloc(cap * sizeof *out);
    size_t n, used;
    for (size_t pos = 0; pos < len && res.status == EIK_STATUS_OK; pos += chunk) {
        size_t clen = len - pos < chunk ? len - pos : chunk, off = 0;
        uint8_t *piece = xmalloc(clen);
        memcpy(piece, data + pos, clen);
        do {
            res.status = eik_decode(dec, piece + off, clen - off, out, cap, &n, &used);
            if (res.status != EIK_STATUS_OK) break;
            if (used > clen - off) res.views_ok = 0;
            use_records(&res, out, n, piece + off, clen - off);
            off += used;
            res.status = take(dec, &res);
        } while (res.status == EIK_STATUS_OK && off < clen);
        free(piece);
    }
    bool done = false;
    while (res.status == EIK_STATUS_OK && !done) {
        res.status = eik_finish(dec, out, cap, &n, &done);
        if (res.status == EIK_STATUS_OK) use_records(&res, out, n, NULL, 0);
        if (res.status == EIK_STATUS_OK) res.status = take(dec, &res);
    }
    if (res.status == EIK_STATUS_OK) res.status = eik_decoder_counts(dec, &res.counts);
    free(out);
    eik_decoder_free(dec);
    return res;
}

/* Runs one case in every chunking and checks counts and first finding. */
static void expect(const char *name, int base64, const uint8_t *data, size_t len, uint64_t lines,
                   uint64_t decoded, uint64_t rejected, uint64_t errors, uint64_t warnings,
                   uint32_t first_kind) {
    static const size_t chunks[] = {1, 7, 4096}, caps[] = {1, 64};
    for (size_t c = 0; c < 3; c++) {
        for (size_t k = 0; k < 2; k++) {
            result r = run(base64, data, len, chunks[c], caps[k]);
            const eik_counts *n = &r.counts;
            char what[200];
            snprintf(what, sizeof what, "%s, chunks of %zu, cap %zu: lines %llu decoded %llu rejected %llu errors %llu warnings %llu, first %s",
                     name, chunks[c], caps[k], (unsigned long long)lines, (unsigned long long)decoded,
                     (unsigned long long)rejected, (unsigned long long)errors, (unsigned long long)warnings,
                     eik_error_kind_code(first_kind));
            int ok = r.status == EIK_STATUS_OK && r.views_ok && n->lines == lines && n->decoded == decoded &&
                     n->rejected == rejected && n->errors == errors && n->warnings == warnings &&
                     r.records == decoded && r.findings == rejected + errors + warnings &&
                     r.first_kind == first_kind;
            CHECK(ok, what);
            if (!ok)
                printf("#   status %u views %d: lines %llu decoded %llu rejected %llu errors %llu warnings %llu, records %zu, findings %zu, first %s\n",
                       (unsigned)r.status, r.views_ok, (unsigned long long)n->lines,
                       (unsigned long long)n->decoded, (unsigned long long)n->rejected,
                       (unsigned long long)n->errors, (unsigned long long)n->warnings, r.records,
                       r.findings, eik_error_kind_code(r.first_kind));
        }
    }
}

static uint8_t *copy(const uint8_t *p, size_t n) {
    uint8_t *q = xmalloc(n);
    memcpy(q, p, n);
    return q;
}

/* Standard Base64 with padding, no line breaks. */
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

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "testdata/sample.txt";
    static uint8_t sample[4096];
    FILE *f = fopen(path, "rb");
    size_t len = f ? fread(sample, 1, sizeof sample, f) : 0;
    if (f) fclose(f);
    if (len != 1578) {
        fprintf(stderr, "%s is not the 27-line sample (1578 bytes)\n", path);
        return 2;
    }
    size_t line16 = 0; /* offset of line 16, a 6004 (Tekst from byte 15) */
    for (int nl = 0; nl < 15; line16++)
        if (sample[line16] == '\n') nl++;
    uint8_t *d;

    d = copy(sample, len);
    d[line16 + 20] = 0;
    expect("NUL byte in a record", 0, d, len, 27, 26, 1, 0, 0, EIK_ERROR_KIND_BYTE_OUTSIDE_CHARSET);
    d[line16 + 20] = 0x85;
    expect("C1 control byte in a record", 0, d, len, 27, 26, 1, 0, 0, EIK_ERROR_KIND_BYTE_OUTSIDE_CHARSET);
    d[line16 + 20] = '\r';
    expect("bare CR in a record", 0, d, len, 27, 26, 1, 0, 0, EIK_ERROR_KIND_BARE_CARRIAGE_RETURN);
    free(d);

    d = xmalloc(20000);
    memset(d, '7', 20000);
    expect("20000-byte line, no newline", 0, d, 20000, 1, 0, 1, 1, 0, EIK_ERROR_KIND_LINE_TOO_LONG);
    memset(d, 0, 20000);
    expect("20000 NUL bytes", 0, d, 20000, 1, 0, 1, 1, 0, EIK_ERROR_KIND_LINE_TOO_LONG);
    memset(d, '\r', 20000);
    expect("20000 CRs", 0, d, 20000, 1, 0, 1, 1, 0, EIK_ERROR_KIND_LINE_TOO_LONG);
    memset(d, '\n', 3000);
    expect("3000 line feeds (findings queue fills)", 0, d, 3000, 2999, 0, 2999, 1, 0, EIK_ERROR_KIND_BLANK_LINE);
    free(d);

    /* 64 KiB of xorshift garbage, the same bytes as core/tests/bad_input_extra.rs. */
    d = xmalloc(65536);
    uint64_t x = 7 * 0x9E3779B97F4A7C15ull | 1;
    for (size_t i = 0; i < 65536; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        d[i] = (uint8_t)(x >> 24);
    }
    expect("64 KiB of binary garbage", 0, d, 65536, 256, 0, 256, 1, 0, EIK_ERROR_KIND_BYTE_OUTSIDE_CHARSET);
    free(d);

    expect("empty input", 0, sample, 0, 0, 0, 0, 1, 0, EIK_ERROR_KIND_EMPTY_INPUT);
    expect("stream cut inside the 9999", 0, sample, len - 6, 27, 26, 1, 1, 0, EIK_ERROR_KIND_TRUNCATED_LAST_LINE);
    d = xmalloc(len + 3);
    memcpy(d, "\xEF\xBB\xBF", 3);
    memcpy(d + 3, sample, len);
    expect("UTF-8 byte order mark", 0, d, len + 3, 27, 27, 0, 1, 0, EIK_ERROR_KIND_UTF8_BOM);
    free(d);

    /* Base64: 1578 bytes are 526 groups, 2104 characters, no padding. */
    d = xmalloc(4096);
    size_t n = b64(sample, len, d);
    expect("Base64 sample", 1, d, n, 27, 27, 0, 0, 0, EIK_ERROR_KIND_UNKNOWN);
    d[400] = '*';
    expect("Base64 with an invalid character", 1, d, n, 3, 2, 1, 2, 0, EIK_ERROR_KIND_INVALID_BASE64);
    n = b64(sample, 300, d);
    memcpy(d + n, "TWE=", 4);
    n += 4 + b64(sample + 300, len - 300, d + n + 4);
    expect("Base64 padding in the middle", 1, d, n, 3, 2, 1, 2, 0, EIK_ERROR_KIND_BASE64_PADDING);
    n = b64(sample, len, d);
    d[n++] = 'Q';
    expect("Base64 ending inside a group", 1, d, n, 27, 27, 0, 1, 0, EIK_ERROR_KIND_BASE64_TRUNCATED);
    free(d);

    /* The sample cut after every byte: nothing lost, no 9999 at the end. */
    int cuts_ok = 1;
    for (size_t cut = 1; cut + 1 < len; cut++) {
        result r = run(0, sample, cut, 64, 4);
        const eik_counts *c = &r.counts;
        cuts_ok = cuts_ok && r.status == EIK_STATUS_OK && r.views_ok &&
                  c->lines == c->decoded + c->rejected && r.records == c->decoded &&
                  r.last_kind == EIK_ERROR_KIND_MISSING_END_RECORD;
    }
    CHECK(cuts_ok, "the sample cut after every byte: counts balance, last finding missing_end_record");

    return tap_done();
}
