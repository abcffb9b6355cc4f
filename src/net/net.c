/* net.c - TCP plumbing in the style of Redis' anet: small functions, errors as text. */
#include "net.h"

#include "timer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void net_set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void net_set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void net_close(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

const char *net_strerror(int err, char *buf, size_t len)
{
    /* _GNU_SOURCE selects the GNU strerror_r, which returns the text (maybe not in buf). */
    return strerror_r(err, buf, len);
}

int net_ms_until(unsigned long long deadline_ns)
{
    if (deadline_ns == 0)
        return -1;
    unsigned long long now = timer_wall_ns();
    if (now >= deadline_ns)
        return 0;
    unsigned long long ms = (deadline_ns - now + 999999ull) / 1000000ull;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* getaddrinfo() for TCP; 0, or -1 with "getaddrinfo: ..." in err. */
static int net_getaddrinfo(const char *host, const char *port, int flags, struct addrinfo **res,
                           char *err, size_t errlen)
{
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = flags;
    int rc = getaddrinfo(host, port, &hints, res);
    if (rc == 0)
        return 0;
    net_set_error(err, errlen, "getaddrinfo: %s",
                  rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
    return -1;
}

int net_resolve(const char *host, const char *port, struct sockaddr_storage *addr,
                socklen_t *addrlen, char *err, size_t errlen)
{
    struct addrinfo *res = NULL;
    if (net_getaddrinfo(host, port, 0, &res, err, errlen) != 0)
        return -1;
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int net_socket_nonblock(int family, char *err, size_t errlen)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        net_set_error(err, errlen, "socket: %s", strerror(errno));
    return fd;
}

static int net_set_option(int fd, int level, int option, const char *name, char *err, size_t errlen)
{
    int one = 1;
    if (setsockopt(fd, level, option, &one, sizeof one) == 0)
        return 0;
    net_set_error(err, errlen, "setsockopt %s: %s", name, strerror(errno));
    return -1;
}

int net_set_nodelay(int fd, char *err, size_t errlen)
{
    return net_set_option(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", err, errlen);
}

int net_set_reuseaddr(int fd, char *err, size_t errlen)
{
    return net_set_option(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", err, errlen);
}

int net_bind_no_port(int fd, char *err, size_t errlen)
{
#ifdef IP_BIND_ADDRESS_NO_PORT
    return net_set_option(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, "IP_BIND_ADDRESS_NO_PORT", err,
                          errlen);
#else
    (void)fd;
    (void)err;
    (void)errlen;
    return 0;
#endif
}

int net_bind(int fd, const struct sockaddr *addr, socklen_t addrlen, char *err, size_t errlen)
{
    if (bind(fd, addr, addrlen) == 0)
        return 0;
    net_set_error(err, errlen, "bind: %s", strerror(errno));
    return -1;
}

int net_connect_nonblock(int fd, const struct sockaddr *addr, socklen_t addrlen, char *err,
                         size_t errlen)
{
    if (connect(fd, addr, addrlen) == 0)
        return 0;
    if (errno == EINPROGRESS)
        return 1;
    net_set_error(err, errlen, "connect: %s", strerror(errno));
    return -1;
}

int net_accept(int lfd, struct sockaddr_storage *peer, char *err, size_t errlen)
{
    socklen_t len = sizeof *peer;
    int fd = accept4(lfd, (struct sockaddr *)peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        net_set_error(err, errlen, "accept: %s", strerror(errno));
    return fd;
}

int net_listen(const char *host, unsigned port, int backlog, char *err, size_t errlen)
{
    char service[NET_PORT_LEN];
    snprintf(service, sizeof service, "%u", port);
    if (!host || !*host)
        host = "0.0.0.0";
    struct addrinfo *res = NULL;
    if (net_getaddrinfo(host, service, AI_PASSIVE, &res, err, errlen) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = net_socket_nonblock(ai->ai_family, err, errlen);
        if (fd < 0)
            continue;
        /* Before bind: otherwise a port whose last connections sit in TIME_WAIT stays
         * unbindable for a minute after the server stops. */
        if (net_set_reuseaddr(fd, err, errlen) == 0 &&
            net_bind(fd, ai->ai_addr, ai->ai_addrlen, err, errlen) == 0) {
            if (listen(fd, backlog) == 0)
                break;
            net_set_error(err, errlen, "listen: %s", strerror(errno));
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* A non-blocking connect finishes when the socket turns writable; SO_ERROR then tells
 * whether it succeeded. */
static int net_connect_one(const struct addrinfo *ai, int timeout_ms, char *err, size_t errlen)
{
    int fd = net_socket_nonblock(ai->ai_family, err, errlen);
    if (fd < 0)
        return -1;
    int rc = net_connect_nonblock(fd, ai->ai_addr, ai->ai_addrlen, err, errlen);
    if (rc == 0)
        return fd;
    if (rc < 0) {
        net_close(fd);
        return -1;
    }
    int w = net_wait_writable(fd, -1, timeout_ms);
    if (w == 0) {
        net_set_error(err, errlen, "connect: timed out");
        close(fd);
        errno = ETIMEDOUT;
        return -1;
    }
    if (w < 0) {
        net_set_error(err, errlen, "poll: %s", strerror(errno));
        net_close(fd);
        return -1;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
        soerr = errno;
    if (soerr != 0) {
        net_set_error(err, errlen, "connect: %s", strerror(soerr));
        close(fd);
        errno = soerr;
        return -1;
    }
    return fd;
}

int net_connect(const char *host, const char *port, int timeout_ms, char *err, size_t errlen)
{
    struct addrinfo *res = NULL;
    if (net_getaddrinfo(host, port, 0, &res, err, errlen) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = net_connect_one(ai, timeout_ms, err, errlen);
    freeaddrinfo(res);
    /* The protocol is two tiny writes in a row; without this the second waits for the
     * peer's (possibly delayed) acknowledgement of the first. Best effort: a connection
     * without it still works. */
    if (fd >= 0)
        net_set_nodelay(fd, NULL, 0);
    return fd;
}

static int net_wait(int fd, short events, int stop_fd, int timeout_ms)
{
    struct pollfd pfd[2] = {{.fd = fd, .events = events}, {.fd = stop_fd, .events = POLLIN}};
    nfds_t n = stop_fd >= 0 ? 2 : 1;
    unsigned long long deadline =
        timeout_ms >= 0 ? timer_wall_ns() + (unsigned long long)timeout_ms * 1000000ull : 0;
    for (;;) {
        int rc = poll(pfd, n, timeout_ms);
        if (rc > 0) {
            if (n == 2 && pfd[1].revents)
                return NET_WAIT_STOPPED;
            /* Errors and hang-ups count as ready: the next recv/send reports them. */
            return 1;
        }
        if (rc == 0)
            return 0;
        if (errno != EINTR)
            return NET_WAIT_ERROR;
        if (deadline)
            timeout_ms = net_ms_until(deadline);
    }
}

int net_wait_readable(int fd, int stop_fd, int timeout_ms)
{
    return net_wait(fd, POLLIN, stop_fd, timeout_ms);
}

int net_wait_writable(int fd, int stop_fd, int timeout_ms)
{
    return net_wait(fd, POLLOUT, stop_fd, timeout_ms);
}

int net_send_all(int fd, const void *buf, size_t len, int stop_fd, int timeout_ms, char *err,
                 size_t errlen)
{
    const char *p = buf;
    unsigned long long deadline =
        timeout_ms >= 0 ? timer_wall_ns() + (unsigned long long)timeout_ms * 1000000ull : 0;
    while (len > 0) {
        /* MSG_NOSIGNAL: a peer that already left must give EPIPE, not kill the process. */
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = net_wait_writable(fd, stop_fd, deadline ? net_ms_until(deadline) : -1);
            if (w == 1)
                continue;
            if (w == NET_WAIT_STOPPED)
                return NET_WAIT_STOPPED;
            if (w == 0) {
                net_set_error(err, errlen, "send: timed out");
                errno = ETIMEDOUT;
            } else {
                net_set_error(err, errlen, "poll: %s", strerror(errno));
            }
            return -1;
        }
        net_set_error(err, errlen, "send: %s", n == 0 ? "no progress" : strerror(errno));
        return -1;
    }
    return 0;
}

void net_drain(int fd, int stop_fd, int linger_ms, size_t max_bytes)
{
    char sink[256];
    unsigned long long deadline =
        timer_wall_ns() + (unsigned long long)(linger_ms > 0 ? linger_ms : 0) * 1000000ull;
    size_t total = 0;
    while (total < max_bytes) {
        ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n > 0) {
            total += (size_t)n;
            continue;
        }
        if (n == 0)
            return;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return;
        int left = net_ms_until(deadline);
        if (left <= 0 || net_wait_readable(fd, stop_fd, left) != 1)
            return;
    }
}

void net_peer_tuple(const struct sockaddr *sa, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(out, len, "('%s', %u)", host, (unsigned)ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        /* Python gives IPv6 peers as 4-tuples: host, port, flowinfo, scope id. */
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(out, len, "('%s', %u, %lu, %lu)", host, (unsigned)ntohs(in6->sin6_port),
                 (unsigned long)ntohl(in6->sin6_flowinfo), (unsigned long)in6->sin6_scope_id);
    } else {
        snprintf(out, len, "('?', 0)");
    }
}

void net_format_hostport(const char *host, unsigned port, char *out, size_t len)
{
    /* Already in brackets ("[::1]"): as given. */
    if (strchr(host, ':') != NULL && host[0] != '[')
        snprintf(out, len, "[%s]:%u", host, port);
    else
        snprintf(out, len, "%s:%u", host, port);
}

int net_local_addr(int fd, char *out, size_t len, unsigned *port, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
        net_set_error(err, errlen, "getsockname: %s", strerror(errno));
        return -1;
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        *port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        *port = ntohs(in6->sin6_port);
    } else {
        net_set_error(err, errlen, "getsockname: %s", strerror(EAFNOSUPPORT));
        errno = EAFNOSUPPORT;
        return -1;
    }
    net_format_hostport(host, *port, out, len);
    return 0;
}

int net_split_hostport(const char *text, char *host, size_t hostlen, char *port, size_t portlen,
                       char *err, size_t errlen)
{
    const char *colon = strrchr(text, ':');
    if (!colon) {
        net_set_error(err, errlen, "'%s' is not HOST:PORT", text);
        return -1;
    }
    const char *h = text;
    size_t hlen = (size_t)(colon - text);
    /* "[::1]:8081": the brackets keep the address's own colons apart from the port's. */
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    } else if (memchr(h, ':', hlen)) {
        net_set_error(err, errlen, "'%s': write an IPv6 address as [ADDR]:PORT", text);
        return -1;
    }
    if (hlen == 0 || hlen >= hostlen) {
        net_set_error(err, errlen, "'%s' has %s host", text, hlen == 0 ? "an empty" : "too long a");
        return -1;
    }
    const char *p = colon + 1;
    size_t plen = strlen(p);
    unsigned long value = 0;
    int digits_ok = plen > 0 && plen < portlen;
    for (size_t i = 0; digits_ok && i < plen; i++) {
        if (p[i] < '0' || p[i] > '9')
            digits_ok = 0;
        else
            value = value * 10 + (unsigned long)(p[i] - '0');
    }
    if (!digits_ok || value < 1 || value > 65535) {
        net_set_error(err, errlen, "'%s': port '%s' is not a number from 1 to 65535", text, p);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    /* Normalised ("08081" -> "8081"), as Python's int() would print it. */
    snprintf(port, portlen, "%lu", value);
    return 0;
}

long net_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max;
        rl.rlim_cur = want;
        /* An unlimited hard limit is refused by Linux (the cap is fs.nr_open); fall back to
         * a large finite value. */
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && want == RLIM_INFINITY) {
            rl.rlim_cur = 1 << 20;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX)
        return LONG_MAX;
    return (long)rl.rlim_cur;
}
