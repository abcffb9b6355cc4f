#include "srvmetrics.h"

#include "csv.h"
#include "pyfloat.h"
#include "timer.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int srvmetrics_parse(struct srvmetrics *m, const char *path, double interval_s, const char *events,
                     char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    m->interval_s = interval_s;
    m->wake[0] = m->wake[1] = -1;
    if (counters_parse_events(&m->spec, events, err, errlen) != 0)
        return -1;
    /* Connection threads come and go: count them all, or not at all. A limit, not yet
     * lifted: the event set belongs to the metrics thread, and the kernel's inheritance
     * follows the threads *that* thread creates, none; the model's threads are created by
     * the main thread, the pool's and the loops' even before counting starts. Hardware
     * cells are therefore this thread's, not the process's: not a cost per session. The
     * getrusage() columns are the process's. */
    counters_inherit(&m->spec);
    return 0;
}

/* The counters live in atomics; PAPI SDE reads them as plain 64-bit words, which is what
 * an _Atomic uint64_t is on every platform parlab builds on. */
static uint64_t *srvmetrics_word(_Atomic uint64_t *field)
{
    return (uint64_t *)field;
}

static void srvmetrics_define(struct srvmetrics *m)
{
    struct server_stats *s = m->stats;
    struct counters_sde *d = m->sde;
    d[0] =
        (struct counters_sde){"connections_accepted", srvmetrics_word(&s->connections_accepted), 0};
    d[1] = (struct counters_sde){"connections_active", srvmetrics_word(&s->connections_active), 1};
    d[2] = (struct counters_sde){"bytes_received", srvmetrics_word(&s->bytes_received), 0};
    d[3] = (struct counters_sde){"data_messages", srvmetrics_word(&s->data_messages), 0};
    d[4] = (struct counters_sde){"ready_messages", srvmetrics_word(&s->ready_messages), 0};
    d[5] = (struct counters_sde){"bad_messages", srvmetrics_word(&s->bad_messages), 0};
    d[6] = (struct counters_sde){"busy_rejections", srvmetrics_word(&s->busy_rejections), 0};
    d[7] = (struct counters_sde){"idle_timeouts", srvmetrics_word(&s->idle_timeouts), 0};
    d[8] = (struct counters_sde){"lock_wait_ns", srvmetrics_word(&s->lock_wait_ns), 0};
    d[9] = (struct counters_sde){"conversation_timeouts",
                                 srvmetrics_word(&s->conversation_timeouts), 0};
    d[10] = (struct counters_sde){"evictions", srvmetrics_word(&s->evictions), 0};
    d[11] = (struct counters_sde){"log_lines_dropped", srvmetrics_word(&s->log_lines_dropped), 0};
    /* Gauges, read as they are: the pool's and the loops' workers start before counting
     * does, and getrusage() totals count from the start of the process. */
    d[12] = (struct counters_sde){"threads_created", srvmetrics_word(&s->threads_created), 1};
    struct srvmetrics_usage *u = &m->usage;
    d[13] = (struct counters_sde){"cpu_user_us", &u->cpu_user_us, 1};
    d[14] = (struct counters_sde){"cpu_sys_us", &u->cpu_sys_us, 1};
    d[15] = (struct counters_sde){"ctx_voluntary", &u->ctx_voluntary, 1};
    d[16] = (struct counters_sde){"ctx_involuntary", &u->ctx_involuntary, 1};
    d[17] = (struct counters_sde){"maxrss_kib", &u->maxrss_kib, 1};
}

/* Refreshes m->usage, which the next read publishes. getrusage(RUSAGE_SELF) cannot fail
 * with a valid pointer; were it to, the previous values stay (never a decrease). */
static void srvmetrics_take_usage(struct srvmetrics *m)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return;
    struct srvmetrics_usage *u = &m->usage;
    u->cpu_user_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec;
    u->cpu_sys_us = (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
    u->ctx_voluntary = (uint64_t)ru.ru_nvcsw;
    u->ctx_involuntary = (uint64_t)ru.ru_nivcsw;
    u->maxrss_kib = (uint64_t)ru.ru_maxrss; /* Linux reports kilobytes */
}

/* Runs under the mean's lock: the count and the mean of one and the same moment. */
struct srvmetrics_mean {
    struct mean *mean;
    uint64_t count;
};

static void srvmetrics_take_count(void *arg, double mean)
{
    struct srvmetrics_mean *sm = arg;
    (void)mean;
    sm->count = sm->mean->acc.count;
}

