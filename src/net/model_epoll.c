/* model_epoll.c - non-blocking event loops, one thread each (--threads N, default one per
 * online CPU), each an epoll set of its connections (level-triggered), its timers
 * (evloop.h) and the stop pipe. The loop sleeps in epoll_wait() with its earliest timer
 * as the timeout, so the idle and conversation limits, the send timeout and the linger
 * after an error all cost no system call of their own.
 *
 * The listener: one loop (the first) accepts, admits and hands each connection out in
 * turn, to itself directly and to the others through their inbox and eventfd. Not
 * SO_REUSEPORT with a listener per loop: the kernel would hash connections to loops with
 * no regard for their load, a loop's backlog would die with it at a stop, and the port
 * could be bound again by any other process of the same user while the server runs. One
 * accepting loop also keeps every admission decision (admit.h) on one thread, as in the
 * other models, for one wake-up per connection handed over (none with --threads 1, where
 * one loop does everything). */
#include "convio.h"
#include "evloop.h"
#include "logline.h"
#include "model.h"
#include "timer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define EPOLL_EVENTS 256

/* Tags in epoll_event.data.ptr for what is not a connection. */
static char epoll_tag_listen, epoll_tag_inbox, epoll_tag_stop;

struct econn {
    struct evconn ev; /* first: the evloop's view */
    uint32_t events;  /* what the epoll set watches for it; 0: not in the set yet */
};

struct eloop {
    struct evloop ev;
    int ep;
    atomic_int lfd;     /* the listener, once serving (the first loop only) */
    uint64_t accept_at; /* accepting paused until then (out of descriptors), or 0 */
    pthread_t thread;
};

static struct model_env *env;
static struct eloop *loops;
static unsigned loop_count, next_loop;

static void epoll_fail(const char *call)
{
    char buf[128];
    logline_put("Server: ", call, ": ", net_strerror(errno, buf, sizeof buf));
}

/* Watches ec for events (EPOLLIN or EPOLLOUT). Returns 0, or -1 (logged, to be ended). */
static int epoll_watch(struct eloop *l, struct econn *ec, uint32_t events)
{
    if (ec->events == events)
        return 0;
    struct epoll_event ev = {.events = events, .data.ptr = ec};
    if (epoll_ctl(l->ep, ec->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, ec->ev.c.fd, &ev) != 0) {
        conv_failed(l->ev.conv, &ec->ev.c, "epoll_ctl", errno);
        return -1;
    }
    ec->events = events;
    return 0;
}

static void epoll_drain(struct eloop *l, struct econn *ec)
{
    char sink[256];
    while (ec->ev.drained < CONV_DRAIN_MAX) {
        ssize_t n = recv(ec->ev.c.fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n > 0) {
            ec->ev.drained += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && epoll_watch(l, ec, EPOLLIN) == 0)
            return;
        break;
    }
    evloop_end(&l->ev, &ec->ev);
}

/* The reply is sent (or could not be): close, or linger after an error. */
static void epoll_sent(struct eloop *l, struct econn *ec)
{
    if (ec->ev.c.finish != CONV_FINISH_LINGER) {
        evloop_end(&l->ev, &ec->ev);
        return;
    }
    shutdown(ec->ev.c.fd, SHUT_WR);
    evloop_linger(&l->ev, &ec->ev);
    epoll_drain(l, ec);
}

static void epoll_send(struct eloop *l, struct econn *ec)
{
    struct conv *c = &ec->ev.c;
    while (ec->ev.sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + ec->ev.sent, c->out_len - ec->ev.sent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            ec->ev.sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (epoll_watch(l, ec, EPOLLOUT) != 0)
                break;
            evloop_wait_send(&l->ev, &ec->ev);
            return;
        }
        char buf[128], err[NET_ERR_LEN];
        snprintf(err, sizeof err, "send: %s",
                 n == 0 ? "no progress" : net_strerror(errno, buf, sizeof buf));
        conv_reply_failed(l->ev.conv, c, err);
        break;
    }
    deadline_lane_cancel(&ec->ev.finish);
    epoll_sent(l, ec);
}

