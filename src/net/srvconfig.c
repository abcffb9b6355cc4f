/* srvconfig.c - the server's options and --help. */
#include "srvconfig.h"

#include "cli.h"
#include "cliopt.h"
#include "counters.h"
#include "deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum {
    SRVCONFIG_OPT_MODEL,
    SRVCONFIG_OPT_THREADS,
    SRVCONFIG_OPT_STACK,
    SRVCONFIG_OPT_BIND,
    SRVCONFIG_OPT_QUIET,
    SRVCONFIG_OPT_MAX_CLIENTS,
    SRVCONFIG_OPT_MAX_PER_ADDRESS,
    SRVCONFIG_OPT_IDLE,
    SRVCONFIG_OPT_CONVERSATION,
    SRVCONFIG_OPT_METRICS,
    SRVCONFIG_OPT_INTERVAL,
    SRVCONFIG_OPT_EVENTS,
};

static const struct cliopt srvconfig_opts[] = {
    {"model", 0, CLIOPT_VALUE, SRVCONFIG_OPT_MODEL},
    {"threads", 0, CLIOPT_VALUE, SRVCONFIG_OPT_THREADS},
    {"stack-size", 0, CLIOPT_VALUE, SRVCONFIG_OPT_STACK},
    {"bind", 'b', CLIOPT_VALUE, SRVCONFIG_OPT_BIND},
    {"quiet", 'q', CLIOPT_FLAG, SRVCONFIG_OPT_QUIET},
    {"max-clients", 'm', CLIOPT_VALUE, SRVCONFIG_OPT_MAX_CLIENTS},
    {"max-per-address", 'a', CLIOPT_VALUE, SRVCONFIG_OPT_MAX_PER_ADDRESS},
    {"idle-timeout", 't', CLIOPT_VALUE, SRVCONFIG_OPT_IDLE},
    {"conversation-timeout", 'T', CLIOPT_VALUE, SRVCONFIG_OPT_CONVERSATION},
    {"metrics", 'M', CLIOPT_VALUE, SRVCONFIG_OPT_METRICS},
    {"metrics-interval", 'I', CLIOPT_VALUE, SRVCONFIG_OPT_INTERVAL},
    {"events", 'e', CLIOPT_VALUE, SRVCONFIG_OPT_EVENTS},
};

/* The default number of pool workers or event loops. */
static unsigned srvconfig_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > SRVCONFIG_MAX_THREADS ? SRVCONFIG_MAX_THREADS : (unsigned)n;
}

static void srvconfig_usage(void)
{
    printf("usage: server PORT [--model thread [--stack-size KIB] | --model pool|epoll|uring\n"
           "              [--threads N]] [--bind ADDR]\n"
           "              [--quiet] [--max-clients N] [--max-per-address N]\n"
           "              [--idle-timeout SECONDS] [--conversation-timeout SECONDS]\n"
           "              [--metrics FILE [--metrics-interval SECONDS] [--events LIST]]\n"
           "\n"
           "Serves the running mean of the numbers clients send: each connection reads a\n"
           "number, adds it to the mean of all data from all clients, waits for \"ready\"\n"
           "and replies with the mean so far. Ctrl-C (SIGINT) or SIGTERM stops it.\n"
           "\n"
           "  PORT                        TCP port; 0 picks a free one (the log shows which)\n"
           "      --model MODEL           how connections are served (default thread):\n"
           "                              thread  one thread per connection, as in the lab\n"
           "                              pool    N worker threads, each serving one\n"
           "                                      connection at a time from a queue\n"
           "                              epoll   N non-blocking epoll event loops\n"
           "                              uring   N io_uring completion loops%s\n"
           "      --threads N             pool workers, epoll or uring loops (default:\n"
           "                              online CPUs, here %u); refused with --model thread\n"
           "      --stack-size KIB        each connection thread's stack, %u to %u KiB\n"
           "                              (default 20); for --model thread only\n"
           "  -b, --bind ADDR             address to listen on (default 0.0.0.0)\n"
           "  -q, --quiet                 log only the listening and stopped lines\n"
           "  -m, --max-clients N         connections served at once (default: descriptor\n"
           "                              limit - %d). When all are taken, the address\n"
           "                              holding the most, if it holds two more than the\n"
           "                              newcomer's, gives up its connection longest without\n"
           "                              progress; else the newcomer is turned away. Either\n"
           "                              gets \"error: server busy\"\n"
           "  -a, --max-per-address N     and an address holding N gets \"error: server busy\"\n"
           "                              even with places free (default 0 = no such limit)\n"
           "  -t, --idle-timeout SECONDS  \"error: timeout\" for a connection that completes no\n"
           "                              message (data, then ready) for this long; bytes that\n"
           "                              complete none do not count (default %g, 0 = never)\n"
           "  -T, --conversation-timeout SECONDS  and for one not done this long after it\n"
           "                              connected (default idle timeout + %g, 0 = never)\n"
           "  -M, --metrics FILE          append the counters (PAPI SDE parlab_server), the\n"
           "                              process's CPU time, context switches and peak RSS\n"
           "                              (getrusage), the threads the model started, the\n"
           "                              count of values and the mean to this CSV at\n"
           "                              shutdown (columns: results/README.md)\n"
           "  -I, --metrics-interval SECONDS  and every SECONDS while serving\n"
           "  -e, --events LIST           hardware events for --metrics, comma-separated PAPI\n"
           "                              names (default $%s, else\n"
           "                              %s; 'none' for none);\n"
           "                              counted on the metrics thread only, not per process\n"
           "  -h, --help                  this text\n"
           "\n"
           "exit status: 0 stopped by a signal, 1 could not listen, set up its model or\n"
           "write --metrics, 2 bad usage\n",
#ifdef PARLAB_HAVE_URING
           "",
#else
           " (not built here:\n"
           "                                      liburing-dev was missing)",
#endif
           srvconfig_cpus(), SRVCONFIG_MIN_STACK_KIB, SRVCONFIG_MAX_STACK_KIB,
           SRVCONFIG_RESERVED_FDS, SRVCONFIG_DEFAULT_IDLE, SRVCONFIG_LAB_PAUSE, COUNTERS_ENV,
           COUNTERS_DEFAULT_LIST);
}

