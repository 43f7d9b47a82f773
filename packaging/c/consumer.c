/* A C program that knows eindkomst only through pkg-config (95-packages.sh
 * builds it from a temp directory): decodes FILE in one call and prints the
 * library version, the records decoded and how many are 6001 amounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eindkomst.h>

int main(int argc, char **argv) {
    static uint8_t buf[1 << 16];
    static eik_record recs[256];
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    if (!f) return 2;
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);

    eik_options opts;
    eik_options_default(&opts);
    eik_decoder *dec = NULL;
    if (eik_decoder_new(&opts, &dec) != EIK_STATUS_OK) return 3;
    size_t n = 0, used = 0, amounts = 0, off = 0;
    bool done = false;
    while (off < len) {
        if (eik_decode(dec, buf + off, len - off, recs, 256, &n, &used) != EIK_STATUS_OK) return 4;
        off += used;
        for (size_t i = 0; i < n; i++) amounts += recs[i].record_type == 6001;
    }
    while (!done) {
        if (eik_finish(dec, recs, 256, &n, &done) != EIK_STATUS_OK) return 5;
        for (size_t i = 0; i < n; i++) amounts += recs[i].record_type == 6001;
    }
    eik_counts c;
    if (eik_decoder_counts(dec, &c) != EIK_STATUS_OK) return 6;
    printf("eindkomst %s (header %s): %llu records, %zu of type 6001\n", eik_version(), EIK_VERSION,
           (unsigned long long)c.decoded, amounts);
    eik_decoder_free(dec);
    return strcmp(eik_version(), EIK_VERSION) != 0;
}
