/* net.h - TCP plumbing: listen, connect, the steps and options of a socket built by hand,
 * timed waits and sends, and addresses printed the way Python prints them. Every TCP
 * socket parlab makes is made here.
 *
 * parlab's one error convention, Redis anet's, which this module sets: a function that can
 * fail takes the caller's buffer and its length (char *err, size_t errlen), returns -1 (or
 * NULL) on failure with one line in err saying what failed and why, "syscall: reason" at
 * the bottom (callers add context in front: "cannot listen on HOST:PORT: bind: ..."), and
 * closes whatever it opened. err may be NULL where the caller only needs errno (kept).
 * Library code never prints and never exits: only a program's main and its option parsing
 * (cli.h) write to stderr and choose the exit status. */
#ifndef PARLAB_NET_H
#define PARLAB_NET_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#define NET_ERR_LEN 256
/* Longest Python tuple for a peer: ('<46-char IPv6>', 65535, 4294967295, 4294967295). */
#define NET_PEER_LEN 96
/* Longest "host:port" or "[v6]:port" for a bound address. */
#define NET_ADDR_LEN 64
#define NET_HOST_LEN 256
#define NET_PORT_LEN 8

/* net_wait_*() results besides 1 (ready) and 0 (timed out). */
#define NET_WAIT_ERROR   (-1)
#define NET_WAIT_STOPPED (-2)

/* A non-blocking, close-on-exec listening socket on host:port (host NULL or "" = 0.0.0.0),
 * with SO_REUSEADDR set before bind so a restarted server can bind at once. */
int net_listen(const char *host, unsigned port, int backlog, char *err, size_t errlen);

/* A non-blocking, close-on-exec socket connected to host:port, trying each address the name
 * resolves to; gives up on an address after timeout_ms (negative: no limit). TCP_NODELAY
 * is set: the protocol is two tiny writes in a row. */
int net_connect(const char *host, const char *port, int timeout_ms, char *err, size_t errlen);

/* The first address host:port resolves to (TCP). Returns 0, or -1 with "getaddrinfo: ..." */
int net_resolve(const char *host, const char *port, struct sockaddr_storage *addr,
                socklen_t *addrlen, char *err, size_t errlen);

/* A socket built step by step (a load generator's connects, many at once, none waited for
 * here): one function per step and per option. Each returns 0 (net_socket_nonblock: the
 * descriptor), or -1 with "call: reason" in err and errno kept; none closes fd. */
int net_socket_nonblock(int family, char *err, size_t errlen); /* TCP, close-on-exec too */
int net_set_nodelay(int fd, char *err, size_t errlen);         /* TCP_NODELAY */
int net_set_reuseaddr(int fd, char *err, size_t errlen);       /* SO_REUSEADDR */
/* IP_BIND_ADDRESS_NO_PORT: a bind() to an address leaves the port to connect(), so one
 * port can serve several destinations. 0 without doing anything where the system lacks it. */
int net_bind_no_port(int fd, char *err, size_t errlen);
int net_bind(int fd, const struct sockaddr *addr, socklen_t addrlen, char *err, size_t errlen);
/* Starts connecting a non-blocking fd: 0 when connected at once, 1 when under way (the
 * socket turns writable when it is done; SO_ERROR then says how it went). */
int net_connect_nonblock(int fd, const struct sockaddr *addr, socklen_t addrlen, char *err,
                         size_t errlen);

/* Accepts one connection on the listener lfd, non-blocking and close-on-exec, its address
 * in peer. Returns the descriptor, or -1 with "accept: reason" in err (which may be NULL:
 * the caller tells a pending-nothing EAGAIN from a failure by errno). */
int net_accept(int lfd, struct sockaddr_storage *peer, char *err, size_t errlen);

/* close(), errno kept: a caller reports the error of the call that failed. */
void net_close(int fd);

/* Waits until fd is readable (or writable), or stop_fd (if >= 0) is readable, or timeout_ms
 * passes (negative: no limit). Returns 1, NET_WAIT_STOPPED, 0 on timeout, NET_WAIT_ERROR. */
int net_wait_readable(int fd, int stop_fd, int timeout_ms);
int net_wait_writable(int fd, int stop_fd, int timeout_ms);

/* Sends all of buf on a non-blocking socket without raising SIGPIPE. Returns 0, or
 * NET_WAIT_STOPPED, or -1 with err set (a timeout reads "send: timed out"). */
int net_send_all(int fd, const void *buf, size_t len, int stop_fd, int timeout_ms, char *err,
                 size_t errlen);

/* Reads and discards what the peer already sent, so that close() does not answer unread
 * bytes with a reset that could destroy the reply still in flight. Waits up to linger_ms
 * for the peer to finish; gives up after max_bytes. */
void net_drain(int fd, int stop_fd, int linger_ms, size_t max_bytes);

/* ('127.0.0.1', 62000) or ('::1', 62000, 0, 0), as Python's socket module prints them. */
void net_peer_tuple(const struct sockaddr *sa, char *out, size_t len);

/* "0.0.0.0:8081" or "[::]:8081": the address the socket is bound to, and its port. Returns
 * 0, or -1 with "getsockname: reason" in err. */
int net_local_addr(int fd, char *out, size_t len, unsigned *port, char *err, size_t errlen);

/* "127.0.0.1:8081", or "[::]:8081" for a host with a colon (an IPv6 address), so that the
 * port stays apart from the address: how every message prints a host and a port. */
void net_format_hostport(const char *host, unsigned port, char *out, size_t len);

/* Splits "host:port" or "[v6]:port"; the port must be 1..65535. Returns 0 or -1 with err
 * naming what is wrong. */
int net_split_hostport(const char *text, char *host, size_t hostlen, char *port, size_t portlen,
                       char *err, size_t errlen);

/* Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force. */
long net_raise_nofile(void);

/* strerror() for threads: the text for err, using buf if the C library needs room. */
const char *net_strerror(int err, char *buf, size_t len);

/* Milliseconds left until deadline_ns (timer_wall_ns clock); 0 when past, -1 when the
 * deadline is 0 (none). Capped so it always fits poll()'s int. */
int net_ms_until(unsigned long long deadline_ns);

#endif
