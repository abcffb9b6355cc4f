/* logq.c - log lines queued in memory, written by one thread (see logq.h). */
#include "logq.h"

#include "timer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the writer hands write(2) at once: whole lines, at most PIPE_BUF bytes. A pipe that
 * polls writable has room for that much, so the writer never blocks in write(2) on one,
 * and a process that ends mid-log leaves no half line in it. */
#define LOGQ_CHUNK PIPE_BUF
/* How long logq_stop() waits past its budget for a writer stuck in write(2) (a terminal
 * stopped with Ctrl-S takes lines until its buffer fills, then blocks). */
#define LOGQ_STOP_SLACK_NS 50000000ull

static size_t logq_lines_in(const char *p, size_t n)
{
    size_t lines = 0;
    for (const char *end = p + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        lines++;
    return lines;
}

/* The newlines among the queued bytes from..to, which may wrap. */
static size_t logq_lines_queued(const struct logq *q, uint64_t from, uint64_t to)
{
    size_t at = (size_t)(from % q->cap), n = (size_t)(to - from);
    size_t first = n < q->cap - at ? n : q->cap - at;
    return logq_lines_in(q->ring + at, first) + logq_lines_in(q->ring, n - first);
}

static void logq_copy_out(const struct logq *q, uint64_t from, char *dst, size_t n)
{
    size_t at = (size_t)(from % q->cap);
    size_t first = n < q->cap - at ? n : q->cap - at;
    memcpy(dst, q->ring + at, first);
    memcpy(dst + first, q->ring, n - first);
}

static void logq_copy_in(struct logq *q, const char *src, size_t n)
{
    size_t at = (size_t)(q->tail % q->cap);
    size_t first = n < q->cap - at ? n : q->cap - at;
    memcpy(q->ring + at, src, first);
    memcpy(q->ring, src + first, n - first);
    q->tail += n;
}

static void logq_count(struct logq *q, uint64_t lines)
{
    if (lines)
        atomic_fetch_add_explicit(q->dropped, lines, memory_order_relaxed);
}

/* The wake pipe is non-blocking at both ends: a full pipe already holds a wake-up. */
static void logq_wake(struct logq *q)
{
    char byte = 1;
    if (write(q->wake[1], &byte, 1) < 0) {
        /* EAGAIN: a wake-up is pending anyway. */
    }
}

static void logq_drain_wake(struct logq *q)
{
    char sink[64];
    while (read(q->wake[0], sink, sizeof sink) > 0)
        ;
}

/* Milliseconds until the stop's deadline; -1 while not stopping. */
static int logq_wait_ms(struct logq *q)
{
    pthread_mutex_lock(&q->lock);
    int stopping = q->stopping;
    uint64_t by = q->stop_by;
    pthread_mutex_unlock(&q->lock);
    if (!stopping)
        return -1;
    uint64_t now = timer_wall_ns();
    return now >= by ? 0 : (int)((by - now + 999999u) / 1000000u);
}

/* Waits until fd takes bytes. Returns 1, 0 when a stop's deadline passed first, -1 on an
 * error (errno set). A stop wakes it through the wake pipe. */
static int logq_wait_writable(struct logq *q)
{
    for (;;) {
        int timeout = logq_wait_ms(q);
        if (timeout == 0)
            return 0;
        struct pollfd p[2] = {{.fd = q->fd, .events = POLLOUT},
                              {.fd = q->wake[0], .events = POLLIN}};
        int rc = poll(p, 2, timeout);
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc <= 0)
            continue;
        if (p[1].revents)
            logq_drain_wake(q);
        if (p[0].revents & POLLNVAL) {
            errno = EBADF;
            return -1;
        }
        /* An error or hang-up counts as writable: write(2) says what it is. */
        if (p[0].revents)
            return 1;
    }
}

/* Writes len bytes; returns how many were not written (0: all). After an error nothing more
 * is tried: a reader that closed the pipe stays gone. */
