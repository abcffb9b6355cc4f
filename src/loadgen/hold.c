/* hold.c - the capacity probe (see hold.h). */
#include "hold.h"

#include "engine.h"
#include "session.h"
#include "timer.h"
#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Connects under way at once: thousands at a time overflow the server's SYN queue and cost
 * second-long retransmissions, which would be our doing, not the server's. */
#define HOLD_OPENING_MAX 256
#define HOLD_EVENTS      256
#define HOLD_POLL_MS     100
#define HOLD_SECOND      1000000000ull

struct hold {
    const struct hold_config *cfg;
    struct session *sessions;
    struct queue active; /* opening or awaiting a reply, by deadline */
    struct session_opts opts;
    struct tally *tally;
    uint64_t pending;          /* opening, or awaiting a reply */
    uint64_t parked;           /* number sent, holding */
    uint64_t opened;           /* ever parked */
    uint64_t busy_after_ready; /* held, then turned out to have been turned away */
    int ready_phase;
    uint64_t last_park_ns, last_reply_ns, tick_ns;
    int saw_connect;
};

/* Parked: open, number sent, not awaiting anything with a deadline. Not the same as
 * SESSION_PAUSED: a parked session the server already answered may be reading the rest of
 * that answer (the close can come after the text), and it is still parked. */
static int hold_is_parked(const struct session *s)
{
    return s->fd >= 0 && !s->by_deadline.linked;
}

static void hold_after(struct hold *h, struct session *s, int was_parked, enum session_step step)
{
    uint64_t now = timer_wall_ns();
    if (s->connected)
        h->saw_connect = 1;
    if (step == SESSION_PAUSE) {
        queue_remove(&h->active, &s->by_deadline);
        h->pending--;
        h->parked++;
        h->opened++;
        h->last_park_ns = now;
    } else if (step == SESSION_FINISHED) {
        queue_remove(&h->active, &s->by_deadline);
        if (was_parked)
            h->parked--;
        else
            h->pending--;
        session_close(s);
        session_tally(s, h->tally, now);
        if (h->ready_phase && s->outcome == TALLY_REPLY &&
            strcmp(s->why, "error: server busy") == 0)
            h->busy_after_ready++;
        if (s->outcome == SESSION_OK)
            h->last_reply_ns = now;
    }
}

static void hold_expire(struct hold *h, uint64_t now)
{
    while (h->active.head) {
        struct session *s = queue_entry(h->active.head, struct session, by_deadline);
        if (s->deadline_ns > now)
            break;
        session_time_out(s);
        hold_after(h, s, 0, SESSION_FINISHED);
    }
}

/* One round of waiting and handling events. Returns -1 when epoll failed. */
static int hold_poll(struct hold *h, int ms, char *err, size_t errlen)
{
    struct epoll_event evs[HOLD_EVENTS];
    int n = epoll_wait(h->opts.ep, evs, HOLD_EVENTS, ms);
    if (n < 0 && errno != EINTR) {
        snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct session *s = evs[i].data.ptr;
        int was_parked = hold_is_parked(s);
        hold_after(h, s, was_parked, session_io(s, &h->opts, evs[i].events));
    }
    hold_expire(h, timer_wall_ns());
    return 0;
}

static int hold_wait_ms(const struct hold *h)
{
    if (!h->active.head)
        return HOLD_POLL_MS;
    int ms = net_ms_until(queue_entry(h->active.head, struct session, by_deadline)->deadline_ns);
    return ms < HOLD_POLL_MS ? ms : HOLD_POLL_MS;
}

static void hold_progress(struct hold *h, const char *what, uint64_t done, uint64_t of)
{
    uint64_t now = timer_wall_ns();
    if (!h->cfg->progress || now < h->tick_ns)
        return;
    h->tick_ns = now + HOLD_SECOND;
    fprintf(stderr, "loadgen: hold: %s %llu of %llu, %llu errors\n", what, (unsigned long long)done,
            (unsigned long long)of, (unsigned long long)tally_errors(h->tally));
    fflush(stderr);
}

static int hold_stopping(const struct hold *h)
{
    /* Every connect so far refused and none through: the server is not there. */
    uint64_t refused = h->tally->errors[TALLY_CONNECT];
    uint64_t enough =
        h->cfg->connections < HOLD_OPENING_MAX ? h->cfg->connections : HOLD_OPENING_MAX;
    return atomic_load(h->cfg->stop) || (!h->saw_connect && refused >= enough);
}

