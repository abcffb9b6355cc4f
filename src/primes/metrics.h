/* metrics.h - the --metrics CSV of the prime programs: one row per worker and one
 * whole-run row (worker "all"), same columns for nonoptimized and optimized. */
#ifndef PARLAB_PRIMES_METRICS_H
#define PARLAB_PRIMES_METRICS_H

#include "counters.h"
#include "primes.h"

#define PRIMES_SDE_LIBRARY "parlab_primes"
#define PRIMES_SDE_COUNT   3

/* What a run was; printed in every row. */
struct primes_run {
    const char *program;
    uint64_t limit;
    unsigned procs;
    uint64_t chunk; /* numbers per unit of work handed to a worker */
    const char *schedule;
    const struct counters_spec *spec;
};

/* The software-defined events of a worker, pointing at its tally. */
void primes_metrics_sde(struct primes_tally *tally, struct counters_sde sde[PRIMES_SDE_COUNT]);

/* Appends workers[0..procs-1] and `all` to path. Returns 0, or -1 with a reason in err. */
int primes_metrics_write(const char *path, const struct primes_run *run,
                         const struct counters_result *workers, const struct counters_result *all,
                         char *err, size_t errlen);

#endif
