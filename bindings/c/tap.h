/*
 * What the C tests share: TAP output ("ok N - ...", then "1..N" and
 * "N passed, N failed" from tap_done), checks that print what they got, and
 * allocation/file helpers that exit on failure. Included by one file per
 * test program, so the counters are that program's own.
 */
#ifndef EINDKOMST_TAP_H
#define EINDKOMST_TAP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_pass, n_fail;

static inline void check(int ok, const char *file, int line, const char *what) {
    if (ok) {
        n_pass++;
        printf("ok %d - %s\n", n_pass + n_fail, what);
    } else {
        n_fail++;
        printf("not ok %d - %s\n#   at %s:%d\n", n_pass + n_fail, what, file, line);
    }
}

#define CHECK(cond, what) check((cond) ? 1 : 0, __FILE__, __LINE__, what)

/* Compares two unsigned values; prints both on failure. */
#define CHECK_EQ(got, want, what)                                                          \
    do {                                                                                   \
        unsigned long long g_ = (unsigned long long)(got), w_ = (unsigned long long)(want); \
        check(g_ == w_, __FILE__, __LINE__, what);                                         \
        if (g_ != w_) printf("#   got %llu, want %llu\n", g_, w_);                         \
    } while (0)

#define CHECK_STR(got, want, what)                                     \
    do {                                                               \
        const char *g_ = (got), *w_ = (want);                          \
        int ok_ = g_ != NULL && strcmp(g_, w_) == 0;                   \
        check(ok_, __FILE__, __LINE__, what);                          \
        if (!ok_) printf("#   got \"%s\", want \"%s\"\n", g_ ? g_ : "(null)", w_); \
    } while (0)

/* Prints the plan and the summary; returns the exit status. */
static inline int tap_done(void) {
    printf("1..%d\n", n_pass + n_fail);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    return n_fail == 0 ? 0 : 1;
}

static inline void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* The whole file, malloc'd (the caller frees it). */
static inline uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = xmalloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            uint8_t *grown = realloc(buf, cap);
            if (!grown) exit(2);
            buf = grown;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

#endif
