/* primes.h - the brute-force trial-division kernel, the result bitmap, and the
 * writer of the lab's primes.txt format, shared by nonoptimized and optimized. */
#ifndef PARLAB_PRIMES_H
#define PARLAB_PRIMES_H

#include <stddef.h>
#include <stdint.h>

#define PRIMES_DEFAULT_LIMIT 1000000u
/* The kernel works in 32-bit integers: division is several times cheaper than 64-bit. */
#define PRIMES_MAX_LIMIT UINT32_MAX

/* What one scan did; the per-worker figures add up to the whole run's. */
struct primes_tally {
    uint64_t numbers_tested;  /* n >= 2 that went through the kernel */
    uint64_t trial_divisions; /* n % d operations performed */
    uint64_t primes_found;
};

/* One bit per number 0..limit. Words may be shared by two workers' ranges, so bits are
 * set with an atomic OR; the memory may be a MAP_SHARED mapping seen by other processes. */
struct primes_bitmap {
    uint64_t *words;
    uint64_t limit;
    size_t bytes;
};

/* Maps the bitmap (anonymous, shared when `shared` is set so forked workers can fill it).
 * Returns 0, or -1 with "mmap: reason" in err. */
int primes_bitmap_map(struct primes_bitmap *bm, uint64_t limit, int shared, char *err,
                      size_t errlen);
void primes_bitmap_unmap(struct primes_bitmap *bm);

/* Tests every n in [lo, hi) (hi <= limit + 1) by trial division, marking primes in bm. */
void primes_scan(struct primes_bitmap *bm, uint64_t lo, uint64_t hi, struct primes_tally *tally);

/* The kernel: n >= 2 is prime iff no d in 2..floor(sqrt(n)) divides it. `root` must be
 * floor(sqrt(n)). Returns the number of divisions done; *is_prime tells the verdict. */
static inline uint32_t primes_trial_divide(uint32_t n, uint32_t root, int *is_prime)
{
    uint32_t d = 2;
    for (; d <= root; d++) {
        if (n % d == 0) {
            *is_prime = 0;
            return d - 1;
        }
    }
    *is_prime = 1;
    return d - 2;
}

/* floor(sqrt(n)) in integers only. */
uint32_t primes_isqrt(uint64_t n);

/* Writes the primes in bm to path in primes.txt format (one per line, no final newline),
 * all or nothing. On failure returns -1 with a one-line reason in err. */
int primes_write(const struct primes_bitmap *bm, const char *path, char *err, size_t errlen);

#endif
