/* model_pool.c - a fixed set of worker threads (--threads N) and a queue. The main thread
 * accepts and admits, and queues what it admits; a worker takes the oldest queued
 * connection and serves it to its end with blocking I/O (convio_serve), then takes the
 * next. How a worker waits: it tries recv(2) first, and when nothing is there it sleeps in
 * poll(2) on the connection and the stop pipe, with the time left until the connection's
 * nearest deadline (idle or conversation) as poll's timeout, so the limits hold however
 * long a client stays silent, and a stop wakes every worker at once.
 *
 * A worker serves one connection at a time: while every worker waits on a slow client
 * (the lab's client pauses 5 s before `ready`), newcomers wait in the queue. That is what
 * the model costs, and what the benchmarks measure. A queued connection's limits start
 * when a worker takes it, so time in the queue is not held against the client. */
#include "convio.h"
#include "model.h"
#include "timer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pool {
    struct model_env *env;
    pthread_mutex_t lock;
    pthread_cond_t queued;
    int *ring; /* admitted descriptors waiting for a worker, oldest at head */
    size_t cap, head, count;
    int closed; /* stopping: workers finish what they serve and leave */
    pthread_t *workers;
    unsigned started;
};

static struct pool pool;

/* Under the lock. Returns 0, or -1 when the queue cannot grow. */
static int pool_push(struct pool *p, int fd)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        int *ring = malloc(cap * sizeof *ring);
        if (!ring)
            return -1;
        for (size_t i = 0; i < p->count; i++)
            ring[i] = p->ring[(p->head + i) % p->cap];
        free(p->ring);
        p->ring = ring;
        p->cap = cap;
        p->head = 0;
    }
    p->ring[(p->head + p->count++) % p->cap] = fd;
    return 0;
}

static int pool_pop(struct pool *p)
{
    int fd = p->ring[p->head];
    p->head = (p->head + 1) % p->cap;
    p->count--;
    return fd;
}

static void pool_start(void *arg, int fd)
{
    struct pool *p = arg;
    pthread_mutex_lock(&p->lock);
    int rc = pool_push(p, fd);
    if (rc == 0)
        pthread_cond_signal(&p->queued);
    pthread_mutex_unlock(&p->lock);
    if (rc != 0)
        conv_unadmit(p->env->conv, fd, "cannot queue the connection (out of memory)");
}

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    struct conv_server *s = p->env->conv;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->count == 0 && !p->closed)
            pthread_cond_wait(&p->queued, &p->lock);
        if (p->count == 0) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        int fd = pool_pop(p);
        pthread_mutex_unlock(&p->lock);
        struct conv c;
        conv_init(s, &c, fd);
        conv_begin(s, &c, timer_wall_ns());
        convio_serve(s, &c, p->env->stop_rd, NULL, NULL);
        conv_end(s, &c);
    }
}

static int pool_prepare(struct model_env *e, char *err, size_t errlen)
{
    pool.env = e;
    pool.workers = calloc(e->threads, sizeof *pool.workers);
    int rc = pool.workers ? 0 : ENOMEM;
    if (rc == 0)
        rc = pthread_mutex_init(&pool.lock, NULL);
    if (rc == 0)
        rc = pthread_cond_init(&pool.queued, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "pool: cannot set up the queue: %s", strerror(rc));
        return -1;
    }
    /* Started before the listener exists: they wait for the queue. */
    for (; pool.started < e->threads; pool.started++) {
        rc = pthread_create(&pool.workers[pool.started], NULL, pool_worker, &pool);
        if (rc != 0) {
            snprintf(err, errlen, "pool: cannot start worker %u of %u: %s", pool.started + 1,
                     e->threads, strerror(rc));
            return -1;
        }
        stats_thread_started(&e->conv->stats);
    }
    return 0;
}

/* Stop accepting first, then wake every worker (stop_rd) and close what waits in the
 * queue unserved, then wait for the workers' connections to end. */
static int pool_serve(struct model_env *e)
{
    struct pool *p = &pool;
    model_accept_loop(e, pool_start, p);
    unsigned long long start = timer_wall_ns();
    model_stop_begin(e);
    pthread_mutex_lock(&p->lock);
    p->closed = 1;
    size_t n = p->count;
    int *left = malloc((n ? n : 1) * sizeof *left);
    for (size_t i = 0; left && i < n; i++)
        left[i] = pool_pop(p);
    pthread_cond_broadcast(&p->queued);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; left && i < n; i++) {
        struct conv c;
        conv_init(e->conv, &c, left[i]);
        conv_end(e->conv, &c);
    }
    free(left);
    if (model_stop_wait(e, start))
        for (unsigned i = 0; i < p->started; i++)
            pthread_join(p->workers[i], NULL);
    return 0;
}

const struct model_ops model_pool = {"pool", pool_prepare, pool_serve};
