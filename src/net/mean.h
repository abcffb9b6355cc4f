/* mean.h - the running mean of every value all clients sent.
 *
 * The sum is compensated (Neumaier's variant of Kahan summation): a second double carries
 * the low-order bits each addition rounds away, so the mean of millions of values does not
 * drift, and sums of whole numbers below 2**53 stay exact, so the mean is the correctly
 * rounded quotient Python's sum(ints) / len(ints) gives. When a sum would overflow (two
 * clients sending 1e308) it is kept scaled down by a power of two, which is exact, so the
 * mean of finite values is always finite. */
#ifndef PARLAB_MEAN_H
#define PARLAB_MEAN_H

#include <pthread.h>
#include <stdint.h>

/* The bare accumulator: no locking, for single-threaded users and tests. */
struct mean_sum {
    double sum;  /* the running sum, times 2**-shift */
    double comp; /* what rounding took from sum, same scale */
    int shift;   /* 0 unless the true sum exceeds the double range */
    uint64_t count;
};

void mean_sum_init(struct mean_sum *s);
void mean_sum_add(struct mean_sum *s, double x);
/* The mean so far; 0.0 before the first value. */
double mean_sum_mean(const struct mean_sum *s);

/* The shared mean: one mutex around the accumulator. */
struct mean {
    pthread_mutex_t lock;
    struct mean_sum acc;
};

/* Called with the lock held, so whatever it records (a log line) is ordered exactly as
 * the updates themselves. */
typedef void (*mean_fn)(void *arg, double mean);

int mean_init(struct mean *m);
void mean_destroy(struct mean *m);

/* Adds x and returns the new mean. fn (may be NULL) runs under the lock; the time spent
 * waiting for the lock is added to *wait_ns. */
double mean_add(struct mean *m, double x, mean_fn fn, void *arg, uint64_t *wait_ns);

/* The current mean, with fn run under the lock as for mean_add. */
double mean_read(struct mean *m, mean_fn fn, void *arg, uint64_t *wait_ns);

#endif