static void srvmetrics_append(struct srvmetrics *m, const char *row_kind)
{
    if (m->failed)
        return;
    struct counters_result r;
    srvmetrics_take_usage(m);
    counters_read(&m->counters, &r);
    /* PAPI's virtual clock is this thread's; the server's CPU time is the whole process's. */
    r.cpu_ns = timer_cpu_ns() - m->started_cpu_ns;
    struct srvmetrics_mean sm = {m->mean, 0};
    uint64_t ignored_wait = 0;
    double mean = mean_read(m->mean, srvmetrics_take_count, &sm, &ignored_wait);

    char header[2048] = "program,row,time_s,wall_ns,cpu_ns";
    for (unsigned i = 0; i < SRVMETRICS_SDE_COUNT; i++) {
        strncat(header, ",", sizeof header - strlen(header) - 1);
        strncat(header, m->sde[i].name, sizeof header - strlen(header) - 1);
    }
    strncat(header, ",values,mean", sizeof header - strlen(header) - 1);
    for (unsigned i = 0; i < m->spec.count; i++) {
        strncat(header, ",", sizeof header - strlen(header) - 1);
        strncat(header, m->spec.names[i], sizeof header - strlen(header) - 1);
    }

    struct csv csv;
    csv_init(&csv);
    csv_str(&csv, "server");
    csv_str(&csv, row_kind);
    char text[64];
    snprintf(text, sizeof text, "%.3f", (double)(timer_wall_ns() - m->started_ns) / 1e9);
    csv_str(&csv, text);
    csv_u64(&csv, r.wall_ns);
    csv_u64(&csv, r.cpu_ns);
    for (unsigned i = 0; i < SRVMETRICS_SDE_COUNT; i++)
        csv_i64(&csv, r.sde[i]);
    csv_u64(&csv, sm.count);
    pyfloat_format(mean, text);
    csv_str(&csv, text);
    for (unsigned i = 0; i < m->spec.count; i++) {
        if (r.hw_valid[i])
            csv_i64(&csv, r.hw[i]);
        else
            csv_empty(&csv);
    }
    csv_end_line(&csv);
    /* The first failure is kept for srvmetrics_stop() to return; no row comes after it. */
    if (csv_append(m->path, header, &csv, m->error, sizeof m->error) != 0)
        m->failed = 1;
    csv_free(&csv);
}

/* All PAPI calls happen on this thread: an event set belongs to the thread that made it. */
static void *srvmetrics_main(void *arg)
{
    struct srvmetrics *m = arg;
    srvmetrics_take_usage(m);
    counters_start(&m->counters, &m->spec, SRVMETRICS_SDE_LIBRARY, m->sde, SRVMETRICS_SDE_COUNT);
    /* PAPI reads SDE counters relative to their value at start: the server must not accept
     * before this point, or the first connections would be missing from every row. */
    pthread_barrier_wait(&m->started);
    uint64_t step = (uint64_t)(m->interval_s * 1e9);
    uint64_t next = timer_wall_ns() + step;
    for (;;) {
        int wait_ms = -1;
        if (step) {
            uint64_t now = timer_wall_ns();
            wait_ms = now >= next ? 0 : (int)((next - now + 999999u) / 1000000u);
        }
        struct pollfd p = {.fd = m->wake[0], .events = POLLIN};
        int rc = poll(&p, 1, wait_ms);
        if (rc > 0 || (rc < 0 && errno != EINTR))
            break; /* EOF on the pipe: the server is stopping */
        if (step && timer_wall_ns() >= next) {
            srvmetrics_append(m, "interval");
            next += step;
        }
    }
    srvmetrics_append(m, "final");
    struct counters_result ignored;
    counters_stop(&m->counters, &ignored);
    return NULL;
}

int srvmetrics_start(struct srvmetrics *m, struct server_stats *stats, struct mean *mean, char *err,
                     size_t errlen)
{
    m->stats = stats;
    m->mean = mean;
    m->started_ns = timer_wall_ns();
    m->started_cpu_ns = timer_cpu_ns();
    srvmetrics_define(m);
    if (pipe(m->wake) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    int rc = pthread_barrier_init(&m->started, NULL, 2);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_barrier_init: %s", strerror(rc));
        close(m->wake[0]);
        close(m->wake[1]);
        m->wake[0] = m->wake[1] = -1;
        return -1;
    }
    rc = pthread_create(&m->thread, NULL, srvmetrics_main, m);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_create: %s", strerror(rc));
        pthread_barrier_destroy(&m->started);
        close(m->wake[0]);
        close(m->wake[1]);
        m->wake[0] = m->wake[1] = -1;
        return -1;
    }
    pthread_barrier_wait(&m->started);
    m->running = 1;
    return 0;
}

int srvmetrics_stop(struct srvmetrics *m, char *err, size_t errlen)
{
    if (!m->running)
        return 0;
    close(m->wake[1]);
    pthread_join(m->thread, NULL);
    pthread_barrier_destroy(&m->started);
    close(m->wake[0]);
    m->running = 0;
    if (!m->failed)
        return 0;
    snprintf(err, errlen, "%s; no more metrics rows", m->error);
    return -1;
}
