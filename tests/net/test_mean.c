/* test_mean - the exact running mean: correctly rounded wherever the true mean lies (huge,
 * tiny, subnormal, cancelling), no drift over millions of values, and under the lock the
 * callbacks see the updates in the order they happened. `test_mean --dump` reads sequences
 * (hex bit patterns on a line) and prints each mean's bits, for mean_vs_python.py. */
#include "check.h"
#include "mean.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double mean_of(const double *v, size_t n)
{
    struct mean_sum s;
    mean_sum_init(&s);
    for (size_t i = 0; i < n; i++)
        mean_sum_add(&s, v[i]);
    return mean_sum_mean(&s);
}

static void test_lab_values(void)
{
    struct mean_sum s;
    mean_sum_init(&s);
    ASSERT_DBL_EQ(mean_sum_mean(&s), 0.0);
    mean_sum_add(&s, 3);
    ASSERT_DBL_EQ(mean_sum_mean(&s), 3.0);
    mean_sum_add(&s, 5);
    ASSERT_DBL_EQ(mean_sum_mean(&s), 4.0);
    mean_sum_add(&s, 7);
    ASSERT_DBL_EQ(mean_sum_mean(&s), 5.0);
    ASSERT_EQ(s.count, 3);
    /* Python: (3 + 3 + 4) / 3 == 3.3333333333333335 */
    const double thirds[] = {3, 3, 4};
    ASSERT_DBL_EQ(mean_of(thirds, 3), 0x1.aaaaaaaaaaaabp+1);
}

static void test_compensation(void)
{
    /* Plain Kahan loses the 1.0 here; Neumaier keeps it: Python's fsum gives 1.0. */
    const double cancel[] = {1e100, 1.0, -1e100};
    ASSERT_DBL_EQ(mean_of(cancel, 3), 1.0 / 3.0);
    const double cancel2[] = {1.0, 1e100, 1.0, -1e100};
    ASSERT_DBL_EQ(mean_of(cancel2, 4), 0.5);

    /* Ten million times 0.1: a naive sum drifts to 999999.9998389754; the exact sum rounds
     * to 1e6, so the mean is the double nearest 0.1. */
    struct mean_sum s;
    mean_sum_init(&s);
    for (int i = 0; i < 10000000; i++)
        mean_sum_add(&s, 0.1);
    ASSERT_DBL_EQ(mean_sum_mean(&s), 0.1);

    /* Whole numbers stay exact: the mean of 1..1000000 is 500000.5. */
    mean_sum_init(&s);
    for (int i = 1; i <= 1000000; i++)
        mean_sum_add(&s, i);
    ASSERT_DBL_EQ(mean_sum_mean(&s), 500000.5);

    /* Alternating huge and tiny values: the small ones still count. */
    mean_sum_init(&s);
    for (int i = 0; i < 1000; i++) {
        mean_sum_add(&s, 1e16);
        mean_sum_add(&s, 1.0);
        mean_sum_add(&s, -1e16);
    }
    ASSERT_DBL_EQ(mean_sum_mean(&s), 1000.0 / 3000.0);
}

