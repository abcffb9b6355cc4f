/* tally.h - what a run counts: sessions, latencies, errors by kind, the error replies seen,
 * and the values the server certainly added (for --verify). One per thread, merged. */
#ifndef LOADGEN_TALLY_H
#define LOADGEN_TALLY_H

#include "hist.h"

#include <stdint.h>

enum tally_kind {
    TALLY_CONNECT,    /* socket() or connect() failed, or the connection was refused */
    TALLY_WRITE,      /* send() failed */
    TALLY_READ,       /* recv() failed, or the server closed without replying */
    TALLY_TIMEOUT,    /* the session did not finish in time */
    TALLY_REPLY,      /* the server replied "error: ..." */
    TALLY_UNPARSABLE, /* a reply that is neither a mean nor "error: ..." */
    TALLY_KINDS
};

#define TALLY_WHY_LEN     96
#define TALLY_REPLY_TEXTS 8
#define TALLY_REPLY_LEN   64

struct tally_reply {
    char text[TALLY_REPLY_LEN];
    uint64_t count;
};

struct tally {
    struct hist latency;                    /* sessions that ended with a mean */
    uint64_t sessions;                      /* sessions that ended with a mean */
    uint64_t errors[TALLY_KINDS];           /* failed sessions by kind */
    char first[TALLY_KINDS][TALLY_WHY_LEN]; /* the first failure of each kind, for the report */
    struct tally_reply replies[TALLY_REPLY_TEXTS]; /* distinct "error: ..." replies */
    uint64_t replies_other;                        /* error replies past the distinct ones kept */
    uint64_t last_ns;                              /* when the last measured session ended */

    /* Every session, warm-up included: the values the server added for certain, and how
     * many sessions failed after sending theirs (the server may or may not have them). */
    int64_t value_sum;
    uint64_t value_abs_sum; /* saturates: --verify refuses sums past 2**53 */
    uint64_t value_count;
    uint64_t uncertain;
};

void tally_init(struct tally *t);
void tally_merge(struct tally *into, const struct tally *from);

/* A session that ended with a mean. */
void tally_ok(struct tally *t, uint64_t latency_ns);
/* A failed session; why is one line ("connect: Connection refused"; for TALLY_REPLY the
 * reply itself). */
void tally_error(struct tally *t, enum tally_kind kind, const char *why);

/* The server added value (the session got its mean). */
void tally_value(struct tally *t, int64_t value);

uint64_t tally_errors(const struct tally *t);

/* Short names: connect, write, read, timeout, reply, unparsable. */
const char *tally_kind_name(enum tally_kind kind);

#endif
