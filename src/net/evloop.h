/* evloop.h - what the event-loop models (epoll, io_uring) share around the conversation
 * core: their loop threads (started, handed the listener, stopped), a loop's connections and
 * their timers, the stages of a connection's end (send the last word, linger, close) as
 * states, and the hand-over of new connections from the loop that accepts them to the loop
 * that will serve them. A model keeps only its mechanism: how a loop waits, reads, sends.
 *
 * The listener: one loop (the first) accepts, admits and hands each connection out in turn,
 * to itself directly and to the others through their inbox and eventfd. Not SO_REUSEPORT
 * with a listener per loop: the kernel would hash connections to loops with no regard for
 * their load, a loop's backlog would die with it at a stop, and the port could be bound
 * again by any other process of the same user while the server runs. One accepting loop
 * also keeps every admission decision (admit.h) on one thread, as in the other models, for
 * one wake-up per connection handed over (none with one loop, which does everything).
 *
 * Timers: a connection has at most its two limits armed while it reads (idle and
 * conversation, from conv's deadline) and one while it ends (the send timeout, then the
 * linger). Each kind is one lane (deadline.h): the same length for every connection, so
 * arming is appending and the loop sleeps until the earliest lane head. */
#ifndef PARLAB_EVLOOP_H
#define PARLAB_EVLOOP_H

#include "conv.h"
#include "deadline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum evconn_state {
    EVCONN_READ,   /* the conversation: reading, its limits armed */
    EVCONN_SEND,   /* sending its last word, for up to CONV_SEND_TIMEOUT_MS */
    EVCONN_LINGER, /* write side shut after an error: reading what the peer still sends */
};

struct evloop;
struct evloop_set;

struct evconn {
    struct conv c;
    struct evloop *loop;
    enum evconn_state state;
    size_t sent;    /* bytes of c.out sent */
    size_t drained; /* bytes read away while lingering */
    struct deadline_timer idle, whole, finish;
    struct evconn *prev, *next; /* the loop's connections; the inbox's while handed over */
};

enum evloop_lane { EVLOOP_IDLE, EVLOOP_WHOLE, EVLOOP_SEND, EVLOOP_LINGER, EVLOOP_LANES };

struct evloop {
    struct evloop_set *set;
    unsigned index;
    struct conv_server *conv;
    uint64_t now; /* timer_wall_ns() as of the last wake-up */
    struct deadline_lane lanes[EVLOOP_LANES];
    struct evconn conns; /* sentinel of the loop's connections */
    int wake_fd;         /* eventfd: the inbox has connections */
    pthread_mutex_t lock;
    struct evconn *inbox_head, *inbox_tail; /* under lock */
    int inbox_closed;                       /* under lock: the loop has stopped */
    atomic_int lfd;                         /* the listener, once serving (first loop only) */
    uint64_t accept_at; /* accepting paused until then (out of descriptors), or 0 */
    pthread_t thread;
};

/* What a model's loops are, to the shared machinery. */
struct evloop_ops {
    const char *name; /* "epoll": begins every message about starting the loops */
    size_t loop_size; /* the model's loop, which begins with a struct evloop */
    size_t conn_size; /* the model's connection, which begins with a struct evconn */
    /* Sets up loop l before its thread starts. Returns 0, or -1 with the whole message in
     * err (evloop_start_failed() words the usual one). */
    int (*setup)(struct evloop *l, char *err, size_t errlen);
    /* The loop's thread, given its struct evloop. */
    void *(*main)(void *loop);
    /* Starts serving ec, new, on l, on l's thread: evloop_begin() and its first wait. */
    void (*begin)(struct evloop *l, struct evconn *ec);
};

struct evloop_set {
    const struct evloop_ops *ops;
    struct conv_server *conv;
    int stop_rd;    /* turns readable when the loops are to stop */
    unsigned count; /* loops */
    unsigned next;  /* the accepting loop's: who gets the next connection */
    char *loops;    /* count loops of ops->loop_size bytes */
};

/* Makes count loops and starts their threads (each counted as started in conv's stats);
 * they serve once the first has the listener (model_serve_loops()). Returns 0, or -1 with
 * "NAME: ..." in err. */
int evloop_set_start(struct evloop_set *set, const struct evloop_ops *ops, struct conv_server *conv,
                     unsigned count, int stop_rd, char *err, size_t errlen);

/* Loop i of set. */
struct evloop *evloop_at(const struct evloop_set *set, unsigned i);

/* Waits for every loop's thread to leave. */
void evloop_set_join(struct evloop_set *set);

/* "NAME: cannot start loop I of N: call: reason" into err; returns -1. */
int evloop_start_failed(const struct evloop *l, const char *call, int errnum, char *err,
                        size_t errlen);

/* Wakes l's thread through its eventfd (its inbox has something, or the listener). */
void evloop_wake(struct evloop *l);

/* A new connection for loop l (from any thread): queued, and the loop woken. A loop that
 * has stopped ends it at once. */
void evloop_hand(struct evloop *l, struct evconn *ec);

/* Begins (ops->begin) every connection handed to l so far, oldest first; call once its
 * wake_fd was read. */
void evloop_take(struct evloop *l);

/* Accepts what is pending on l's listener (convio_accept), handing each connection out in
 * turn. Returns 0, or how long accepting is to pause (ms), l->accept_at set to its end. */
int evloop_accept(struct evloop *l);

/* Closes l's listener, if it has it: a stopping loop stops accepting first. */
void evloop_close_listener(struct evloop *l);

/* Starts ec's conversation on l: begun, its limits armed, counted among l's. */
void evloop_begin(struct evloop *l, struct evconn *ec);

/* After conv_input() moved ec's idle limit: re-armed. */
void evloop_progress(struct evloop *l, struct evconn *ec, uint64_t idle_before);

/* ec's conversation is done: its limits disarmed, state EVCONN_SEND. */
void evloop_done(struct evloop *l, struct evconn *ec);

/* ec waits for room to send: the send timeout armed, unless already. */
void evloop_wait_send(struct evloop *l, struct evconn *ec);

/* ec's write side was shut after an error: state EVCONN_LINGER, its linger armed. */
void evloop_linger(struct evloop *l, struct evconn *ec);

/* The earliest timer of l's lanes, and extra_ns (0: none); 0 for none at all. */
uint64_t evloop_next(const struct evloop *l, uint64_t extra_ns);

/* Milliseconds from l->now until at_ns, for epoll_wait (-1: at_ns is 0, never). */
int evloop_timeout_ms(const struct evloop *l, uint64_t at_ns);

/* One timer of l due at l->now, disarmed, and which lane it was in; NULL when none is. */
struct evconn *evloop_due(struct evloop *l, enum evloop_lane *lane);

/* Ends ec: disarmed, unlinked from l, conv_end() (its descriptor closed), freed. */
void evloop_end(struct evloop *l, struct evconn *ec);

/* A stop: the inbox closed, every connection of l and in its inbox ended without a word.
 * Without release, l's connections are closed and let go but their memory is kept: the
 * kernel may still write into it (io_uring operations not yet cancelled). */
void evloop_stop(struct evloop *l, int release);

#endif
