/* stats.c - publishing and reading the server's counters. */
#include "stats.h"

void stats_init(struct server_stats *s)
{
    atomic_init(&s->connections_accepted, 0);
    atomic_init(&s->connections_active, 0);
    atomic_init(&s->bytes_received, 0);
    atomic_init(&s->data_messages, 0);
    atomic_init(&s->ready_messages, 0);
    atomic_init(&s->bad_messages, 0);
    atomic_init(&s->busy_rejections, 0);
    atomic_init(&s->idle_timeouts, 0);
    atomic_init(&s->lock_wait_ns, 0);
    atomic_init(&s->conversation_timeouts, 0);
    atomic_init(&s->evictions, 0);
    atomic_init(&s->log_lines_dropped, 0);
    atomic_init(&s->threads_created, 0);
}

/* Relaxed: the counters are independent totals; nobody orders other memory by them. */
static void stats_add(_Atomic uint64_t *counter, uint64_t n)
{
    if (n)
        atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

void stats_publish(struct server_stats *s, const struct conn_stats *c)
{
    stats_add(&s->bytes_received, c->bytes_received);
    stats_add(&s->data_messages, c->data_messages);
    stats_add(&s->ready_messages, c->ready_messages);
    stats_add(&s->bad_messages, c->bad_messages);
    stats_add(&s->idle_timeouts, c->idle_timeouts);
    stats_add(&s->lock_wait_ns, c->lock_wait_ns);
    stats_add(&s->conversation_timeouts, c->conversation_timeouts);
}

void stats_thread_started(struct server_stats *s)
{
    stats_add(&s->threads_created, 1);
}