static size_t logq_write(struct logq *q, const char *buf, size_t len, int *error)
{
    while (len > 0 && *error == 0) {
        int w = logq_wait_writable(q);
        if (w == 0)
            break;
        ssize_t n = w < 0 ? -1 : write(q->fd, buf, len);
        if (n < 0) {
            if (w > 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            *error = errno ? errno : EIO;
            break;
        }
        buf += n;
        len -= (size_t)n;
    }
    return len;
}

static void *logq_main(void *arg)
{
    struct logq *q = arg;
    char chunk[LOGQ_CHUNK];
    int error = 0;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        if (q->head == q->tail) {
            if (q->stopping)
                break;
            q->sleeping = 1;
            pthread_mutex_unlock(&q->lock);
            struct pollfd p = {.fd = q->wake[0], .events = POLLIN};
            while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
            logq_drain_wake(q);
            pthread_mutex_lock(&q->lock);
            q->sleeping = 0;
            continue;
        }
        if (q->stopping && timer_wall_ns() >= q->stop_by)
            break;
        size_t n = (size_t)(q->tail - q->head);
        if (n > sizeof chunk)
            n = sizeof chunk;
        logq_copy_out(q, q->head, chunk, n);
        /* Whole lines only; every line is far shorter than a chunk, and posted whole. */
        const char *nl = memrchr(chunk, '\n', n);
        if (nl)
            n = (size_t)(nl - chunk) + 1;
        q->head += n;
        pthread_mutex_unlock(&q->lock);
        size_t left = logq_write(q, chunk, n, &error);
        logq_count(q, logq_lines_in(chunk + n - left, left));
        pthread_mutex_lock(&q->lock);
        q->error = error;
    }
    /* Stopped: what is still queued is lost, and the last line is written only after all
     * the others, so that it stays last. */
    int abandoned = q->done;
    if (!abandoned)
        logq_count(q, logq_lines_queued(q, q->head, q->tail));
    q->head = q->tail;
    q->closed = 1;
    int write_last = !abandoned && error == 0 && timer_wall_ns() < q->stop_by;
    pthread_mutex_unlock(&q->lock);
    if (!abandoned) {
        size_t left = q->last_len;
        if (write_last)
            left = logq_write(q, q->last, q->last_len, &error);
        logq_count(q, left ? 1 : 0);
    }
    pthread_mutex_lock(&q->lock);
    q->error = error;
    q->done = 1;
    pthread_cond_broadcast(&q->done_cond);
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

int logq_start(struct logq *q, int fd, size_t cap, _Atomic uint64_t *dropped, char *err,
               size_t errlen)
{
    memset(q, 0, sizeof *q);
    q->fd = fd;
    q->cap = cap;
    q->dropped = dropped;
    q->ring = malloc(cap);
    if (!q->ring) {
        snprintf(err, errlen, "malloc: %s", strerror(ENOMEM));
        return -1;
    }
    if (pipe2(q->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe2: %s", strerror(errno));
        free(q->ring);
        return -1;
    }
    /* The writer is detached and the queue not freed at the stop: a server stops with
     * thousands of threads exiting at once, and then joining the writer (which frees its
     * stack) or freeing the queue, both munmap(2), waits seconds for the address-space lock
     * those exits hold. Nothing depends on either. */
    pthread_attr_t attr;
    pthread_condattr_t ca;
    int rc = pthread_attr_init(&attr);
    if (rc == 0)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0)
        rc = pthread_condattr_init(&ca);
    if (rc == 0)
        rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&q->done_cond, &ca);
    if (rc == 0)
        rc = pthread_mutex_init(&q->lock, NULL);
    if (rc == 0)
        rc = pthread_create(&q->thread, &attr, logq_main, q);
    pthread_condattr_destroy(&ca);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_create: %s", strerror(rc));
        close(q->wake[0]);
        close(q->wake[1]);
        free(q->ring);
        return -1;
    }
    return 0;
}

int logq_post(struct logq *q, const char *line, size_t len)
{
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return -1;
    }
    size_t room = q->cap - (size_t)(q->tail - q->head);
    if (q->dropping && room >= q->cap / 2)
        q->dropping = 0;
    if (q->dropping || len > room) {
        q->dropping = 1;
        pthread_mutex_unlock(&q->lock);
        logq_count(q, 1);
        return -1;
    }
    logq_copy_in(q, line, len);
    int wake = q->sleeping;
    q->sleeping = 0;
    pthread_mutex_unlock(&q->lock);
    if (wake)
        logq_wake(q);
    return 0;
}

uint64_t logq_stop(struct logq *q, const char *last, size_t len, uint64_t budget_ns, int *error)
{
    uint64_t now = timer_wall_ns();
    pthread_mutex_lock(&q->lock);
    if (len > sizeof q->last)
        len = sizeof q->last;
    memcpy(q->last, last, len);
    q->last_len = len;
    q->stopping = 1;
    q->stop_by = now + budget_ns;
    pthread_mutex_unlock(&q->lock);
    logq_wake(q);

    uint64_t until_ns = now + budget_ns + LOGQ_STOP_SLACK_NS;
    struct timespec until = {(time_t)(until_ns / 1000000000u), (long)(until_ns % 1000000000u)};
    pthread_mutex_lock(&q->lock);
    while (!q->done)
        if (pthread_cond_timedwait(&q->done_cond, &q->lock, &until) == ETIMEDOUT)
            break;
    int finished = q->done;
    if (!finished) {
        /* Stuck in write(2): what it holds is lost; done tells it not to count again. */
        logq_count(q, logq_lines_queued(q, q->head, q->tail) + 1);
        q->head = q->tail;
        q->closed = 1;
        q->done = 1;
    }
    *error = q->error;
    pthread_mutex_unlock(&q->lock);
    q->finished = finished;
    return atomic_load_explicit(q->dropped, memory_order_relaxed);
}

void logq_free(struct logq *q)
{
    if (!q->finished)
        return;
    close(q->wake[0]);
    close(q->wake[1]);
    free(q->ring);
    q->ring = NULL;
}
