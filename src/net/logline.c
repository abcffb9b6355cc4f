/* logline.c - whole-line, lock-protected writes to standard output. */
#include "logline.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t logline_lock = PTHREAD_MUTEX_INITIALIZER;
static int logline_closed; /* guarded by logline_lock */

/* write() may be cut short by a signal or a full pipe; finish the line. A closed stdout
 * (EPIPE, SIGPIPE being ignored) just drops it. */
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
    pthread_mutex_lock(&logline_lock);
    if (!logline_closed)
        logline_write_all(buf, len);
    pthread_mutex_unlock(&logline_lock);
}

void logline_last(const char *line)
{
    char buf[LOGLINE_MAX];
    size_t len = logline_append(buf, 0, line);
    buf[len++] = '\n';
    pthread_mutex_lock(&logline_lock);
    if (!logline_closed)
        logline_write_all(buf, len);
    logline_closed = 1;
    pthread_mutex_unlock(&logline_lock);
}
