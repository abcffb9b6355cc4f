/* test_net - net.c's socket steps on real loopback sockets: what each returns, what it
 * leaves set on the socket (read back with getsockopt/getsockname, not through net.c), and
 * the "call: reason" line each writes when it fails. */
#include "check.h"
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in in = {0};
    in.sin_family = AF_INET;
    in.sin_port = htons((uint16_t)port);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return in;
}

static unsigned bound_port(int fd)
{
    struct sockaddr_in in;
    socklen_t len = sizeof in;
    REQUIRE_EQ(getsockname(fd, (struct sockaddr *)&in, &len), 0);
    return ntohs(in.sin_port);
}

static int int_option(int fd, int level, int option)
{
    int value = -1;
    socklen_t len = sizeof value;
    REQUIRE_EQ(getsockopt(fd, level, option, &value, &len), 0);
    return value;
}

/* A loopback port nothing listens on: bound (so the system picked a free one), then closed. */
static unsigned closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    struct sockaddr_in in = loopback(0);
    REQUIRE_EQ(bind(fd, (struct sockaddr *)&in, sizeof in), 0);
    unsigned port = bound_port(fd);
    close(fd);
    return port;
}

/* Port 0 asks the system for a port; net_local_addr reports the one it chose. */
static void test_listen_port_zero(void)
{
    char err[NET_ERR_LEN] = "";
    int lfd = net_listen("127.0.0.1", 0, 8, err, sizeof err);
    REQUIRE(lfd >= 0);
    ASSERT(fcntl(lfd, F_GETFL) & O_NONBLOCK);
    ASSERT(fcntl(lfd, F_GETFD) & FD_CLOEXEC);
    ASSERT_NE(int_option(lfd, SOL_SOCKET, SO_REUSEADDR), 0);
    ASSERT_NE(int_option(lfd, SOL_SOCKET, SO_ACCEPTCONN), 0);

    char addr[NET_ADDR_LEN];
    unsigned port = 0;
    ASSERT_EQ(net_local_addr(lfd, addr, sizeof addr, &port, err, sizeof err), 0);
    unsigned actual = bound_port(lfd);
    ASSERT_GT(actual, 0);
    ASSERT_EQ(port, actual);
    char want[NET_ADDR_LEN];
    snprintf(want, sizeof want, "127.0.0.1:%u", actual);
    ASSERT_STR_EQ(addr, want);
    close(lfd);

    /* Not a socket: the getsockname failure, named. */
    int pipefd[2];
    REQUIRE_EQ(pipe(pipefd), 0);
    ASSERT_EQ(net_local_addr(pipefd[0], addr, sizeof addr, &port, err, sizeof err), -1);
    ASSERT_STR_EQ(err, "getsockname: Socket operation on non-socket");
    close(pipefd[0]);
    close(pipefd[1]);
}

/* Nothing pending on a non-blocking listener: -1, errno EAGAIN, and the line in err (or
 * no line at all when err is NULL). */
static void test_accept_nothing_pending(void)
{
    char err[NET_ERR_LEN] = "";
    int lfd = net_listen("127.0.0.1", 0, 8, err, sizeof err);
    REQUIRE(lfd >= 0);
    struct sockaddr_storage peer;
    errno = 0;
    ASSERT_EQ(net_accept(lfd, &peer, err, sizeof err), -1);
    ASSERT(errno == EAGAIN || errno == EWOULDBLOCK);
    ASSERT_STR_EQ(err, "accept: Resource temporarily unavailable");
    errno = 0;
    ASSERT_EQ(net_accept(lfd, &peer, NULL, 0), -1);
    ASSERT(errno == EAGAIN || errno == EWOULDBLOCK);
    close(lfd);
}

/* TCP on loopback: under way (1), then writable and connected; the listener then hands
 * over a non-blocking, close-on-exec descriptor whose peer is the connecting socket. */
static void test_connect_in_progress(void)
{
    char err[NET_ERR_LEN] = "";
    int lfd = net_listen("127.0.0.1", 0, 8, err, sizeof err);
    REQUIRE(lfd >= 0);
    struct sockaddr_in to = loopback(bound_port(lfd));
    int fd = net_socket_nonblock(AF_INET, err, sizeof err);
    REQUIRE(fd >= 0);
    ASSERT_EQ(net_connect_nonblock(fd, (struct sockaddr *)&to, sizeof to, err, sizeof err), 1);
    ASSERT_EQ(net_wait_writable(fd, -1, 5000), 1);
    ASSERT_EQ(int_option(fd, SOL_SOCKET, SO_ERROR), 0);

    ASSERT_EQ(net_wait_readable(lfd, -1, 5000), 1);
    struct sockaddr_storage peer;
    int afd = net_accept(lfd, &peer, err, sizeof err);
    REQUIRE(afd >= 0);
    ASSERT(fcntl(afd, F_GETFL) & O_NONBLOCK);
    ASSERT(fcntl(afd, F_GETFD) & FD_CLOEXEC);
    ASSERT_EQ(peer.ss_family, AF_INET);
    ASSERT_EQ(ntohs(((struct sockaddr_in *)&peer)->sin_port), bound_port(fd));
    close(afd);
    close(fd);
    close(lfd);
}

