/*
 * Decodes an eIndkomst file with the C API and prints one line per record
 * and per finding. Personal identifiers (CPR) are masked: never log them.
 *
 *   cc -std=c99 -I include bindings/c/example.c -L target/release -leindkomst
 *   LD_LIBRARY_PATH=target/release ./a.out testdata/sample.txt
 *
 * The file is read in 4096-byte chunks; records come 256 per native call.
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

/* Prints "type line lb_nr" and every non-filler field, CPR masked. */
static void print_record(const eik_record *r) {
    eik_layout layout;
    printf("line %3llu  Lb_nr %7u  %04u", (unsigned long long)r->line, (unsigned)r->lb_nr,
           (unsigned)r->record_type);
    if (eik_layout_at(r->layout_index, &layout) != EIK_STATUS_OK) {
        printf("  (no layout)\n");
        return;
    }
    /* Fields 0 and 1 are Lb_nr and Rec_nr, printed above. */
    for (uint32_t i = 2; i < layout.n_fields; i++) {
        eik_field f;
        if (eik_layout_field(layout.index, i, &f) != EIK_STATUS_OK ||
            f.format == EIK_FIELD_FORMAT_FILLER || f.format == EIK_FIELD_FORMAT_SIGN)
            continue;
        printf("  %s=", f.name);
        if (f.personal) {
            printf("**********");
            continue;
        }
        print_latin1(r->bytes + f.start, f.len);
        /* An amount's sign is the next field. */
        if (f.format == EIK_FIELD_FORMAT_AMOUNT || f.format == EIK_FIELD_FORMAT_QUANTITY) {
            eik_field sign;
            if (eik_layout_field(layout.index, i + 1, &sign) == EIK_STATUS_OK &&
                sign.format == EIK_FIELD_FORMAT_SIGN)
                putchar(r->bytes[sign.start]);
        }
    }
    putchar('\n');
}

static const char *finding_name(eik_finding f) {
    switch (f) {
    case EIK_FINDING_REJECTED: return "rejected";
    case EIK_FINDING_ERROR: return "error";
    case EIK_FINDING_WARNING: return "warning";
    default: return "finding";
    }
}

/* Prints and removes the pending findings. */
static int print_findings(eik_decoder *dec) {
    eik_error errs[64];
    size_t n;
    do {
        eik_status st = eik_take_findings(dec, errs, 64, &n);
        if (st != EIK_STATUS_OK) return (int)st;
        for (size_t i = 0; i < n; i++) {
            const eik_error *e = &errs[i];
            printf("%s: line %llu", finding_name(e->finding), (unsigned long long)e->line);
            if (e->has_lb_nr) printf(" (Lb_nr %u)", (unsigned)e->lb_nr);
            if (e->has_record) printf(", record %04u", (unsigned)e->record);
            if (e->has_field) printf(", field %u %s", (unsigned)e->field_no, e->field_name);
            printf(", offset %llu: %s [%s]\n", (unsigned long long)e->offset, e->message, e->code);
        }
    } while (n > 0);
    return 0;
}

static int fail(const char *what, eik_status st) {
    fprintf(stderr, "%s: %s\n", what, eik_status_str(st));
    return 1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "testdata/sample.txt";
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    eik_options opts;
    eik_options_default(&opts);
    if (argc > 2 && strcmp(argv[2], "--base64") == 0) opts.base64 = 1;

    eik_decoder *dec = NULL;
    eik_status st = eik_decoder_new(&opts, &dec);
    if (st != EIK_STATUS_OK) {
        fclose(f);
        return fail("eik_decoder_new", st);
    }

    static uint8_t buf[CHUNK];
    static eik_record recs[BATCH];
    size_t len, n, used;
    int rc = 0;
    while (rc == 0 && (len = fread(buf, 1, sizeof buf, f)) > 0) {
        size_t off = 0;
        do {
            st = eik_decode(dec, buf + off, len - off, recs, BATCH, &n, &used);
            if (st != EIK_STATUS_OK) {
                rc = fail("eik_decode", st);
                break;
            }
            off += used;
            /* Views are valid until the next call on dec: use them now. */
            for (size_t i = 0; i < n; i++) print_record(&recs[i]);
            print_findings(dec);
        } while (off < len);
    }
    bool done = false;
    while (rc == 0 && !done) {
        st = eik_finish(dec, recs, BATCH, &n, &done);
        if (st != EIK_STATUS_OK) {
            rc = fail("eik_finish", st);
            break;
        }
        for (size_t i = 0; i < n; i++) print_record(&recs[i]);
        print_findings(dec);
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
