/* floor_epoll - the floor of the event-loop design: one thread, one level-triggered epoll
 * loop, non-blocking sockets. Nothing else: no logging, no limits, no timeouts, so that
 * parlab's epoll model with one loop (src/net/model_epoll.c, --threads 1) can be held
 * against the least its design costs.
 *
 * usage: floor_epoll PORT (0: a free port); SIGTERM ends it (its default action).
 * Protocol: as floor_thread's: a connection's bytes accumulate until they end with "ready";
 * the bytes before are the number (strtod, the whole text); the reply is the mean of every
 * number so far, "%.17g", then close. Anything else: "error: bad number", close. */
#include "floor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct floor_conn {
    int fd;
    size_t len;
    char buf[FLOOR_CONV_MAX + 5];
};

/* One thread: the sum needs no lock. */
static double floor_sum;
static double floor_count;

static void floor_accept(int ep, int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            /* Out of descriptors or memory: the listener stays readable, so give the
             * connections being served a moment to end rather than spin. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
            return; /* EAGAIN: the queue is empty */
        }
        struct floor_conn *c = malloc(sizeof *c);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (!c || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->len = 0;
    }
}

static void floor_end(struct floor_conn *c)
{
    close(c->fd); /* closing removes it from the epoll set */
    free(c);
}

static void floor_read(struct floor_conn *c)
{
    ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { /* gone before "ready": nothing to answer */
        floor_end(c);
        return;
    }
    c->len += (size_t)n;
    int ready = floor_ready(c->buf, c->len);
    if (!ready && c->len < sizeof c->buf)
        return;
    double value;
    char reply[FLOOR_REPLY_MAX] = "error: bad number";
    size_t rlen = sizeof "error: bad number" - 1;
    if (ready && floor_number(c->buf, c->len, &value) == 0) {
        floor_sum += value;
        floor_count += 1;
        rlen = floor_format(floor_sum / floor_count, reply);
    }
    /* A reply of a few bytes into a fresh connection's send buffer: one write takes it. */
    ssize_t w = write(c->fd, reply, rlen);
    (void)w;
    floor_end(c);
}

int main(int argc, char **argv)
{
    int lfd = floor_listen("floor_epoll", argc, argv, SOCK_NONBLOCK);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) != 0) {
        fprintf(stderr, "floor_epoll: epoll: %s\n", strerror(errno));
        return 1;
    }
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr)
                floor_read(events[i].data.ptr);
            else
                floor_accept(ep, lfd);
        }
    }
}
