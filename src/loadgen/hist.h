/* hist.h - a bounded-memory latency histogram in the manner of HdrHistogram: exact below
 * 128 ns, then 128 linear sub-buckets per power of two, so a recorded value is known to
 * within 1/128 (0.78%) of itself up to 2**37 ns (137 s). 31 KiB whatever the run's length;
 * one per thread, merged at the end. */
#ifndef LOADGEN_HIST_H
#define LOADGEN_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB      (1u << HIST_SUB_BITS)
/* Values from 2**HIST_MAX_BITS ns up share the last bucket; max still records them exactly. */
#define HIST_MAX_BITS 37
#define HIST_BUCKETS  ((HIST_MAX_BITS - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
    uint64_t total;  /* values recorded */
    uint64_t min_ns; /* exact; UINT64_MAX when empty */
    uint64_t max_ns; /* exact */
    uint64_t sum_ns; /* exact, for the mean (584 years of latency before it wraps) */
    uint64_t counts[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_record(struct hist *h, uint64_t ns);
void hist_merge(struct hist *into, const struct hist *from);

/* The nearest-rank percentile (0 < percent <= 100): the smallest recorded value with at
 * least percent% of the values at or below it, reported as the top of its bucket (never
 * below the true value, at most 0.78% above it) and never above the true maximum.
 * 0 when the histogram is empty. */
uint64_t hist_percentile(const struct hist *h, double percent);

/* The exact mean in nanoseconds; 0 when empty. */
double hist_mean(const struct hist *h);

/* Bucket arithmetic, exposed for tests: the bucket of a value, and the largest value that
 * falls into a bucket. */
unsigned hist_bucket(uint64_t ns);
uint64_t hist_bucket_top(unsigned bucket);

#endif
