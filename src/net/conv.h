/* conv.h - one connection's conversation, whatever serves it. The bytes a read returned go
 * in; out comes what to do next: read more (by conv_deadline()), or send conv->out and
 * close in the way conv->finish says. On the way the mean is updated, the lab's log lines
 * are posted (logline.h, which never blocks), the counters are counted, the idle and
 * conversation limits are kept (deadline.h) and the admission policy (admit.h) hears of
 * progress. A thread per connection, a pool of blocking workers, epoll loops and io_uring
 * all drive this one machine, each with its own way of reading, waiting and sending, so
 * none of them parses, replies, logs, limits or counts for itself.
 *
 * Besides the machine, what every model does around it: admitting a new descriptor (or
 * turning it away with "error: server busy"), shedding an admitted connection for a
 * newcomer, and letting a connection go. The only system calls here are on descriptors
 * handed in, and none of them waits: the reply to a connection turned away fits any
 * socket buffer, and a shed connection is only shut for reading, which wakes whatever
 * waits for its input (a blocked recv, poll, epoll or io_uring alike). */
#ifndef PARLAB_CONV_H
#define PARLAB_CONV_H

#include "admit.h"
#include "deadline.h"
#include "mean.h"
#include "net.h"
#include "pyfloat.h"
#include "stats.h"
#include "wire.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The lab's recv(1024): data has no delimiter, so one read is one message. */
#define CONV_READ_SIZE 1024
/* How long a reply may wait for room in a peer's receive window. */
#define CONV_SEND_TIMEOUT_MS 5000
/* After an error reply, how long to wait for a peer to stop sending before closing. */
#define CONV_LINGER_MS 250
/* And how much of what it sends is read away meanwhile. */
#define CONV_DRAIN_MAX (64 * 1024)

/* One per descriptor number: what the accepting thread and the admission policy touch
 * besides whoever serves the connection. A descriptor number is unique while open, so a
 * slot is never needed by two connections at once. No malloc per connection: a first
 * free() on a thread costs it a malloc cache and an arena. */
struct conv_slot {
    struct sockaddr_storage addr;
    struct admit_entry admit;
    atomic_int busy;    /* admitted, until conv_end() lets go just before close() */
    atomic_int evicted; /* shed for a newcomer: say "error: server busy" and go */
};

/* What every connection shares. */
struct conv_server {
    int quiet;
    struct deadline_policy deadlines;
    struct admit admit;
    struct mean mean;
    struct server_stats stats;
    atomic_int stopping; /* nothing is admitted or shed any more */
    struct conv_slot *slots;
    size_t slot_count;
    int spare_fd; /* given up to accept (and turn away) when out of descriptors */
};

/* How a finished conversation ends, once conv->out is sent. */
enum conv_finish {
    CONV_FINISH_CLOSE,  /* close (after the mean, or "error: timeout") */
    CONV_FINISH_LINGER, /* shut the write side, read what the peer still sends for up to
                         * CONV_LINGER_MS or CONV_DRAIN_MAX bytes, so close() does not answer
                         * it with a reset that destroys the reply; close (after an error) */
    CONV_FINISH_SHED,   /* one send that does not wait, shut, read what is there, close: the
                         * reply fits any socket's buffer ("error: server busy") */
    CONV_FINISH_SILENT, /* close, nothing to send (the peer hung up after `ready`) */
};

enum conv_step {
    CONV_MORE, /* read more, waiting no later than conv_deadline() */
    CONV_DONE, /* send conv->out (out_len bytes), then end as conv->finish says */
};

struct conv {
    int fd;
    struct conv_slot *slot;
    struct wire_parser wp;
    struct deadline dl;
    struct conn_stats stats;
    const char *text;        /* the data message, for the log */
    char peer[NET_PEER_LEN]; /* "('127.0.0.1', 62000)"; empty when quiet */
    char mean[PYFLOAT_LEN];  /* the last mean formatted */
    /* Once CONV_DONE: */
    enum conv_finish finish;
    const char *out;
    size_t out_len;
    char reply[WIRE_REASON_LEN + 8];
};

/* Sets up what every connection shares: up to max_clients at once, max_per_addr from one
 * address (0: no such limit), slots for descriptors below slot_count. Returns 0, or -1 with
 * "call: reason" in err, having freed what it set up. */
int conv_server_init(struct conv_server *s, int quiet, const struct deadline_policy *deadlines,
                     uint64_t max_clients, uint64_t max_per_addr, size_t slot_count, char *err,
                     size_t errlen);

/* --- the accepting side (one thread) ----------------------------------------------- */

/* A descriptor just accepted (non-blocking): counted, then admitted or turned away.
 * Returns 0 when it is to be served (its slot busy, counted active: whoever serves it
 * calls conv_init() and at the end conv_end()), or -1 when it was turned away (said
 * "error: server busy", logged, closed). */
int conv_admit(struct conv_server *s, int fd, const struct sockaddr_storage *addr);

/* An admitted descriptor that cannot be served after all (no thread for it): let go and
 * turned away, why naming the reason in the log. */
void conv_unadmit(struct conv_server *s, int fd, const char *why);

/* Counts a descriptor accepted and turns it away at once (out of descriptors). */
void conv_turn_away(struct conv_server *s, int fd, const struct sockaddr_storage *addr,
                    const char *why);

/* "error: server busy" without waiting (the reply fits any socket's buffer), the write side
 * shut, and what the peer already sent read away so that close() does not reset the reply;
 * the caller closes. For connections turned away and shed (CONV_FINISH_SHED) alike. */
void conv_say_busy(int fd);

/* --- the serving side (whoever owns the connection) -------------------------------- */

/* Binds c to the admitted descriptor fd; nothing is logged yet. */
void conv_init(struct conv_server *s, struct conv *c, int fd);

/* Starts the conversation at now_ns: its limits start, "got connection" is logged. */
void conv_begin(struct conv_server *s, struct conv *c, uint64_t now_ns);

/* One read's bytes (n > 0), or the end of the stream (n == 0). A connection shed for a
 * newcomer is done ("error: server busy") whatever the bytes. */
enum conv_step conv_input(struct conv_server *s, struct conv *c, const char *buf, size_t n,
                          uint64_t now_ns);

/* Done ("error: server busy") if the connection was shed for a newcomer, else CONV_MORE. */
enum conv_step conv_shed(struct conv_server *s, struct conv *c);

/* Done ("error: timeout", logged, counted) if a limit has passed at now_ns, else CONV_MORE. */
enum conv_step conv_expire(struct conv_server *s, struct conv *c, uint64_t now_ns);

/* When the next limit passes (timer_wall_ns clock), 0 for never. */
uint64_t conv_deadline(const struct conv *c);

/* The peer is still waiting for its data to be answered: true between the data and `ready`. */
int conv_has_data(const struct conv *c);

/* Logs "connection with PEER failed: call: reason" (a failed recv, poll, ...); the caller
 * ends the connection without a reply. */
void conv_failed(struct conv_server *s, struct conv *c, const char *call, int err);

/* Logs "could not reply to PEER: err" (err as net_send_all() words it). */
void conv_reply_failed(struct conv_server *s, struct conv *c, const char *err);

/* The connection is over: it leaves admission (but not once the server stops: nothing is
 * shed any more, and thousands of connections ending at once would only queue for the
 * lock), its counters are published, its slot let go and its descriptor closed, and last
 * it no longer counts as active (at zero a stopping server may exit). */
void conv_end(struct conv_server *s, struct conv *c);

#endif
