/* hold.h - the capacity probe: open N connections, send a number on each, hold them all
 * open, then send `ready` on every one and read every mean. A thread-per-connection server
 * needs N threads at once for it; a server short of descriptors or memory shows here. */
#ifndef LOADGEN_HOLD_H
#define LOADGEN_HOLD_H

#include "tally.h"
#include "target.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct hold_config {
    struct target *target;
    uint64_t connections;
    uint64_t hold_ns;    /* how long to keep them all open before `ready` */
    uint64_t timeout_ns; /* per connection and phase */
    int64_t value_lo, value_hi;
    int strict;
    int progress;
    atomic_int *stop;
};

struct hold_result {
    uint64_t opened;   /* connections that got as far as holding, number sent */
    uint64_t held;     /* open with their number sent when `ready` went out, less any the
                          server then turned out to have turned away ("server busy") */
    uint64_t open_ns;  /* from the first connect to the last number sent */
    uint64_t ready_ns; /* from the first `ready` to the last reply */
    uint64_t exact;    /* replies equal to the exact mean of every number held */
    int exact_known;   /* 0: some number may or may not have counted */
    double expected;   /* that exact mean, when known */
    int unreachable;
    int spread;
};

/* Runs the probe on one epoll loop. Latency is from a connection's `ready` to its reply.
 * Returns 0, or -1 with err set when the machinery failed. */
int hold_run(const struct hold_config *cfg, struct tally *t, struct hold_result *r, char *err,
             size_t errlen);

#endif
