/* convio.h - the socket side the server's models share around the conversation core
 * (conv.h): accepting what is pending on the listener, out of descriptors included, reading
 * what a connection has into its conversation, and, for the models that block (a thread
 * per connection, a pool of workers), serving one connection from its first read to its
 * close. */
#ifndef PARLAB_CONVIO_H
#define PARLAB_CONVIO_H

#include "conv.h"

#include <stdint.h>

/* Accepted connections admitted per convio_accept() call at most, so that an accepting
 * event loop gets back to its connections. */
#define CONVIO_ACCEPT_BATCH 128
/* How long to stop accepting when out of descriptors with no spare one to give up. */
#define CONVIO_BACKOFF_MS 100

/* Hands an admitted descriptor to whoever will serve it (conv_init() there); on failure
 * it calls conv_unadmit(). */
typedef void (*convio_start_fn)(void *arg, int fd);

/* Logs "Server: call: reason": a failure of the server's own machinery (accept, poll,
 * epoll, io_uring), not of one connection. */
void convio_log_failure(const char *call, int errnum);

/* Opens the spare descriptor that convio_shed() gives up. */
void convio_spare(struct conv_server *s);

/* Accepts what is pending on the non-blocking listener lfd, admits each and hands those
 * admitted to start. Returns 0, or how long to back off (ms) before trying again. */
int convio_accept(struct conv_server *s, int lfd, convio_start_fn start, void *arg);

/* Out of descriptors (accept failed with EMFILE or ENFILE): a pending connection would sit
 * in the backlog forever and keep the listener readable, so the spare descriptor is freed
 * to accept it and say "error: server busy". Returns 0, or the back-off (ms) when there was
 * no spare. */
int convio_shed(struct conv_server *s, int lfd);

enum convio_read_result {
    CONVIO_READ_DONE,   /* the conversation is done: send c->out as c->finish says */
    CONVIO_READ_AGAIN,  /* all there was is read: wait for more */
    CONVIO_READ_FAILED, /* recv failed (logged): end the connection without a word */
};

/* Reads what c's non-blocking descriptor has now into its conversation (at now_ns), until
 * the conversation is done or nothing is left to read. A connection shed for a newcomer is
 * done before any read. */
enum convio_read_result convio_read(struct conv_server *s, struct conv *c, uint64_t now_ns);

/* Waits for c's input until deadline_ns (0: none) or stop_fd turns readable; returns as
 * net_wait_readable() does. */
typedef int (*convio_wait_fn)(void *arg, struct conv *c, uint64_t deadline_ns);

/* Serves c, begun, to its end, reading with recv(2) on its non-blocking descriptor and
 * waiting in between with wait (NULL: poll(2) for input, the deadline or stop_fd), then
 * sends its last word as convio_finish() does. The caller ends it (conv_end()). */
void convio_serve(struct conv_server *s, struct conv *c, int stop_fd, convio_wait_fn wait,
                  void *arg);

/* Sends c->out and ends the exchange as c->finish says, blocking: the send waits up to
 * CONV_SEND_TIMEOUT_MS for room, a linger up to CONV_LINGER_MS; either gives up at once
 * when stop_fd turns readable. */
void convio_finish(struct conv_server *s, struct conv *c, int stop_fd);

#endif