/* A time limit in seconds; one too short to keep is refused rather than taken as "never". */
static double srvconfig_limit(const char *option, const char *text)
{
    double seconds = cli_parse_double(option, text, 0, SRVCONFIG_MAX_TIME);
    uint64_t ns;
    char err[128];
    if (deadline_seconds(seconds, &ns, err, sizeof err) != 0)
        cli_usage_error("%s: '%s' is %s", option, text, err);
    return seconds;
}

static void srvconfig_take(void *ctx, int key, const char *value)
{
    static const char *const models[] = {"thread", "pool", "epoll", "uring", NULL};
    struct srvconfig *cfg = ctx;
    switch (key) {
    case SRVCONFIG_OPT_MODEL:
        cfg->model = (enum srvconfig_model)cli_parse_choice("--model", value, models);
        break;
    case SRVCONFIG_OPT_THREADS:
        cfg->threads = (unsigned)cli_parse_u64("--threads", value, 1, SRVCONFIG_MAX_THREADS);
        break;
    case SRVCONFIG_OPT_STACK:
        cfg->stack_kib = (unsigned)cli_parse_u64("--stack-size", value, SRVCONFIG_MIN_STACK_KIB,
                                                 SRVCONFIG_MAX_STACK_KIB);
        break;
    case SRVCONFIG_OPT_BIND:
        if (value[0] == '\0')
            cli_usage_error("--bind: the address is empty");
        cfg->bind = value;
        break;
    case SRVCONFIG_OPT_QUIET:
        cfg->quiet = 1;
        break;
    case SRVCONFIG_OPT_MAX_CLIENTS:
        cfg->max_clients = cli_parse_u64("--max-clients", value, 1, SRVCONFIG_MAX_CLIENTS);
        break;
    case SRVCONFIG_OPT_MAX_PER_ADDRESS:
        cfg->max_per_address = cli_parse_u64("--max-per-address", value, 0, SRVCONFIG_MAX_CLIENTS);
        break;
    case SRVCONFIG_OPT_IDLE:
        cfg->idle_timeout = srvconfig_limit("--idle-timeout", value);
        break;
    case SRVCONFIG_OPT_CONVERSATION:
        cfg->conversation_timeout = srvconfig_limit("--conversation-timeout", value);
        break;
    case SRVCONFIG_OPT_METRICS:
        cfg->metrics = cli_parse_path("--metrics", value);
        break;
    case SRVCONFIG_OPT_INTERVAL:
        cfg->metrics_interval = cli_parse_double("--metrics-interval", value, 0.01, 86400);
        break;
    case SRVCONFIG_OPT_EVENTS:
        cfg->events = value;
        break;
    }
}

static const struct cliopt_program srvconfig_cli = {.opts = srvconfig_opts,
                                                    .count = CLIOPT_COUNT(srvconfig_opts),
                                                    .usage = srvconfig_usage,
                                                    .take = srvconfig_take};

void srvconfig_parse(int argc, char **argv, struct srvconfig *cfg)
{
    cfg->model = SRVCONFIG_THREAD;
    cfg->threads = 0;
    cfg->stack_kib = 0;
    cfg->bind = "0.0.0.0";
    cfg->quiet = 0;
    cfg->max_clients = 0;
    cfg->idle_timeout = SRVCONFIG_DEFAULT_IDLE;
    cfg->conversation_timeout = -1;
    cfg->max_per_address = 0;
    cfg->metrics = NULL;
    cfg->metrics_interval = 0;
    cfg->events = NULL;
    struct cliopt_args args;
    int status = cliopt_parse(&srvconfig_cli, cfg, argc, argv, &args);
    if (status != CLIOPT_GO)
        exit(status);
    if (args.count == 0)
        cli_usage_error("missing PORT (see --help)");
    cfg->port = (unsigned)cli_parse_u64("PORT", args.words[0], 0, 65535);
    cliopt_refuse_extra(&args, 1);
    if (cfg->metrics_interval > 0 && !cfg->metrics)
        cli_usage_error("--metrics-interval needs --metrics FILE");
    if (cfg->model == SRVCONFIG_THREAD && cfg->threads)
        cli_usage_error("--threads: the thread model runs one thread per connection; "
                        "--threads is for --model pool, epoll or uring");
    if (cfg->model != SRVCONFIG_THREAD && cfg->stack_kib)
        cli_usage_error("--stack-size: only the thread model starts a thread per connection; "
                        "it is for --model thread");
    if (cfg->model != SRVCONFIG_THREAD && cfg->threads == 0)
        cfg->threads = srvconfig_cpus();
    if (cfg->conversation_timeout < 0)
        cfg->conversation_timeout =
            cfg->idle_timeout > 0 ? cfg->idle_timeout + SRVCONFIG_LAB_PAUSE : 0;
}