/* The conversation is over: its last word, as conv says. */
static void epoll_finish(struct eloop *l, struct econn *ec)
{
    evloop_done(&l->ev, &ec->ev);
    switch (ec->ev.c.finish) {
    case CONV_FINISH_SILENT:
        evloop_end(&l->ev, &ec->ev);
        break;
    case CONV_FINISH_SHED:
        conv_say_busy(ec->ev.c.fd);
        evloop_end(&l->ev, &ec->ev);
        break;
    default:
        epoll_send(l, ec);
        break;
    }
}

/* Reads what is there and feeds it to the conversation. */
static void epoll_read(struct eloop *l, struct econn *ec)
{
    struct conv_server *s = l->ev.conv;
    struct conv *c = &ec->ev.c;
    char buf[CONV_READ_SIZE];
    for (;;) {
        if (conv_shed(s, c) == CONV_DONE)
            break;
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (epoll_watch(l, ec, EPOLLIN) != 0)
                    evloop_end(&l->ev, &ec->ev);
                return;
            }
            conv_failed(s, c, "recv", errno);
            evloop_end(&l->ev, &ec->ev);
            return;
        }
        uint64_t idle = c->dl.idle_at;
        if (conv_input(s, c, buf, (size_t)n, l->ev.now) == CONV_DONE)
            break;
        evloop_progress(&l->ev, &ec->ev, idle);
    }
    epoll_finish(l, ec);
}

/* Most clients send at once: read before waiting, as the blocking models do. */
static void epoll_begin(struct eloop *l, struct econn *ec)
{
    evloop_begin(&l->ev, &ec->ev);
    epoll_read(l, ec);
}

static void epoll_start(void *arg, int fd)
{
    struct eloop *self = arg;
    struct econn *ec = (struct econn *)evloop_conn_new(env->conv, fd, sizeof *ec);
    if (!ec)
        return;
    /* In turn: connections of the same protocol cost about the same. */
    struct eloop *to = &loops[next_loop++ % loop_count];
    if (to == self)
        epoll_begin(self, ec);
    else
        evloop_hand(&to->ev, &ec->ev);
}

static void epoll_event(struct eloop *l, struct econn *ec)
{
    switch (ec->ev.state) {
    case EVCONN_READ:
        epoll_read(l, ec);
        break;
    case EVCONN_SEND:
        epoll_send(l, ec);
        break;
    case EVCONN_LINGER:
        epoll_drain(l, ec);
        break;
    }
}

static void epoll_timers(struct eloop *l)
{
    enum evloop_lane lane;
    struct evconn *ev;
    while ((ev = evloop_due(&l->ev, &lane)) != NULL) {
        struct econn *ec = (struct econn *)ev;
        if (lane == EVLOOP_IDLE || lane == EVLOOP_WHOLE) {
            if (conv_expire(l->ev.conv, &ev->c, l->ev.now) == CONV_DONE)
                epoll_finish(l, ec);
        } else if (lane == EVLOOP_SEND) {
            conv_reply_failed(l->ev.conv, &ev->c, "send: timed out");
            epoll_sent(l, ec);
        } else {
            evloop_end(&l->ev, ev);
        }
    }
}

static void epoll_accept(struct eloop *l)
{
    int lfd = atomic_load_explicit(&l->lfd, memory_order_acquire);
    int backoff = convio_accept(env->conv, lfd, epoll_start, l);
    if (backoff == 0)
        return;
    /* Out of descriptors with no spare: stop watching the listener for a while. */
    struct epoll_event ev = {.events = 0, .data.ptr = &epoll_tag_listen};
    epoll_ctl(l->ep, EPOLL_CTL_MOD, lfd, &ev);
    l->accept_at = l->ev.now + (uint64_t)backoff * 1000000ull;
}

static void epoll_resume_accept(struct eloop *l)
{
    if (!l->accept_at || l->ev.now < l->accept_at)
        return;
    l->accept_at = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &epoll_tag_listen};
    epoll_ctl(l->ep, EPOLL_CTL_MOD, atomic_load(&l->lfd), &ev);
}

