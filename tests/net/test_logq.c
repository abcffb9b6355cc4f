/* test_logq - the log queue: lines come out whole and in order; with a reader that never
 * reads, posting never waits, the lines that do not fit are counted, and a stop keeps its
 * time budget and writes the last line only after all the others. */
#include "logq.h"
#include "check.h"
#include "timer.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ull

static size_t read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    ssize_t n;
    while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
        len += (size_t)n;
    return len;
}

static int post_number(struct logq *q, unsigned i)
{
    char line[64];
    int len = snprintf(line, sizeof line, "line %u of the log\n", i);
    return logq_post(q, line, (size_t)len);
}

/* A reader that keeps up: everything, in order, then the last line. */
static void test_in_order(void)
{
    int p[2];
    REQUIRE_EQ(pipe(p), 0);
    struct logq q;
    _Atomic uint64_t dropped = 0;
    char err[128];
    REQUIRE_EQ(logq_start(&q, p[1], 4096, &dropped, err, sizeof err), 0);
    /* The pipe (64 KiB) takes it all; the queue is only 4 KiB, so the writer must keep up:
     * post in bursts that fit, waiting for it in between. */
    for (unsigned i = 0; i < 2000; i++) {
        while (post_number(&q, i) != 0) {
            dropped = 0;
            usleep(1000);
        }
        if (i % 100 == 99)
            usleep(2000);
    }
    /* Wait until the writer has caught up before the stop: on a slow machine it may not be
     * scheduled within the stop's budget, and what it never reached is rightly lost. */
    int expected = 0, queued = 0;
    for (unsigned i = 0; i < 2000; i++)
        expected += snprintf(NULL, 0, "line %u of the log\n", i);
    for (int waited = 0; waited < 10000; waited++) {
        if (ioctl(p[0], FIONREAD, &queued) == 0 && queued >= expected)
            break;
        usleep(1000);
    }
    int error = -1;
    ASSERT_EQ(logq_stop(&q, "last\n", 5, 500 * MS, &error), 0);
    ASSERT_EQ(error, 0);
    close(p[1]);
    static char buf[1 << 17];
    size_t len = read_all(p[0], buf, sizeof buf);
    close(p[0]);
    buf[len] = '\0';
    char *at = buf;
    int ok = 1;
    for (unsigned i = 0; i < 2000 && ok; i++) {
        char want[64];
        int n = snprintf(want, sizeof want, "line %u of the log\n", i);
        ok = strncmp(at, want, (size_t)n) == 0;
        at += n;
    }
    ASSERT(ok);
    ASSERT_STR_EQ(at, "last\n");
    logq_free(&q);
}

/* A reader that never reads: posts return at once, the overflow is counted, the stop is
 * on time, and the pipe holds a prefix of the lines, whole. */
static void test_blocked(void)
{
    int p[2];
    REQUIRE_EQ(pipe(p), 0);
    struct logq q;
    _Atomic uint64_t dropped = 0;
    char err[128];
    REQUIRE_EQ(logq_start(&q, p[1], 16384, &dropped, err, sizeof err), 0);
    unsigned posted = 0, refused = 0, total = 20000;
    uint64_t t0 = timer_wall_ns();
    for (unsigned i = 0; i < total; i++) {
        if (post_number(&q, i) == 0)
            posted++;
        else
            refused++;
    }
    uint64_t posting = timer_wall_ns() - t0;
    ASSERT_GT(refused, 0);
    ASSERT_LT(posting, 2000 * MS); /* no post waited for the reader */
    int error = -1;
    t0 = timer_wall_ns();
    uint64_t lost = logq_stop(&q, "last\n", 5, 100 * MS, &error);
    uint64_t stopping = timer_wall_ns() - t0;
    ASSERT_LT(stopping, 300 * MS);
    ASSERT_EQ(error, 0);
    /* Closed: later posts are discarded, not counted. */
    ASSERT_EQ(post_number(&q, 0), -1);
    ASSERT_EQ(dropped, lost);
    close(p[1]);
    static char buf[1 << 17];
    size_t len = read_all(p[0], buf, sizeof buf - 1);
    close(p[0]);
    buf[len] = '\0';
    ASSERT(len > 0 && buf[len - 1] == '\n');
    /* Whole lines, in the order posted, with gaps where lines were dropped, then the last
     * line if the pipe had room for everything still queued at the stop. */
    unsigned lines = 0;
    long last = -1;
    int ok = 1;
    if (len >= 5 && strcmp(buf + len - 5, "last\n") == 0) {
        buf[len - 5] = '\0';
        lines++;
    }
    for (char *at = buf; *at && ok; lines++) {
        unsigned i;
        int n = 0;
        ok = sscanf(at, "line %u of the log%n", &i, &n) == 1 && at[n++] == '\n' && (long)i > last;
        last = (long)i;
        at += n;
    }
    ASSERT(ok);
    /* Every line is either in the pipe or counted, the last one included. */
    ASSERT_EQ(lines + lost, total + 1);
    logq_free(&q);
}

/* A reader that left: writes fail with EPIPE, lines are counted, nothing waits. */
static void test_closed_reader(void)
{
    int p[2];
    REQUIRE_EQ(pipe(p), 0);
    close(p[0]);
    struct logq q;
    _Atomic uint64_t dropped = 0;
    char err[128];
    REQUIRE_EQ(logq_start(&q, p[1], 4096, &dropped, err, sizeof err), 0);
    for (unsigned i = 0; i < 10; i++)
        post_number(&q, i);
    /* Let the writer try before the stop: a slow machine may not run it within the stop's
     * budget, and lines it never tried are lost without an error. */
    struct timespec tick = {0, 1000000};
    for (int waited = 0; atomic_load(&dropped) < 10 && waited < 10000; waited++)
        nanosleep(&tick, NULL);
    int error = 0;
    ASSERT_EQ(logq_stop(&q, "last\n", 5, 200 * MS, &error), 11);
    ASSERT_EQ(error, EPIPE);
    close(p[1]);
    logq_free(&q);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_in_order();
    test_blocked();
    test_closed_reader();
    return check_done();
}