static void test_range(void)
{
    const double two_big[] = {1e308, 1e308};
    ASSERT_DBL_EQ(mean_of(two_big, 2), 1e308);
    const double three_max[] = {DBL_MAX, DBL_MAX, DBL_MAX};
    ASSERT_DBL_EQ(mean_of(three_max, 3), DBL_MAX);
    const double neg[] = {-DBL_MAX, -DBL_MAX};
    ASSERT_DBL_EQ(mean_of(neg, 2), -DBL_MAX);
    /* Out of the scaled range and back: the 1.0 keeps every bit. */
    const double back[] = {1e308, 1e308, -1e308, -1e308, 1.0};
    ASSERT_DBL_EQ(mean_of(back, 5), 0.2);
    const double tiny[] = {0x0.0000000000001p-1022, 0x0.0000000000003p-1022};
    ASSERT_DBL_EQ(mean_of(tiny, 2), 0x0.0000000000002p-1022);
    /* The sum leaves the double range and comes back to a value whose every bit counts:
     * exactly 1e-300 / 5, correctly rounded (Fraction arithmetic in Python agrees). */
    const double over_and_back[] = {1e308, 1e308, 1e-300, -1e308, -1e308};
    ASSERT_DBL_EQ(mean_of(over_and_back, 5), 2e-301);
    /* Half the smallest subnormal: a tie, to even (zero); a hair more rounds up. */
    const double half_min[] = {0x0.0000000000001p-1022, 0.0};
    ASSERT_DBL_EQ(mean_of(half_min, 2), 0.0);
    const double three_halves[] = {0x0.0000000000003p-1022, 0.0};
    ASSERT_DBL_EQ(mean_of(three_halves, 2), 0x0.0000000000002p-1022);
    const double third_min[] = {0x0.0000000000001p-1022, 0.0, 0.0};
    ASSERT_DBL_EQ(mean_of(third_min, 3), 0.0);
    const double neg_tiny[] = {-0x0.0000000000003p-1022, 0.0};
    ASSERT_DBL_EQ(mean_of(neg_tiny, 2), -0x0.0000000000002p-1022);
    /* A mean exactly between two doubles goes to the even one, up or down; the sign of a
     * cancelled sum is +0. */
    const double tie_down[] = {1.0, 0x1.0000000000001p0};
    ASSERT_DBL_EQ(mean_of(tie_down, 2), 1.0);
    const double tie_up[] = {0x1.0000000000001p0, 0x1.0000000000002p0};
    ASSERT_DBL_EQ(mean_of(tie_up, 2), 0x1.0000000000002p0);
    const double thirds_of_one[] = {1.0, 0x1.0000000000001p0, 0.0};
    ASSERT_DBL_EQ(mean_of(thirds_of_one, 3), 0x1.5555555555556p-1);
    const double cancelled[] = {-1.5, 1.5};
    ASSERT_DBL_EQ(mean_of(cancelled, 2), 0.0);
    /* Infinities and NaN never reach the mean (the wire refuses them); if they did, they
     * would not count. */
    const double with_inf[] = {2.0, INFINITY, NAN, 4.0};
    ASSERT_DBL_EQ(mean_of(with_inf, 4), 3.0);
}

/* --dump: one sequence per line, hex bit patterns separated by spaces; prints the mean's. */
static int dump_means(void)
{
    static char line[1 << 20];
    struct mean_sum s;
    while (fgets(line, sizeof line, stdin)) {
        mean_sum_init(&s);
        char *p = line, *end;
        for (;;) {
            unsigned long long b = strtoull(p, &end, 16);
            if (end == p)
                break;
            double x;
            memcpy(&x, &b, sizeof x);
            mean_sum_add(&s, x);
            p = end;
        }
        double m = mean_sum_mean(&s);
        unsigned long long mb;
        memcpy(&mb, &m, sizeof mb);
        printf("%016llx\n", mb);
    }
    return 0;
}

/* Threads add whole numbers; the callback records each update with the mean it produced. */
#define THREADS    8
#define PER_THREAD 5000
#define TOTAL_ADDS (THREADS * PER_THREAD)

struct record {
    double value, mean;
};

struct shared {
    struct mean mean;
    struct record log[TOTAL_ADDS];
    size_t logged; /* written only under the mean's lock */
};

struct worker {
    struct shared *shared;
    int id;
    uint64_t wait_ns;
    double value;
};

static void record_update(void *arg, double mean)
{
    struct worker *w = arg;
    struct shared *s = w->shared;
    s->log[s->logged].value = w->value;
    s->log[s->logged].mean = mean;
    s->logged++;
}

static void *adder(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        w->value = (double)(w->id * PER_THREAD + i);
        mean_add(&w->shared->mean, w->value, record_update, w, &w->wait_ns);
    }
    return NULL;
}

static void test_threads(void)
{
    static struct shared s;
    char err[256];
    REQUIRE_EQ(mean_init(&s.mean, err, sizeof err), 0);
    pthread_t tid[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.shared = &s, .id = i};
        REQUIRE_EQ(pthread_create(&tid[i], NULL, adder, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(tid[i], NULL);
    ASSERT_EQ(s.logged, TOTAL_ADDS);
    /* 0 + 1 + ... + (TOTAL_ADDS - 1), over TOTAL_ADDS. */
    ASSERT_DBL_EQ(mean_read(&s.mean, NULL, NULL, NULL), (TOTAL_ADDS - 1) / 2.0);
    /* Replaying the log in its order reproduces every mean it recorded: the callbacks ran
     * in update order. */
    struct mean_sum replay;
    mean_sum_init(&replay);
    int mismatches = 0;
    for (size_t i = 0; i < s.logged; i++) {
        mean_sum_add(&replay, s.log[i].value);
        if (mean_sum_mean(&replay) != s.log[i].mean)
            mismatches++;
    }
    ASSERT_EQ(mismatches, 0);
    mean_destroy(&s.mean);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0)
        return dump_means();
    test_lab_values();
    test_compensation();
    test_range();
    test_threads();
    return check_done();
}
