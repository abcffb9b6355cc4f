/* calibrate's statistics (src/calibrate/sample.c): the order-statistic ranks of the median's
 * 95% interval against the binomial computed exactly in integers, the summary of known
 * samples, and the batching against a fake operation whose time is set by the test. */
#include "check.h"
#include "sample.h"

/* 128 bits: every binomial term up to n = 100 exactly (__extension__: a GNU type, said so). */
__extension__ typedef unsigned __int128 u128;

/* The ranks by exact arithmetic: r is the largest with 2 * sum_{k < r} C(n, k) <= 0.05 * 2^n,
 * i.e. 40 * sum <= 2^n. */
static unsigned exact_rank(unsigned n)
{
    u128 c = 1, below = 0, total = (u128)1 << n;
    unsigned best = 0;
    for (unsigned r = 1; r <= n / 2; r++) {
        below += c; /* adds C(n, r - 1) */
        if (40 * below > total)
            break;
        best = r;
        c = c * (n - (r - 1)) / r; /* C(n, r) */
    }
    return best;
}

static void test_ranks(void)
{
    unsigned r = 0, s = 0;
    /* Below 6 samples no interval reaches 95%. */
    for (unsigned n = 0; n < 6; n++)
        ASSERT_EQ(sample_ranks(n, &r, &s), -1);
    for (unsigned n = 6; n <= 100; n++) {
        if (!ASSERT_EQ(sample_ranks(n, &r, &s), 0))
            continue;
        ASSERT_EQ(r, exact_rank(n));
        ASSERT_EQ(s, n + 1 - r);
    }
    /* Values quoted in scripts/parlab/stats.py and hand-checked there. */
    sample_ranks(10, &r, &s);
    ASSERT_EQ(r, 2u);
    ASSERT_EQ(s, 9u);
    /* Past the 2^-1074 underflow of a direct 2^-n: ranks still grow about as sqrt(n). */
    ASSERT_EQ(sample_ranks(100000, &r, &s), 0);
    ASSERT_GT(r, 49500u);
    ASSERT_LT(r, 49900u);
}

static void test_summarize(void)
{
    /* 11 samples, shuffled: ranks 2 and 10 bound the median at 95% (exact_rank(11) == 2). */
    double xs[] = {9, 3, 11, 1, 7, 5, 2, 10, 4, 8, 6};
    struct sample_stats st;
    sample_summarize(xs, 11, &st);
    ASSERT_EQ(exact_rank(11), 2u);
    ASSERT_EQ(st.runs, 11u);
    ASSERT_DBL_EQ(st.median, 6.0);
    ASSERT_DBL_EQ(st.ci_lo, 2.0);
    ASSERT_DBL_EQ(st.ci_hi, 10.0);
    ASSERT_DBL_EQ(st.min, 1.0);
    ASSERT_DBL_EQ(st.max, 11.0);
    /* An even count: the mean of the middle two. */
    double ys[] = {4, 1, 3, 2, 6, 5};
    sample_summarize(ys, 6, &st);
    ASSERT_DBL_EQ(st.median, 3.5);
    ASSERT_DBL_EQ(st.ci_lo, 1.0);
    ASSERT_DBL_EQ(st.ci_hi, 6.0);
}

/* A fake operation: each costs `cost` ns, no clock read; counts the batches asked for. */
struct fake {
    uint64_t cost;
    unsigned calls;
    uint64_t last_n;
    unsigned fail_at; /* 0: never */
};

static int fake_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    struct fake *f = ctx;
    f->calls++;
    f->last_n = n;
    if (f->calls == f->fail_at) {
        snprintf(err, errlen, "fake: failed");
        return -1;
    }
    *ns = n * f->cost;
    return 0;
}

