/* loadgen - load for the running-mean server: closed or open loop sessions from many
 * simulated clients on a few epoll threads, or a capacity probe holding N connections;
 * latency percentiles, errors by kind, an optional exact check of the server's mean and
 * one CSV row per run that reached the server and was not interrupted. */
#include "cli.h"
#include "csv.h"
#include "engine.h"
#include "histfile.h"
#include "hold.h"
#include "net.h"
#include "options.h"
#include "report.h"
#include "target.h"
#include "verify.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Descriptors besides connections: stdio, epoll sets, timers, the CSV file. */
#define LOADGEN_SPARE_FDS 64

static atomic_int loadgen_stop;

static void loadgen_on_signal(int sig)
{
    (void)sig;
    atomic_store(&loadgen_stop, 1);
}

/* The first Ctrl-C ends the run gently (a report, no CSV row); the handler then gives way
 * to the default action, so a second one ends the program at once. */
static void loadgen_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = loadgen_on_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static uint64_t loadgen_ns(double seconds)
{
    return (uint64_t)(seconds * 1e9 + 0.5);
}

static int loadgen_run_load(const struct options *o, struct target *t, struct tally *total,
                            struct report_run *run)
{
    struct engine_config cfg = {
        .target = t,
        .clients = (unsigned)o->clients,
        .threads = o->threads,
        .rate = o->rate,
        .delay_ns = loadgen_ns(o->delay),
        .timeout_ns = loadgen_ns(o->timeout),
        .duration_ns = loadgen_ns(o->duration),
        .sessions = o->sessions,
        .warmup_ns = loadgen_ns(o->warmup),
        .value_lo = o->value_lo,
        .value_hi = o->value_hi,
        .coalesce = o->coalesce,
        .strict = o->verify,
        .progress = !o->quiet && isatty(STDERR_FILENO),
        .stop = &loadgen_stop,
    };
    struct engine_result res;
    char err[NET_ERR_LEN];
    if (engine_run(&cfg, total, &res, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    run->mode = o->rate > 0 ? REPORT_OPEN : REPORT_CLOSED;
    run->threads = res.threads;
    run->measured_ns = res.measured_ns;
    run->backlog = res.backlog;
    run->spread = res.spread;
    return res.unreachable;
}

static int loadgen_run_hold(const struct options *o, struct target *t, struct tally *total,
                            struct report_run *run)
{
    struct hold_config cfg = {
        .target = t,
        .connections = o->hold,
        .hold_ns = loadgen_ns(o->hold_for),
        .timeout_ns = loadgen_ns(o->timeout),
        .value_lo = o->value_lo,
        .value_hi = o->value_hi,
        .strict = o->verify,
        .progress = !o->quiet && isatty(STDERR_FILENO),
        .stop = &loadgen_stop,
    };
    struct hold_result res;
    char err[NET_ERR_LEN];
    if (hold_run(&cfg, total, &res, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    run->mode = REPORT_HOLD;
    run->threads = 1;
    run->measured_ns = res.ready_ns;
    run->spread = res.spread;
    run->opened = res.opened;
    run->held = res.held;
    run->open_ns = res.open_ns;
    run->exact = res.exact;
    run->exact_known = res.exact_known;
    run->expected = res.expected;
    return res.unreachable;
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    struct options o;
    options_parse(argc, argv, &o);

    static struct target target;
    char err[CSV_ERR_LEN];
    if (target_parse(&target, o.address, err, sizeof err) != 0)
        cli_usage_error("HOST:PORT: %s", err);
    if (target_resolve(&target, err, sizeof err) != 0) {
        cli_error("cannot resolve %s: %s", target.host, err);
        return CLI_EXIT_FAILURE;
    }
    long nofile = net_raise_nofile();
    uint64_t want = (o.hold ? o.hold : o.clients) + LOADGEN_SPARE_FDS;
    if ((uint64_t)nofile < want)
        cli_error("warning: %llu connections need about %llu descriptors, the limit is %ld; "
                  "the rest will count as connect errors",
                  (unsigned long long)(o.hold ? o.hold : o.clients), (unsigned long long)want,
                  nofile);
    loadgen_signals();

    static struct tally total;
    struct report_run run = {.label = o.label,
                             .target = o.address,
                             .clients = o.hold ? o.hold : o.clients,
                             .rate = o.rate,
                             .delay = o.hold ? o.hold_for : o.delay};
    int rc = o.hold ? loadgen_run_hold(&o, &target, &total, &run)
                    : loadgen_run_load(&o, &target, &total, &run);
    if (rc < 0)
        return CLI_EXIT_FAILURE;
    int unreachable = rc;
    int interrupted = atomic_load(&loadgen_stop);
    report_print(&run, &total);

    int status = CLI_EXIT_OK;
    if (unreachable) {
        const char *why = total.first[TALLY_CONNECT][0]   ? total.first[TALLY_CONNECT]
                          : total.first[TALLY_TIMEOUT][0] ? total.first[TALLY_TIMEOUT]
                                                          : "no connection succeeded";
        /* No row: one would read as a server doing 0 sessions/s, which an average over
         * runs would take in silently. The exit status says the run failed. */
        cli_error("cannot connect to %s: %s%s", o.address, why,
                  o.csv ? "; no CSV row written" : "");
        status = CLI_EXIT_FAILURE;
    } else if (interrupted) {
        cli_error("interrupted: the figures above cover part of the run; no CSV row written");
        status = CLI_EXIT_FAILURE;
    } else if (o.verify) {
        char msg[512];
        int v = verify_run(&target, o.value_lo, loadgen_ns(o.timeout), &total, msg, sizeof msg);
        if (v == 0) {
            printf("verify      ok: %s\n", msg);
            fflush(stdout);
        } else {
            cli_error("--verify: %s", msg);
            status = CLI_EXIT_FAILURE;
        }
    }
    if (o.csv && !unreachable && !interrupted &&
        report_csv(o.csv, &run, &total, err, sizeof err) != 0) {
        cli_error("%s", err);
        status = CLI_EXIT_FAILURE;
    }
    /* Under the row's rule: a histogram of part of a run would merge in silently. */
    char herr[HISTFILE_ERR_LEN];
    if (o.hist && !unreachable && !interrupted &&
        histfile_write(o.hist, &total.latency, herr, sizeof herr) != 0) {
        cli_error("%s", herr);
        status = CLI_EXIT_FAILURE;
    }
    return status;
}
