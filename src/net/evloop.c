/* evloop.c - loop threads, connections, timers and hand-over for the event-loop models (see
 * evloop.h). */
#include "evloop.h"

#include "convio.h"
#include "timer.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* Returns 0, or -1 with "call: reason" in err. */
static int evloop_init(struct evloop *l, struct evloop_set *set, unsigned index, char *err,
                       size_t errlen)
{
    l->set = set;
    l->index = index;
    l->conv = set->conv;
    l->now = timer_wall_ns();
    for (int i = 0; i < EVLOOP_LANES; i++)
        deadline_lane_init(&l->lanes[i]);
    l->conns.prev = l->conns.next = &l->conns;
    l->inbox_head = l->inbox_tail = NULL;
    l->inbox_closed = 0;
    atomic_init(&l->lfd, -1);
    l->accept_at = 0;
    l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->wake_fd < 0)
        return evloop_start_failed(l, "eventfd", errno, err, errlen);
    int rc = pthread_mutex_init(&l->lock, NULL);
    return rc == 0 ? 0 : evloop_start_failed(l, "pthread_mutex_init", rc, err, errlen);
}

int evloop_start_failed(const struct evloop *l, const char *call, int errnum, char *err,
                        size_t errlen)
{
    char buf[128];
    snprintf(err, errlen, "%s: cannot start loop %u of %u: %s: %s", l->set->ops->name, l->index + 1,
             l->set->count, call, net_strerror(errnum, buf, sizeof buf));
    return -1;
}

struct evloop *evloop_at(const struct evloop_set *set, unsigned i)
{
    return (struct evloop *)(void *)(set->loops + (size_t)i * set->ops->loop_size);
}

int evloop_set_start(struct evloop_set *set, const struct evloop_ops *ops, struct conv_server *conv,
                     unsigned count, int stop_rd, char *err, size_t errlen)
{
    set->ops = ops;
    set->conv = conv;
    set->stop_rd = stop_rd;
    set->count = count;
    set->next = 0;
    set->loops = calloc(count, ops->loop_size);
    if (!set->loops) {
        snprintf(err, errlen, "%s: cannot allocate %u loops", ops->name, count);
        return -1;
    }
    for (unsigned i = 0; i < count; i++) {
        struct evloop *l = evloop_at(set, i);
        if (evloop_init(l, set, i, err, errlen) != 0 || ops->setup(l, err, errlen) != 0)
            return -1;
        int rc = pthread_create(&l->thread, NULL, ops->main, l);
        if (rc != 0)
            return evloop_start_failed(l, "pthread_create", rc, err, errlen);
        stats_thread_started(&conv->stats);
    }
    return 0;
}

void evloop_set_join(struct evloop_set *set)
{
    for (unsigned i = 0; i < set->count; i++)
        pthread_join(evloop_at(set, i)->thread, NULL);
}

void evloop_wake(struct evloop *l)
{
    uint64_t one = 1;
    if (write(l->wake_fd, &one, sizeof one) < 0) {
        /* The counter cannot overflow at one write per batch; nothing else can fail. */
    }
}

/* Allocates a connection for descriptor fd, admitted (conv_admit()); NULL, with the
 * descriptor let go and turned away, when out of memory. */
static struct evconn *evloop_conn_new(struct conv_server *s, int fd, size_t size)
{
    struct evconn *ec = calloc(1, size);
    if (!ec) {
        conv_unadmit(s, fd, "out of memory");
        return NULL;
    }
    conv_init(s, &ec->c, fd);
    return ec;
}

/* convio_accept()'s hand-out, on the accepting loop: in turn, since connections of the
 * same protocol cost about the same. */
static void evloop_start_conn(void *arg, int fd)
{
    struct evloop *self = arg;
    struct evloop_set *set = self->set;
    struct evconn *ec = evloop_conn_new(set->conv, fd, set->ops->conn_size);
    if (!ec)
        return;
    struct evloop *to = evloop_at(set, set->next++ % set->count);
    if (to == self)
        set->ops->begin(self, ec);
    else
        evloop_hand(to, ec);
}

int evloop_accept(struct evloop *l)
{
    int lfd = atomic_load_explicit(&l->lfd, memory_order_acquire);
    int backoff = lfd >= 0 ? convio_accept(l->conv, lfd, evloop_start_conn, l) : 0;
    if (backoff)
        l->accept_at = l->now + (uint64_t)backoff * 1000000ull;
    return backoff;
}

/* shutdown() first: it takes the socket out of LISTEN at once, whoever else still holds
 * it. An io_uring poll in flight on the listener does, until the ring is torn down, which
 * the kernel finishes after the process has exited; without it the next server to bind
 * the port could find it still listening. */
void evloop_close_listener(struct evloop *l)
{
    int lfd = atomic_exchange(&l->lfd, -1);
    if (lfd >= 0) {
        (void)shutdown(lfd, SHUT_RDWR);
        close(lfd);
    }
}

