/* logline.c - whole log lines, built on the caller's stack and queued for stdout. */
#include "logline.h"

#include "logq.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static struct logq logline_q;
/* Set before any thread that logs is started, never cleared. */
static int logline_started;
/* Without logline_start(): the lines written directly. */
static pthread_mutex_t logline_lock = PTHREAD_MUTEX_INITIALIZER;
static int logline_closed; /* guarded by logline_lock */

static void logline_write_all(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static size_t logline_append(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (n > LOGLINE_MAX - 1 - len)
        n = LOGLINE_MAX - 1 - len;
    memcpy(buf + len, s, n);
    return len + n;
}

void logline_parts(const char *first, ...)
{
    char buf[LOGLINE_MAX];
    size_t len = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        len = logline_append(buf, len, s);
    va_end(ap);
    buf[len++] = '\n';
    if (logline_started) {
        logq_post(&logline_q, buf, len);
        return;
    }
    pthread_mutex_lock(&logline_lock);
    if (!logline_closed)
        logline_write_all(buf, len);
    pthread_mutex_unlock(&logline_lock);
}

int logline_start(_Atomic uint64_t *dropped, char *err, size_t errlen)
{
    if (logq_start(&logline_q, STDOUT_FILENO, LOGLINE_QUEUE, dropped, err, errlen) != 0)
        return -1;
    logline_started = 1;
    return 0;
}

uint64_t logline_stop(const char *line, uint64_t budget_ns, int *error)
{
    char buf[LOGLINE_MAX];
    size_t len = logline_append(buf, 0, line);
    buf[len++] = '\n';
    *error = 0;
    if (!logline_started) {
        pthread_mutex_lock(&logline_lock);
        if (!logline_closed)
            logline_write_all(buf, len);
        logline_closed = 1;
        pthread_mutex_unlock(&logline_lock);
        return 0;
    }
    return logq_stop(&logline_q, buf, len, budget_ns, error);
}

void logline_last(const char *line)
{
    int error;
    logline_stop(line, LOGLINE_LAST_BUDGET_NS, &error);
}