static void test_measure(void)
{
    struct sample_plan plan = {7, 1000000, 1u << 20, 3};
    struct fake f = {300, 0, 0, 0};
    struct sample_stats st;
    char err[64] = "";
    REQUIRE_EQ(sample_measure(&plan, fake_run, &f, 1.0, &st, err, sizeof err), 0);
    /* 300 ns each: the first power of two whose batch reaches 1 ms is 4096 (1.23 ms). */
    ASSERT_EQ(st.batch, 4096u);
    ASSERT_EQ(f.last_n, 4096u);
    ASSERT_EQ(f.calls, 13u + 7u); /* 1, 2, ..., 4096, then the 7 samples */
    ASSERT_EQ(st.runs, 7u);
    ASSERT_EQ(st.attempts, 1u); /* steady: one set */
    ASSERT_DBL_EQ(st.median, 300.0);
    ASSERT_DBL_EQ(st.min, 300.0);
    /* per: 1000 makes microseconds. */
    f = (struct fake){300, 0, 0, 0};
    REQUIRE_EQ(sample_measure(&plan, fake_run, &f, 1000.0, &st, err, sizeof err), 0);
    ASSERT_DBL_EQ(st.median, 0.3);
    /* A slow operation: one alone fills a batch. */
    f = (struct fake){5000000, 0, 0, 0};
    REQUIRE_EQ(sample_measure(&plan, fake_run, &f, 1.0, &st, err, sizeof err), 0);
    ASSERT_EQ(st.batch, 1u);
    /* A fast one stops at max_batch. */
    f = (struct fake){0, 0, 0, 0};
    REQUIRE_EQ(sample_measure(&plan, fake_run, &f, 1.0, &st, err, sizeof err), 0);
    ASSERT_EQ(st.batch, 1u << 20);
    /* A failure in a sample is the measurement's, its message kept. */
    f = (struct fake){300, 0, 0, 15};
    ASSERT_EQ(sample_measure(&plan, fake_run, &f, 1.0, &st, err, sizeof err), -1);
    ASSERT_STR_EQ(err, "fake: failed");
}

/* Disturbed while its first `noisy` calls last: every other batch twice as slow. */
struct jumpy {
    unsigned calls, noisy;
};

static int jumpy_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct jumpy *j = ctx;
    j->calls++;
    *ns = n * (j->calls <= j->noisy && j->calls % 2 ? 600u : 300u);
    return 0;
}

/* A wide row is sampled again, the narrowest set kept; no more than plan->attempts sets. */
static void test_attempts(void)
{
    struct sample_plan plan = {7, 1000000, 1u << 20, 3};
    struct sample_stats st;
    char err[64] = "";
    /* The batch search (13 calls at 300 or 600 ns: 4096 or 2048 per batch) and the first set
     * are disturbed; the second set is steady, and kept. */
    struct jumpy j = {0, 20};
    REQUIRE_EQ(sample_measure(&plan, jumpy_run, &j, 1.0, &st, err, sizeof err), 0);
    ASSERT_EQ(st.attempts, 2u);
    ASSERT_DBL_EQ(st.median, 300.0);
    ASSERT_DBL_EQ(st.ci_hi, 300.0);
    /* Disturbed throughout: every set taken, the row as wide as ever. */
    j = (struct jumpy){0, 1000};
    REQUIRE_EQ(sample_measure(&plan, jumpy_run, &j, 1.0, &st, err, sizeof err), 0);
    ASSERT_EQ(st.attempts, 3u);
    ASSERT(st.ci_hi - st.ci_lo > 0.05 * st.median);
    /* One attempt allowed (--quick): a wide row stays as taken. */
    plan.attempts = 1;
    j = (struct jumpy){0, 1000};
    REQUIRE_EQ(sample_measure(&plan, jumpy_run, &j, 1.0, &st, err, sizeof err), 0);
    ASSERT_EQ(st.attempts, 1u);
}

int main(void)
{
    test_ranks();
    test_summarize();
    test_measure();
    test_attempts();
    return check_done();
}
