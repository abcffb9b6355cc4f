/* Histogram percentiles against values worked out independently: a sorted copy of the
 * inputs and the nearest-rank definition. */
#include "check.h"
#include "hist.h"

#include <math.h>
#include <stdlib.h>

/* The histogram never reports below the true value, nor more than 1/128 above it. */
#define CHECK_CLOSE(truth, got)                                                                    \
    do {                                                                                           \
        uint64_t t_ = (truth), g_ = (got);                                                         \
        char ts_[64], gs_[64];                                                                     \
        snprintf(ts_, sizeof ts_, "%llu (up to +1/128)", (unsigned long long)t_);                  \
        snprintf(gs_, sizeof gs_, "%llu", (unsigned long long)g_);                                 \
        check_report(g_ >= t_ && (double)(g_ - t_) <= (double)t_ / 128.0, __FILE__, __LINE__,      \
                     #got, ts_, gs_);                                                              \
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
    CHECK_EQ_U64(20, hist_percentile(&h, 50));
    CHECK_EQ_U64(30, hist_percentile(&h, 75));
    CHECK_EQ_U64(40, hist_percentile(&h, 76));
    CHECK_EQ_U64(10, hist_percentile(&h, 1));
    CHECK_EQ_U64(40, hist_percentile(&h, 100));
    CHECK_EQ_U64(25, (uint64_t)hist_mean(&h));
    CHECK_EQ_U64(10, h.min_ns);
    CHECK_EQ_U64(40, h.max_ns);
    CHECK_EQ_U64(4, h.total);
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
    CHECK_EQ_U64(5000000, nearest_rank(sorted, N, 50));
    const double ps[] = {50, 90, 99, 99.9, 99.99};
    for (int i = 0; i < 5; i++)
        CHECK_CLOSE(nearest_rank(sorted, N, ps[i]), hist_percentile(&h, ps[i]));
    CHECK_EQ_U64(10000000, hist_percentile(&h, 100));
    CHECK_EQ_U64(5000500, (uint64_t)hist_mean(&h));
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
    CHECK_CLOSE(nearest_rank(sorted, 1000, 99), hist_percentile(&h, 99));
    CHECK_CLOSE(nearest_rank(sorted, 1000, 99.9), hist_percentile(&h, 99.9));
    CHECK_EQ_U64(1, hist_percentile(&h, 99) < 110000);
    CHECK_EQ_U64(1, hist_percentile(&h, 99.9) > 50000000);
    CHECK_EQ_U64(50999000, hist_percentile(&h, 100));
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
    CHECK_EQ_U64(0, bad_range);
    CHECK_EQ_U64(0, bad_top);
    CHECK_EQ_U64(0, bad_order);
    CHECK_EQ_U64(HIST_BUCKETS - 1, hist_bucket(UINT64_MAX));
    /* 31 KiB whatever is recorded. */
    CHECK_EQ_U64(1, sizeof(struct hist) < 32 * 1024);
}

static void test_out_of_range(void)
{
    struct hist h;
    hist_init(&h);
    hist_record(&h, 1000);
    hist_record(&h, 200000000000ull); /* 200 s: past the last bucket */
    CHECK_EQ_U64(200000000000ull, h.max_ns);
    CHECK_EQ_U64(200000000000ull, hist_percentile(&h, 100));
    CHECK_CLOSE(1000, hist_percentile(&h, 50));
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
    CHECK_EQ_U64(all.total, a.total);
    CHECK_EQ_U64(all.min_ns, a.min_ns);
    CHECK_EQ_U64(all.max_ns, a.max_ns);
    CHECK_EQ_U64(all.sum_ns, a.sum_ns);
    const double ps[] = {1, 50, 90, 99, 99.9, 100};
    for (int i = 0; i < 6; i++)
        CHECK_EQ_U64(hist_percentile(&all, ps[i]), hist_percentile(&a, ps[i]));
}

static void test_empty(void)
{
    struct hist h;
    hist_init(&h);
    CHECK_EQ_U64(0, hist_percentile(&h, 50));
    CHECK_EQ_U64(0, (uint64_t)hist_mean(&h));
    CHECK_EQ_U64(0, h.total);
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
