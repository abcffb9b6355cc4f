/* options.c - parsing and documenting loadgen's command line. */
#include "options.h"

#include "cli.h"
#include "cliopt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPT_MAX_CLIENTS     1000000u
#define OPT_MAX_THREADS     1024u
#define OPT_MAX_SECONDS     1e6
#define OPT_MAX_DELAY       3600.0
#define OPT_MAX_RATE        1e9
#define OPT_MAX_SESSIONS    1000000000000ull
#define OPT_MAX_VALUE       1e9
#define OPT_DEFAULT_TIMEOUT 10.0
/* Long enough for a server to accept and read thousands of connections waiting in its
 * backlog, so that what is held is held by the server, not just by the kernel. */
#define OPT_DEFAULT_HOLD_FOR 1.0
#define OPT_DEFAULT_LO       1
#define OPT_DEFAULT_HI       1000

/* The options' keys; OPT_COUNT sizes given[]. */
enum {
    OPT_CLIENTS,
    OPT_DURATION,
    OPT_SESSIONS,
    OPT_DELAY,
    OPT_RATE,
    OPT_THREADS,
    OPT_TIMEOUT,
    OPT_WARMUP,
    OPT_VALUE,
    OPT_COALESCE,
    OPT_HOLD,
    OPT_HOLD_FOR,
    OPT_VERIFY,
    OPT_CSV,
    OPT_HIST,
    OPT_LABEL,
    OPT_QUIET,
    OPT_COUNT,
};

static const struct cliopt opt_table[] = {
    {"clients", 'c', CLIOPT_VALUE, OPT_CLIENTS},   {"duration", 'd', CLIOPT_VALUE, OPT_DURATION},
    {"sessions", 'n', CLIOPT_VALUE, OPT_SESSIONS}, {"delay", 'p', CLIOPT_VALUE, OPT_DELAY},
    {"rate", 'r', CLIOPT_VALUE, OPT_RATE},         {"threads", 't', CLIOPT_VALUE, OPT_THREADS},
    {"timeout", 'T', CLIOPT_VALUE, OPT_TIMEOUT},   {"warmup", 'w', CLIOPT_VALUE, OPT_WARMUP},
    {"value", 'v', CLIOPT_VALUE, OPT_VALUE},       {"coalesce", 0, CLIOPT_FLAG, OPT_COALESCE},
    {"hold", 'H', CLIOPT_VALUE, OPT_HOLD},         {"hold-for", 0, CLIOPT_VALUE, OPT_HOLD_FOR},
    {"verify", 'V', CLIOPT_FLAG, OPT_VERIFY},      {"csv", 'o', CLIOPT_VALUE, OPT_CSV},
    {"hist", 0, CLIOPT_VALUE, OPT_HIST},           {"label", 'l', CLIOPT_VALUE, OPT_LABEL},
    {"quiet", 'q', CLIOPT_FLAG, OPT_QUIET},
};

/* What the parse fills in: the options, and which were given at all. */
struct opt_parse {
    struct options *o;
    int given[OPT_COUNT];
};

static long opt_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n;
}

