/* model_uring.c - completion loops on io_uring (liburing), one thread and one ring each
 * (--threads N, default one per online CPU). A connection always has one operation in
 * flight: a recv while it converses, a send for its last word, a recv again while it
 * lingers after an error. The loop submits and waits in one io_uring_enter() with its
 * earliest timer (evloop.h) as the timeout; a limit that passes cancels the operation in
 * flight, and its completion (-ECANCELED) ends the conversation with "error: timeout".
 *
 * The listener is shared as in the epoll model (evloop.h): the first loop accepts and
 * hands connections out in turn. It learns of pending connections from a poll request on
 * the listener and accepts them (convio_accept, net_accept), which keeps the handling
 * of a full descriptor table in one place. Another loop learns of the connections handed
 * to it from a read request on its eventfd, and every loop of a stop from a poll request
 * on the stop pipe. */
#include "model.h"

#include <stdio.h>

#ifdef PARLAB_HAVE_URING

#include "convio.h"
#include "evloop.h"
#include "timer.h"

#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Submission queue entries; the completion queue is sized for a loop's connections, one
 * completion each in flight, and the kernel keeps any overflow rather than drop it. */
#define URING_ENTRIES    1024
#define URING_CQ_ENTRIES 32768

/* user_data of what is not a connection's operation; a connection's is its address, and
 * its address + 1 for a cancel request, whose completion is ignored. */
static uint64_t uring_tag_listen, uring_tag_inbox, uring_tag_stop;
#define URING_CANCEL_BIT 1u

struct uconn {
    struct evconn ev; /* first: the evloop's view */
    int inflight;     /* an operation of its own is in flight */
    int fired;        /* a timer cancelled that operation */
    char buf[CONV_READ_SIZE];
};

struct uloop {
    struct evloop ev; /* first: the evloop's view */
    struct io_uring ring;
    int polling;         /* a poll request on the listener is in flight */
    uint64_t wake_count; /* the eventfd read's buffer */
    unsigned inflight;   /* connections' operations in flight */
    int stopping;
};

static struct evloop_set uring_loops;

/* A submission entry, submitting what is queued to make room if need be; NULL (logged)
 * when the ring refuses. */
static struct io_uring_sqe *uring_sqe(struct uloop *l)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);
    while (!sqe) {
        int rc = io_uring_submit(&l->ring);
        if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
            convio_log_failure("io_uring_submit", -rc);
            return NULL;
        }
        sqe = io_uring_get_sqe(&l->ring);
    }
    return sqe;
}

/* Queues a connection's operation: recv into its buffer, or send of the rest of its reply. */
static int uring_queue(struct uloop *l, struct uconn *uc, int send)
{
    struct io_uring_sqe *sqe = uring_sqe(l);
    if (!sqe)
        return -1;
    struct conv *c = &uc->ev.c;
    if (send)
        io_uring_prep_send(sqe, c->fd, c->out + uc->ev.sent, c->out_len - uc->ev.sent,
                           MSG_NOSIGNAL);
    else
        io_uring_prep_recv(sqe, c->fd, uc->buf, sizeof uc->buf, 0);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)uc);
    uc->inflight = 1;
    l->inflight++;
    return 0;
}

static void uring_recv(struct uloop *l, struct uconn *uc)
{
    if (uring_queue(l, uc, 0) != 0)
        evloop_end(&l->ev, &uc->ev);
}

/* A timer passed: the operation in flight is cancelled, and its completion acts. */
static void uring_cancel(struct uloop *l, struct uconn *uc)
{
    uc->fired = 1;
    struct io_uring_sqe *sqe = uring_sqe(l);
    if (!sqe)
        return;
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)uc, 0);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)uc | URING_CANCEL_BIT);
}

/* The reply is sent (or could not be): close, or linger after an error. */
static void uring_sent(struct uloop *l, struct uconn *uc)
{
    deadline_lane_cancel(&uc->ev.finish);
    if (uc->ev.c.finish != CONV_FINISH_LINGER) {
        evloop_end(&l->ev, &uc->ev);
        return;
    }
    shutdown(uc->ev.c.fd, SHUT_WR);
    evloop_linger(&l->ev, &uc->ev);
    uring_recv(l, uc);
}

/* The conversation is over: its last word, as conv says. */
static void uring_finish(struct uloop *l, struct uconn *uc)
{
    evloop_done(&l->ev, &uc->ev);
    switch (uc->ev.c.finish) {
    case CONV_FINISH_SILENT:
        evloop_end(&l->ev, &uc->ev);
        break;
    case CONV_FINISH_SHED:
        conv_say_busy(uc->ev.c.fd);
        evloop_end(&l->ev, &uc->ev);
        break;
    default:
        evloop_wait_send(&l->ev, &uc->ev);
        if (uring_queue(l, uc, 1) != 0)
            uring_sent(l, uc);
        break;
    }
}

