/* verify.c - the final exact-mean check (see verify.h). */
#include "verify.h"

#include "net.h"
#include "pyfloat.h"
#include "timer.h"
#include "wire.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define VERIFY_EXACT_LIMIT (1ull << 53)
#define VERIFY_REPLY_MAX   256

int verify_mean(int64_t sum, uint64_t abs_sum, uint64_t count, double *mean)
{
    if (count == 0 || abs_sum > VERIFY_EXACT_LIMIT || count > VERIFY_EXACT_LIMIT)
        return -1;
    *mean = (double)sum / (double)count;
    return 0;
}

/* The whole protocol, blocking: returns the reply's length or -1 with msg set. */
static ssize_t verify_session(const struct target *t, const char *number, int timeout_ms,
                              char *reply, size_t cap, char *msg, size_t msglen)
{
    char err[NET_ERR_LEN];
    int fd = net_connect(t->host, t->port, timeout_ms, err, sizeof err);
    if (fd < 0) {
        snprintf(msg, msglen, "the checking session cannot connect: %s", err);
        return -1;
    }
    if (net_send_all(fd, number, strlen(number), -1, timeout_ms, err, sizeof err) != 0 ||
        net_send_all(fd, "ready", 5, -1, timeout_ms, err, sizeof err) != 0) {
        snprintf(msg, msglen, "the checking session cannot send: %s", err);
        close(fd);
        return -1;
    }
    size_t len = 0;
    uint64_t deadline = timer_wall_ns() + (uint64_t)timeout_ms * 1000000ull;
    for (;;) {
        ssize_t n = recv(fd, reply + len, cap - 1 - len, 0);
        if (n > 0) {
            len += (size_t)n;
            if (len < cap - 1)
                continue;
            break;
        }
        if (n == 0)
            break;
        if (errno == EINTR)
            continue;
        if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
            net_wait_readable(fd, -1, net_ms_until(deadline)) == 1)
            continue;
        snprintf(msg, msglen, "the checking session got no reply: %s",
                 errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    reply[len] = '\0';
    return (ssize_t)len;
}

int verify_run(const struct target *target, int64_t value, uint64_t timeout_ns,
               const struct tally *total, char *msg, size_t msglen)
{
    if (total->uncertain) {
        snprintf(msg, msglen,
                 "cannot check the mean: %" PRIu64
                 " sessions failed after sending their number, so whether the server "
                 "added them is unknown",
                 total->uncertain);
        return -1;
    }
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    uint64_t abs_sum =
        total->value_abs_sum > UINT64_MAX - mag ? UINT64_MAX : total->value_abs_sum + mag;
    uint64_t count = total->value_count + 1;
    double expected;
    if (verify_mean(total->value_sum + value, abs_sum, count, &expected) != 0) {
        snprintf(msg, msglen, "cannot check the mean: the numbers sent add up past 2**53");
        return -1;
    }
    char number[24], reply[VERIFY_REPLY_MAX];
    snprintf(number, sizeof number, "%" PRId64, value);
    int timeout_ms = (int)(timeout_ns / 1000000u);
    ssize_t n = verify_session(target, number, timeout_ms, reply, sizeof reply, msg, msglen);
    if (n < 0)
        return -1;
    char want[PYFLOAT_LEN], quoted[128];
    pyfloat_format(expected, want);
    wire_quote(reply, (size_t)n, 40, quoted, sizeof quoted);
    double got;
    int parsed = wire_parse_number(reply, (size_t)n, &got, NULL, 0) == 0;
    if (parsed && got == expected && strcmp(reply, want) == 0) {
        snprintf(msg, msglen,
                 "the server's mean %s is the exact mean of the %" PRIu64 " numbers sent", reply,
                 count);
        return 0;
    }
    snprintf(msg, msglen,
             "the server's mean is %s, but the exact mean of the %" PRIu64 " numbers sent is %s%s",
             quoted, count, want,
             parsed && got == expected ? " (same value, not as Python prints it)"
                                       : " (was the server fresh?)");
    return 1;
}
