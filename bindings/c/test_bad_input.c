/*
 * Bad input through the C API (the classes of docs/bad-input.md), run by
 * scripts/test.d/30-ffi-c.sh under valgrind and under ASan/UBSan. Each case is
 * fed in chunks of 1, 7 and 4096 bytes with room for EIK_MIN_EVENTS and for 64
 * events per call, every chunk from its own malloc'd copy freed right after the call, and
 * every event's bytes are read while they are valid: an out-of-bounds or
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
    uint16_t first_kind; /* kind of the first finding (0 if none) */
    uint16_t last_kind;
    int views_ok; /* every event's bytes were readable and looked right */
} result;

/* Reads every event's bytes: a record's Lb_nr and Rec_nr are 11 digits, its
 * length is the layout's, and a view into the input lies inside it; a
 * finding's message starts with "line ". */
static void use_events(result *res, const eik_event *v, const eik_batch *b, const uint8_t *in, size_t len) {
    for (size_t i = 0; i < b->n_events; i++) {
        const eik_event *e = &v[i];
        unsigned sum = 0;
        for (size_t j = 0; j < e->len; j++) sum += e->bytes[j];
        int ok = sum > 0;
        if (e->flags & EIK_EVENT_IN_SCRATCH)
            ok = ok && e->bytes >= b->scratch && e->bytes + e->len <= b->scratch + b->scratch_len;
        else
            ok = ok && in != NULL && e->bytes >= in && e->bytes + e->len <= in + len;
        if (e->event_type == EIK_EVENT_TYPE_RECORD) {
            eik_layout l;
            ok = ok && e->len >= 11 && eik_family_layout(NULL, e->layout, &l) == EIK_STATUS_OK &&
                 l.length == e->len && l.record_type == e->record_type;
            for (size_t j = 0; ok && j < 11; j++) ok = e->bytes[j] >= '0' && e->bytes[j] <= '9';
            res->records++;
        } else {
            ok = ok && e->len > 5 && memcmp(e->bytes, "line ", 5) == 0 && e->kind != 0;
            if (res->findings++ == 0) res->first_kind = e->kind;
            res->last_kind = e->kind;
        }
        if (!ok) res->views_ok = 0;
    }
}

static result run(int base64, const uint8_t *data, size_t len, size_t chunk, size_t cap) {
    result res;
    memset(&res, 0, sizeof res);
    res.views_ok = 1;
    eik_options opts;
    eik_options_default(&opts);
    opts.base64 = (uint8_t)base64;
    eik_decoder *dec = NULL;
    res.status = eik_decoder_new(&opts, &dec, NULL, 0);
    if (res.status != EIK_STATUS_OK) return res;
    eik_event *out = xmalloc(cap * sizeof *out);
    eik_batch b;
    for (size_t pos = 0; pos < len && res.status == EIK_STATUS_OK; pos += chunk) {
        size_t clen = len - pos < chunk ? len - pos : chunk, off = 0;
        uint8_t *piece = xmalloc(clen);
        memcpy(piece, data + pos, clen);
        do {
            res.status = eik_decode(dec, piece + off, clen - off, out, cap, &b);
            if (res.status != EIK_STATUS_OK) break;
            if (b.consumed > clen - off || b.n_events > cap) res.views_ok = 0;
            use_events(&res, out, &b, piece + off, clen - off);
            off += b.consumed;
        } while (off < clen);
        free(piece);
    }
    b.done = 0;
    while (res.status == EIK_STATUS_OK && !b.done) {
        res.status = eik_finish(dec, out, cap, &b);
        if (res.status == EIK_STATUS_OK) use_events(&res, out, &b, NULL, 0);
    }
    if (res.status == EIK_STATUS_OK) res.status = eik_decoder_counts(dec, &res.counts);
    free(out);
    eik_decoder_free(dec);
    return res;
}

/* A kind's code, for messages. */
static const char *code(uint16_t kind) {
    static char buf[64];
    eik_kind_info k;
    if (kind == 0 || eik_kind_get(kind, &k) != EIK_STATUS_OK) return "none";
    snprintf(buf, sizeof buf, "%.*s", (int)k.code.len, (const char *)k.code.ptr);
    return buf;
}