static void opt_usage(void)
{
    printf("usage: loadgen HOST:PORT --clients C (--duration S | --sessions N) [--delay S]\n"
           "               [--rate R] [--threads T] [--csv FILE] [options]\n"
           "       loadgen HOST:PORT --hold N [--hold-for S] [--csv FILE] [options]\n"
           "\n"
           "Load for a running-mean server: C simulated clients, each session the whole\n"
           "protocol on a new connection (connect, send a number, pause, send \"ready\", read\n"
           "the mean until the server closes). T threads, each an epoll loop over its share of\n"
           "the clients. Prints sessions per second, latency percentiles and errors by kind.\n"
           "\n"
           "  HOST:PORT             the server ([ADDR]:PORT for IPv6)\n"
           "  -c, --clients C       simulated clients at once, 1 to %u\n"
           "  -d, --duration S      measure for S seconds; sessions under way then finish\n"
           "  -n, --sessions N      measure N sessions in all, failed ones included\n"
           "  -p, --delay S         pause between the number and \"ready\" (default 0)\n"
           "  -r, --rate R          open loop: R sessions a second in all, session i due at\n"
           "                        start + i/R and its latency counted from then, even when\n"
           "                        it had to wait for a free client (default: closed loop,\n"
           "                        each client starting again as soon as it is done)\n"
           "  -t, --threads T       event loops (default: online CPUs, here %ld; at most C)\n"
           "  -T, --timeout S       give up on a session S seconds after it started, pause\n"
           "                        excluded (default %g)\n"
           "  -w, --warmup S        run S seconds first without measuring\n"
           "  -v, --value V|LO:HI   the numbers sent, whole, |x| <= 1e9: V every time, or LO,\n"
           "                        LO+1, ..., HI in turn (default %d:%d)\n"
           "      --coalesce        without a pause, send the number and \"ready\" in one\n"
           "                        write (default: two writes, as the lab's client does)\n"
           "  -H, --hold N          capacity probe: open N connections, send a number on\n"
           "                        each, hold them all open, then \"ready\" on all and read\n"
           "                        every mean (one thread; latency is from \"ready\")\n"
           "      --hold-for S      keep the N connections open S seconds before \"ready\"\n"
           "                        (default %g): time for the server to accept them all\n"
           "                        and read every number, which is what it answers with\n"
           "  -V, --verify          against a fresh server: after the load, check that the\n"
           "                        server's mean is exactly the mean of every number sent,\n"
           "                        and that every mean is printed as Python prints a float\n"
           "  -o, --csv FILE        append one row for the run to this CSV, with a header\n"
           "                        when the file is new (columns: see the bench schema);\n"
           "                        none when no connection succeeded or on interruption\n"
           "      --hist FILE       write the run's latency histogram (every bucket, a\n"
           "                        versioned text format) to FILE, replacing it whole,\n"
           "                        when a row would be written; histmerge adds up those\n"
           "                        of several loadgens into the percentiles of all\n"
           "                        their sessions (percentiles cannot be averaged)\n"
           "  -l, --label TEXT      the row's label (default: HOST:PORT)\n"
           "  -q, --quiet           no progress line (one a second on stderr when it is a\n"
           "                        terminal)\n"
           "  -h, --help            this text\n"
           "\n"
           "Errors are counted by kind, not fatal: connect, write, read (reset, or closed\n"
           "without a reply), timeout, reply (\"error: ...\"), unparsable (anything else).\n"
           "Ctrl-C stops starting sessions, reports what was measured and writes no row.\n"
           "\n"
           "exit status: 0 done, 1 no connection at all, --verify failed, or interrupted,\n"
           "2 bad usage\n",
           OPT_MAX_CLIENTS, opt_cpus(), OPT_DEFAULT_TIMEOUT, OPT_DEFAULT_LO, OPT_DEFAULT_HI,
           OPT_DEFAULT_HOLD_FOR);
}

static int64_t opt_whole(const char *text)
{
    double v = cli_parse_double("--value", text, -OPT_MAX_VALUE, OPT_MAX_VALUE);
    if (v != floor(v))
        cli_usage_error("--value: '%s' is not a whole number", text);
    return (int64_t)v;
}

static void opt_values(struct options *o, const char *text)
{
    const char *colon = strchr(text, ':');
    if (!colon) {
        o->value_lo = o->value_hi = opt_whole(text);
        return;
    }
    char lo[64];
    size_t n = (size_t)(colon - text);
    if (n >= sizeof lo)
        cli_usage_error("--value: '%s' is not V or LO:HI", text);
    snprintf(lo, sizeof lo, "%.*s", (int)n, text);
    o->value_lo = opt_whole(lo);
    o->value_hi = opt_whole(colon + 1);
    if (o->value_lo > o->value_hi)
        cli_usage_error("--value: '%s' has LO above HI", text);
}

