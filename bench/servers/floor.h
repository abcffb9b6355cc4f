/* floor.h - what the two floor servers (floor_thread.c, floor_epoll.c) share: the command
 * line, the listening socket and the protocol's two decisions. The floors are the least a
 * server of each design can do for the mean protocol, so that parlab's models can be held
 * against them: no logging, no limits, no timeouts, no counters. */
#ifndef FLOOR_H
#define FLOOR_H

#include <stddef.h>

/* The most bytes a conversation may hold, number and "ready" together: past it the text is
 * no number the floors take, and the reply is "error: bad number". */
#define FLOOR_CONV_MAX 256
/* "%.17g" of a double, a newline-free reply, and its terminator. */
#define FLOOR_REPLY_MAX 64

/* Parses "PROG PORT" strictly (exit 2 with one line otherwise), raises the open-file limit
 * to its hard limit (thousands of clients, not a cap of the floor's own), listens on
 * 0.0.0.0:PORT (0: a free port) with the flags given to socket(2) (SOCK_NONBLOCK for the
 * epoll floor), prints "Server: listening on 0.0.0.0:PORT" flushed, and returns the socket.
 * A socket that cannot be set up ends the program: exit 1 with "PROG: call: reason". */
int floor_listen(const char *prog, int argc, char **argv, int sock_flags);

/* Whether the len bytes of a conversation end with "ready": the number is then complete. */
int floor_ready(const char *buf, size_t len);

/* The number of a complete conversation (its bytes before "ready"): 0 and *value when the
 * whole text parses with strtod, -1 otherwise. */
int floor_number(const char *buf, size_t len, double *value);

/* The reply text, "%.17g" of mean; returns its length. */
size_t floor_format(double mean, char *out);

#endif
