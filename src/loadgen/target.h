/* target.h - the server's address, resolved once, and non-blocking connects to it. When the
 * local ports to one destination run out (EADDRNOTAVAIL), connects to a 127.0.0.0/8 server
 * spread their source addresses over 127.0.0.2-254; nothing else is ever used. */
#ifndef LOADGEN_TARGET_H
#define LOADGEN_TARGET_H

#include "net.h"

#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>

struct target {
    char host[NET_HOST_LEN];
    char port[NET_PORT_LEN];
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int loopback4;     /* an IPv4 loopback server: source addresses may be spread */
    atomic_int spread; /* set once the local ports ran out */
    atomic_uint next_source;
};

/* Splits HOST:PORT. Returns 0, or -1 with err naming what is wrong (a usage error). */
int target_parse(struct target *t, const char *hostport, char *err, size_t errlen);

/* Resolves the host to its first address. Returns 0, or -1 with "getaddrinfo: ..." in err. */
int target_resolve(struct target *t, char *err, size_t errlen);

/* A non-blocking socket with a connect to the target under way (or done), TCP_NODELAY set:
 * the number and `ready` are two small writes in a row. Returns the descriptor, or -1 with
 * "syscall: reason" in err and nothing left open. */
int target_connect(struct target *t, char *err, size_t errlen);

/* Whether connects have had to spread their source addresses. */
int target_spreading(const struct target *t);

#endif
