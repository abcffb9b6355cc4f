/* session.h - one conversation of the mean protocol over a non-blocking socket in an epoll
 * set (edge-triggered, registered once for reading and writing): connect, send the number,
 * optionally pause, send `ready`, read the reply until the server closes, classify it.
 * The caller's loop owns the clock, the timers and the counting. */
#ifndef LOADGEN_SESSION_H
#define LOADGEN_SESSION_H

#include "queue.h"
#include "tally.h"
#include "target.h"

#include <stdint.h>

/* Longest reply kept; the server's are at most ~140 bytes ("error: " and a reason). */
#define SESSION_REPLY_MAX 160
#define SESSION_OUT_MAX   32

enum session_state {
    SESSION_IDLE,
    SESSION_CONNECTING,
    SESSION_SENDING,
    SESSION_PAUSED, /* the number is sent; `ready` waits for session_resume() */
    SESSION_READING,
    SESSION_DONE
};

/* What the caller does next. */
enum session_step {
    SESSION_WAIT,    /* wait for the next event */
    SESSION_PAUSE,   /* the number is sent: call session_resume() when the pause is over */
    SESSION_FINISHED /* done: outcome, why and mean are set; call session_close() */
};

#define SESSION_OK (-1)

struct session_opts {
    struct target *target;
    int ep;       /* the epoll set */
    int pause;    /* stop after the number until session_resume() */
    int coalesce; /* without a pause, send the number and `ready` in one write */
    int strict;   /* a mean must be exactly as Python prints it */
};

struct session {
    struct queue_link by_deadline; /* the caller's queues */
    struct queue_link by_wake;
    int fd;
    unsigned char state;
    unsigned char ready_queued; /* `ready` is in out[] or already sent */
    unsigned char connected;
    unsigned char data_sent; /* some of the number reached the socket */
    unsigned char readable;  /* an edge said the server spoke or hung up */
    unsigned char measured;
    int outcome; /* SESSION_OK or an enum tally_kind */
    unsigned out_len, out_off, in_len;
    int64_t value;
    double mean;       /* the reply, when SESSION_OK */
    uint64_t start_ns; /* where latency counts from */
    uint64_t deadline_ns;
    uint64_t wake_ns;
    char out[SESSION_OUT_MAX];
    char in[SESSION_REPLY_MAX];
    char why[TALLY_WHY_LEN];
};

/* Starts a session sending value: a socket, a connect under way, registered in opts->ep
 * with the session as its data. SESSION_FINISHED when that already failed. */
enum session_step session_begin(struct session *s, const struct session_opts *opts, int64_t value);

/* Advances on epoll events. */
enum session_step session_io(struct session *s, const struct session_opts *opts, uint32_t events);

/* After a pause (or a hold): sends `ready`. */
enum session_step session_resume(struct session *s, const struct session_opts *opts);

/* Gives up on a session (a timeout): outcome kind, reason why. */
void session_fail(struct session *s, enum tally_kind kind, const char *why);
/* Fails s as a timeout, saying in which step it was when its deadline passed. */
void session_time_out(struct session *s);

/* Closes the socket (leaving the epoll set with it). */
void session_close(struct session *s);

/* Counts a finished session: in t's counters when it was measured, in the values the server
 * certainly added (or in uncertain) always. */
void session_tally(const struct session *s, struct tally *t, uint64_t end_ns);

#endif
