/* engine.c - threads of epoll loops driving sessions (see engine.h). */
#include "engine.h"

#include "session.h"
#include "timer.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define ENGINE_EVENTS 256
/* How long a loop with nothing to do waits before looking at the stop flag again. */
#define ENGINE_POLL_MS 100
#define ENGINE_SECOND  1000000000ull

struct engine;

struct engine_thread {
    struct engine *eng;
    unsigned index;
    unsigned nclients;
    pthread_t tid;
    struct session *sessions;
    unsigned *idle; /* stack of idle clients */
    unsigned nidle;
    unsigned running;
    struct queue active; /* by deadline */
    struct queue paused; /* by the end of the pause */
    int ep, tfd;
    uint64_t armed_ns; /* the timerfd's expiry; 0 when not armed */
    uint64_t next_j;   /* open loop: this thread's next arrival, counted in its share */
    uint64_t seq;      /* sessions started, for the values */
    int exhausted;     /* starts no more sessions */
    int saw_connect;
    struct session_opts opts;
    struct tally tally;
    atomic_uint_fast64_t shown_ok, shown_errors; /* for the progress line */
    char err[NET_ERR_LEN];
};

struct engine {
    const struct engine_config *cfg;
    unsigned nthreads;
    uint64_t t0, measure_ns, end_ns; /* end_ns 0: until `sessions` are done */
    double ns_per_session;           /* open loop */
    uint64_t first_measured;         /* open loop: the first arrival after the warm-up */
    atomic_uint_fast64_t claimed;    /* closed loop, --sessions: measured sessions started */
    atomic_uint_fast64_t connect_failures;
    atomic_int connected_any;
    atomic_int halt; /* nobody can connect, or a loop failed */
    int done_fd;     /* eventfd: threads that finished */
    struct engine_thread *threads;
};

int64_t engine_value(int64_t lo, int64_t hi, uint64_t k)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(k % span);
}

static int engine_stopping(const struct engine *e)
{
    return atomic_load_explicit(e->cfg->stop, memory_order_relaxed) ||
           atomic_load_explicit(&e->halt, memory_order_relaxed);
}

static uint64_t engine_due(const struct engine *e, uint64_t i)
{
    return e->t0 + (uint64_t)((double)i * e->ns_per_session);
}

static void engine_finish(struct engine_thread *th, struct session *s, uint64_t end_ns)
{
    struct engine *e = th->eng;
    queue_remove(&th->active, &s->by_deadline);
    queue_remove(&th->paused, &s->by_wake);
    session_close(s);
    if (s->outcome == TALLY_CONNECT) {
        uint64_t failed =
            atomic_fetch_add_explicit(&e->connect_failures, 1, memory_order_relaxed) + 1;
        /* Every client has tried and nobody ever got through: the server is not there. */
        if (failed >= e->cfg->clients && !atomic_load(&e->connected_any))
            atomic_store(&e->halt, 1);
    }
    session_tally(s, &th->tally, end_ns);
    atomic_store_explicit(&th->shown_ok, th->tally.sessions, memory_order_relaxed);
    atomic_store_explicit(&th->shown_errors, tally_errors(&th->tally), memory_order_relaxed);
    s->state = SESSION_IDLE;
    th->running--;
    th->idle[th->nidle++] = (unsigned)(s - th->sessions);
}

static void engine_step(struct engine_thread *th, struct session *s, enum session_step step)
{
    if (s->connected && !th->saw_connect) {
        th->saw_connect = 1;
        atomic_store(&th->eng->connected_any, 1);
    }
    if (step == SESSION_PAUSE) {
        s->wake_ns = timer_wall_ns() + th->eng->cfg->delay_ns;
        queue_push(&th->paused, &s->by_wake);
    } else if (step == SESSION_FINISHED) {
        engine_finish(th, s, timer_wall_ns());
    }
}

static void engine_start(struct engine_thread *th, uint64_t origin_ns, uint64_t now, int measured)
{
    const struct engine_config *cfg = th->eng->cfg;
    struct session *s = &th->sessions[th->idle[--th->nidle]];
    th->running++;
    s->start_ns = origin_ns;
    s->measured = (unsigned char)measured;
    /* Every session waits the same time, so appending keeps the queue in deadline order. */
    s->deadline_ns = now + cfg->delay_ns + cfg->timeout_ns;
    int64_t value =
        engine_value(cfg->value_lo, cfg->value_hi, th->seq++ * th->eng->nthreads + th->index);
    enum session_step step = session_begin(s, &th->opts, value);
    if (step != SESSION_FINISHED)
        queue_push(&th->active, &s->by_deadline);
    engine_step(th, s, step);
}

