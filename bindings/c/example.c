/*
 * Decodes an eIndkomst file with the C API and prints one line per record
 * and per finding, in input order. Personal identifiers (CPR) are masked:
 * never log them.
 *
 *   cc -std=c11 -I include bindings/c/example.c -L target/release -leindkomst
 *   LD_LIBRARY_PATH=target/release ./a.out testdata/sample.txt [--base64] [--family FILE]
 *
 * The file is read in 4096-byte chunks; events come up to 256 per native call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eindkomst.h"

#define CHUNK 4096
#define BATCH 256

/* Prints an ISO-8859-1 field as UTF-8, without trailing blanks. */
static void print_latin1(const uint8_t *p, size_t len) {
    while (len > 0 && p[len - 1] == ' ') len--;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x80) {
            putchar(p[i]);
        } else {
            putchar(0xC0 | p[i] >> 6);
            putchar(0x80 | (p[i] & 0x3F));
        }
    }
}

/* Prints "line, Lb_nr, record type" and every field that is not the key, the
 * line number, a filler or a sign; the CPR masked. */
static void print_record(const eik_family *fam, const eik_event *r) {
    eik_layout layout;
    printf("line %3llu  Lb_nr %7u  %04u", (unsigned long long)r->line, (unsigned)r->lb_nr,
           (unsigned)r->record_type);
    if (eik_family_layout(fam, r->layout, &layout) != EIK_STATUS_OK) {
        printf("  (no layout)\n");
        return;
    }
    for (uint32_t i = 0; i < layout.n_fields; i++) {
        eik_field f;
        if (eik_family_field(fam, layout.index, i, &f) != EIK_STATUS_OK || f.role == EIK_ROLE_RECORD_KEY ||
            f.role == EIK_ROLE_LINE_NUMBER || f.format == EIK_FIELD_FORMAT_FILLER || f.format == EIK_FIELD_FORMAT_SIGN)
            continue;
        printf("  %.*s=", (int)f.name.len, (const char *)f.name.ptr);
        if (f.personal) {
            printf("**********");
            continue;
        }
        print_latin1(r->bytes + f.start, f.len);
        /* An amount's sign is the next field. */
        if (f.format == EIK_FIELD_FORMAT_AMOUNT || f.format == EIK_FIELD_FORMAT_QUANTITY) {
            eik_field sign;
            if (eik_family_field(fam, layout.index, i + 1, &sign) == EIK_STATUS_OK &&
                sign.format == EIK_FIELD_FORMAT_SIGN)
                putchar(r->bytes[sign.start]);
        }
    }
    putchar('\n');
}

/* Prints one event: a record, a raw line (its key only), or a finding with
 * the engine's own message and its kind's code. */
static void print_event(const eik_family *fam, const eik_event *e) {
    eik_kind_info k;
    switch (e->event_type) {
    case EIK_EVENT_TYPE_RECORD: print_record(fam, e); return;
    case EIK_EVENT_TYPE_RAW:
        printf("line %3llu  raw, key %.*s\n", (unsigned long long)e->line, (int)e->key_len, (const char *)e->bytes + e->key_start);
        return;
    case EIK_EVENT_TYPE_REJECTED: printf("rejected: "); break;
    case EIK_EVENT_TYPE_ERROR: printf("error: "); break;
    default: printf("warning: "); break;
    }
    printf("%.*s", (int)e->len, (const char *)e->bytes);
    if (eik_kind_get(e->kind, &k) == EIK_STATUS_OK) printf(" [%.*s]", (int)k.code.len, (const char *)k.code.ptr);
    putchar('\n');
}

static int fail(const char *what, eik_status st) {
    fprintf(stderr, "%s: %s\n", what, eik_status_str(st));
    return 1;
}

/* Loads a family file, or exits. */
static const eik_family *load_family(const char *path) {
    FILE *f = fopen(path, "rb");
    static char json[1 << 20];
    size_t n = f ? fread(json, 1, sizeof json, f) : 0;
    if (f) fclose(f);
    const eik_family *fam = NULL;
    char msg[256];
    if (n == 0 || eik_family_load((const uint8_t *)json, n, &fam, (uint8_t *)msg, sizeof msg) != EIK_STATUS_OK) {
        fprintf(stderr, "%s: %s\n", path, n == 0 ? "cannot read" : msg);
        exit(1);
    }
    return fam;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "testdata/sample.txt";
    eik_options opts;
    eik_options_default(&opts);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--base64") == 0) opts.base64 = 1;
        if (strcmp(argv[i], "--family") == 0 && i + 1 < argc) opts.family = load_family(argv[++i]);
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    eik_decoder *dec = NULL;
    char msg[256];
    eik_status st = eik_decoder_new(&opts, &dec, (uint8_t *)msg, sizeof msg);
    if (st != EIK_STATUS_OK) {
        fclose(f);
        return fail("eik_decoder_new", st);
    }

    static uint8_t buf[CHUNK];
    static eik_event events[BATCH];
    eik_batch b;
    size_t len;
    int rc = 0;
    while (rc == 0 && (len = fread(buf, 1, sizeof buf, f)) > 0) {
        size_t off = 0;
        do {
            st = eik_decode(dec, buf + off, len - off, events, BATCH, &b);
            if (st != EIK_STATUS_OK) {
                rc = fail("eik_decode", st);
                break;
            }
            off += b.consumed;
            /* Views are valid until the next call on dec: use them now. */
            for (size_t i = 0; i < b.n_events; i++) print_event(opts.family, &events[i]);
        } while (off < len);
    }
    b.done = 0;
    while (rc == 0 && !b.done) {
        st = eik_finish(dec, events, BATCH, &b);
        if (st != EIK_STATUS_OK) {
            rc = fail("eik_finish", st);
            break;
        }
        for (size_t i = 0; i < b.n_events; i++) print_event(opts.family, &events[i]);
    }
    eik_counts c;
    if (rc == 0 && eik_decoder_counts(dec, &c) == EIK_STATUS_OK)
        printf("lines %llu, decoded %llu, rejected %llu, warnings %llu, errors %llu\n",
               (unsigned long long)c.lines, (unsigned long long)c.decoded,
               (unsigned long long)c.rejected, (unsigned long long)c.warnings,
               (unsigned long long)c.errors);
    eik_decoder_free(dec);
    fclose(f);
    return rc;
}
