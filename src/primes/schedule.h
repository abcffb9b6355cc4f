/* schedule.h - how the numbers 0..limit are shared among workers: the one implementation
 * of the dynamic, static and cyclic schedules, whatever runs the workers (fork()ed
 * processes, threads, an OpenMP region, MPI ranks). */
#ifndef PARLAB_PRIMES_SCHEDULE_H
#define PARLAB_PRIMES_SCHEDULE_H

#include "primes.h"

#include <stdint.h>

enum primes_schedule { PRIMES_SCHED_DYNAMIC, PRIMES_SCHED_STATIC, PRIMES_SCHED_CYCLIC };

/* The schedules' names in enum order, NULL-terminated (for cli_parse_choice). */
extern const char *const primes_schedule_names[];

/* dynamic: returns the first number of the next free chunk of `chunk` numbers and moves
 * the shared position past it; a value >= end means the work is gone. */
typedef uint64_t (*primes_next_fn)(void *ctx, uint64_t chunk);

struct primes_share {
    enum primes_schedule schedule;
    uint64_t end;        /* one past the last number: limit + 1 */
    uint64_t chunk;      /* numbers per chunk for dynamic and cyclic */
    unsigned workers;    /* how many share the work */
    primes_next_fn next; /* dynamic only */
    void *next_ctx;
};

/* Scans worker `index`'s share of [0, end) into bm, counting into tally. */
void primes_scan_share(const struct primes_share *share, unsigned index, struct primes_bitmap *bm,
                       struct primes_tally *tally);

/* A primes_next_fn over a counter in memory every worker sees (threads, or processes
 * sharing a MAP_SHARED page): ctx is an atomic_uint_fast64_t starting at 0. */
uint64_t primes_next_atomic(void *ctx, uint64_t chunk);

/* The --metrics "chunk" column: numbers per unit of work handed to a worker. */
uint64_t primes_share_unit(const struct primes_share *share);

#endif
