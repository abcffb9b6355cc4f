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
        ASSERT_EQ(primes_isqrt(cases[i][0]), cases[i][1]);
}

static void check_small_numbers(void)
{
    for (uint32_t n = 2; n < 20000; n++) {
        int prime;
        uint32_t divisions = primes_trial_divide(n, primes_isqrt(n), &prime);
        ASSERT_EQ(divisions, reference_divisions(n));
        int ref_prime = 1;
        for (uint32_t d = 2; d < n; d++)
            if (n % d == 0)
                ref_prime = 0;
        ASSERT_EQ(prime, ref_prime);
    }
}

/* Scanning in pieces must tally exactly what one scan does. */
static void check_scan_tally(uint64_t limit, uint64_t piece)
{
    struct primes_bitmap whole, parts;
    char err[256];
    REQUIRE_EQ(primes_bitmap_map(&whole, limit, 0, err, sizeof err), 0);
    REQUIRE_EQ(primes_bitmap_map(&parts, limit, 1, err, sizeof err), 0);
    struct primes_tally a = {0}, b = {0};
    primes_scan(&whole, 0, limit + 1, &a);
    for (uint64_t lo = 0; lo <= limit; lo += piece)
        primes_scan(&parts, lo, lo + piece > limit + 1 ? limit + 1 : lo + piece, &b);
    ASSERT_EQ(b.numbers_tested, a.numbers_tested);
    ASSERT_EQ(b.trial_divisions, a.trial_divisions);
    ASSERT_EQ(b.primes_found, a.primes_found);
    for (size_t w = 0; w <= limit / 64; w++)
        ASSERT_EQ(parts.words[w], whole.words[w]);
    primes_bitmap_unmap(&whole);
    primes_bitmap_unmap(&parts);
}

static void check_published_counts(void)
{
    struct primes_bitmap bm;
    char err[256];
    REQUIRE_EQ(primes_bitmap_map(&bm, 1000000, 0, err, sizeof err), 0);
    struct primes_tally t = {0};
    primes_scan(&bm, 0, 1000001, &t);
    ASSERT_EQ(t.primes_found, 78498);
    ASSERT_EQ(t.numbers_tested, 999999); /* 2..10^6 */
    ASSERT_EQ(t.trial_divisions, 67740404);
    uint64_t ref = 0;
    for (uint64_t n = 0; n <= 1000000; n++)
        ref += reference_divisions(n);
    ASSERT_EQ(t.trial_divisions, ref);
    primes_bitmap_unmap(&bm);
}

/* A bitmap larger than any address space: the mapping fails and says so, in err. */
static void check_map_failure(void)
{
    struct primes_bitmap bm;
    char err[256] = "";
    ASSERT_EQ(primes_bitmap_map(&bm, UINT64_MAX - 64, 0, err, sizeof err), -1);
    ASSERT_STR_EQ(err, "mmap: Cannot allocate memory");
    ASSERT_NULL(bm.words);
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
    check_map_failure();
    return check_done();
}
