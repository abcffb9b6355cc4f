/* server - the lab's running-mean server. Clients send a number, then `ready`; each gets
 * the mean of everything every client sent, printed as Python prints a float. What a
 * conversation says and logs is conv.c's, who gets a connection slot admit.c's, how long a
 * conversation may take deadline.c's, and how connections are waited on the chosen
 * model's (model.h: a thread per connection, the lab's, by default). This file is the
 * rest: options, the listener, signals, the log writer and --metrics. */
#include "cli.h"
#include "conv.h"
#include "convio.h"
#include "deadline.h"
#include "logline.h"
#include "model.h"
#include "net.h"
#include "srvconfig.h"
#include "srvmetrics.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a stop waits for stdout to take the log, then for stderr to take a report of
 * lines dropped, after the model's grace: 1 s in all at most. */
#define SERVER_LOG_FLUSH_NS 200000000ull
#define SERVER_REPORT_MS    100
/* Descriptors above this are turned away (the slots are indexed by descriptor). */
#define SERVER_MAX_SLOTS (1u << 22)

static const struct model_ops *const server_models[] = {
    [SRVCONFIG_THREAD] = &model_thread,
    [SRVCONFIG_POOL] = &model_pool,
    [SRVCONFIG_EPOLL] = &model_epoll,
    [SRVCONFIG_URING] = &model_uring,
};

static int server_wake_wr; /* the signal thread writes here to stop the model */

static void *server_signal_main(void *arg)
{
    const sigset_t *set = arg;
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    char byte = 1;
    while (write(server_wake_wr, &byte, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* SIGINT and SIGTERM are blocked in every thread and taken by one thread with sigwait(),
 * so no connection's system calls are interrupted and nothing runs in a signal handler.
 * Their default action is restored first: a shell starts background jobs with SIGINT
 * ignored, and an ignored signal is discarded rather than left pending for sigwait(). */
static int server_signals(void)
{
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    /* Peers that vanish must cost an EPIPE, not the process. */
    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t tid;
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0)
        rc = pthread_create(&tid, &attr, server_signal_main, &set);
    pthread_attr_destroy(&attr);
    return rc;
}

static int server_pipe(int fds[2])
{
    return pipe2(fds, O_CLOEXEC);
}

/* "server: N log lines dropped (stdout blocked)" on stderr, if stderr takes it soon: it may
 * be the very pipe stdout is (2>&1), and the stop must not wait for it. */
static void server_report_drops(uint64_t dropped, int error)
{
    if (dropped == 0)
        return;
    char buf[128], line[256];
    int len = snprintf(line, sizeof line, "%s: %llu log line%s dropped (stdout %s)\n",
                       cli_program(), (unsigned long long)dropped, dropped == 1 ? "" : "s",
                       error ? net_strerror(error, buf, sizeof buf) : "blocked");
    struct pollfd p = {.fd = STDERR_FILENO, .events = POLLOUT};
    if (len > 0 && poll(&p, 1, SERVER_REPORT_MS) == 1 && (p.revents & POLLOUT) &&
        write(STDERR_FILENO, line, (size_t)len) < 0) {
        /* Nowhere left to say it. */
    }
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    static struct srvconfig cfg;
    srvconfig_parse(argc, argv, &cfg);
    const struct model_ops *model = server_models[cfg.model];
    static struct srvmetrics metrics;
    char err[COUNTERS_ERR_LEN]; /* the longest message: one quoting a whole event list */
    if ((cfg.metrics || cfg.events) && srvmetrics_parse(&metrics, cfg.metrics, cfg.metrics_interval,
                                                        cfg.events, err, sizeof err) != 0)
        cli_usage_error("%s", err);
    long nofile = net_raise_nofile();
    uint64_t max_clients = cfg.max_clients;
    if (max_clients == 0)
        max_clients = nofile > 2 * SRVCONFIG_RESERVED_FDS
                          ? (uint64_t)nofile - SRVCONFIG_RESERVED_FDS
                          : SRVCONFIG_RESERVED_FDS;
    /* Both were checked while parsing. */
    struct deadline_policy deadlines;
    deadline_seconds(cfg.idle_timeout, &deadlines.idle_ns, err, sizeof err);
    deadline_seconds(cfg.conversation_timeout, &deadlines.conversation_ns, err, sizeof err);
    static struct conv_server conv;
    size_t slots = nofile > 0 && nofile < SERVER_MAX_SLOTS ? (size_t)nofile : SERVER_MAX_SLOTS;
    if (conv_server_init(&conv, cfg.quiet, &deadlines, max_clients, cfg.max_per_address, slots, err,
                         sizeof err) != 0) {
        cli_error("cannot set up the server: %s", err);
        return CLI_EXIT_FAILURE;
    }
    int wake[2], stop[2];
    if (server_pipe(wake) != 0 || server_pipe(stop) != 0) {
        cli_error("pipe: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    server_wake_wr = wake[1];
    struct model_env env = {.conv = &conv,
                            .threads = cfg.threads,
                            .stack_size = (size_t)cfg.stack_kib * 1024,
                            .lfd = -1,
                            .wake_rd = wake[0],
                            .stop_rd = stop[0],
                            .stop_wr = stop[1]};
    convio_spare(&conv);
    int rc = server_signals();
    if (rc != 0) {
        cli_error("cannot start the signal thread: %s", strerror(rc));
        return CLI_EXIT_FAILURE;
    }
    /* After the signals are blocked: threads the model starts must not take them. */
    if (model->prepare && model->prepare(&env, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    /* After the signals are blocked: the log writer must not take them either. */
    if (logline_start(&conv.stats.log_lines_dropped, err, sizeof err) != 0) {
        cli_error("cannot start the log writer: %s", err);
        return CLI_EXIT_FAILURE;
    }

    char addr[NET_ADDR_LEN];
    env.lfd = net_listen(cfg.bind, cfg.port, MODEL_BACKLOG, err, sizeof err);
    if (env.lfd < 0) {
        net_format_hostport(cfg.bind, cfg.port, addr, sizeof addr);
        cli_error("cannot listen on %s: %s", addr, err);
        return CLI_EXIT_FAILURE;
    }
    unsigned port = cfg.port;
    /* Not knowing the address is no reason to stop: the port asked for stands in for it. */
    if (net_local_addr(env.lfd, addr, sizeof addr, &port, NULL, 0) != 0)
        net_format_hostport(cfg.bind, port, addr, sizeof addr);
    /* Counting starts before the line a client waits for, so no connection goes uncounted. */
    if (cfg.metrics && metrics.spec.note[0])
        cli_error("%s", metrics.spec.note);
    if (cfg.metrics && srvmetrics_start(&metrics, &conv.stats, &conv.mean, err, sizeof err)) {
        cli_error("cannot start --metrics: %s", err);
        close(env.lfd);
        return CLI_EXIT_FAILURE;
    }
    logline_put("Server: listening on ", addr);

    int served = model->serve(&env);

    /* The log first, so the final --metrics row counts every line it dropped. */
    int log_error = 0;
    uint64_t dropped = logline_stop("Server: stopped", SERVER_LOG_FLUSH_NS, &log_error);
    rc = cfg.metrics ? srvmetrics_stop(&metrics, err, sizeof err) : 0;
    if (rc != 0)
        cli_error("%s", err);
    server_report_drops(dropped, log_error);
    return rc == 0 && served == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
