/* A C program that knows eindkomst only through pkg-config (95-packages.sh
 * builds it from a temp directory): decodes FILE (one chunk of up to 64 KiB) and prints the
 * library version, the records decoded and how many are 6001 amounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eindkomst.h>

int main(int argc, char **argv) {
    static uint8_t buf[1 << 16];
    static eik_event ev[256];
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    if (!f) return 2;
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);

    eik_options opts;
    eik_options_default(&opts);
    eik_decoder *dec = NULL;
    if (eik_decoder_new(&opts, &dec, NULL, 0) != EIK_STATUS_OK) return 3;
    size_t amounts = 0;
    eik_batch b;
    for (size_t off = 0; off < len; off += b.consumed) {
        if (eik_decode(dec, buf + off, len - off, ev, 256, &b) != EIK_STATUS_OK) return 4;
        for (size_t i = 0; i < b.n_events; i++)
            amounts += ev[i].event_type == EIK_EVENT_TYPE_RECORD && ev[i].record_type == 6001;
    }
    do {
        if (eik_finish(dec, ev, 256, &b) != EIK_STATUS_OK) return 5;
        for (size_t i = 0; i < b.n_events; i++)
            amounts += ev[i].event_type == EIK_EVENT_TYPE_RECORD && ev[i].record_type == 6001;
    } while (!b.done);
    eik_counts c;
    if (eik_decoder_counts(dec, &c) != EIK_STATUS_OK) return 6;
    printf("eindkomst %s (header %s): %llu records, %zu of type 6001\n", eik_version(), EIK_VERSION,
           (unsigned long long)c.decoded, amounts);
    eik_decoder_free(dec);
    return strcmp(eik_version(), EIK_VERSION) != 0;
}
