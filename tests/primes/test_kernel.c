/* The kernel and its bookkeeping against values computed independently. */
#include "check.h"
#include "primes.h"

#include <math.h>

/* Independent count of divisions: the smallest divisor found by a plain loop. */
static uint64_t reference_divisions(uint64_t n)
{
    if (n < 2)
        return 0;
    uint64_t d = 2;
    while (d * d <= n && n % d != 0)
        d++;
    return d * d <= n ? d - 1 : d - 2;
}

static void check_isqrt(void)
{
    static const uint64_t cases[][2] = {
        {0, 0},
        {1, 1},
        {2, 1},
        {3, 1},
        {4, 2},
        {8, 2},
        {9, 3},
        {99, 9},
        {100, 10},
        {101, 10},
        {999999, 999},
        {1000000, 1000},
        {65535, 255},
        {65536, 256},
        {4294967295u, 65535},
        {4294836225u, 65535},
        {4294836224u, 65534},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ_U64(cases[i][1], primes_isqrt(cases[i][0]));
}

static void check_small_numbers(void)
{
    for (uint32_t n = 2; n < 20000; n++) {
        int prime;
        uint32_t divisions = primes_trial_divide(n, primes_isqrt(n), &prime);
        CHECK_EQ_U64(reference_divisions(n), divisions);
        int ref_prime = 1;
        for (uint32_t d = 2; d < n; d++)
            if (n % d == 0)
                ref_prime = 0;
        CHECK_EQ_U64((uint64_t)ref_prime, (uint64_t)prime);
    }
}

/* Scanning in pieces must tally exactly what one scan does. */
static void check_scan_tally(uint64_t limit, uint64_t piece)
{
    struct primes_bitmap whole, parts;
    CHECK_EQ_U64(0, (uint64_t)-primes_bitmap_map(&whole, limit, 0));
    CHECK_EQ_U64(0, (uint64_t)-primes_bitmap_map(&parts, limit, 1));
    struct primes_tally a = {0}, b = {0};
    primes_scan(&whole, 0, limit + 1, &a);
    for (uint64_t lo = 0; lo <= limit; lo += piece)
        primes_scan(&parts, lo, lo + piece > limit + 1 ? limit + 1 : lo + piece, &b);
    CHECK_EQ_U64(a.numbers_tested, b.numbers_tested);
    CHECK_EQ_U64(a.trial_divisions, b.trial_divisions);
    CHECK_EQ_U64(a.primes_found, b.primes_found);
    for (size_t w = 0; w <= limit / 64; w++)
        CHECK_EQ_U64(whole.words[w], parts.words[w]);
    primes_bitmap_unmap(&whole);
    primes_bitmap_unmap(&parts);
}

static void check_published_counts(void)
{
    struct primes_bitmap bm;
    CHECK_EQ_U64(0, (uint64_t)-primes_bitmap_map(&bm, 1000000, 0));
    struct primes_tally t = {0};
    primes_scan(&bm, 0, 1000001, &t);
    CHECK_EQ_U64(78498, t.primes_found);
    CHECK_EQ_U64(999999, t.numbers_tested); /* 2..10^6 */
    CHECK_EQ_U64(67740404, t.trial_divisions);
    uint64_t ref = 0;
    for (uint64_t n = 0; n <= 1000000; n++)
        ref += reference_divisions(n);
    CHECK_EQ_U64(ref, t.trial_divisions);
    primes_bitmap_unmap(&bm);
}

int main(void)
{
    check_isqrt();
    check_small_numbers();
    check_scan_tally(100000, 1);
    check_scan_tally(100000, 7);
    check_scan_tally(100000, 4096);
    check_scan_tally(63, 5);
    check_published_counts();
    return check_done();
}
