/* sample.h - how calibrate times a primitive: operations in batches long enough for the clock
 * (timer.h) to resolve them, one sample per batch (its time over its operations), and the
 * samples summarised by their median with a distribution-free 95% interval from order
 * statistics, the rule scripts/parlab/stats.py's median_ci applies in the analysis. */
#ifndef PARLAB_SAMPLE_H
#define PARLAB_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* The fewest samples whose widest interval, smallest to largest, still covers the median with
 * 95%: with 5, it misses with probability 2 / 2^5 = 6.25%. */
#define SAMPLE_MIN_RUNS 6u
#define SAMPLE_MAX_RUNS 100000u

/* A row whose 95% interval is wider than this share of its median was likely disturbed
 * (a burst of other work, the hypervisor): its samples are taken again, as bench/measure
 * measures a disturbed comparison again. */
#define SAMPLE_WIDE 0.05

/* How every row of one calibrate run is sampled. */
struct sample_plan {
    unsigned runs;      /* samples per row */
    uint64_t batch_ns;  /* the least time one batch (one sample) should take */
    uint64_t max_batch; /* the most operations in one batch */
    unsigned attempts;  /* the most times a wide row's samples are taken (>= 1) */
};

/* Performs n operations, and sets *ns to the wall time they took (timer_wall_ns), any set-up
 * of the batch left out. Returns 0, or -1 with "call: reason" in err. */
typedef int (*sample_fn)(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen);

/* One row's summary, in the row's unit. */
struct sample_stats {
    unsigned runs;
    uint64_t batch;    /* operations per sample */
    unsigned attempts; /* the sets of samples taken; the narrowest is kept */
    double median, ci_lo, ci_hi, min, max;
};

/* The 1-based ranks r <= s of the order statistics bounding the median of n samples at 95%:
 * the largest r whose interval [x_(r), x_(n+1-r)] has coverage 1 - 2 P(B <= r - 1) >= 0.95,
 * B ~ Binomial(n, 1/2). Returns 0, or -1 when n samples cannot reach 95% (n < 6). */
int sample_ranks(unsigned n, unsigned *r, unsigned *s);

/* Sorts xs[0..n) and summarises them (n >= SAMPLE_MIN_RUNS). */
void sample_summarize(double *xs, unsigned n, struct sample_stats *out);

/* Finds the batch size (doubling from 1 until a batch lasts plan->batch_ns: those batches
 * are the warm-up), then takes plan->runs samples of that size, each its batch's time over
 * its operations divided by `per`, and summarises them; while the interval is wider than
 * SAMPLE_WIDE of the median, up to plan->attempts sets in all, keeping the narrowest. `per` turns
 * nanoseconds per operation of fn into the row's unit: 1 for ns, 1000 for us, k for ns per division
 * when one operation of fn is k divisions. Returns 0, or -1 with fn's error, or "malloc: reason",
 * in err. */
int sample_measure(const struct sample_plan *plan, sample_fn fn, void *ctx, double per,
                   struct sample_stats *out, char *err, size_t errlen);

#endif