static void *epoll_loop_main(void *arg)
{
    struct eloop *l = arg;
    struct epoll_event events[EPOLL_EVENTS];
    for (;;) {
        int timeout = evloop_timeout_ms(&l->ev, evloop_next(&l->ev, l->accept_at));
        int n = epoll_wait(l->ep, events, EPOLL_EVENTS, timeout);
        l->ev.now = timer_wall_ns();
        if (n < 0 && errno != EINTR) {
            epoll_fail("epoll_wait");
            break;
        }
        int stop = 0;
        for (int i = 0; i < n; i++)
            stop |= events[i].data.ptr == &epoll_tag_stop;
        if (stop)
            break;
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == &epoll_tag_listen) {
                epoll_accept(l);
            } else if (tag == &epoll_tag_inbox) {
                uint64_t count;
                if (read(l->ev.wake_fd, &count, sizeof count) < 0) {
                    /* EAGAIN: already read; the inbox is taken whole anyway. */
                }
                struct evconn *ec = evloop_take(&l->ev);
                while (ec) {
                    struct evconn *next = ec->next;
                    epoll_begin(l, (struct econn *)ec);
                    ec = next;
                }
            } else {
                epoll_event(l, tag);
            }
        }
        epoll_resume_accept(l);
        epoll_timers(l);
    }
    /* Stop accepting first (the listener is this loop's to close), then end every
     * connection without a word. */
    int lfd = atomic_exchange(&l->lfd, -1);
    if (lfd >= 0)
        close(lfd);
    evloop_stop(&l->ev, 1);
    return NULL;
}

static int epoll_prepare(struct model_env *e, char *err, size_t errlen)
{
    env = e;
    loop_count = e->threads;
    loops = calloc(loop_count, sizeof *loops);
    if (!loops) {
        snprintf(err, errlen, "epoll: cannot allocate %u loops", loop_count);
        return -1;
    }
    for (unsigned i = 0; i < loop_count; i++) {
        struct eloop *l = &loops[i];
        atomic_init(&l->lfd, -1);
        int rc = evloop_init(&l->ev, i, e->conv);
        const char *call = "eventfd";
        l->ep = rc == 0 ? epoll_create1(EPOLL_CLOEXEC) : -1;
        if (rc == 0 && l->ep < 0) {
            rc = errno;
            call = "epoll_create1";
        }
        struct epoll_event inbox = {.events = EPOLLIN, .data.ptr = &epoll_tag_inbox};
        struct epoll_event stop = {.events = EPOLLIN, .data.ptr = &epoll_tag_stop};
        if (rc == 0 && (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->ev.wake_fd, &inbox) != 0 ||
                        epoll_ctl(l->ep, EPOLL_CTL_ADD, e->stop_rd, &stop) != 0)) {
            rc = errno;
            call = "epoll_ctl";
        }
        if (rc == 0) {
            rc = pthread_create(&l->thread, NULL, epoll_loop_main, l);
            call = "pthread_create";
            if (rc == 0)
                stats_thread_started(&e->conv->stats);
        }
        if (rc != 0) {
            snprintf(err, errlen, "epoll: cannot start loop %u of %u: %s: %s", i + 1, loop_count,
                     call, strerror(rc));
            return -1;
        }
    }
    return 0;
}

/* The loops run from prepare on; serving starts with the listener in the first one's set.
 * This thread waits for a signal, then stops them all: each sees the stop pipe, the first
 * closes the listener, and every one ends its connections. */
static int epoll_serve(struct model_env *e)
{
    struct eloop *first = &loops[0];
    atomic_store_explicit(&first->lfd, e->lfd, memory_order_release);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &epoll_tag_listen};
    int rc = epoll_ctl(first->ep, EPOLL_CTL_ADD, e->lfd, &ev);
    if (rc != 0)
        epoll_fail("epoll_ctl");
    else
        model_wait_wake(e);
    unsigned long long start = timer_wall_ns();
    model_stop_begin(e);
    /* Once every connection has ended the loops are leaving too. */
    if (model_stop_wait(e, start))
        for (unsigned i = 0; i < loop_count; i++)
            pthread_join(loops[i].thread, NULL);
    return rc == 0 ? 0 : -1;
}

const struct model_ops model_epoll = {"epoll", epoll_prepare, epoll_serve};