static void uring_got_input(struct uloop *l, struct uconn *uc, int res, int fired)
{
    struct conv_server *s = l->ev.conv;
    struct conv *c = &uc->ev.c;
    if ((res == -EINTR || res == -EAGAIN) && !fired) {
        uring_recv(l, uc);
        return;
    }
    if (res < 0 && res != -ECANCELED && res != -EINTR && res != -EAGAIN) {
        conv_failed(s, c, "recv", -res);
        evloop_end(&l->ev, &uc->ev);
        return;
    }
    if (res >= 0) {
        uint64_t idle = c->dl.idle_at;
        if (conv_input(s, c, uc->buf, (size_t)res, l->ev.now) == CONV_DONE) {
            uring_finish(l, uc);
            return;
        }
        evloop_progress(&l->ev, &uc->ev, idle);
    }
    if (fired && conv_expire(s, c, l->ev.now) == CONV_DONE) {
        uring_finish(l, uc);
        return;
    }
    uring_recv(l, uc);
}

static void uring_got_sent(struct uloop *l, struct uconn *uc, int res, int fired)
{
    struct conv *c = &uc->ev.c;
    if (res > 0) {
        uc->ev.sent += (size_t)res;
        if (uc->ev.sent == c->out_len) {
            uring_sent(l, uc);
            return;
        }
    }
    if (!fired && (res > 0 || res == -EINTR || res == -EAGAIN)) {
        if (uring_queue(l, uc, 1) != 0)
            uring_sent(l, uc);
        return;
    }
    char buf[128], err[NET_ERR_LEN];
    if (fired)
        snprintf(err, sizeof err, "send: timed out");
    else
        snprintf(err, sizeof err, "send: %s",
                 res == 0 ? "no progress" : net_strerror(-res, buf, sizeof buf));
    conv_reply_failed(l->ev.conv, c, err);
    uring_sent(l, uc);
}

static void uring_got_drained(struct uloop *l, struct uconn *uc, int res, int fired)
{
    if (!fired && (res > 0 || res == -EINTR || res == -EAGAIN)) {
        uc->ev.drained += res > 0 ? (size_t)res : 0;
        if (uc->ev.drained < CONV_DRAIN_MAX) {
            uring_recv(l, uc);
            return;
        }
    }
    evloop_end(&l->ev, &uc->ev);
}

static void uring_complete(struct uloop *l, struct uconn *uc, int res)
{
    int fired = uc->fired;
    uc->inflight = 0;
    uc->fired = 0;
    l->inflight--;
    if (l->stopping)
        return;
    switch (uc->ev.state) {
    case EVCONN_READ:
        uring_got_input(l, uc, res, fired);
        break;
    case EVCONN_SEND:
        uring_got_sent(l, uc, res, fired);
        break;
    case EVCONN_LINGER:
        uring_got_drained(l, uc, res, fired);
        break;
    }
}

static void uring_begin(struct evloop *l, struct evconn *ec)
{
    evloop_begin(l, ec);
    uring_recv((struct uloop *)l, (struct uconn *)ec);
}

static void uring_watch(struct uloop *l, int fd, uint64_t *tag)
{
    struct io_uring_sqe *sqe = uring_sqe(l);
    if (!sqe)
        return;
    if (tag == &uring_tag_inbox)
        io_uring_prep_read(sqe, fd, &l->wake_count, sizeof l->wake_count, 0);
    else
        io_uring_prep_poll_add(sqe, fd, POLLIN);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)tag);
}

/* Returns 1 when the loop is to stop. */
static int uring_event(struct uloop *l, uint64_t data, int res)
{
    if (data == (uint64_t)(uintptr_t)&uring_tag_stop)
        return 1;
    if (data == (uint64_t)(uintptr_t)&uring_tag_listen) {
        l->polling = 0;
        evloop_accept(&l->ev);
        return 0;
    }
    if (data == (uint64_t)(uintptr_t)&uring_tag_inbox) {
        evloop_take(&l->ev);
        uring_watch(l, l->ev.wake_fd, &uring_tag_inbox);
        return 0;
    }
    if (data & URING_CANCEL_BIT)
        return 0;
    uring_complete(l, (struct uconn *)(uintptr_t)data, res);
    return 0;
}

static void uring_timers(struct uloop *l)
{
    enum evloop_lane lane;
    struct evconn *ev;
    while ((ev = evloop_due(&l->ev, &lane)) != NULL) {
        struct uconn *uc = (struct uconn *)ev;
        if (uc->inflight && !uc->fired)
            uring_cancel(l, uc);
    }
}

