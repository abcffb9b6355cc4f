/* prims_net.c - what one loopback TCP connection costs both its ends, made by the socket
 * calls of src/net/net.c that the server and loadgen use. */
#include "net.h"
#include "prims.h"
#include "timer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* No connection on loopback takes this long: past it, something is wrong. */
#define PRIMS_TCP_WAIT_MS 5000

struct prims_tcp {
    int lfd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
};

/* Waits for fd with net.c's waits; 0, or -1 with "what: reason" in err. */
static int prims_tcp_wait(int fd, int writable, const char *what, char *err, size_t errlen)
{
    int w = writable ? net_wait_writable(fd, -1, PRIMS_TCP_WAIT_MS)
                     : net_wait_readable(fd, -1, PRIMS_TCP_WAIT_MS);
    if (w == 1)
        return 0;
    snprintf(err, errlen, "%s: %s", what, w == 0 ? "timed out" : strerror(errno));
    return -1;
}

/* A non-blocking connect under way: done when writable, SO_ERROR telling how it went. */
static int prims_tcp_finish(int fd, char *err, size_t errlen)
{
    if (prims_tcp_wait(fd, 1, "connect", err, errlen) != 0)
        return -1;
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
        soerr = errno;
    if (soerr == 0)
        return 0;
    snprintf(err, errlen, "connect: %s", strerror(soerr));
    return -1;
}

/* One connection: connect as loadgen does (non-blocking, TCP_NODELAY), accept as the server
 * does, close the server's end first as the server does after its reply, then the client's. */
static int prims_tcp_once(const struct prims_tcp *tcp, char *err, size_t errlen)
{
    int fd = net_socket_nonblock(tcp->addr.ss_family, err, errlen);
    if (fd < 0)
        return -1;
    int rc = net_set_nodelay(fd, err, errlen);
    if (rc == 0)
        rc = net_connect_nonblock(fd, (const struct sockaddr *)&tcp->addr, tcp->addrlen, err,
                                  errlen);
    if (rc == 1)
        rc = prims_tcp_finish(fd, err, errlen);
    if (rc == 0)
        rc = prims_tcp_wait(tcp->lfd, 0, "accept", err, errlen);
    if (rc == 0) {
        struct sockaddr_storage peer;
        int afd = net_accept(tcp->lfd, &peer, err, errlen);
        if (afd < 0)
            rc = -1;
        else
            net_close(afd);
    }
    net_close(fd);
    return rc;
}

static int prims_tcp_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++)
        if (prims_tcp_once(ctx, err, errlen) != 0)
            return -1;
    *ns = timer_wall_ns() - t0;
    return 0;
}

int prims_tcp_connect(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    struct prims_tcp tcp;
    char why[NET_ERR_LEN], text[NET_ADDR_LEN], port[NET_PORT_LEN];
    unsigned bound;
    tcp.lfd = net_listen("127.0.0.1", 0, 128, why, sizeof why);
    if (tcp.lfd < 0 || net_local_addr(tcp.lfd, text, sizeof text, &bound, why, sizeof why) != 0) {
        if (tcp.lfd >= 0)
            net_close(tcp.lfd);
        snprintf(err, errlen, "tcp_connect: %s", why);
        return -1;
    }
    /* Resolved once: name lookup is not what is measured. */
    snprintf(port, sizeof port, "%u", bound);
    int rc = net_resolve("127.0.0.1", port, &tcp.addr, &tcp.addrlen, why, sizeof why);
    if (rc != 0)
        snprintf(err, errlen, "tcp_connect: %s", why);
    else
        rc = prims_sample(env, t, "tcp_connect", "loopback", "us", 1000.0, prims_tcp_run, &tcp, err,
                          errlen,
                          "connect + accept + close of both ends over 127.0.0.1 through "
                          "src/net/net.c; one at a time");
    net_close(tcp.lfd);
    return rc;
}
