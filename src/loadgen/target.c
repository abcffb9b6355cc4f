/* target.c - resolving the server and starting connects to it. */
#include "target.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(t->host, t->port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "getaddrinfo: %s",
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
    t->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
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
#ifdef IP_BIND_ADDRESS_NO_PORT
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
    if (bind(fd, (const struct sockaddr *)&src, sizeof src) != 0) {
        snprintf(err, errlen, "bind: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int target_try(struct target *t, int spread, char *err, size_t errlen)
{
    int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (spread && target_bind_source(t, fd, err, errlen) != 0) {
        close(fd);
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) == 0 || errno == EINPROGRESS)
        return fd;
    int saved = errno;
    snprintf(err, errlen, "connect: %s", strerror(saved));
    close(fd);
    errno = saved;
    return -1;
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
