/* model.h - the server's concurrency models: how connections are waited on and who runs
 * their conversations (conv.h). main() sets up the conversation core, the listener and
 * the signals, and hands them to one model:
 *
 *   thread  one thread per connection, blocking waits (model_thread.c)
 *   pool    a fixed set of worker threads taking connections from a queue (model_pool.c)
 *   epoll   non-blocking event loops, one per thread (model_epoll.c)
 *   uring   completion loops on io_uring, one per thread (model_uring.c)
 *
 * Each prepares what can fail before the server says it listens, then serves until asked
 * to stop, stops accepting, ends every connection and returns within MODEL_STOP_GRACE_NS. */
#ifndef PARLAB_MODEL_H
#define PARLAB_MODEL_H

#include "conv.h"
#include "evloop.h"

#include <stddef.h>

/* How long a stop waits for the connections to end: with the log's 200 ms and stderr's
 * 100 ms, a stop takes 1 s at most. */
#define MODEL_STOP_GRACE_NS 600000000ull
/* The listener's backlog. */
#define MODEL_BACKLOG 4096

struct model_env {
    struct conv_server *conv;
    unsigned threads;  /* pool workers or event loops */
    size_t stack_size; /* connection threads' stack, bytes (thread model); 0: its default */
    int lfd;           /* the listener, non-blocking; the model closes it when it stops */
    int wake_rd;       /* turns readable when a signal asks the server to stop */
    int stop_rd;       /* reads end of stream once the model closed stop_wr: wakes any wait */
    int stop_wr;
};

struct model_ops {
    const char *name;
    /* 0, or -1 with a one-line reason in err (exit 1 before listening). May be NULL. */
    int (*prepare)(struct model_env *e, char *err, size_t errlen);
    /* Serves until wake_rd, then stops; returns 0, or -1 when serving failed. */
    int (*serve)(struct model_env *e);
};

extern const struct model_ops model_thread, model_pool, model_epoll, model_uring;

/* Waits until wake_rd turns readable: a signal asks the server to stop. */
void model_wait_wake(struct model_env *e);

/* Shared by the models' stops: flags the core as stopping (nothing is admitted or shed
 * any more) and closes stop_wr, so every wait on stop_rd ends. Whoever accepts has closed
 * the listener before: accepting stops first. */
void model_stop_begin(struct model_env *e);

/* Waits, up to MODEL_STOP_GRACE_NS from start_ns, for every connection to end. Returns 1
 * if they all did. */
int model_stop_wait(struct model_env *e, unsigned long long start_ns);

/* Waits on the listener and wake_rd, accepting (convio_accept) into start until wake_rd
 * turns readable, then closes the listener: the accepting thread of the thread and pool
 * models. */
void model_accept_loop(struct model_env *e, void (*start)(void *arg, int fd), void *arg);

/* The event-loop models' serving: the listener goes to the first of loops (started by
 * prepare), listen puts it where that loop waits (0, or -1 logged: serving failed), then
 * this thread waits for a signal and stops them all: each sees stop_rd, the first closes
 * the listener, and every one ends its connections. Returns listen's result. */
int model_serve_loops(struct model_env *e, struct evloop_set *loops,
                      int (*listen)(struct evloop *first));

#endif
