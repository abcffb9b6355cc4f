/* client - the lab's mean client: connects, sends a number, waits, sends `ready` and prints
 * the mean the server replies with, in the lab client's words. */
#include "cli.h"
#include "cliopt.h"
#include "net.h"
#include "pyfloat.h"
#include "timer.h"
#include "wire.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CLIENT_DEFAULT_DELAY   5.0
#define CLIENT_DEFAULT_TIMEOUT 10.0
#define CLIENT_MAX_SECONDS     1e6
/* The lab's client reads at most 1024 bytes; a mean is a few dozen. */
#define CLIENT_REPLY_MAX 1024
/* After a failed send, how long to look for the error reply that may explain it. */
#define CLIENT_ERROR_WAIT_MS 200

struct client_config {
    const char *address;
    const char *data;
    uint64_t number;
    double delay;
    double timeout; /* seconds for connecting and for each send or reply; 0: no limit */
};

struct client {
    struct client_config cfg;
    char host[NET_HOST_LEN];
    char port[NET_PORT_LEN];
    char where[NET_ADDR_LEN]; /* host:port for messages, "[::1]:8081" for IPv6 */
    int fd;
};

/* Every line is flushed at once, so a pipe sees the conversation as it happens. */
static void client_say(const struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void client_say(const struct client *c, const char *fmt, ...)
{
    char line[512];
    int head = snprintf(line, sizeof line, "Client %llu: ", (unsigned long long)c->cfg.number);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + head, sizeof line - (size_t)head, fmt, ap);
    va_end(ap);
    puts(line);
    fflush(stdout);
}

static int client_timeout_ms(const struct client *c)
{
    return c->cfg.timeout > 0 ? (int)(c->cfg.timeout * 1000.0 + 0.5) : -1;
}

/* "5" for whole seconds, as the lab prints its constant; otherwise Python's float text. */
static void client_seconds_text(double s, char *out)
{
    if (s == floor(s) && s < 1e15)
        snprintf(out, PYFLOAT_LEN, "%.0f", s);
    else
        pyfloat_format(s, out);
}