/* Opens every connection and sends its number, HOLD_OPENING_MAX at a time. */
static int hold_open(struct hold *h, char *err, size_t errlen)
{
    const struct hold_config *cfg = h->cfg;
    uint64_t next = 0;
    while ((next < cfg->connections && !hold_stopping(h)) || h->pending > 0) {
        while (h->pending < HOLD_OPENING_MAX && next < cfg->connections && !hold_stopping(h)) {
            struct session *s = &h->sessions[next];
            uint64_t now = timer_wall_ns();
            s->measured = 1;
            s->start_ns = now;
            s->deadline_ns = now + cfg->timeout_ns;
            h->pending++;
            enum session_step step =
                session_begin(s, &h->opts, engine_value(cfg->value_lo, cfg->value_hi, next));
            if (step != SESSION_FINISHED)
                queue_push(&h->active, &s->by_deadline);
            hold_after(h, s, 0, step);
            next++;
        }
        if (hold_poll(h, hold_wait_ms(h), err, errlen) != 0)
            return -1;
        hold_progress(h, "opened", h->parked, cfg->connections);
    }
    return 0;
}

/* `ready` on every held connection, then every reply. */
static int hold_ready(struct hold *h, char *err, size_t errlen)
{
    h->ready_phase = 1;
    for (uint64_t i = 0; i < h->cfg->connections; i++) {
        struct session *s = &h->sessions[i];
        if (!hold_is_parked(s))
            continue;
        uint64_t now = timer_wall_ns();
        s->start_ns = now;
        s->deadline_ns = now + h->cfg->timeout_ns;
        queue_push(&h->active, &s->by_deadline);
        h->parked--;
        h->pending++;
        /* One that is already reading an answer it got unasked only waits for the rest. */
        enum session_step step =
            s->state == SESSION_PAUSED ? session_resume(s, &h->opts) : SESSION_WAIT;
        hold_after(h, s, 0, step);
    }
    while (h->pending > 0 && !atomic_load(h->cfg->stop)) {
        if (hold_poll(h, hold_wait_ms(h), err, errlen) != 0)
            return -1;
        hold_progress(h, "replies awaited:", h->pending, h->cfg->connections);
    }
    return 0;
}

static void hold_count_exact(const struct hold *h, struct hold_result *r)
{
    const struct tally *t = h->tally;
    if (t->uncertain != 0 || t->value_count == 0 ||
        verify_mean(t->value_sum, t->value_abs_sum, t->value_count, &r->expected) != 0)
        return;
    r->exact_known = 1;
    for (uint64_t i = 0; i < h->cfg->connections; i++) {
        const struct session *s = &h->sessions[i];
        if (s->state == SESSION_DONE && s->outcome == SESSION_OK && s->mean == r->expected)
            r->exact++;
    }
}

int hold_run(const struct hold_config *cfg, struct tally *t, struct hold_result *r, char *err,
             size_t errlen)
{
    memset(r, 0, sizeof *r);
    tally_init(t);
    struct hold h = {.cfg = cfg, .tally = t};
    h.sessions = calloc(cfg->connections, sizeof *h.sessions);
    if (!h.sessions) {
        snprintf(err, errlen, "calloc: %s", strerror(ENOMEM));
        return -1;
    }
    for (uint64_t i = 0; i < cfg->connections; i++)
        h.sessions[i].fd = -1;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        free(h.sessions);
        return -1;
    }
    h.opts = (struct session_opts){
        .target = cfg->target, .ep = ep, .pause = 1, .coalesce = 0, .strict = cfg->strict};
    uint64_t t0 = timer_wall_ns();
    h.tick_ns = t0 + HOLD_SECOND;

    int rc = hold_open(&h, err, errlen);
    r->open_ns = (h.last_park_ns > t0 ? h.last_park_ns : timer_wall_ns()) - t0;
    /* Hold; and at least once see what the server did meanwhile (turned some away?). */
    uint64_t until = timer_wall_ns() + cfg->hold_ns;
    int ms = 0;
    while (rc == 0 && h.parked > 0 && !atomic_load(cfg->stop)) {
        rc = hold_poll(&h, ms, err, errlen);
        ms = net_ms_until(until);
        if (ms == 0)
            break;
        ms = ms < HOLD_POLL_MS ? ms : HOLD_POLL_MS;
    }
    uint64_t parked = h.parked;
    uint64_t t_ready = timer_wall_ns();
    if (rc == 0)
        rc = hold_ready(&h, err, errlen);
    r->ready_ns = h.last_reply_ns > t_ready ? h.last_reply_ns - t_ready : 0;
    r->opened = h.opened;
    r->held = parked > h.busy_after_ready ? parked - h.busy_after_ready : 0;
    t->last_ns = h.last_reply_ns;
    hold_count_exact(&h, r);
    r->unreachable = !h.saw_connect;
    r->spread = target_spreading(cfg->target);

    for (uint64_t i = 0; i < cfg->connections; i++)
        session_close(&h.sessions[i]);
    close(ep);
    free(h.sessions);
    return rc;
}
