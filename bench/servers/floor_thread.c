/* floor_thread - the floor of the thread-per-connection design: one detached pthread per
 * connection with a small stack, blocking reads, one mutex over the mean. Nothing else: no
 * logging, no limits, no timeouts, so that parlab's thread model (src/net/model_thread.c)
 * can be held against the least its design costs.
 *
 * usage: floor_thread PORT (0: a free port); SIGTERM ends it (its default action).
 * Protocol: a connection's bytes accumulate until they end with "ready"; the bytes before
 * are the number (strtod, the whole text); it joins the sum and the reply is the mean of
 * every number so far, "%.17g", then close. Anything else: "error: bad number", close. */
#include "floor.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* parlab's default --stack-size: the same thread, the same price. */
#define FLOOR_STACK_KIB 20

static pthread_mutex_t floor_lock = PTHREAD_MUTEX_INITIALIZER;
static double floor_sum;
static double floor_count;

static void *floor_serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[FLOOR_CONV_MAX + 5];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* gone before "ready": nothing to answer */
            close(fd);
            return NULL;
        }
        len += (size_t)n;
        if (floor_ready(buf, len) || len == sizeof buf)
            break;
    }
    double value;
    char reply[FLOOR_REPLY_MAX] = "error: bad number";
    size_t rlen = sizeof "error: bad number" - 1;
    if (floor_ready(buf, len) && floor_number(buf, len, &value) == 0) {
        pthread_mutex_lock(&floor_lock);
        floor_sum += value;
        floor_count += 1;
        double mean = floor_sum / floor_count;
        pthread_mutex_unlock(&floor_lock);
        rlen = floor_format(mean, reply);
    }
    /* A reply of a few bytes into a fresh connection's send buffer: one write takes it. */
    ssize_t w = write(fd, reply, rlen);
    (void)w;
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    int lfd = floor_listen("floor_thread", argc, argv, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    size_t stack = FLOOR_STACK_KIB * 1024, least = (size_t)PTHREAD_STACK_MIN;
    pthread_attr_setstacksize(&attr, stack < least ? least : stack);
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            /* Out of descriptors or memory: wait for connections to end rather than spin. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
            continue;
        }
        pthread_t tid;
        if (pthread_create(&tid, &attr, floor_serve, (void *)(intptr_t)fd) != 0)
            close(fd);
    }
}