static void client_sleep(double seconds)
{
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* How a read of the reply ended. */
enum client_end {
    CLIENT_END_CLOSED,  /* the server closed: the reply is whole */
    CLIENT_END_TIMEOUT, /* the time ran out first */
    CLIENT_END_FULL,    /* the buffer filled first */
    CLIENT_END_FAILED,  /* recv() or poll() failed; errno says why */
};

/* Reads until the server closes, cap bytes arrive, or timeout_ms (negative: no limit)
 * passes; *len is what arrived meanwhile. The close is the only end of the reply the
 * protocol has: a pause in the middle of a mean ("12", then "3.5") is not one. */
static enum client_end client_read_reply(struct client *c, char *buf, size_t cap, int timeout_ms,
                                         size_t *len)
{
    unsigned long long deadline =
        timeout_ms >= 0 ? timer_wall_ns() + (unsigned long long)timeout_ms * 1000000ull : 0;
    *len = 0;
    while (*len < cap) {
        ssize_t n = recv(c->fd, buf + *len, cap - *len, 0);
        if (n > 0) {
            /* Once the reply has begun, nothing more goes out: say so with a half-close.
             * A server that waits for its client to hang up before closing (the lab's
             * client hangs up after one read) then closes, and the reply ends. Not
             * earlier: a server still working could read it as the client giving up. */
            if (*len == 0)
                (void)shutdown(c->fd, SHUT_WR);
            *len += (size_t)n;
            continue;
        }
        if (n == 0)
            return CLIENT_END_CLOSED;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return CLIENT_END_FAILED;
        int w = net_wait_readable(c->fd, -1, net_ms_until(deadline));
        if (w == 0)
            return CLIENT_END_TIMEOUT;
        if (w != 1)
            return CLIENT_END_FAILED;
    }
    return CLIENT_END_FULL;
}

/* An "error: ..." reply, whole or not, explains a failure better than anything else. */
static int client_server_error(const struct client *c, char *reply, size_t len)
{
    if (len < 6 || strncmp(reply, "error:", 6) != 0)
        return 0;
    reply[len] = '\0';
    reply[strcspn(reply, "\r\n")] = '\0';
    cli_error("server %s replied: %s", c->where, reply);
    return 1;
}

/* When a send fails, look for an error reply the server sent before closing. */
static int client_report_server_error(struct client *c)
{
    char buf[CLIENT_REPLY_MAX + 1];
    size_t len;
    client_read_reply(c, buf, CLIENT_REPLY_MAX, CLIENT_ERROR_WAIT_MS, &len);
    return client_server_error(c, buf, len);
}

static int client_send(struct client *c, const char *what, const char *text)
{
    char err[NET_ERR_LEN];
    if (net_send_all(c->fd, text, strlen(text), -1, client_timeout_ms(c), err, sizeof err) == 0)
        return 0;
    if (!client_report_server_error(c))
        cli_error("cannot send %s to %s: %s", what, c->where, err);
    return -1;
}

/* Python's float(): surrounding whitespace, a decimal number, or inf/infinity/nan. */
static int client_parse_reply(const char *text, size_t len, double *value)
{
    while (len > 0 && (*text == ' ' || (*text >= '\t' && *text <= '\r'))) {
        text++;
        len--;
    }
    while (len > 0 && (text[len - 1] == ' ' || (text[len - 1] >= '\t' && text[len - 1] <= '\r')))
        len--;
    if (wire_parse_number(text, len, value, NULL, 0) == 0)
        return 0;
    char word[16] = "";
    size_t sign = len > 0 && (text[0] == '+' || text[0] == '-');
    if (len - sign >= sizeof word)
        return -1;
    for (size_t i = sign; i < len; i++)
        word[i - sign] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
    double v;
    if (strcmp(word, "inf") == 0 || strcmp(word, "infinity") == 0)
        v = INFINITY;
    else if (strcmp(word, "nan") == 0)
        v = NAN;
    else
        return -1;
    *value = sign && text[0] == '-' ? -v : v;
    return 0;
}

static int client_run(struct client *c)
{
    char err[NET_ERR_LEN];
    client_say(c, "connecting to ('%s', %s)", c->host, c->port);
    c->fd = net_connect(c->host, c->port, client_timeout_ms(c), err, sizeof err);
    if (c->fd < 0) {
        cli_error("cannot connect to %s: %s", c->where, err);
        return CLI_EXIT_FAILURE;
    }
    client_say(c, "sending data: %s", c->cfg.data);
    if (client_send(c, "data", c->cfg.data) != 0)
        return CLI_EXIT_FAILURE;
    char seconds[PYFLOAT_LEN];
    client_seconds_text(c->cfg.delay, seconds);
    client_say(c, "sleeping for %s seconds", seconds);
    client_sleep(c->cfg.delay);
    client_say(c, "sending ready message");
    if (client_send(c, "the ready message", "ready") != 0)
        return CLI_EXIT_FAILURE;
    client_say(c, "receving mean data");

    char reply[CLIENT_REPLY_MAX + 1];
    size_t n;
    enum client_end end = client_read_reply(c, reply, CLIENT_REPLY_MAX, client_timeout_ms(c), &n);
    int failed_errno = errno;
    if (client_server_error(c, reply, n))
        return CLI_EXIT_FAILURE;
    char limit[PYFLOAT_LEN];
    client_seconds_text(c->cfg.timeout, limit);
    char quoted[128];
    wire_quote(reply, n, 24, quoted, sizeof quoted);
    switch (end) {
    case CLIENT_END_CLOSED:
        break;
    case CLIENT_END_TIMEOUT:
        if (n == 0)
            cli_error("no reply from %s within %s seconds", c->where, limit);
        else
            cli_error("server %s sent %s but did not close the connection within %s seconds; "
                      "the reply may be incomplete",
                      c->where, quoted, limit);
        return CLI_EXIT_FAILURE;
    case CLIENT_END_FULL:
        cli_error("server %s sent a reply longer than %d bytes: %s", c->where, CLIENT_REPLY_MAX,
                  quoted);
        return CLI_EXIT_FAILURE;
    case CLIENT_END_FAILED: {
        char buf[128];
        cli_error("cannot read the reply from %s: recv: %s", c->where,
                  net_strerror(failed_errno, buf, sizeof buf));
        return CLI_EXIT_FAILURE;
    }
    }
    if (n == 0) {
        cli_error("server %s closed the connection without a reply", c->where);
        return CLI_EXIT_FAILURE;
    }
    double mean;
    if (client_parse_reply(reply, n, &mean) != 0) {
        cli_error("server %s sent a reply that is not a number: %s", c->where, quoted);
        return CLI_EXIT_FAILURE;
    }
    char text[PYFLOAT_LEN];
    pyfloat_format(mean, text);
    client_say(c, "mean_data %s", text);
    return CLI_EXIT_OK;
}

static void client_usage(void)
{
    printf("usage: client HOST:PORT DATA [--number N] [--delay SECONDS] [--timeout SECONDS]\n"
           "\n"
           "Sends the number DATA to a mean server, waits, sends \"ready\" and prints the mean\n"
           "of all data the server has received, as the lab's Python client does.\n"
           "\n"
           "  HOST:PORT              the server ([ADDR]:PORT for IPv6)\n"
           "  DATA                   a decimal number, such as 3 or 2.5e3 (a negative one\n"
           "                         goes after --: client HOST:PORT -- -2.5)\n"
           "  -n, --number N         the client's number in its output (default 0)\n"
           "  -d, --delay SECONDS    pause between the data and \"ready\" (default %g)\n"
           "  -t, --timeout SECONDS  limit for connecting, each send and the reply, which\n"
           "                         ends when the server closes (default %g, 0 = none)\n"
           "  -h, --help             this text\n"
           "\n"
           "exit status: 0 done, 1 no mean (bad address or data, connection failed, error\n"
           "reply, timeout), 2 bad usage\n",
           CLIENT_DEFAULT_DELAY, CLIENT_DEFAULT_TIMEOUT);
}

enum { CLIENT_OPT_NUMBER, CLIENT_OPT_DELAY, CLIENT_OPT_TIMEOUT };

static const struct cliopt client_opts[] = {
    {"number", 'n', CLIOPT_VALUE, CLIENT_OPT_NUMBER},
    {"delay", 'd', CLIOPT_VALUE, CLIENT_OPT_DELAY},
    {"timeout", 't', CLIOPT_VALUE, CLIENT_OPT_TIMEOUT},
};

static void client_take(void *ctx, int key, const char *value)
{
    struct client_config *cfg = ctx;
    switch (key) {
    case CLIENT_OPT_NUMBER:
        cfg->number = cli_parse_u64("--number", value, 0, UINT64_MAX);
        break;
    case CLIENT_OPT_DELAY:
        cfg->delay = cli_parse_double("--delay", value, 0, CLIENT_MAX_SECONDS);
        break;
    case CLIENT_OPT_TIMEOUT:
        cfg->timeout = cli_parse_double("--timeout", value, 0, CLIENT_MAX_SECONDS);
        break;
    }
}

/* getopt reads "-2.5" as the options -2, -., -5: point the way out. */
static void client_unknown(const char *word, int letter)
{
    (void)word;
    if ((letter >= '0' && letter <= '9') || letter == '.')
        cli_usage_error("negative DATA reads as an option; put it after --, as in: "
                        "client HOST:PORT -- -2.5");
}

static const struct cliopt_program client_cli = {.opts = client_opts,
                                                 .count = CLIOPT_COUNT(client_opts),
                                                 .usage = client_usage,
                                                 .take = client_take,
                                                 .unknown = client_unknown};

static void client_parse(int argc, char **argv, struct client_config *cfg)
{
    cfg->number = 0;
    cfg->delay = CLIENT_DEFAULT_DELAY;
    cfg->timeout = CLIENT_DEFAULT_TIMEOUT;
    struct cliopt_args args;
    int status = cliopt_parse(&client_cli, cfg, argc, argv, &args);
    if (status != CLIOPT_GO)
        exit(status);
    if (args.count < 2)
        cli_usage_error("missing %s (see --help)", args.count == 0 ? "HOST:PORT and DATA" : "DATA");
    cfg->address = args.words[0];
    cfg->data = args.words[1];
    cliopt_refuse_extra(&args, 2);
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    struct client c = {.fd = -1};
    client_parse(argc, argv, &c.cfg);
    signal(SIGPIPE, SIG_IGN);

    char err[NET_ERR_LEN];
    if (net_split_hostport(c.cfg.address, c.host, sizeof c.host, c.port, sizeof c.port, err,
                           sizeof err) != 0) {
        cli_error("bad address: %s", err);
        return CLI_EXIT_FAILURE;
    }
    net_format_hostport(c.host, (unsigned)strtoul(c.port, NULL, 10), c.where, sizeof c.where);
    double value;
    if (wire_parse_number(c.cfg.data, strlen(c.cfg.data), &value, err, sizeof err) != 0) {
        cli_error("bad data: %s", err);
        return CLI_EXIT_FAILURE;
    }
    int rc = client_run(&c);
    if (c.fd >= 0)
        close(c.fd);
    return rc;
}
