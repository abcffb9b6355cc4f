#include "primes.h"

#include "outfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int primes_bitmap_map(struct primes_bitmap *bm, uint64_t limit, int shared, char *err,
                      size_t errlen)
{
    bm->limit = limit;
    bm->bytes = (size_t)((limit / 64 + 1) * sizeof(uint64_t));
    /* Anonymous mappings are zero-filled and, when MAP_SHARED, survive fork() as the
     * same physical pages: workers write results where the parent reads them. */
    void *p = mmap(NULL, bm->bytes, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        bm->words = NULL;
        snprintf(err, errlen, "mmap: %s", strerror(errno));
        return -1;
    }
    bm->words = p;
    return 0;
}

void primes_bitmap_unmap(struct primes_bitmap *bm)
{
    if (bm->words)
        munmap(bm->words, bm->bytes);
    bm->words = NULL;
}

uint32_t primes_isqrt(uint64_t n)
{
    /* Bit-by-bit square root: exact, no floating point. */
    uint64_t root = 0, bit = 1ull << 62;
    while (bit > n)
        bit >>= 2;
    while (bit) {
        if (n >= root + bit) {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return (uint32_t)root;
}

void primes_scan(struct primes_bitmap *bm, uint64_t lo, uint64_t hi, struct primes_tally *tally)
{
    if (lo < 2)
        lo = 2;
    if (lo >= hi)
        return;
    uint64_t divisions = 0, found = 0;
    uint32_t root = primes_isqrt(lo);
    uint64_t next_square = ((uint64_t)root + 1) * ((uint64_t)root + 1);
    uint64_t pending = 0; /* bits of the current word, published once per word */
    uint64_t word = lo / 64;

    for (uint64_t n = lo; n < hi; n++) {
        /* The bound grows by one exactly when n reaches the next square. */
        if (n == next_square) {
            root++;
            next_square = ((uint64_t)root + 1) * ((uint64_t)root + 1);
        }
        if (n / 64 != word) {
            if (pending)
                __atomic_fetch_or(&bm->words[word], pending, __ATOMIC_RELAXED);
            pending = 0;
            word = n / 64;
        }
        int prime;
        divisions += primes_trial_divide((uint32_t)n, root, &prime);
        if (prime) {
            pending |= 1ull << (n % 64);
            found++;
        }
    }
    if (pending)
        __atomic_fetch_or(&bm->words[word], pending, __ATOMIC_RELAXED);
    tally->numbers_tested += hi - lo;
    tally->trial_divisions += divisions;
    tally->primes_found += found;
}

/* Decimal digits of v, right-aligned ending at end; returns the start. */
static char *primes_utoa(uint64_t v, char *end)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

int primes_write(const struct primes_bitmap *bm, const char *path, char *err, size_t errlen)
{
    struct outfile of;
    if (outfile_open(&of, path, err, errlen) != 0)
        return -1;
    char line[24];
    char *end = line + sizeof line;
    int first = 1;
    size_t nwords = (size_t)(bm->limit / 64 + 1);
    for (size_t w = 0; w < nwords; w++) {
        uint64_t bits = bm->words[w];
        while (bits) {
            uint64_t n = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            /* The lab's format separates with newlines and has none at the end. */
            char *start = primes_utoa(n, end);
            if (!first)
                *--start = '\n';
            first = 0;
            if (outfile_write(&of, start, (size_t)(end - start), err, errlen) != 0) {
                outfile_abort(&of);
                return -1;
            }
        }
    }
    return outfile_commit(&of, err, errlen);
}
