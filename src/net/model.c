/* model.c - what the server's models share: the accepting loop of the blocking models, the
 * serving of the event-loop ones and the steps of a stop (see model.h). */
#include "model.h"

#include "convio.h"
#include "timer.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

void model_accept_loop(struct model_env *e, void (*start)(void *arg, int fd), void *arg)
{
    struct pollfd pfd[2] = {{.fd = e->lfd, .events = POLLIN}, {.fd = e->wake_rd, .events = POLLIN}};
    int backoff = 0;
    for (;;) {
        /* While backing off, only the wake pipe is watched. */
        pfd[0].fd = backoff ? -1 : e->lfd;
        int rc = poll(pfd, 2, backoff ? backoff : -1);
        if (rc < 0 && errno != EINTR) {
            convio_log_failure("poll", errno);
            break;
        }
        if (rc > 0 && pfd[1].revents)
            break;
        backoff =
            rc > 0 && (pfd[0].revents & POLLIN) ? convio_accept(e->conv, e->lfd, start, arg) : 0;
    }
    close(e->lfd);
    e->lfd = -1;
}

void model_wait_wake(struct model_env *e)
{
    struct pollfd wake = {.fd = e->wake_rd, .events = POLLIN};
    while (poll(&wake, 1, -1) < 0 && errno == EINTR)
        ;
}

void model_stop_begin(struct model_env *e)
{
    atomic_store_explicit(&e->conv->stopping, 1, memory_order_relaxed);
    close(e->stop_wr);
    e->stop_wr = -1;
}

int model_stop_wait(struct model_env *e, unsigned long long start_ns)
{
    unsigned long long until = start_ns + MODEL_STOP_GRACE_NS;
    struct timespec tick = {0, 1000000};
    while (atomic_load(&e->conv->stats.connections_active) > 0) {
        if (timer_wall_ns() >= until)
            return 0;
        nanosleep(&tick, NULL);
    }
    return 1;
}

int model_serve_loops(struct model_env *e, struct evloop_set *loops,
                      int (*listen)(struct evloop *first))
{
    struct evloop *first = evloop_at(loops, 0);
    atomic_store_explicit(&first->lfd, e->lfd, memory_order_release);
    int rc = listen(first);
    if (rc == 0)
        model_wait_wake(e);
    unsigned long long start = timer_wall_ns();
    model_stop_begin(e);
    /* Once every connection has ended the loops are leaving too. */
    if (model_stop_wait(e, start))
        evloop_set_join(loops);
    return rc;
}
