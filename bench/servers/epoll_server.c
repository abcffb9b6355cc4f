/* epoll_server - the mean protocol served by a single thread with epoll: the yardstick for
 * the thread-per-connection server. It parses with the same wire module and answers and
 * logs exactly as build/bin/server does, so the same load can hit both. Unlike it, there
 * is no idle timeout and no client limit: it exists to be measured. */
#include "cli.h"
#include "logline.h"
#include "mean.h"
#include "net.h"
#include "pyfloat.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define EPS_BACKLOG    4096
#define EPS_EVENTS     256
#define EPS_READ_SIZE  1024 /* the lab's recv(1024), as in the threaded server */
#define EPS_DRAIN_MAX  (64 * 1024)
#define EPS_ACCEPT_MAX 128
#define EPS_LISTEN_TAG ((void *)1)
#define EPS_SIGNAL_TAG ((void *)2)

struct eps_config {
    unsigned port;
    const char *bind;
    int quiet;
};

struct eps_conn {
    int fd;
    struct wire_parser wp;
    char peer[NET_PEER_LEN];
};

static struct eps_config cfg;
static struct mean_sum sum;

static void eps_close(struct eps_conn *c)
{
    close(c->fd);
    free(c);
}

/* The last reply: tiny, into a fresh socket buffer, so a non-blocking send takes it whole.
 * After an error, what the peer already sent is read away so close() does not reset the
 * reply (without waiting: this thread serves everyone). */
static void eps_finish(struct eps_conn *c, const char *reply, size_t len, int drain)
{
    send(c->fd, reply, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (drain) {
        shutdown(c->fd, SHUT_WR);
        net_drain(c->fd, -1, 0, EPS_DRAIN_MAX);
    }
    eps_close(c);
}

static void eps_error(struct eps_conn *c, const char *reason, int bad)
{
    if (!cfg.quiet)
        logline_put("Server: ", bad ? "bad message from " : "closing ", c->peer, ": ", reason);
    char reply[WIRE_REASON_LEN + 8];
    int len = snprintf(reply, sizeof reply, "error: %s", reason);
    eps_finish(c, reply, len < (int)sizeof reply ? (size_t)len : sizeof reply - 1, 1);
}

/* Reads what is there and acts on it; returns 0 when the connection is finished (and
 * freed), 1 when it waits for more. */
static int eps_read(struct eps_conn *c)
{
    char buf[EPS_READ_SIZE];
    char mean[PYFLOAT_LEN];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 1;
            if (!cfg.quiet)
                logline_put("Server: connection with ", c->peer,
                            " failed: recv: ", strerror(errno));
            eps_close(c);
            return 0;
        }
        if (n == 0) {
            const char *why = wire_eof(&c->wp);
            if (why)
                eps_error(c, why, c->wp.phase == WIRE_PHASE_DATA);
            else
                eps_close(c);
            return 0;
        }
        size_t off = 0;
        while (off < (size_t)n) {
            size_t used = 0;
            enum wire_event ev = wire_next(&c->wp, buf + off, (size_t)n - off, &used);
            off += used;
            if (ev == WIRE_DATA) {
                mean_sum_add(&sum, c->wp.value);
                if (!cfg.quiet) {
                    pyfloat_format(mean_sum_mean(&sum), mean);
                    logline_put("Server: received ", c->wp.text, " from ", c->peer,
                                ", new mean_data ", mean);
                    logline_put("Server: waiting for ready message from ", c->peer);
                }
            } else if (ev == WIRE_READY) {
                size_t len = pyfloat_format(mean_sum_mean(&sum), mean);
                if (!cfg.quiet)
                    logline_put("Server: got ready message from ", c->peer, ", sending ", mean);
                eps_finish(c, mean, len, 0);
                return 0;
            } else if (ev == WIRE_ERROR) {
                eps_error(c, c->wp.reason, 1);
                return 0;
            } else {
                break;
            }
        }
    }
}

