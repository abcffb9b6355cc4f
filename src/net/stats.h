/* stats.h - what a mean server counts. One struct, so every counter can be published in one
 * place (a metrics file, performance-counter tools). Connection threads count in a local
 * struct conn_stats and publish it once, when the connection ends, so the shared cache
 * lines are touched once per connection rather than once per byte. */
#ifndef PARLAB_STATS_H
#define PARLAB_STATS_H

#include <stdatomic.h>
#include <stdint.h>

struct server_stats {
    _Atomic uint64_t connections_accepted; /* accept() results, rejected ones included */
    _Atomic uint64_t connections_active;   /* connections being served right now */
    _Atomic uint64_t bytes_received;
    _Atomic uint64_t data_messages;         /* numbers added to the mean */
    _Atomic uint64_t ready_messages;        /* means sent */
    _Atomic uint64_t bad_messages;          /* connections closed with "error: <reason>" */
    _Atomic uint64_t busy_rejections;       /* connections turned away with "error: server busy" */
    _Atomic uint64_t idle_timeouts;         /* closed with "error: timeout": no progress in time */
    _Atomic uint64_t lock_wait_ns;          /* time spent waiting for the mean's lock */
    _Atomic uint64_t conversation_timeouts; /* closed with "error: timeout": too long in all */
    _Atomic uint64_t evictions;             /* shed with "error: server busy" to make room */
    _Atomic uint64_t log_lines_dropped;     /* log lines stdout did not take in time */
    _Atomic uint64_t threads_created;       /* by the model: per connection, or its workers */
};

/* One connection's share, counted without atomics. */
struct conn_stats {
    uint64_t bytes_received;
    uint64_t data_messages;
    uint64_t ready_messages;
    uint64_t bad_messages;
    uint64_t idle_timeouts;
    uint64_t lock_wait_ns;
    uint64_t conversation_timeouts;
};

void stats_init(struct server_stats *s);
void stats_publish(struct server_stats *s, const struct conn_stats *c);

/* Counts a thread the model started (not the server's own: signals, log writer, metrics),
 * so the cost of a session can be set against the threads it took. */
void stats_thread_started(struct server_stats *s);

#endif