/* Runs one case in every chunking and checks counts and first finding. */
static void expect(const char *name, int base64, const uint8_t *data, size_t len, uint64_t lines,
                   uint64_t decoded, uint64_t rejected, uint64_t errors, uint64_t warnings,
                   uint16_t first_kind) {
    static const size_t chunks[] = {1, 7, 4096}, caps[] = {EIK_MIN_EVENTS, 64};
    for (size_t c = 0; c < 3; c++) {
        for (size_t k = 0; k < 2; k++) {
            result r = run(base64, data, len, chunks[c], caps[k]);
            const eik_counts *n = &r.counts;
            char what[200];
            snprintf(what, sizeof what, "%s, chunks of %zu, cap %zu: lines %llu decoded %llu rejected %llu errors %llu warnings %llu, first %s",
                     name, chunks[c], caps[k], (unsigned long long)lines, (unsigned long long)decoded,
                     (unsigned long long)rejected, (unsigned long long)errors, (unsigned long long)warnings,
                     code(first_kind));
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
                       r.findings, code(r.first_kind));
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
    expect("NUL byte in a record", 0, d, len, 27, 26, 1, 0, 0, EIK_KIND_BYTE_OUTSIDE_CHARSET);
    d[line16 + 20] = 0x85;
    expect("C1 control byte in a record", 0, d, len, 27, 26, 1, 0, 0, EIK_KIND_BYTE_OUTSIDE_CHARSET);
    d[line16 + 20] = '\r';
    expect("bare CR in a record", 0, d, len, 27, 26, 1, 0, 0, EIK_KIND_BARE_CARRIAGE_RETURN);
    free(d);

    d = xmalloc(20000);
    memset(d, '7', 20000);
    /* Input that never decodes a record is not in the family: one finding, no line counted. */
    expect("20000-byte line, no newline", 0, d, 20000, 0, 0, 0, 1, 0, EIK_KIND_WRONG_FAMILY);
    memset(d, 0, 20000);
    expect("20000 NUL bytes", 0, d, 20000, 0, 0, 0, 1, 0, EIK_KIND_WRONG_FAMILY);
    memset(d, '\r', 20000);
    expect("20000 CRs", 0, d, 20000, 0, 0, 0, 1, 0, EIK_KIND_WRONG_FAMILY);
    memset(d, '\n', 3000);
    expect("3000 line feeds (findings queue fills)", 0, d, 3000, 2999, 0, 2999, 1, 0, EIK_KIND_BLANK_LINE);
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
    expect("64 KiB of binary garbage", 0, d, 65536, 0, 0, 0, 1, 0, EIK_KIND_WRONG_FAMILY);
    /* After a decoded start record the file is in the family: every garbage line is rejected. */
    {
        size_t first = 0;
        while (sample[first] != '\n') first++;
        uint8_t *g = xmalloc(first + 1 + 65536);
        memcpy(g, sample, first + 1);
        memcpy(g + first + 1, d, 65536);
        expect("64 KiB of garbage after a start record", 0, g, first + 1 + 65536, 257, 1, 256, 1, 0,
               EIK_KIND_BYTE_OUTSIDE_CHARSET);
        free(g);
    }
    free(d);

    expect("empty input", 0, sample, 0, 0, 0, 0, 1, 0, EIK_KIND_EMPTY_INPUT);
    expect("stream cut inside the 9999", 0, sample, len - 6, 27, 26, 1, 1, 0, EIK_KIND_TRUNCATED_LAST_LINE);
    d = xmalloc(len + 3);
    memcpy(d, "\xEF\xBB\xBF", 3);
    memcpy(d + 3, sample, len);
    expect("UTF-8 byte order mark", 0, d, len + 3, 27, 27, 0, 1, 0, EIK_KIND_UTF8_BOM);
    free(d);

    /* Base64: 1578 bytes are 526 groups, 2104 characters, no padding. */
    d = xmalloc(4096);
    size_t n = b64(sample, len, d);
    expect("Base64 sample", 1, d, n, 27, 27, 0, 0, 0, 0);
    d[400] = '*';
    expect("Base64 with an invalid character", 1, d, n, 3, 2, 1, 2, 0, EIK_KIND_INVALID_BASE64);
    n = b64(sample, 300, d);
    memcpy(d + n, "TWE=", 4);
    n += 4 + b64(sample + 300, len - 300, d + n + 4);
    expect("Base64 padding in the middle", 1, d, n, 3, 2, 1, 2, 0, EIK_KIND_BASE64_PADDING);
    n = b64(sample, len, d);
    d[n++] = 'Q';
    expect("Base64 ending inside a group", 1, d, n, 27, 27, 0, 1, 0, EIK_KIND_BASE64_TRUNCATED);
    free(d);

    /* The sample cut after every byte: nothing lost, no 9999 at the end. */
    int cuts_ok = 1;
    for (size_t cut = 1; cut + 1 < len; cut++) {
        result r = run(0, sample, cut, 64, EIK_MIN_EVENTS);
        const eik_counts *c = &r.counts;
        cuts_ok = cuts_ok && r.status == EIK_STATUS_OK && r.views_ok &&
                  c->lines == c->decoded + c->rejected + c->raw && r.records == c->decoded &&
                  r.last_kind == EIK_KIND_MISSING_END_RECORD;
    }
    CHECK(cuts_ok, "the sample cut after every byte: counts balance, last finding missing_end_record");

    return tap_done();
}
