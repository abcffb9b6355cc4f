/* verify.h - --verify: the server's mean against the exact mean of everything loadgen sent.
 * Numbers are whole, so their sum is exact in 64 bits; below 2**53 it is also exact as a
 * double, and one division gives the correctly rounded mean, as Python's sum(ints) /
 * len(ints) does and as a server summing exactly must reply. */
#ifndef LOADGEN_VERIFY_H
#define LOADGEN_VERIFY_H

#include "tally.h"
#include "target.h"

#include <stddef.h>
#include <stdint.h>

/* The correctly rounded mean of count whole numbers adding up to sum, whose magnitudes add
 * up to abs_sum. Returns 0, or -1 when abs_sum is past 2**53 (not exact any more). */
int verify_mean(int64_t sum, uint64_t abs_sum, uint64_t count, double *mean);

/* One more session, sending value, after the load: its reply must be the exact mean of
 * value and every number total says the server added. Returns 0 when it is (msg: a line
 * saying so), 1 when it differs, -1 when it cannot be checked (msg: why). */
int verify_run(const struct target *target, int64_t value, uint64_t timeout_ns,
               const struct tally *total, char *msg, size_t msglen);

#endif
