/* target.c - resolving the server and starting connects to it. */
#include "target.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* 127.0.0.1 is the address whose ports ran out; .0 and .255 are not host addresses. */
#define TARGET_SOURCE_FIRST 2u
#define TARGET_SOURCES      253u

int target_parse(struct target *t, const char *hostport, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    return net_split_hostport(hostport, t->host, sizeof t->host, t->port, sizeof t->port, err,
                              errlen);
}

int target_resolve(struct target *t, char *err, size_t errlen)
{
    if (net_resolve(t->host, t->port, &t->addr, &t->addrlen, err, errlen) != 0)
        return -1;
    if (t->addr.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&t->addr;
        t->loopback4 = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    atomic_init(&t->spread, 0);
    atomic_init(&t->next_source, 0);
    return 0;
}

int target_spreading(const struct target *t)
{
    return atomic_load_explicit(&t->spread, memory_order_relaxed);
}

/* Binds to the next 127.0.0.x with the port left to connect(): IP_BIND_ADDRESS_NO_PORT
 * lets one port serve several destinations instead of reserving it at bind() time. */
static int target_bind_source(struct target *t, int fd, char *err, size_t errlen)
{
    unsigned k = atomic_fetch_add_explicit(&t->next_source, 1, memory_order_relaxed);
    struct sockaddr_in src = {0};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl((127u << 24) | (TARGET_SOURCE_FIRST + k % TARGET_SOURCES));
    /* Without it bind() reserves a port per source: fewer connections, still correct. */
    net_bind_no_port(fd, NULL, 0);
    return net_bind(fd, (const struct sockaddr *)&src, sizeof src, err, errlen);
}

static int target_try(struct target *t, int spread, char *err, size_t errlen)
{
    int fd = net_socket_nonblock(t->addr.ss_family, err, errlen);
    if (fd < 0)
        return -1;
    /* Best effort, as in net_connect(): a session without it still works. */
    net_set_nodelay(fd, NULL, 0);
    if ((spread && target_bind_source(t, fd, err, errlen) != 0) ||
        net_connect_nonblock(fd, (const struct sockaddr *)&t->addr, t->addrlen, err, errlen) < 0) {
        net_close(fd);
        return -1;
    }
    return fd;
}

int target_connect(struct target *t, char *err, size_t errlen)
{
    int spread = target_spreading(t);
    int fd = target_try(t, spread, err, errlen);
    /* Out of local ports (EAGAIN on older kernels): from now on every connect picks its
     * own loopback source address, each with a full range of ports. */
    if (fd < 0 && !spread && t->loopback4 && (errno == EADDRNOTAVAIL || errno == EAGAIN)) {
        atomic_store_explicit(&t->spread, 1, memory_order_relaxed);
        fd = target_try(t, 1, err, errlen);
    }
    return fd;
}
