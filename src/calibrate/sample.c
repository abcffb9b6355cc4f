#include "sample.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* P(B = k) for B ~ Binomial(n, 1/2), through logarithms: 2^-n underflows past n = 1074. */
static double sample_binom_half(unsigned n, unsigned k)
{
    return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) - n * log(2.0));
}

int sample_ranks(unsigned n, unsigned *r, unsigned *s)
{
    unsigned best = 0;
    double below = 0.0; /* P(B <= rank - 1) */
    for (unsigned rank = 1; rank <= n / 2; rank++) {
        below += sample_binom_half(n, rank - 1);
        if (1.0 - 2.0 * below < 0.95)
            break;
        best = rank;
    }
    if (best == 0)
        return -1;
    *r = best;
    *s = n + 1 - best;
    return 0;
}

static int sample_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void sample_summarize(double *xs, unsigned n, struct sample_stats *out)
{
    qsort(xs, n, sizeof *xs, sample_cmp);
    out->runs = n;
    out->median = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2.0;
    out->min = xs[0];
    out->max = xs[n - 1];
    unsigned r, s;
    if (sample_ranks(n, &r, &s) == 0) {
        out->ci_lo = xs[r - 1];
        out->ci_hi = xs[s - 1];
    } else { /* not reached from sample_measure, whose plans have enough runs */
        out->ci_lo = out->min;
        out->ci_hi = out->max;
    }
}

/* Doubling: the first batches of a primitive pay its cold caches, page faults and lazy
 * binding, so they are the warm-up as well as the search. */
static int sample_find_batch(const struct sample_plan *plan, sample_fn fn, void *ctx,
                             uint64_t *batch, char *err, size_t errlen)
{
    uint64_t n = 1, ns = 0;
    for (;;) {
        if (fn(ctx, n, &ns, err, errlen) != 0)
            return -1;
        if (ns >= plan->batch_ns || n >= plan->max_batch)
            break;
        n *= 2;
    }
    *batch = n < plan->max_batch ? n : plan->max_batch;
    return 0;
}

/* The interval's width over the median: how unsettled a set of samples is. */
static double sample_width(const struct sample_stats *st)
{
    return st->median > 0 ? (st->ci_hi - st->ci_lo) / st->median : 0.0;
}

int sample_measure(const struct sample_plan *plan, sample_fn fn, void *ctx, double per,
                   struct sample_stats *out, char *err, size_t errlen)
{
    uint64_t batch;
    if (sample_find_batch(plan, fn, ctx, &batch, err, errlen) != 0)
        return -1;
    double *xs = malloc(plan->runs * sizeof *xs);
    if (!xs) {
        snprintf(err, errlen, "malloc: %s", strerror(errno));
        return -1;
    }
    unsigned attempts = plan->attempts ? plan->attempts : 1, done = 0;
    struct sample_stats best = {0};
    while (done < attempts) {
        for (unsigned i = 0; i < plan->runs; i++) {
            uint64_t ns = 0;
            if (fn(ctx, batch, &ns, err, errlen) != 0) {
                free(xs);
                return -1;
            }
            xs[i] = (double)ns / (double)batch / per;
        }
        struct sample_stats st;
        sample_summarize(xs, plan->runs, &st);
        done++;
        if (done == 1 || sample_width(&st) < sample_width(&best))
            best = st;
        if (sample_width(&best) <= SAMPLE_WIDE)
            break;
    }
    free(xs);
    *out = best;
    out->batch = batch;
    out->attempts = done;
    return 0;
}
