/* Histogram percentiles against values worked out independently: a sorted copy of the
 * inputs and the nearest-rank definition. */
#include "check.h"
#include "hist.h"

#include <math.h>
#include <stdlib.h>

/* The histogram never reports below the true value, nor more than 1/128 above it: for whole
 * numbers, no more than truth / 128 (rounded down) above. */
#define ASSERT_HIST_CLOSE(got, want)                                                               \
    do {                                                                                           \
        uint64_t reported = (got), truth = (want);                                                 \
        ASSERT_GE(reported, truth);                                                                \
        ASSERT_LE(reported, truth + truth / 128);                                                  \
    } while (0)

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest rank on a sorted array: the value at position ceil(p/100 * n), counted from 1. */
static uint64_t nearest_rank(const uint64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)n - 1e-9);
    return sorted[(rank < 1 ? 1 : rank) - 1];
}

static void test_exact_region(void)
{
    struct hist h;
    hist_init(&h);
    uint64_t v[] = {40, 10, 30, 20};
    for (int i = 0; i < 4; i++)
        hist_record(&h, v[i]);
    ASSERT_EQ(hist_percentile(&h, 50), 20);
    ASSERT_EQ(hist_percentile(&h, 75), 30);
    ASSERT_EQ(hist_percentile(&h, 76), 40);
    ASSERT_EQ(hist_percentile(&h, 1), 10);
    ASSERT_EQ(hist_percentile(&h, 100), 40);
    ASSERT_DBL_EQ(hist_mean(&h), 25.0);
    ASSERT_EQ(h.min_ns, 10);
    ASSERT_EQ(h.max_ns, 40);
    ASSERT_EQ(h.total, 4);
}

static void test_uniform_microseconds(void)
{
    enum { N = 10000 };
    static uint64_t sorted[N];
    struct hist h;
    hist_init(&h);
    /* 1 us .. 10 ms in a scrambled order: recording order must not matter. */
    for (uint64_t i = 0; i < N; i++) {
        uint64_t us = (i * 7919) % N + 1;
        sorted[i] = us * 1000;
        hist_record(&h, us * 1000);
    }
    qsort(sorted, N, sizeof sorted[0], cmp_u64);
    ASSERT_EQ(nearest_rank(sorted, N, 50), 5000000);
    const double ps[] = {50, 90, 99, 99.9, 99.99};
    for (int i = 0; i < 5; i++)
        ASSERT_HIST_CLOSE(hist_percentile(&h, ps[i]), nearest_rank(sorted, N, ps[i]));
    ASSERT_EQ(hist_percentile(&h, 100), 10000000);
    ASSERT_DBL_EQ(hist_mean(&h), 5000500.0);
}

static void test_skewed(void)
{
    /* 990 fast sessions and 10 slow ones: p99 is still fast, p99.9 slow. */
    static uint64_t sorted[1000];
    struct hist h;
    hist_init(&h);
    for (int i = 0; i < 1000; i++) {
        sorted[i] = i < 990 ? 100000 + (uint64_t)i : 50000000 + (uint64_t)i * 1000;
        hist_record(&h, sorted[i]);
    }
    ASSERT_HIST_CLOSE(hist_percentile(&h, 99), nearest_rank(sorted, 1000, 99));
    ASSERT_HIST_CLOSE(hist_percentile(&h, 99.9), nearest_rank(sorted, 1000, 99.9));
    ASSERT_LT(hist_percentile(&h, 99), 110000);
    ASSERT_GT(hist_percentile(&h, 99.9), 50000000);
    ASSERT_EQ(hist_percentile(&h, 100), 50999000);
}

static void test_buckets(void)
{
    /* Every value lies at or below the top of its bucket, within 1/128 of it, and buckets
     * never go backwards as values grow. */
    unsigned bad_top = 0, bad_order = 0, bad_range = 0;
    unsigned prev = 0;
    for (uint64_t v = 0; v < (1ull << 37); v = v < 4096 ? v + 1 : v + v / 1000 + 1) {
        unsigned b = hist_bucket(v);
        uint64_t top = hist_bucket_top(b);
        if (b >= HIST_BUCKETS)
            bad_range++;
        if (top < v || (double)(top - v) > (double)v / 128.0)
            bad_top++;
        if (b < prev)
            bad_order++;
        prev = b;
    }
    ASSERT_EQ(bad_range, 0);
    ASSERT_EQ(bad_top, 0);
    ASSERT_EQ(bad_order, 0);
    ASSERT_EQ(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
    /* 31 KiB whatever is recorded. */
    ASSERT_LT(sizeof(struct hist), 32 * 1024);
}

static void test_out_of_range(void)
{
    struct hist h;
    hist_init(&h);
    hist_record(&h, 1000);
    hist_record(&h, 200000000000ull); /* 200 s: past the last bucket */
    ASSERT_EQ(h.max_ns, 200000000000ull);
    ASSERT_EQ(hist_percentile(&h, 100), 200000000000ull);
    ASSERT_HIST_CLOSE(hist_percentile(&h, 50), 1000);
}

static void test_merge(void)
{
    struct hist all, a, b;
    hist_init(&all);
    hist_init(&a);
    hist_init(&b);
    for (uint64_t i = 1; i <= 5000; i++) {
        uint64_t v = i * i * 37 % 9000001 + 500;
        hist_record(&all, v);
        hist_record(i % 3 ? &a : &b, v);
    }
    hist_merge(&a, &b);
    ASSERT_EQ(a.total, all.total);
    ASSERT_EQ(a.min_ns, all.min_ns);
    ASSERT_EQ(a.max_ns, all.max_ns);
    ASSERT_EQ(a.sum_ns, all.sum_ns);
    const double ps[] = {1, 50, 90, 99, 99.9, 100};
    for (int i = 0; i < 6; i++)
        ASSERT_EQ(hist_percentile(&a, ps[i]), hist_percentile(&all, ps[i]));
}

static void test_empty(void)
{
    struct hist h;
    hist_init(&h);
    ASSERT_EQ(hist_percentile(&h, 50), 0);
    ASSERT_DBL_EQ(hist_mean(&h), 0.0);
    ASSERT_EQ(h.total, 0);
}

int main(void)
{
    test_exact_region();
    test_uniform_microseconds();
    test_skewed();
    test_buckets();
    test_out_of_range();
    test_merge();
    test_empty();
    return check_done();
}
