#include "schedule.h"

#include <stdatomic.h>

const char *const primes_schedule_names[] = {"dynamic", "static", "cyclic", NULL};

static uint64_t primes_min(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t primes_next_atomic(void *ctx, uint64_t chunk)
{
    /* Relaxed: the counter only hands out ranges; the bitmap's words are published by the
     * scan's own atomics and read after every worker has been joined or reaped. */
    return atomic_fetch_add_explicit((atomic_uint_fast64_t *)ctx, chunk, memory_order_relaxed);
}

void primes_scan_share(const struct primes_share *share, unsigned index, struct primes_bitmap *bm,
                       struct primes_tally *tally)
{
    uint64_t end = share->end, chunk = share->chunk, workers = share->workers;
    switch (share->schedule) {
    case PRIMES_SCHED_DYNAMIC:
        for (;;) {
            uint64_t lo = share->next(share->next_ctx, chunk);
            if (lo >= end)
                break;
            primes_scan(bm, lo, primes_min(lo + chunk, end), tally);
        }
        break;
    case PRIMES_SCHED_STATIC:
        primes_scan(bm, end * index / workers, end * (index + 1) / workers, tally);
        break;
    case PRIMES_SCHED_CYCLIC:
        for (uint64_t lo = index * chunk; lo < end; lo += workers * chunk)
            primes_scan(bm, lo, primes_min(lo + chunk, end), tally);
        break;
    }
}

uint64_t primes_share_unit(const struct primes_share *share)
{
    /* static hands each worker one block of ceil(end / workers) numbers at most. */
    if (share->schedule == PRIMES_SCHED_STATIC)
        return (share->end + share->workers - 1) / share->workers;
    return share->chunk;
}
