/*
 * C tests of the eindkomst filter API (eik_filter_*), TAP output followed by
 * "N passed, N failed"; exit status 0 only when everything passed.
 *
 *   gcc -std=c99 -Wall -Wextra -Werror -I include bindings/c/test_filter.c \
 *       target/debug/libeindkomst.a -lpthread -ldl -lm -o test_filter
 *   ./test_filter testdata/sample.txt
 *
 * Input chunks are fresh malloc'd copies freed right after use, and the kept
 * records are copied out before the next call, so a view that outlives its
 * call shows up under valgrind or ASan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"
#include "tap.h"

/* A kept record copied out of its view. */
typedef struct {
    char line[160];
    size_t len;
    uint64_t seq;
    uint32_t lb_nr;
    uint16_t record_type;
    char pseudonym[17];
} kept;

#define MAX_KEPT 64

typedef struct {
    kept k[MAX_KEPT];
    size_t n;
    eik_filter_counts counts;
    int ok; /* every call returned EIK_STATUS_OK */
} result;

static void take(result *res, const eik_kept_record *v, size_t n) {
    for (size_t i = 0; i < n && res->n < MAX_KEPT; i++) {
        kept *k = &res->k[res->n++];
        memset(k, 0, sizeof *k);
        k->len = v[i].record.len < sizeof k->line - 1 ? v[i].record.len : sizeof k->line - 1;
        memcpy(k->line, v[i].record.bytes, k->len);
        k->seq = v[i].record.seq;
        k->lb_nr = v[i].record.lb_nr;
        k->record_type = v[i].record.record_type;
        if (v[i].has_pseudonym) memcpy(k->pseudonym, v[i].pseudonym, 16);
    }
}

/* Sends records recs[0..n) through the filter in slices of the filter's cap. */
static void filter_batch(eik_filter *f, const eik_record *recs, size_t n, result *res) {
    eik_kept_record out[EIK_FILTER_MIN_CAP];
    size_t off = 0;
    while (off < n) {
        size_t kn = 0, used = 0;
        if (eik_filter_records(f, recs + off, n - off, out, EIK_FILTER_MIN_CAP, &kn, &used) != EIK_STATUS_OK ||
            used == 0) {
            res->ok = 0;
            return;
        }
        take(res, out, kn);
        off += used;
    }
}

/* Decodes data in chunks of `chunk` bytes (3 records per batch), filtering each batch. */
static result run(const eik_filter_options *fo, const uint8_t *data, size_t len, size_t chunk) {
    result res;
    memset(&res, 0, sizeof res);
    res.ok = 1;
    eik_decoder *dec = NULL;
    eik_filter *f = NULL;
    if (eik_decoder_new(NULL, &dec) != EIK_STATUS_OK || eik_filter_new(fo, &f) != EIK_STATUS_OK) {
        res.ok = 0;
        eik_decoder_free(dec);
        return res;
    }
    eik_record recs[3];
    eik_error finds[8];
    size_t n, used, nf;
    for (size_t pos = 0; pos < len && res.ok;) {
        size_t take_n = len - pos < chunk ? len - pos : chunk;
        uint8_t *copy = xmalloc(take_n);
        memcpy(copy, data + pos, take_n);
        size_t off = 0;
        while (off < take_n && res.ok) {
            if (eik_decode(dec, copy + off, take_n - off, recs, 3, &n, &used) != EIK_STATUS_OK) res.ok = 0;
            filter_batch(f, recs, n, &res);
            eik_take_findings(dec, finds, 8, &nf);
            off += used;
            if (used == 0 && n == 0) break;
        }
        free(copy);
        pos += take_n;
    }
    bool done = false;
    while (!done && res.ok) {
        if (eik_finish(dec, recs, 3, &n, &done) != EIK_STATUS_OK) res.ok = 0;
        filter_batch(f, recs, n, &res);
        eik_take_findings(dec, finds, 8, &nf);
    }
    if (eik_filter_finish(f) != EIK_STATUS_OK || eik_filter_get_counts(f, &res.counts) != EIK_STATUS_OK) res.ok = 0;
    eik_filter_free(f);
    eik_decoder_free(dec);
    return res;
}

static const uint8_t *sample;
static size_t sample_len;

