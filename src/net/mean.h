/* mean.h - the running mean of every value all clients sent.
 *
 * The guarantee: the mean is the exact arithmetic mean of every finite value received,
 * rounded once to the nearest double (ties to even) - what Python's
 * float(sum(map(Fraction, values)) / len(values)) gives. No drift over millions of values,
 * no overflow (the mean of finite values is finite), no underflow short of the double
 * range itself, and for whole numbers the same text as the lab's sum(ints) / len(ints).
 *
 * How: the sum is kept exactly, as a fixed-point integer in units of 2**-1074 (the
 * smallest double) wide enough for 2**64 values of the largest magnitude, a
 * "superaccumulator" (Kulisch; Neal, "Fast exact summation using small and large
 * superaccumulators", 2015). Adding a double touches two or three 32-bit limbs and carries
 * rarely; the mean is one long division from the top limb down to the bits a double can
 * hold, so both stay well under a microsecond. MPFR could hold the sum too, but it
 * allocates, and its subnormal rounding needs extra care; this is 150 lines. */
#ifndef PARLAB_MEAN_H
#define PARLAB_MEAN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* 2**-1074 .. 2**1024 is 2098 bits, 64 more for the count, and a sign: 70 limbs of 32 bits. */
#define MEAN_LIMBS 70

/* The bare accumulator: no locking, for single-threaded users and tests. The limbs are one
 * 2240-bit two's complement integer, least significant limb first. */
struct mean_sum {
    uint32_t limb[MEAN_LIMBS];
    uint64_t count;
};

void mean_sum_init(struct mean_sum *s);
/* Adds a finite x (the wire never lets infinities or NaN through; they are ignored). */
void mean_sum_add(struct mean_sum *s, double x);
/* The mean so far, correctly rounded; 0.0 before the first value. */
double mean_sum_mean(const struct mean_sum *s);

/* The shared mean: one mutex around the accumulator. */
struct mean {
    pthread_mutex_t lock;
    struct mean_sum acc;
};

/* Called with the lock held, so whatever it records (a log line) is ordered exactly as
 * the updates themselves. It must not block: format or queue, never write to a file or a
 * socket, or one stalled reader stalls every client. */
typedef void (*mean_fn)(void *arg, double mean);

/* Returns 0, or -1 with "pthread_mutex_init: reason" in err. */
int mean_init(struct mean *m, char *err, size_t errlen);
void mean_destroy(struct mean *m);

/* Adds x and returns the new mean. fn (may be NULL) runs under the lock; the time spent
 * waiting for the lock is added to *wait_ns. */
double mean_add(struct mean *m, double x, mean_fn fn, void *arg, uint64_t *wait_ns);

/* The current mean, with fn run under the lock as for mean_add. */
double mean_read(struct mean *m, mean_fn fn, void *arg, uint64_t *wait_ns);

#endif