/* Options that make no sense together are refused rather than quietly ignored. */
static void opt_check(struct options *o, const int *given)
{
    if (o->hold) {
        static const struct {
            int opt;
            const char *name;
        } clash[] = {{OPT_CLIENTS, "--clients"},   {OPT_DURATION, "--duration"},
                     {OPT_SESSIONS, "--sessions"}, {OPT_DELAY, "--delay"},
                     {OPT_RATE, "--rate"},         {OPT_WARMUP, "--warmup"},
                     {OPT_THREADS, "--threads"},   {OPT_COALESCE, "--coalesce"}};
        for (size_t i = 0; i < sizeof clash / sizeof clash[0]; i++)
            if (given[clash[i].opt])
                cli_usage_error("--hold cannot be combined with %s", clash[i].name);
        return;
    }
    if (given[OPT_HOLD_FOR])
        cli_usage_error("--hold-for needs --hold");
    if (!given[OPT_CLIENTS])
        cli_usage_error("missing --clients (see --help)");
    if (given[OPT_DURATION] && given[OPT_SESSIONS])
        cli_usage_error("--duration and --sessions cannot be combined");
    if (!given[OPT_DURATION] && !given[OPT_SESSIONS])
        cli_usage_error("missing --duration or --sessions (see --help)");
    if (o->threads == 0)
        o->threads =
            (unsigned)opt_cpus() > OPT_MAX_THREADS ? OPT_MAX_THREADS : (unsigned)opt_cpus();
    if (o->threads > o->clients)
        o->threads = (unsigned)o->clients;
}

static void opt_take(void *ctx, int key, const char *value)
{
    struct opt_parse *p = ctx;
    struct options *o = p->o;
    p->given[key] = 1;
    switch (key) {
    case OPT_CLIENTS:
        o->clients = cli_parse_u64("--clients", value, 1, OPT_MAX_CLIENTS);
        break;
    case OPT_DURATION:
        o->duration = cli_parse_double("--duration", value, 0.001, OPT_MAX_SECONDS);
        break;
    case OPT_SESSIONS:
        o->sessions = cli_parse_u64("--sessions", value, 1, OPT_MAX_SESSIONS);
        break;
    case OPT_DELAY:
        o->delay = cli_parse_double("--delay", value, 0, OPT_MAX_DELAY);
        break;
    case OPT_RATE:
        o->rate = cli_parse_double("--rate", value, 0.001, OPT_MAX_RATE);
        break;
    case OPT_THREADS:
        o->threads = (unsigned)cli_parse_u64("--threads", value, 1, OPT_MAX_THREADS);
        break;
    case OPT_TIMEOUT:
        o->timeout = cli_parse_double("--timeout", value, 0.001, OPT_MAX_SECONDS);
        break;
    case OPT_WARMUP:
        o->warmup = cli_parse_double("--warmup", value, 0, OPT_MAX_SECONDS);
        break;
    case OPT_VALUE:
        opt_values(o, value);
        break;
    case OPT_COALESCE:
        o->coalesce = 1;
        break;
    case OPT_HOLD:
        o->hold = cli_parse_u64("--hold", value, 1, OPT_MAX_CLIENTS);
        break;
    case OPT_HOLD_FOR:
        o->hold_for = cli_parse_double("--hold-for", value, 0, OPT_MAX_DELAY);
        break;
    case OPT_VERIFY:
        o->verify = 1;
        break;
    case OPT_CSV:
        o->csv = cli_parse_path("--csv", value);
        break;
    case OPT_HIST:
        o->hist = cli_parse_path("--hist", value);
        break;
    case OPT_LABEL:
        o->label = value;
        break;
    case OPT_QUIET:
        o->quiet = 1;
        break;
    }
}

static const struct cliopt_program opt_cli = {
    .opts = opt_table, .count = CLIOPT_COUNT(opt_table), .usage = opt_usage, .take = opt_take};

void options_parse(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->timeout = OPT_DEFAULT_TIMEOUT;
    o->hold_for = OPT_DEFAULT_HOLD_FOR;
    o->value_lo = OPT_DEFAULT_LO;
    o->value_hi = OPT_DEFAULT_HI;
    struct opt_parse p = {.o = o};
    struct cliopt_args args;
    int status = cliopt_parse(&opt_cli, &p, argc, argv, &args);
    if (status != CLIOPT_GO)
        exit(status);
    if (args.count == 0)
        cli_usage_error("missing HOST:PORT (see --help)");
    o->address = args.words[0];
    cliopt_refuse_extra(&args, 1);
    opt_check(o, p.given);
    if (!o->label)
        o->label = o->address;
}