static int lb_nrs_are(const result *r, const uint32_t *want, size_t n) {
    if (r->n != n) {
        printf("#   %zu records kept, want %zu\n", r->n, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (r->k[i].lb_nr != want[i]) {
            printf("#   record %zu has Lb_nr %u, want %u\n", i, r->k[i].lb_nr, want[i]);
            return 0;
        }
    return 1;
}

static int all_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ') return 0;
    return 1;
}

static void test_minimal_profile(void) {
    eik_filter_options fo;
    CHECK_EQ(eik_filter_options_default(&fo), EIK_STATUS_OK, "filter options default");
    fo.profile = EIK_PROFILE_MINIMAL;
    static const uint32_t want[] = {1, 2, 8, 9, 10, 12, 13, 21, 23, 25, 26, 27};
    size_t chunks[] = {7, 64, 4096};
    for (size_t c = 0; c < 3; c++) {
        result r = run(&fo, sample, sample_len, chunks[c]);
        CHECK(r.ok, "minimal: every call OK");
        CHECK(lb_nrs_are(&r, want, 12), "minimal: exactly the identity, period and felt 13/14/16 lines");
        CHECK_EQ(r.counts.seen, 27, "minimal: seen");
        CHECK_EQ(r.counts.passed, 12, "minimal: passed");
        CHECK_EQ(r.counts.record_type, 12, "minimal: record type");
        CHECK_EQ(r.counts.felt, 2, "minimal: felt");
        CHECK_EQ(r.counts.empty_header, 1, "minimal: empty header");
        CHECK_EQ(r.counts.held + r.counts.cpr + r.counts.se + r.counts.period + r.counts.parent_dropped, 0,
                 "minimal: no other reason, nothing held");
        /* 6000 of line 9: only the CPR remains, the line keeps its 95 bytes. */
        const kept *p = &r.k[3];
        CHECK_EQ(p->len, 95, "minimal: 6000 stays fixed width");
        CHECK(memcmp(p->line, "00000096000        6101901234", 29) == 0, "minimal: 6000 keeps Lb_nr, Rec_nr, CPR");
        CHECK(all_blank(p->line + 29, 95 - 29), "minimal: 6000 employee number, TIN, etc. blanked");
        CHECK(memcmp(r.k[4].line, "0000010600100130000032500000000+", 32) == 0, "minimal: 6001 felt 13 intact");
        /* Headers keep the decoder's seq (no findings: seq = line - 1). */
        CHECK_EQ(r.k[0].seq, 0, "minimal: 1000 seq");
        CHECK_EQ(r.k[2].seq, 7, "minimal: held 5000 keeps its seq");
        CHECK_EQ(r.k[11].seq, 26, "minimal: 9999 seq");
    }
}

static void test_cpr_and_pseudonym(void) {
    eik_filter_options fo;
    eik_filter_options_default(&fo);
    const char cprs[] = "6101901234"; /* synthetic (day + 60) */
    const char key[] = "k1";
    fo.cprs = (const uint8_t *)cprs;
    fo.n_cprs = 1;
    fo.pseudonym_key = (const uint8_t *)key;
    fo.pseudonym_key_len = 2;
    result r = run(&fo, sample, sample_len, 100);
    CHECK(r.ok, "cpr: every call OK");
    static const uint32_t want[] = {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 27};
    CHECK(lb_nrs_are(&r, want, 20), "cpr: one person's records and its headers");
    CHECK_EQ(r.counts.cpr, 3, "cpr: dropped for their CPR");
    CHECK_EQ(r.counts.parent_dropped, 4, "cpr: their records");
    const kept *person = &r.k[7];
    CHECK_EQ(person->record_type, 6000, "cpr: the person");
    CHECK(strcmp(person->pseudonym, "b03f4b3d244a8f61") == 0, "cpr: pseudonym is HMAC-SHA-256, 16 hex");
    CHECK(all_blank(person->line + 19, 10), "cpr: CPR field blanked");
    CHECK(strcmp(r.k[2].pseudonym, "b03f4b3d244a8f61") == 0, "cpr: same person's 2101, same pseudonym");
    CHECK(r.k[0].pseudonym[0] == 0, "cpr: no pseudonym without a CPR");
    int leaked = 0;
    for (size_t i = 0; i < r.n; i++)
        if (strstr(r.k[i].line, "6101901234")) leaked = 1;
    CHECK(!leaked, "cpr: CPR appears in no kept line");
    uint8_t p[16];
    CHECK_EQ(eik_pseudonymise((const uint8_t *)key, 2, (const uint8_t *)cprs, 10, p), EIK_STATUS_OK, "pseudonymise");
    CHECK(memcmp(p, "b03f4b3d244a8f61", 16) == 0, "pseudonymise: same value");
    CHECK_EQ(eik_pseudonymise((const uint8_t *)"k2", 2, (const uint8_t *)cprs, 10, p), EIK_STATUS_OK, "pseudonymise k2");
    CHECK(memcmp(p, "0bb1381c56238201", 16) == 0, "pseudonymise: another key, another value");
}

static void test_custom_profile_and_sets(void) {
    eik_filter_options fo;
    eik_filter_options_default(&fo);
    eik_profile_entry table[2];
    memset(table, 0, sizeof table);
    table[0].record_type = 6000;
    table[0].fields = 1u << 5;
    table[1].record_type = 6001;
    table[1].fields = (1u << 3) | (1u << 4) | (1u << 5);
    const uint16_t felt[] = {15};
    const uint32_t se[] = {12345678};
    fo.profile = EIK_PROFILE_CUSTOM;
    fo.profile_records = table;
    fo.n_profile_records = 2;
    fo.profile_feltnumre = felt;
    fo.n_profile_feltnumre = 1;
    fo.se_nrs = se;
    fo.n_se_nrs = 1;
    fo.period_from = 20250101;
    fo.period_to = 20250331;
    result r = run(&fo, sample, sample_len, 4096);
    static const uint32_t want[] = {1, 2, 8, 9, 11, 21, 24};
    CHECK(r.ok && lb_nrs_are(&r, want, 7), "custom: felt 15 under its headers");
    CHECK(memcmp(r.k[4].line, "0000011600100150000009100000000+", 32) == 0, "custom: 6001 fields 3-5 intact");
    CHECK(all_blank(r.k[0].line + 11, 131), "custom: 1000 outside the profile: Lb_nr and Rec_nr only");
    CHECK_EQ(r.counts.seen, r.counts.passed + r.counts.cpr + r.counts.se + r.counts.record_type + r.counts.felt +
                                r.counts.period + r.counts.parent_dropped + r.counts.empty_header,
             "custom: every record accounted for");

    fo.se_nrs = NULL;
    const uint32_t none[] = {1};
    fo.se_nrs = none;
    r = run(&fo, sample, sample_len, 4096);
    CHECK_EQ(r.n, 0, "custom: other employer: nothing kept");
    CHECK_EQ(r.counts.se, 1, "custom: dropped for its SE-nr");
    CHECK_EQ(r.counts.parent_dropped, 24, "custom: all under it");
}

static void test_bad_calls(void) {
    eik_filter_options fo;
    eik_filter *f = NULL;
    eik_filter_options_default(&fo);
    CHECK_EQ(eik_filter_new(NULL, &f), EIK_STATUS_NULL_POINTER, "new: NULL options");
    CHECK_EQ(eik_filter_new(&fo, NULL), EIK_STATUS_NULL_POINTER, "new: NULL out");
    const uint16_t unsorted[] = {6001, 6000};
    fo.record_types = unsorted;
    fo.n_record_types = 2;
    CHECK_EQ(eik_filter_new(&fo, &f), EIK_STATUS_INVALID_ARGUMENT, "new: unsorted set");
    eik_filter_options_default(&fo);
    fo.profile = EIK_PROFILE_CUSTOM;
    CHECK_EQ(eik_filter_new(&fo, &f), EIK_STATUS_INVALID_ARGUMENT, "new: custom profile without table");
    fo.profile = 7;
    CHECK_EQ(eik_filter_new(&fo, &f), EIK_STATUS_INVALID_ARGUMENT, "new: unknown profile");
    eik_filter_options_default(&fo);
    fo.period_from = 20250201;
    fo.period_to = 20250101;
    CHECK_EQ(eik_filter_new(&fo, &f), EIK_STATUS_INVALID_ARGUMENT, "new: period ends before it starts");
    CHECK(f == NULL, "new: out untouched on failure");
    eik_filter_options_default(&fo);
    CHECK_EQ(eik_filter_new(&fo, &f), EIK_STATUS_OK, "new: defaults");
    eik_kept_record out[EIK_FILTER_MIN_CAP];
    size_t n = 99, used = 99;
    CHECK_EQ(eik_filter_records(f, NULL, 0, out, EIK_FILTER_MIN_CAP - 1, &n, &used), EIK_STATUS_BUFFER_TOO_SMALL,
             "records: cap below EIK_FILTER_MIN_CAP");
    CHECK_EQ(eik_filter_records(f, NULL, 1, out, EIK_FILTER_MIN_CAP, &n, &used), EIK_STATUS_NULL_POINTER,
             "records: NULL input with a count");
    CHECK_EQ(eik_filter_records(f, NULL, 0, out, EIK_FILTER_MIN_CAP, &n, &used), EIK_STATUS_OK, "records: none");
    CHECK(n == 0 && used == 0, "records: none in, none out");
    CHECK_EQ(eik_filter_records(NULL, NULL, 0, out, EIK_FILTER_MIN_CAP, &n, &used), EIK_STATUS_NULL_POINTER,
             "records: NULL filter");
    CHECK_EQ(eik_filter_get_counts(f, NULL), EIK_STATUS_NULL_POINTER, "counts: NULL out");
    CHECK_EQ(eik_filter_finish(NULL), EIK_STATUS_NULL_POINTER, "finish: NULL filter");
    eik_filter_free(f);
    eik_filter_free(NULL);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s testdata/sample.txt\n", argv[0]);
        return 2;
    }
    uint8_t *data = read_file(argv[1], &sample_len);
    sample = data;
    test_minimal_profile();
    test_cpr_and_pseudonym();
    test_custom_profile_and_sets();
    test_bad_calls();
    free(data);
    return tap_done();
}