/* Takes every completion there is; returns 1 if one says stop. */
static int uring_reap(struct uloop *l)
{
    int stop = 0;
    struct io_uring_cqe *cqe;
    while (io_uring_peek_cqe(&l->ring, &cqe) == 0) {
        uint64_t data = io_uring_cqe_get_data64(cqe);
        int res = cqe->res;
        io_uring_cqe_seen(&l->ring, cqe);
        stop |= uring_event(l, data, res);
    }
    return stop;
}

/* Ends every connection without a word. Their operations are ended first (shut sockets
 * complete them at once), so that no completion writes into freed memory; what is not
 * over by the stop's grace is closed but its memory kept. */
static void uring_stop(struct uloop *l)
{
    l->stopping = 1;
    evloop_close_listener(&l->ev);
    for (struct evconn *ec = l->ev.conns.next; ec != &l->ev.conns; ec = ec->next)
        shutdown(ec->c.fd, SHUT_RDWR);
    uint64_t until = timer_wall_ns() + MODEL_STOP_GRACE_NS / 2;
    while (l->inflight > 0) {
        uint64_t now = timer_wall_ns();
        if (now >= until)
            break;
        struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = (long long)(until - now)};
        struct io_uring_cqe *cqe;
        int rc = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
        if (rc < 0 && rc != -ETIME && rc != -EINTR)
            break;
        uring_reap(l);
    }
    int over = l->inflight == 0;
    evloop_stop(&l->ev, over);
    if (over)
        io_uring_queue_exit(&l->ring);
}

static void *uring_loop_main(void *arg)
{
    struct uloop *l = arg;
    uring_watch(l, l->ev.wake_fd, &uring_tag_inbox);
    uring_watch(l, l->ev.set->stop_rd, &uring_tag_stop);
    for (;;) {
        int lfd = atomic_load_explicit(&l->ev.lfd, memory_order_acquire);
        if (lfd >= 0 && !l->polling && (!l->ev.accept_at || l->ev.now >= l->ev.accept_at)) {
            l->ev.accept_at = 0;
            l->polling = 1;
            uring_watch(l, lfd, &uring_tag_listen);
        }
        uint64_t next = evloop_next(&l->ev, l->ev.accept_at);
        struct io_uring_cqe *cqe;
        int rc;
        if (next) {
            uint64_t left = next > l->ev.now ? next - l->ev.now : 0;
            struct __kernel_timespec ts = {.tv_sec = (long long)(left / 1000000000u),
                                           .tv_nsec = (long long)(left % 1000000000u)};
            rc = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
        } else {
            rc = io_uring_submit_and_wait(&l->ring, 1);
        }
        l->ev.now = timer_wall_ns();
        if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
            convio_log_failure("io_uring_enter", -rc);
            break;
        }
        if (uring_reap(l))
            break;
        uring_timers(l);
    }
    uring_stop(l);
    return NULL;
}

/* The rings are made before the server says it listens, so a kernel that refuses io_uring
 * (too old, disabled by kernel.io_uring_disabled, or a seccomp filter, as in many
 * containers) is one line and exit 1, never a hang. */
static int uring_setup(struct evloop *ev, char *err, size_t errlen)
{
    struct uloop *l = (struct uloop *)ev;
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = URING_CQ_ENTRIES;
    int rc = io_uring_queue_init_params(URING_ENTRIES, &l->ring, &params);
    if (rc < 0) {
        char buf[128];
        snprintf(err, errlen, "uring: the kernel refuses io_uring: io_uring_queue_init: %s",
                 net_strerror(-rc, buf, sizeof buf));
        return -1;
    }
    return 0;
}

static const struct evloop_ops uring_ops = {
    .name = "uring",
    .loop_size = sizeof(struct uloop),
    .conn_size = sizeof(struct uconn),
    .setup = uring_setup,
    .main = uring_loop_main,
    .begin = uring_begin,
};

static int uring_prepare(struct model_env *e, char *err, size_t errlen)
{
    return evloop_set_start(&uring_loops, &uring_ops, e->conv, e->threads, e->stop_rd, err, errlen);
}

/* The first loop polls the listener on its next wake-up. */
static int uring_listen(struct evloop *first)
{
    evloop_wake(first);
    return 0;
}

static int uring_serve(struct model_env *e)
{
    return model_serve_loops(e, &uring_loops, uring_listen);
}

const struct model_ops model_uring = {"uring", uring_prepare, uring_serve};

#else

static int uring_prepare(struct model_env *e, char *err, size_t errlen)
{
    (void)e;
    snprintf(err, errlen, "uring: not built (liburing-dev missing)");
    return -1;
}

static int uring_serve(struct model_env *e)
{
    (void)e;
    return -1;
}

const struct model_ops model_uring = {"uring", uring_prepare, uring_serve};

#endif
