/* engine.h - the load itself, wrk style: T threads, each an epoll loop over its share of the
 * C simulated clients, every session the whole protocol on a fresh connection.
 *
 * Closed loop: a client starts its next session as soon as the last one ends.
 * Open loop (rate > 0): session i is due at t0 + i/rate, thread k taking every T-th one;
 * it starts on an idle client of its thread, waiting for one if all are busy, and its
 * latency counts from when it was due, so a slow server cannot hide its backlog
 * (no coordinated omission). */
#ifndef LOADGEN_ENGINE_H
#define LOADGEN_ENGINE_H

#include "tally.h"
#include "target.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct engine_config {
    struct target *target;
    unsigned clients;
    unsigned threads; /* at most clients */
    double rate;      /* sessions per second in all; 0: closed loop */
    uint64_t delay_ns;
    uint64_t timeout_ns;  /* per session, from its start, pause excluded */
    uint64_t duration_ns; /* the measured phase; 0: run `sessions` sessions */
    uint64_t sessions;
    uint64_t warmup_ns; /* before the measured phase, not counted */
    int64_t value_lo, value_hi;
    int coalesce, strict;
    int progress;     /* a line a second on stderr */
    atomic_int *stop; /* set from outside (a signal) to end the run early */
};

struct engine_result {
    unsigned threads;
    uint64_t measured_ns; /* from the measured phase's start to its last session's end,
                             or the phase's planned length (--duration, sessions / rate)
                             when that is longer */
    uint64_t backlog;     /* open loop: sessions due before the end that never started */
    int unreachable;      /* not one connection succeeded */
    int spread;           /* source addresses had to be spread */
};

/* Runs the load into total (which it initialises). Returns 0, or -1 with err set when the
 * machinery itself failed (threads, epoll). */
int engine_run(const struct engine_config *cfg, struct tally *total, struct engine_result *res,
               char *err, size_t errlen);

/* The value a client sends in its k-th turn: lo, lo+1, ..., hi, lo, ... */
int64_t engine_value(int64_t lo, int64_t hi, uint64_t k);

#endif