/* Closed loop: every idle client starts again, each at most once per pass so that sessions
 * failing at once (a refused connect) cannot keep the loop from its events. */
static void engine_fill_closed(struct engine_thread *th, uint64_t now)
{
    struct engine *e = th->eng;
    for (unsigned budget = th->nidle; budget > 0 && th->nidle > 0 && !th->exhausted; budget--) {
        if (engine_stopping(e) || (e->end_ns && now >= e->end_ns)) {
            th->exhausted = 1;
            break;
        }
        int measured = now >= e->measure_ns;
        if (measured && !e->end_ns &&
            atomic_fetch_add_explicit(&e->claimed, 1, memory_order_relaxed) >= e->cfg->sessions) {
            th->exhausted = 1;
            break;
        }
        engine_start(th, now, now, measured);
    }
}

/* Open loop: start what is due on idle clients; latency counts from when it was due. */
static void engine_fill_open(struct engine_thread *th, uint64_t now)
{
    struct engine *e = th->eng;
    for (unsigned budget = th->nidle; budget > 0 && th->nidle > 0 && !th->exhausted; budget--) {
        uint64_t i = th->next_j * e->nthreads + th->index;
        if (engine_stopping(e) || (e->end_ns && now >= e->end_ns) ||
            (!e->end_ns && i >= e->first_measured + e->cfg->sessions)) {
            th->exhausted = 1;
            break;
        }
        uint64_t due = engine_due(e, i);
        if (e->end_ns && due >= e->end_ns) {
            th->exhausted = 1;
            break;
        }
        if (due > now)
            break;
        th->next_j++;
        engine_start(th, due, now, i >= e->first_measured);
    }
}

/* Sessions due before the end that no client was free to start. */
static uint64_t engine_backlog(const struct engine_thread *th)
{
    const struct engine *e = th->eng;
    if (!e->end_ns || e->cfg->rate <= 0)
        return 0;
    uint64_t all = (uint64_t)ceil((double)(e->end_ns - e->t0) / e->ns_per_session);
    uint64_t mine = all > th->index ? (all - th->index + e->nthreads - 1) / e->nthreads : 0;
    return mine > th->next_j ? mine - th->next_j : 0;
}

static void engine_expire(struct engine_thread *th, uint64_t now)
{
    while (th->paused.head) {
        struct session *s = queue_entry(th->paused.head, struct session, by_wake);
        if (s->wake_ns > now)
            break;
        queue_remove(&th->paused, &s->by_wake);
        engine_step(th, s, session_resume(s, &th->opts));
    }
    while (th->active.head) {
        struct session *s = queue_entry(th->active.head, struct session, by_deadline);
        if (s->deadline_ns > now)
            break;
        session_time_out(s);
        engine_finish(th, s, now);
    }
}

/* The timerfd goes off at the earliest deadline, pause end or arrival. It is only moved
 * earlier: going off early costs a wake-up, re-arming on every session a system call. */
