/* srvmetrics.h - the server's --metrics: its counters and its resource usage (getrusage)
 * published as PAPI software-defined events (library "parlab_server"), read back through
 * PAPI with any hardware events asked for, and appended as CSV rows every
 * --metrics-interval and once at shutdown. */
#ifndef PARLAB_SRVMETRICS_H
#define PARLAB_SRVMETRICS_H

#include "counters.h"
#include "csv.h"
#include "mean.h"
#include "stats.h"

#include <pthread.h>

#define SRVMETRICS_SDE_LIBRARY "parlab_server"
#define SRVMETRICS_SDE_COUNT   18

/* What getrusage(RUSAGE_SELF) says of the whole process (every thread, since it started),
 * taken just before each row: the cost of the sessions, without hardware counters. */
struct srvmetrics_usage {
    uint64_t cpu_user_us, cpu_sys_us;
    uint64_t ctx_voluntary, ctx_involuntary;
    uint64_t maxrss_kib;
};

struct srvmetrics {
    const char *path;
    double interval_s; /* 0: only the row at shutdown */
    struct counters_spec spec;
    struct counters counters;
    struct counters_sde sde[SRVMETRICS_SDE_COUNT];
    struct server_stats *stats;
    struct srvmetrics_usage usage; /* written and read (through PAPI SDE) by the thread */
    struct mean *mean;
    uint64_t started_ns, started_cpu_ns;
    int wake[2]; /* the periodic thread sleeps on wake[0]; closing wake[1] ends it */
    pthread_t thread;
    pthread_barrier_t started; /* start() returns once the thread counts */
    int running;
    int failed;              /* a row could not be written: no more rows */
    char error[CSV_ERR_LEN]; /* why, once failed */
};

/* Validates the event list. Returns 0, or -1 with the message in err (an unknown event: a
 * usage error). Call before serving. */
int srvmetrics_parse(struct srvmetrics *m, const char *path, double interval_s, const char *events,
                     char *err, size_t errlen);

/* Starts the thread that counts and appends the rows (periodic ones only with an interval),
 * and returns once it counts: call it before accepting the first connection. Returns 0, or -1 with
 * a one-line reason in err. */
int srvmetrics_start(struct srvmetrics *m, struct server_stats *stats, struct mean *mean, char *err,
                     size_t errlen);

/* Stops the thread, which appends the row at shutdown first. Returns 0, or -1 with "cannot
 * write 'FILE': reason; no more metrics rows" in err when a row could not be written. */
int srvmetrics_stop(struct srvmetrics *m, char *err, size_t errlen);

#endif
