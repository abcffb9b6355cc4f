/* model_epoll.c - non-blocking event loops, one thread each (--threads N, default one per
 * online CPU), each an epoll set of its connections (level-triggered), its timers
 * (evloop.h) and the stop pipe. The loop sleeps in epoll_wait() with its earliest timer
 * as the timeout, so the idle and conversation limits, the send timeout and the linger
 * after an error all cost no system call of their own. The first loop has the listener
 * in its set and hands connections out (evloop.h). */
#include "convio.h"
#include "evloop.h"
#include "model.h"
#include "timer.h"

#include <errno.h>
#include <stdio.h>
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
    struct evloop ev; /* first: the evloop's view */
    int ep;
};

static struct evloop_set epoll_loops;

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

/* Reads what is there into the conversation; when that is all, waits for more. */
static void epoll_read(struct eloop *l, struct econn *ec)
{
    struct conv *c = &ec->ev.c;
    uint64_t idle = c->dl.idle_at;
    switch (convio_read(l->ev.conv, c, l->ev.now)) {
    case CONVIO_READ_DONE:
        epoll_finish(l, ec);
        break;
    case CONVIO_READ_FAILED:
        evloop_end(&l->ev, &ec->ev);
        break;
    case CONVIO_READ_AGAIN:
        evloop_progress(&l->ev, &ec->ev, idle);
        if (epoll_watch(l, ec, EPOLLIN) != 0)
            evloop_end(&l->ev, &ec->ev);
        break;
    }
}

/* Most clients send at once: read before waiting, as the blocking models do. */
static void epoll_begin(struct evloop *l, struct evconn *ec)
{
    evloop_begin(l, ec);
    epoll_read((struct eloop *)l, (struct econn *)ec);
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
    if (evloop_accept(&l->ev) == 0)
        return;
    /* Out of descriptors with no spare: stop watching the listener for a while. */
    struct epoll_event ev = {.events = 0, .data.ptr = &epoll_tag_listen};
    epoll_ctl(l->ep, EPOLL_CTL_MOD, atomic_load(&l->ev.lfd), &ev);
}

static void epoll_resume_accept(struct eloop *l)
{
    if (!l->ev.accept_at || l->ev.now < l->ev.accept_at)
        return;
    l->ev.accept_at = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &epoll_tag_listen};
    epoll_ctl(l->ep, EPOLL_CTL_MOD, atomic_load(&l->ev.lfd), &ev);
}

static void *epoll_loop_main(void *arg)
{
    struct eloop *l = arg;
    struct epoll_event events[EPOLL_EVENTS];
    for (;;) {
        int timeout = evloop_timeout_ms(&l->ev, evloop_next(&l->ev, l->ev.accept_at));
        int n = epoll_wait(l->ep, events, EPOLL_EVENTS, timeout);
        l->ev.now = timer_wall_ns();
        if (n < 0 && errno != EINTR) {
            convio_log_failure("epoll_wait", errno);
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
                evloop_take(&l->ev);
            } else {
                epoll_event(l, tag);
            }
        }
        epoll_resume_accept(l);
        epoll_timers(l);
    }
    /* Stop accepting first (the listener is this loop's to close), then end every
     * connection without a word. */
    evloop_close_listener(&l->ev);
    evloop_stop(&l->ev, 1);
    return NULL;
}

/* A loop's epoll set: its inbox's eventfd and the stop pipe (the listener comes later). */
static int epoll_setup(struct evloop *ev, char *err, size_t errlen)
{
    struct eloop *l = (struct eloop *)ev;
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    if (l->ep < 0)
        return evloop_start_failed(ev, "epoll_create1", errno, err, errlen);
    struct epoll_event inbox = {.events = EPOLLIN, .data.ptr = &epoll_tag_inbox};
    struct epoll_event stop = {.events = EPOLLIN, .data.ptr = &epoll_tag_stop};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, ev->wake_fd, &inbox) != 0 ||
        epoll_ctl(l->ep, EPOLL_CTL_ADD, ev->set->stop_rd, &stop) != 0)
        return evloop_start_failed(ev, "epoll_ctl", errno, err, errlen);
    return 0;
}

static const struct evloop_ops epoll_ops = {
    .name = "epoll",
    .loop_size = sizeof(struct eloop),
    .conn_size = sizeof(struct econn),
    .setup = epoll_setup,
    .main = epoll_loop_main,
    .begin = epoll_begin,
};

static int epoll_prepare(struct model_env *e, char *err, size_t errlen)
{
    return evloop_set_start(&epoll_loops, &epoll_ops, e->conv, e->threads, e->stop_rd, err, errlen);
}

/* Serving starts with the listener in the first loop's set. */
static int epoll_listen(struct evloop *first)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &epoll_tag_listen};
    if (epoll_ctl(((struct eloop *)first)->ep, EPOLL_CTL_ADD, atomic_load(&first->lfd), &ev) == 0)
        return 0;
    convio_log_failure("epoll_ctl", errno);
    return -1;
}

static int epoll_serve(struct model_env *e)
{
    return model_serve_loops(e, &epoll_loops, epoll_listen);
}

const struct model_ops model_epoll = {"epoll", epoll_prepare, epoll_serve};