static void engine_arm(struct engine_thread *th, uint64_t now)
{
    struct engine *e = th->eng;
    uint64_t next = UINT64_MAX;
    if (th->active.head)
        next = queue_entry(th->active.head, struct session, by_deadline)->deadline_ns;
    if (th->paused.head) {
        uint64_t w = queue_entry(th->paused.head, struct session, by_wake)->wake_ns;
        next = w < next ? w : next;
    }
    if (e->cfg->rate > 0 && th->nidle > 0 && !th->exhausted) {
        uint64_t due = engine_due(e, th->next_j * e->nthreads + th->index);
        next = due < next ? due : next;
    }
    if (e->end_ns && now < e->end_ns && !th->exhausted && e->end_ns < next)
        next = e->end_ns;
    if (next == UINT64_MAX || (th->armed_ns && th->armed_ns <= next))
        return;
    struct itimerspec its = {{0, 0},
                             {(time_t)(next / ENGINE_SECOND), (long)(next % ENGINE_SECOND)}};
    if (timerfd_settime(th->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        th->armed_ns = next;
}

/* A loop that cannot wait any more gives up its sessions and stops the run. */
static void engine_abandon(struct engine_thread *th, const char *call)
{
    snprintf(th->err, sizeof th->err, "%s: %s", call, strerror(errno));
    atomic_store(&th->eng->halt, 1);
    for (unsigned c = 0; c < th->nclients; c++) {
        struct session *s = &th->sessions[c];
        if (s->state != SESSION_IDLE) {
            session_fail(s, TALLY_READ, th->err);
            engine_finish(th, s, timer_wall_ns());
        }
    }
}

static void *engine_thread_main(void *arg)
{
    struct engine_thread *th = arg;
    struct engine *e = th->eng;
    struct epoll_event evs[ENGINE_EVENTS];
    for (;;) {
        uint64_t now = timer_wall_ns();
        engine_expire(th, now);
        if (e->cfg->rate > 0)
            engine_fill_open(th, now);
        else
            engine_fill_closed(th, now);
        if (th->exhausted && th->running == 0)
            break;
        engine_arm(th, now);
        /* A closed loop with clients left idle by the start budget goes round at once. */
        int wait = !th->exhausted && th->nidle > 0 && e->cfg->rate <= 0 ? 0 : ENGINE_POLL_MS;
        int n = epoll_wait(th->ep, evs, ENGINE_EVENTS, wait);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            engine_abandon(th, "epoll_wait");
            break;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &th->tfd) {
                uint64_t ticks;
                if (read(th->tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
                    continue;
                th->armed_ns = 0;
                continue;
            }
            struct session *s = evs[i].data.ptr;
            engine_step(th, s, session_io(s, &th->opts, evs[i].events));
        }
    }
    uint64_t one = 1;
    while (write(e->done_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    return NULL;
}

static int engine_thread_init(struct engine *e, struct engine_thread *th, unsigned index, char *err,
                              size_t errlen)
{
    const struct engine_config *cfg = e->cfg;
    th->eng = e;
    th->index = index;
    th->nclients = (unsigned)((uint64_t)cfg->clients * (index + 1) / e->nthreads -
                              (uint64_t)cfg->clients * index / e->nthreads);
    th->ep = th->tfd = -1;
    tally_init(&th->tally);
    atomic_init(&th->shown_ok, 0);
    atomic_init(&th->shown_errors, 0);
    th->sessions = calloc(th->nclients, sizeof *th->sessions);
    th->idle = calloc(th->nclients, sizeof *th->idle);
    if (!th->sessions || !th->idle) {
        snprintf(err, errlen, "calloc: %s", strerror(ENOMEM));
        return -1;
    }
    for (unsigned c = 0; c < th->nclients; c++) {
        th->sessions[c].fd = -1;
        th->idle[c] = th->nclients - 1 - c;
    }
    th->nidle = th->nclients;
    th->ep = epoll_create1(EPOLL_CLOEXEC);
    if (th->ep < 0) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        return -1;
    }
    th->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (th->tfd < 0) {
        snprintf(err, errlen, "timerfd_create: %s", strerror(errno));
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &th->tfd};
    if (epoll_ctl(th->ep, EPOLL_CTL_ADD, th->tfd, &ev) != 0) {
        snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
        return -1;
    }
    th->opts.target = cfg->target;
    th->opts.ep = th->ep;
    th->opts.pause = cfg->delay_ns > 0;
    th->opts.coalesce = cfg->coalesce;
    th->opts.strict = cfg->strict;
    return 0;
}

static void engine_thread_free(struct engine_thread *th)
{
    if (th->ep >= 0)
        close(th->ep);
    if (th->tfd >= 0)
        close(th->tfd);
    free(th->sessions);
    free(th->idle);
}

static void engine_progress(const struct engine *e, uint64_t now, uint64_t *last_ok)
{
    uint64_t ok = 0, bad = 0;
    for (unsigned t = 0; t < e->nthreads; t++) {
        ok += atomic_load_explicit(&e->threads[t].shown_ok, memory_order_relaxed);
        bad += atomic_load_explicit(&e->threads[t].shown_errors, memory_order_relaxed);
    }
    const char *phase = now < e->measure_ns             ? "warm-up"
                        : e->end_ns && now >= e->end_ns ? "finishing"
                        : engine_stopping(e)            ? "stopping"
                                                        : "running";
    char line[160];
    int n = snprintf(line, sizeof line,
                     "loadgen: %.0f s %s: %llu sessions (%llu in the last second), %llu errors\n",
                     (double)(now - e->t0) / 1e9, phase, (unsigned long long)ok,
                     (unsigned long long)(ok - *last_ok), (unsigned long long)bad);
    fwrite(line, 1, (size_t)n, stderr);
    fflush(stderr);
    *last_ok = ok;
}

/* Waits for the threads, printing progress each second when asked to. */
static void engine_wait(struct engine *e, unsigned started)
{
    unsigned done = 0;
    uint64_t tick = e->t0 + ENGINE_SECOND, last_ok = 0;
    while (done < started) {
        int ms = e->cfg->progress ? net_ms_until(tick) : -1;
        struct pollfd pfd = {.fd = e->done_fd, .events = POLLIN};
        int rc = poll(&pfd, 1, ms);
        if (rc > 0) {
            uint64_t count;
            if (read(e->done_fd, &count, sizeof count) == sizeof count)
                done += (unsigned)count;
        }
        uint64_t now = timer_wall_ns();
        if (e->cfg->progress && now >= tick && done < started) {
            engine_progress(e, now, &last_ok);
            while (tick <= now)
                tick += ENGINE_SECOND;
        }
    }
}

int engine_run(const struct engine_config *cfg, struct tally *total, struct engine_result *res,
               char *err, size_t errlen)
{
    struct engine e = {.cfg = cfg, .nthreads = cfg->threads, .done_fd = -1};
    memset(res, 0, sizeof *res);
    tally_init(total);
    atomic_init(&e.claimed, 0);
    atomic_init(&e.connect_failures, 0);
    atomic_init(&e.connected_any, 0);
    atomic_init(&e.halt, 0);
    e.threads = calloc(e.nthreads, sizeof *e.threads);
    int rc = e.threads ? 0 : -1;
    if (rc != 0)
        snprintf(err, errlen, "calloc: %s", strerror(ENOMEM));
    unsigned ready = 0;
    while (rc == 0 && ready < e.nthreads) {
        rc = engine_thread_init(&e, &e.threads[ready], ready, err, errlen);
        ready++;
    }
    if (rc == 0) {
        e.done_fd = eventfd(0, EFD_CLOEXEC);
        if (e.done_fd < 0) {
            snprintf(err, errlen, "eventfd: %s", strerror(errno));
            rc = -1;
        }
    }

    unsigned started = 0;
    if (rc == 0) {
        e.t0 = timer_wall_ns();
        e.measure_ns = e.t0 + cfg->warmup_ns;
        e.end_ns = cfg->duration_ns ? e.measure_ns + cfg->duration_ns : 0;
        if (cfg->rate > 0) {
            e.ns_per_session = 1e9 / cfg->rate;
            e.first_measured = (uint64_t)ceil((double)cfg->warmup_ns * cfg->rate / 1e9);
        }
        /* Signals go to the main thread, whose poll() they interrupt; the loops only look
         * at the flag the handler sets. */
        sigset_t block, old;
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &block, &old);
        for (; started < e.nthreads; started++) {
            int prc = pthread_create(&e.threads[started].tid, NULL, engine_thread_main,
                                     &e.threads[started]);
            if (prc != 0) {
                snprintf(err, errlen, "pthread_create: %s", strerror(prc));
                atomic_store(&e.halt, 1);
                rc = -1;
                break;
            }
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        engine_wait(&e, started);
        for (unsigned t = 0; t < started; t++)
            pthread_join(e.threads[t].tid, NULL);
    }

    uint64_t now = timer_wall_ns();
    for (unsigned t = 0; t < started; t++) {
        struct engine_thread *th = &e.threads[t];
        tally_merge(total, &th->tally);
        res->backlog += engine_backlog(th);
        if (rc == 0 && th->err[0]) {
            snprintf(err, errlen, "%s", th->err);
            rc = -1;
        }
    }
    res->threads = e.nthreads;
    uint64_t last = total->last_ns > e.measure_ns ? total->last_ns : now;
    res->measured_ns = last > e.measure_ns ? last - e.measure_ns : 0;
    /* The measured phase lasts at least as long as it was meant to: sessions/s of an open
     * loop is then its rate, not its rate stretched over the time between its sessions. */
    uint64_t planned = cfg->duration_ns;
    if (!planned && cfg->rate > 0)
        planned = (uint64_t)((double)cfg->sessions * e.ns_per_session);
    if (!engine_stopping(&e) && planned > res->measured_ns)
        res->measured_ns = planned;
    res->unreachable = started > 0 && !atomic_load(&e.connected_any);
    res->spread = target_spreading(cfg->target);
    for (unsigned t = 0; t < ready; t++)
        engine_thread_free(&e.threads[t]);
    free(e.threads);
    if (e.done_fd >= 0)
        close(e.done_fd);
    return rc;
}