/* A Unix stream socket connects at once when its listener has room: 0. */
static void test_connect_at_once(void)
{
    struct sockaddr_un un = {0};
    un.sun_family = AF_UNIX;
    snprintf(un.sun_path, sizeof un.sun_path, "/tmp/parlab_test_net.%ld", (long)getpid());
    unlink(un.sun_path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    REQUIRE_EQ(bind(lfd, (struct sockaddr *)&un, sizeof un), 0);
    REQUIRE_EQ(listen(lfd, 8), 0);
    char err[NET_ERR_LEN] = "";
    int fd = net_socket_nonblock(AF_UNIX, err, sizeof err);
    REQUIRE(fd >= 0);
    ASSERT_EQ(net_connect_nonblock(fd, (struct sockaddr *)&un, sizeof un, err, sizeof err), 0);
    ASSERT_EQ(int_option(fd, SOL_SOCKET, SO_ERROR), 0);
    close(fd);
    close(lfd);
    unlink(un.sun_path);
}

/* A closed loopback port: under way, then the refusal, as SO_ERROR and, asked again, as
 * -1 with "connect: Connection refused". */
static void test_connect_refused(void)
{
    struct sockaddr_in to = loopback(closed_port());
    char err[NET_ERR_LEN] = "";

    int fd = net_socket_nonblock(AF_INET, err, sizeof err);
    REQUIRE(fd >= 0);
    ASSERT_EQ(net_connect_nonblock(fd, (struct sockaddr *)&to, sizeof to, err, sizeof err), 1);
    ASSERT_EQ(net_wait_writable(fd, -1, 5000), 1);
    ASSERT_EQ(int_option(fd, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
    close(fd);

    fd = net_socket_nonblock(AF_INET, err, sizeof err);
    REQUIRE(fd >= 0);
    ASSERT_EQ(net_connect_nonblock(fd, (struct sockaddr *)&to, sizeof to, err, sizeof err), 1);
    ASSERT_EQ(net_wait_writable(fd, -1, 5000), 1);
    errno = 0;
    ASSERT_EQ(net_connect_nonblock(fd, (struct sockaddr *)&to, sizeof to, err, sizeof err), -1);
    ASSERT_EQ(errno, ECONNREFUSED);
    ASSERT_STR_EQ(err, "connect: Connection refused");
    close(fd);
}

static void test_nodelay(void)
{
    char err[NET_ERR_LEN] = "";
    int fd = net_socket_nonblock(AF_INET, err, sizeof err);
    REQUIRE(fd >= 0);
    ASSERT_EQ(int_option(fd, IPPROTO_TCP, TCP_NODELAY), 0);
    ASSERT_EQ(net_set_nodelay(fd, err, sizeof err), 0);
    ASSERT_NE(int_option(fd, IPPROTO_TCP, TCP_NODELAY), 0);
    close(fd);

    int pipefd[2];
    REQUIRE_EQ(pipe(pipefd), 0);
    errno = 0;
    ASSERT_EQ(net_set_nodelay(pipefd[0], err, sizeof err), -1);
    ASSERT_EQ(errno, ENOTSOCK);
    ASSERT_STR_EQ(err, "setsockopt TCP_NODELAY: Socket operation on non-socket");
    close(pipefd[0]);
    close(pipefd[1]);
}

/* With IP_BIND_ADDRESS_NO_PORT a bind to an address leaves the port to connect(). */
static void test_bind_no_port(void)
{
    char err[NET_ERR_LEN] = "";
    int fd = net_socket_nonblock(AF_INET, err, sizeof err);
    REQUIRE(fd >= 0);
    ASSERT_EQ(net_bind_no_port(fd, err, sizeof err), 0);
#ifdef IP_BIND_ADDRESS_NO_PORT
    ASSERT_NE(int_option(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT), 0);
    struct sockaddr_in any = loopback(0);
    ASSERT_EQ(net_bind(fd, (struct sockaddr *)&any, sizeof any, err, sizeof err), 0);
    ASSERT_EQ(bound_port(fd), 0); /* no port yet */

    int lfd = net_listen("127.0.0.1", 0, 8, err, sizeof err);
    REQUIRE(lfd >= 0);
    struct sockaddr_in to = loopback(bound_port(lfd));
    ASSERT_GE(net_connect_nonblock(fd, (struct sockaddr *)&to, sizeof to, err, sizeof err), 0);
    ASSERT_EQ(net_wait_writable(fd, -1, 5000), 1);
    ASSERT_GT(bound_port(fd), 0); /* chosen by connect() */
    close(lfd);
#endif
    close(fd);

    int pipefd[2];
    REQUIRE_EQ(pipe(pipefd), 0);
#ifdef IP_BIND_ADDRESS_NO_PORT
    ASSERT_EQ(net_bind_no_port(pipefd[0], err, sizeof err), -1);
    ASSERT_STR_EQ(err, "setsockopt IP_BIND_ADDRESS_NO_PORT: Socket operation on non-socket");
#else
    ASSERT_EQ(net_bind_no_port(pipefd[0], err, sizeof err), 0);
#endif
    close(pipefd[0]);
    close(pipefd[1]);
}

int main(void)
{
    test_listen_port_zero();
    test_accept_nothing_pending();
    test_connect_in_progress();
    test_connect_at_once();
    test_connect_refused();
    test_nodelay();
    test_bind_no_port();
    return check_done();
}