void evloop_hand(struct evloop *l, struct evconn *ec)
{
    pthread_mutex_lock(&l->lock);
    int closed = l->inbox_closed;
    int wake = !closed && !l->inbox_head;
    if (!closed) {
        ec->next = NULL;
        if (l->inbox_tail)
            l->inbox_tail->next = ec;
        else
            l->inbox_head = ec;
        l->inbox_tail = ec;
    }
    pthread_mutex_unlock(&l->lock);
    if (closed) {
        conv_end(l->conv, &ec->c);
        free(ec);
        return;
    }
    /* Only the first of a batch wakes the loop: it takes them all at once. */
    if (wake)
        evloop_wake(l);
}

void evloop_take(struct evloop *l)
{
    pthread_mutex_lock(&l->lock);
    struct evconn *ec = l->inbox_head;
    l->inbox_head = l->inbox_tail = NULL;
    pthread_mutex_unlock(&l->lock);
    while (ec) {
        struct evconn *next = ec->next;
        l->set->ops->begin(l, ec);
        ec = next;
    }
}

void evloop_begin(struct evloop *l, struct evconn *ec)
{
    ec->loop = l;
    ec->state = EVCONN_READ;
    ec->next = l->conns.next;
    ec->prev = &l->conns;
    l->conns.next->prev = ec;
    l->conns.next = ec;
    conv_begin(l->conv, &ec->c, l->now);
    deadline_lane_arm(&l->lanes[EVLOOP_IDLE], &ec->idle, ec->c.dl.idle_at);
    deadline_lane_arm(&l->lanes[EVLOOP_WHOLE], &ec->whole, ec->c.dl.conversation_at);
}

void evloop_progress(struct evloop *l, struct evconn *ec, uint64_t idle_before)
{
    /* Only when it moved: it moved to now + the idle limit, later than every other. */
    if (ec->c.dl.idle_at != idle_before)
        deadline_lane_arm(&l->lanes[EVLOOP_IDLE], &ec->idle, ec->c.dl.idle_at);
}

void evloop_done(struct evloop *l, struct evconn *ec)
{
    (void)l;
    deadline_lane_cancel(&ec->idle);
    deadline_lane_cancel(&ec->whole);
    ec->state = EVCONN_SEND;
    ec->sent = 0;
}

void evloop_wait_send(struct evloop *l, struct evconn *ec)
{
    if (!ec->finish.next)
        deadline_lane_arm(&l->lanes[EVLOOP_SEND], &ec->finish,
                          l->now + CONV_SEND_TIMEOUT_MS * 1000000ull);
}

void evloop_linger(struct evloop *l, struct evconn *ec)
{
    ec->state = EVCONN_LINGER;
    ec->drained = 0;
    deadline_lane_arm(&l->lanes[EVLOOP_LINGER], &ec->finish, l->now + CONV_LINGER_MS * 1000000ull);
}

uint64_t evloop_next(const struct evloop *l, uint64_t extra_ns)
{
    uint64_t next = extra_ns;
    for (int i = 0; i < EVLOOP_LANES; i++)
        next = deadline_lane_next(&l->lanes[i], next);
    return next;
}

int evloop_timeout_ms(const struct evloop *l, uint64_t at_ns)
{
    if (at_ns == 0)
        return -1;
    if (at_ns <= l->now)
        return 0;
    /* Rounded up: waking a little late costs nothing, waking early a spin. */
    uint64_t ms = (at_ns - l->now + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

struct evconn *evloop_due(struct evloop *l, enum evloop_lane *lane)
{
    static const size_t offsets[EVLOOP_LANES] = {
        offsetof(struct evconn, idle),
        offsetof(struct evconn, whole),
        offsetof(struct evconn, finish),
        offsetof(struct evconn, finish),
    };
    for (int i = 0; i < EVLOOP_LANES; i++) {
        struct deadline_timer *t = deadline_lane_due(&l->lanes[i], l->now);
        if (t) {
            deadline_lane_cancel(t);
            *lane = (enum evloop_lane)i;
            return (struct evconn *)(void *)((char *)t - offsets[i]);
        }
    }
    return NULL;
}

void evloop_end(struct evloop *l, struct evconn *ec)
{
    (void)l;
    deadline_lane_cancel(&ec->idle);
    deadline_lane_cancel(&ec->whole);
    deadline_lane_cancel(&ec->finish);
    ec->prev->next = ec->next;
    ec->next->prev = ec->prev;
    conv_end(ec->loop->conv, &ec->c);
    free(ec);
}

void evloop_stop(struct evloop *l, int release)
{
    pthread_mutex_lock(&l->lock);
    l->inbox_closed = 1;
    struct evconn *waiting = l->inbox_head;
    l->inbox_head = l->inbox_tail = NULL;
    pthread_mutex_unlock(&l->lock);
    while (waiting) {
        struct evconn *next = waiting->next;
        conv_end(l->conv, &waiting->c);
        free(waiting);
        waiting = next;
    }
    if (release) {
        while (l->conns.next != &l->conns)
            evloop_end(l, l->conns.next);
        return;
    }
    for (struct evconn *ec = l->conns.next; ec != &l->conns; ec = ec->next)
        conv_end(l->conv, &ec->c);
}
