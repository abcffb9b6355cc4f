/* hist.c - log-linear buckets (see hist.h). */
#include "hist.h"

#include <math.h>
#include <string.h>

void hist_init(struct hist *h)
{
    memset(h, 0, sizeof *h);
    h->min_ns = UINT64_MAX;
}

unsigned hist_bucket(uint64_t ns)
{
    if (ns >= (1ull << HIST_MAX_BITS))
        ns = (1ull << HIST_MAX_BITS) - 1;
    if (ns < HIST_SUB)
        return (unsigned)ns;
    /* The top HIST_SUB_BITS + 1 bits pick the bucket; the bits below them are the error. */
    unsigned msb = 63u - (unsigned)__builtin_clzll(ns);
    unsigned shift = msb - HIST_SUB_BITS;
    return (shift + 1) * HIST_SUB + (unsigned)((ns >> shift) - HIST_SUB);
}

uint64_t hist_bucket_top(unsigned bucket)
{
    if (bucket < HIST_SUB)
        return bucket;
    unsigned shift = bucket / HIST_SUB - 1;
    uint64_t low = (uint64_t)(HIST_SUB + bucket % HIST_SUB) << shift;
    return low + ((1ull << shift) - 1);
}

void hist_record(struct hist *h, uint64_t ns)
{
    h->counts[hist_bucket(ns)]++;
    h->total++;
    h->sum_ns += ns;
    if (ns < h->min_ns)
        h->min_ns = ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

void hist_merge(struct hist *into, const struct hist *from)
{
    for (unsigned i = 0; i < HIST_BUCKETS; i++)
        into->counts[i] += from->counts[i];
    into->total += from->total;
    into->sum_ns += from->sum_ns;
    if (from->min_ns < into->min_ns)
        into->min_ns = from->min_ns;
    if (from->max_ns > into->max_ns)
        into->max_ns = from->max_ns;
}

uint64_t hist_percentile(const struct hist *h, double percent)
{
    if (h->total == 0)
        return 0;
    /* The epsilon keeps 99.9% of 1000 at rank 999 although 99.9 is not exact in binary. */
    double want = ceil(percent / 100.0 * (double)h->total - 1e-9);
    uint64_t rank = want < 1 ? 1 : want > (double)h->total ? h->total : (uint64_t)want;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            /* The last bucket also holds everything past the range: only max bounds it. */
            if (i == HIST_BUCKETS - 1)
                return h->max_ns;
            uint64_t top = hist_bucket_top(i);
            return top < h->max_ns ? top : h->max_ns;
        }
    }
    return h->max_ns;
}

double hist_mean(const struct hist *h)
{
    return h->total ? (double)h->sum_ns / (double)h->total : 0.0;
}
