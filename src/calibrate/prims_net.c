/* prims_net.c - what one loopback TCP connection costs both its ends, made by the socket
 * calls of src/net/net.c that the server and loadgen use; and what one whole conversation of
 * the mean protocol costs them, the part of a session every server model pays alike. */
#include "net.h"
#include "prims.h"
#include "timer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* No connection on loopback takes this long: past it, something is wrong. */
#define PRIMS_TCP_WAIT_MS 5000

struct prims_tcp {
    int lfd;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int (*once)(const struct prims_tcp *tcp, char *err, size_t errlen); /* one operation */
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

/* A connection made as loadgen makes one (non-blocking, TCP_NODELAY) and accepted as the
 * server accepts: 0 with both ends in *client and *server, or -1 with err set and no end
 * left open. */
static int prims_tcp_open(const struct prims_tcp *tcp, int *client, int *server, char *err,
                          size_t errlen)
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
        *server = net_accept(tcp->lfd, &peer, err, errlen);
        rc = *server < 0 ? -1 : 0;
    }
    if (rc != 0) {
        net_close(fd);
        return -1;
    }
    *client = fd;
    return 0;
}

/* One connection: opened, then the server's end closed first as the server does after its
 * reply, then the client's. */
static int prims_tcp_once(const struct prims_tcp *tcp, char *err, size_t errlen)
{
    int fd, afd;
    if (prims_tcp_open(tcp, &fd, &afd, err, errlen) != 0)
        return -1;
    net_close(afd);
    net_close(fd);
    return 0;
}

/* What loadgen sends (the number and `ready` in one write) and a reply as long as the
 * server's to it. */
static const char prims_tcp_ask[] = "42ready";
static const char prims_tcp_reply[] = "42.0";

/* Reads what fd has, waiting for it when nothing is there yet; the bytes, 0 at the end, or
 * -1 with "what: reason" in err. */
static ssize_t prims_tcp_read(int fd, char *buf, size_t len, const char *what, char *err,
                              size_t errlen)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
        if (n >= 0)
            return n;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            snprintf(err, errlen, "%s: recv: %s", what, strerror(errno));
            return -1;
        }
        if (errno != EINTR && prims_tcp_wait(fd, 0, what, err, errlen) != 0)
            return -1;
    }
}

/* Reads bytes (more) or the end of the stream (!more) from fd; 0, or -1 with err set. */
static int prims_tcp_expect(int fd, int more, const char *what, char *err, size_t errlen)
{
    char buf[64];
    ssize_t n = prims_tcp_read(fd, buf, sizeof buf, what, err, errlen);
    if (n < 0)
        return -1;
    if ((n > 0) == more)
        return 0;
    snprintf(err, errlen, "%s: %s", what, more ? "the stream ended early" : "more than was sent");
    return -1;
}

/* Writes a few bytes that fit any socket buffer at once; 0, or -1 with err set. */
static int prims_tcp_write(int fd, const char *buf, size_t len, const char *what, char *err,
                           size_t errlen)
{
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n == (ssize_t)len)
        return 0;
    snprintf(err, errlen, "%s: send: %s", what, n < 0 ? strerror(errno) : "short write");
    return -1;
}

/* One session as the server and loadgen make it, both ends in this thread: connect, accept,
 * the ask written and read, the reply written and the server's end closed, the reply and the
 * end read by the client, its end closed. Every read finds its bytes already there, so no
 * end ever sleeps: what is timed is the system calls and the loopback's work alone. */
static int prims_session_once(const struct prims_tcp *tcp, char *err, size_t errlen)
{
    int fd, afd;
    if (prims_tcp_open(tcp, &fd, &afd, err, errlen) != 0)
        return -1;
    int rc = prims_tcp_write(fd, prims_tcp_ask, sizeof prims_tcp_ask - 1, "client", err, errlen);
    if (rc == 0)
        rc = prims_tcp_expect(afd, 1, "server", err, errlen);
    if (rc == 0)
        rc = prims_tcp_write(afd, prims_tcp_reply, sizeof prims_tcp_reply - 1, "server", err,
                             errlen);
    net_close(afd);
    /* The reply, then the end of the stream, as loadgen reads until the server closes. */
    if (rc == 0)
        rc = prims_tcp_expect(fd, 1, "client", err, errlen);
    if (rc == 0)
        rc = prims_tcp_expect(fd, 0, "client", err, errlen);
    net_close(fd);
    return rc;
}

/* A sample: n operations of the row being measured, tcp->once. */
static int prims_tcp_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    const struct prims_tcp *tcp = ctx;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++)
        if (tcp->once(tcp, err, errlen) != 0)
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
    tcp.once = prims_tcp_once;
    if (rc == 0)
        rc = prims_sample(env, t, "tcp_connect", "loopback", "us", 1000.0, prims_tcp_run, &tcp, err,
                          errlen,
                          "connect + accept + close of both ends over 127.0.0.1 through "
                          "src/net/net.c; one at a time");
    if (rc == 0) {
        tcp.once = prims_session_once;
        rc = prims_sample(env, t, "tcp_connect", "session", "us", 1000.0, prims_tcp_run, &tcp, err,
                          errlen,
                          "a mean-protocol session over 127.0.0.1: connect + accept; %s sent "
                          "and read; %s replied; the server end closed; the reply and the "
                          "end read; the client end closed: both ends in one thread",
                          prims_tcp_ask, prims_tcp_reply);
    }
    net_close(tcp.lfd);
    return rc;
}
