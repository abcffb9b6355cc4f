/* evloop.h - what the event-loop models (epoll, io_uring) share around the conversation
 * core: a loop's connections and their timers, the stages of a connection's end (send the
 * last word, linger, close) as states, and the hand-over of new connections from the loop
 * that accepts them to the loop that will serve them.
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
#include <stdint.h>

enum evconn_state {
    EVCONN_READ,   /* the conversation: reading, its limits armed */
    EVCONN_SEND,   /* sending its last word, for up to CONV_SEND_TIMEOUT_MS */
    EVCONN_LINGER, /* write side shut after an error: reading what the peer still sends */
};

struct evloop;

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
    unsigned index;
    struct conv_server *conv;
    uint64_t now; /* timer_wall_ns() as of the last wake-up */
    struct deadline_lane lanes[EVLOOP_LANES];
    struct evconn conns; /* sentinel of the loop's connections */
    int wake_fd;         /* eventfd: the inbox has connections */
    pthread_mutex_t lock;
    struct evconn *inbox_head, *inbox_tail; /* under lock */
    int inbox_closed;                       /* under lock: the loop has stopped */
};

/* 0, or an errno value. */
int evloop_init(struct evloop *l, unsigned index, struct conv_server *conv);

/* A new connection for loop l (from any thread): queued, and the loop woken. A loop that
 * has stopped ends it at once. */
void evloop_hand(struct evloop *l, struct evconn *ec);

/* The connections handed to l so far, oldest first (once its wake_fd was read). */
struct evconn *evloop_take(struct evloop *l);

/* Allocates a connection for descriptor fd, admitted (conv_admit()); NULL, with the
 * descriptor let go and turned away, when out of memory. size: the model's struct, which
 * begins with a struct evconn. */
struct evconn *evloop_conn_new(struct conv_server *s, int fd, size_t size);

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
