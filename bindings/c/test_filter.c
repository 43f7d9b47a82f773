/*
 * Dataafgrænsning through the C API: the filter is JSON text in eik_options
 * (the FilterSpec shape of every face, docs/filtering.md) and runs inside
 * eik_decode; kept records arrive projected, in order, with their headers,
 * and with a key a pseudonym after the bytes. Run by 30-ffi-c.sh under
 * valgrind and ASan/UBSan. Output: TAP, then "N passed, N failed".
 *
 *   ./test_filter testdata/sample.txt
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"
#include "tap.h"

#define MAXREC 64

typedef struct {
    eik_status status;
    char message[200];
    size_t n;
    uint16_t types[MAXREC];
    char lines[MAXREC][160];
    char pseudonyms[MAXREC][EIK_PSEUDONYM_LEN + 1];
    uint64_t mask6001, mask8001;
    eik_filter_counts counts;
} filtered;

/* Decodes the sample in 100-byte chunks (each its own malloc'd copy) with
 * the filter `json` (and `key`, if not NULL). */
static filtered run(const uint8_t *sample, size_t len, const char *json, const char *key) {
    filtered r;
    memset(&r, 0, sizeof r);
    eik_options o;
    eik_options_default(&o);
    o.filter_json = (const uint8_t *)json;
    o.filter_json_len = json ? strlen(json) : 0;
    o.pseudonym_key = (const uint8_t *)key;
    o.pseudonym_key_len = key ? strlen(key) : 0;
    eik_decoder *dec = NULL;
    r.status = eik_decoder_new(&o, &dec, (uint8_t *)r.message, sizeof r.message);
    if (r.status != EIK_STATUS_OK) return r;
    eik_event ev[EIK_MIN_EVENTS];
    eik_batch b;
    b.done = 0;
    for (size_t pos = 0; pos <= len && r.status == EIK_STATUS_OK; pos += 100) {
        int last = pos >= len;
        size_t clen = last ? 0 : (len - pos < 100 ? len - pos : 100), off = 0;
        uint8_t *piece = xmalloc(clen);
        memcpy(piece, sample + pos, clen);
        do {
            r.status = last ? eik_finish(dec, ev, EIK_MIN_EVENTS, &b)
                            : eik_decode(dec, piece + off, clen - off, ev, EIK_MIN_EVENTS, &b);
            if (r.status != EIK_STATUS_OK) break;
            for (size_t i = 0; i < b.n_events && r.n < MAXREC; i++) {
                if (ev[i].event_type != EIK_EVENT_TYPE_RECORD) continue;
                r.types[r.n] = ev[i].record_type;
                memcpy(r.lines[r.n], ev[i].bytes, ev[i].len < 159 ? ev[i].len : 159);
                if (ev[i].flags & EIK_EVENT_HAS_PSEUDONYM) memcpy(r.pseudonyms[r.n], ev[i].bytes + ev[i].len, EIK_PSEUDONYM_LEN);
                r.n++;
            }
            off += b.consumed;
        } while (last ? !b.done : off < clen);
        free(piece);
    }
    eik_profile_fields(dec, 6001, &r.mask6001);
    eik_profile_fields(dec, 8001, &r.mask8001);
    if (eik_decoder_filter_counts(dec, &r.counts) != EIK_STATUS_OK) r.counts.seen = 999;
    eik_decoder_free(dec);
    return r;
}

int main(int argc, char **argv) {
    size_t len;
    uint8_t *sample = read_file(argc > 1 ? argv[1] : "testdata/sample.txt", &len);

    filtered r = run(sample, len, "{\"cprs\": [\"610190-1234\"], \"profile\": \"minimal\"}", NULL);
    CHECK_EQ(r.status, EIK_STATUS_OK, "CPR + minimal: accepted");
    static const uint16_t want[] = {1000, 2001, 5000, 6000, 6001, 6001, 6001, 9999};
    int order = r.n == 8;
    for (size_t i = 0; order && i < 8; i++) order = r.types[i] == want[i];
    CHECK(order, "CPR + minimal: the person's three amounts under their headers, in order");
    CHECK(memcmp(r.lines[4] + 11, "0013", 4) == 0 && memcmp(r.lines[5] + 11, "0016", 4) == 0,
          "minimal: felt 0013 and 0016 (0015 dropped)");
    CHECK(strstr(r.lines[0], "Kommunal") == NULL && memcmp(r.lines[0] + 7, "1000", 4) == 0,
          "minimal: 1000's Edb_system (\"Kommunal Løn\") blanked in the bytes, Rec_nr kept");
    CHECK_EQ(r.mask6001, 0x3E, "eik_profile_fields: 6001 shows fields 1-5");
    CHECK_EQ(r.mask8001, 0x6, "eik_profile_fields: 8001 not in minimal (a bare header: Lb_nr, Rec_nr)");
    CHECK_EQ(r.counts.seen, 27, "filter counts: seen");
    CHECK_EQ(r.counts.passed, 8, "filter counts: passed");
    CHECK_EQ(r.counts.seen, r.counts.passed + r.counts.cpr + r.counts.se + r.counts.record_type + r.counts.felt +
                                r.counts.period + r.counts.parent_dropped + r.counts.empty_header,
             "filter counts balance");

    r = run(sample, len, "{\"record_types\": [6000]}", "0123456789abcdef");
    CHECK_EQ(r.n, 3 + 3, "6000 with a key: three persons under their 1000, 2001 and 5000");
    uint8_t want_p[EIK_PSEUDONYM_LEN];
    eik_pseudonymise((const uint8_t *)"0123456789abcdef", 16, (const uint8_t *)"6101901234", 10, want_p);
    size_t person = 0;
    while (person < r.n && r.types[person] != 6000) person++;
    CHECK(person < r.n && memcmp(r.pseudonyms[person], want_p, EIK_PSEUDONYM_LEN) == 0,
          "the first person's pseudonym follows its bytes");
    CHECK(person < r.n && memcmp(r.lines[person] + 19, "          ", 10) == 0, "its CPR field is blank");

    r = run(sample, len, NULL, "0123456789abcdef");
    CHECK(r.status == EIK_STATUS_OK && r.n == 27, "a key alone: every record, pseudonymised");

    r = run(sample, len, "{\"felter\": [13], \"seNrs\": [12345678]}", NULL);
    CHECK(r.status == EIK_STATUS_OK && r.counts.felt > 0, "old names (felter, seNrs) still work");

    r = run(sample, len, "{\"cprs\": [\"6101901234\", \"61019O1234\"]}", NULL);
    CHECK_EQ(r.status, EIK_STATUS_INVALID_FILTER, "a bad CPR: invalid filter");
    CHECK(strstr(r.message, "cprs[1] is not a CPR number") != NULL && strstr(r.message, "61019") == NULL,
          "the message names the index, never the CPR");
    r = run(sample, len, "{\"profile\": \"strict\"}", NULL);
    CHECK(r.status == EIK_STATUS_INVALID_FILTER && strstr(r.message, "not a built-in profile") != NULL,
          "an unknown profile");
    r = run(sample, len, "{\"cprs\": []}", "short");
    CHECK(r.status == EIK_STATUS_INVALID_FILTER && strstr(r.message, "at least 16 bytes") != NULL, "a short key");

    free(sample);
    return tap_done();
}
