/*
 * Every text the C ABI gives a host about bad input, for the no-CPR test
 * (scripts/test.d/85-no-cpr.sh): each finding with all its numbers, the
 * message of a refused filter or family, the verdicts of eik_check_field.
 * Records are counted, never printed (their fields hold CPRs by design).
 *
 *   no_cpr FILE [--base64] [--strict] [--latin1] [--unknown-raw]
 *               [--family FAMILY.json] [--filter FILTER.json]
 *   no_cpr --check-field VALUE...   (each against 6000's CPR and 2001's SE-nr)
 *
 * Exit 0 when it ran (findings or not), 1 when a call failed unexpectedly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"

#define CHUNK 4096
#define BATCH 256

/* A whole file into a static buffer (families and filters are small). */
static size_t slurp(const char *path, uint8_t *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap, f) : 0;
    if (f) fclose(f);
    return n;
}

static void print_finding(const eik_event *e) {
    eik_kind_info k;
    const char *what = e->event_type == EIK_EVENT_TYPE_REJECTED ? "rejected"
                       : e->event_type == EIK_EVENT_TYPE_ERROR  ? "error"
                                                                : "warning";
    printf("%s: line %llu, Lb_nr %u, record %u, field %u %.*s, offset %llu, expected %llu, found %llu: %.*s", what,
           (unsigned long long)e->line, (unsigned)e->lb_nr, (unsigned)e->record_type, (unsigned)e->field_no,
           (int)e->field_name.len, (const char *)e->field_name.ptr, (unsigned long long)e->offset,
           (unsigned long long)e->expected, (unsigned long long)e->found, (int)e->len, (const char *)e->bytes);
    if (eik_kind_get(e->kind, &k) == EIK_STATUS_OK)
        printf(" [%.*s: %.*s]", (int)k.code.len, (const char *)k.code.ptr, (int)k.message.len,
               (const char *)k.message.ptr);
    putchar('\n');
}

static int check_fields(int argc, char **argv) {
    for (int i = 2; i < argc; i++) {
        const uint8_t *v = (const uint8_t *)argv[i];
        struct { uint16_t rec; uint32_t role; } at[] = {{6000, EIK_ROLE_CPR}, {2001, EIK_ROLE_SE}};
        for (size_t j = 0; j < 2; j++) {
            eik_field_check c;
            eik_status st = eik_check_field(NULL, at[j].rec, at[j].role, 0, v, strlen(argv[i]), &c);
            eik_kind_info k;
            if (st != EIK_STATUS_OK) {
                printf("check %u: %s\n", (unsigned)at[j].rec, eik_status_str(st));
            } else if (c.kind == 0) {
                printf("check %u: fine\n", (unsigned)at[j].rec);
            } else if (eik_kind_get(c.kind, &k) == EIK_STATUS_OK) {
                printf("check %u: %.*s at %u, expected %llu, found %llu: %.*s\n", (unsigned)at[j].rec,
                       (int)k.code.len, (const char *)k.code.ptr, (unsigned)c.at, (unsigned long long)c.expected,
                       (unsigned long long)c.found, (int)k.message.len, (const char *)k.message.ptr);
            }
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--check-field") == 0) return check_fields(argc, argv);
    if (argc < 2) {
        fprintf(stderr, "usage: no_cpr FILE [options] | --check-field VALUE...\n");
        return 1;
    }
    static uint8_t family_json[1 << 20], filter_json[1 << 16];
    eik_options opts;
    eik_options_default(&opts);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--base64") == 0) opts.base64 = 1;
        if (strcmp(argv[i], "--strict") == 0) opts.strict = 1;
        if (strcmp(argv[i], "--latin1") == 0) opts.encoding = EIK_ENCODING_LATIN1;
        if (strcmp(argv[i], "--unknown-raw") == 0) opts.unknown = EIK_UNKNOWN_RAW;
        if (strcmp(argv[i], "--family") == 0 && i + 1 < argc) {
            char msg[512];
            size_t n = slurp(argv[++i], family_json, sizeof family_json);
            eik_status st = eik_family_load(family_json, n, &opts.family, (uint8_t *)msg, sizeof msg);
            if (st != EIK_STATUS_OK) {
                printf("family refused (%s): %s\n", eik_status_str(st), msg);
                return 0;
            }
        }
        if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            opts.filter_json_len = slurp(argv[++i], filter_json, sizeof filter_json);
            opts.filter_json = filter_json;
        }
    }
    eik_decoder *dec = NULL;
    char msg[512];
    eik_status st = eik_decoder_new(&opts, &dec, (uint8_t *)msg, sizeof msg);
    if (st != EIK_STATUS_OK) {
        printf("decoder refused (%s): %s\n", eik_status_str(st), msg);
        return 0;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        eik_decoder_free(dec);
        return 1;
    }
    static uint8_t buf[CHUNK];
    static eik_event events[BATCH];
    eik_batch b;
    size_t len, records = 0, raw = 0;
    int rc = 0;
    while (rc == 0 && (len = fread(buf, 1, sizeof buf, f)) > 0) {
        size_t off = 0;
        do {
            st = eik_decode(dec, buf + off, len - off, events, BATCH, &b);
            if (st != EIK_STATUS_OK) {
                printf("eik_decode: %s\n", eik_status_str(st));
                rc = 1;
                break;
            }
            off += b.consumed;
            for (size_t i = 0; i < b.n_events; i++) {
                if (events[i].event_type == EIK_EVENT_TYPE_RECORD) records++;
                else if (events[i].event_type == EIK_EVENT_TYPE_RAW) raw++;
                else print_finding(&events[i]);
            }
        } while (off < len && !b.done);
    }
    b.done = 0;
    while (rc == 0 && !b.done) {
        st = eik_finish(dec, events, BATCH, &b);
        if (st != EIK_STATUS_OK) {
            printf("eik_finish: %s\n", eik_status_str(st));
            rc = 1;
            break;
        }
        for (size_t i = 0; i < b.n_events; i++) {
            if (events[i].event_type == EIK_EVENT_TYPE_RECORD) records++;
            else if (events[i].event_type == EIK_EVENT_TYPE_RAW) raw++;
            else print_finding(&events[i]);
        }
    }
    eik_counts c;
    if (rc == 0 && eik_decoder_counts(dec, &c) == EIK_STATUS_OK)
        printf("records %zu, raw %zu; lines %llu, decoded %llu, rejected %llu, warnings %llu, errors %llu\n", records,
               raw, (unsigned long long)c.lines, (unsigned long long)c.decoded, (unsigned long long)c.rejected,
               (unsigned long long)c.warnings, (unsigned long long)c.errors);
    eik_decoder_free(dec);
    fclose(f);
    return rc;
}