static void eps_accept(int ep, int lfd)
{
    for (int i = 0; i < EPS_ACCEPT_MAX; i++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                logline_put("Server: accept: ", strerror(errno));
            return;
        }
        struct eps_conn *c = malloc(sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        wire_init(&c->wp);
        c->peer[0] = '\0';
        if (!cfg.quiet) {
            net_peer_tuple((const struct sockaddr *)&peer, c->peer, sizeof c->peer);
            logline_put("Server: got connection from client ", c->peer);
        }
        /* Most clients send at once: try before waiting, as the threaded server does. */
        if (eps_read(c) == 0)
            continue;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            logline_put("Server: epoll_ctl: ", strerror(errno));
            eps_close(c);
        }
    }
}

static int eps_run(int lfd, int sfd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        cli_error("epoll_create1: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = EPS_LISTEN_TAG};
    struct epoll_event sev = {.events = EPOLLIN, .data.ptr = EPS_SIGNAL_TAG};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) != 0 ||
        epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &sev) != 0) {
        cli_error("epoll_ctl: %s", strerror(errno));
        close(ep);
        return CLI_EXIT_FAILURE;
    }
    struct epoll_event events[EPS_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, EPS_EVENTS, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("epoll_wait: %s", strerror(errno));
            close(ep);
            return CLI_EXIT_FAILURE;
        }
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == EPS_SIGNAL_TAG) {
                close(ep);
                return CLI_EXIT_OK;
            }
            if (tag == EPS_LISTEN_TAG)
                eps_accept(ep, lfd);
            else
                eps_read(tag);
        }
    }
}

static void eps_usage(void)
{
    printf("usage: epoll_server PORT [--bind ADDR] [--quiet]\n"
           "\n"
           "The mean server's protocol, replies and log lines, served by one thread with\n"
           "epoll: a yardstick for build/bin/server. No idle timeout, no client limit.\n"
           "\n"
           "  PORT               TCP port; 0 picks a free one (the log shows which)\n"
           "  -b, --bind ADDR    address to listen on (default 0.0.0.0)\n"
           "  -q, --quiet        log only the listening and stopped lines\n"
           "  -h, --help         this text\n");
}

static void eps_parse(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"bind", required_argument, NULL, 'b'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cfg.bind = "0.0.0.0";
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":b:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            cfg.bind = optarg;
            break;
        case 'q':
            cfg.quiet = 1;
            break;
        case 'h':
            eps_usage();
            exit(CLI_EXIT_OK);
        default:
            cli_bad_option(argv, c == ':');
        }
    }
    if (optind >= argc)
        cli_usage_error("missing PORT (see --help)");
    cfg.port = (unsigned)cli_parse_u64("PORT", argv[optind++], 0, 65535);
    if (optind < argc)
        cli_usage_error("unexpected argument '%s' (see --help)", argv[optind]);
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    eps_parse(argc, argv);
    net_raise_nofile();
    mean_sum_init(&sum);
    signal(SIGPIPE, SIG_IGN);
    /* Signals arrive as readable data on a descriptor in the epoll set. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) {
        cli_error("signalfd: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    char err[NET_ERR_LEN];
    int lfd = net_listen(cfg.bind, cfg.port, EPS_BACKLOG, err, sizeof err);
    if (lfd < 0) {
        cli_error("cannot listen on %s:%u: %s", cfg.bind, cfg.port, err);
        return CLI_EXIT_FAILURE;
    }
    char addr[NET_ADDR_LEN];
    unsigned port = cfg.port;
    if (net_local_addr(lfd, addr, sizeof addr, &port) != 0)
        snprintf(addr, sizeof addr, "%s:%u", cfg.bind, port);
    logline_put("Server: listening on ", addr);
    int rc = eps_run(lfd, sfd);
    close(lfd);
    close(sfd);
    logline_last("Server: stopped");
    return rc;
}
