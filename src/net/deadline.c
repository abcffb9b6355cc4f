/* deadline.c - a conversation's idle and overall limits (see deadline.h). */
#include "deadline.h"

#include <stdio.h>

int deadline_seconds(double seconds, uint64_t *ns, char *err, size_t errlen)
{
    if (seconds == 0) {
        *ns = 0;
        return 0;
    }
    if (!(seconds >= DEADLINE_MIN_S)) {
        snprintf(err, errlen, "below the shortest time limit that can be kept, %g s (0 means none)",
                 DEADLINE_MIN_S);
        return -1;
    }
    *ns = (uint64_t)(seconds * 1e9);
    return 0;
}

void deadline_start(struct deadline *d, const struct deadline_policy *p, uint64_t now_ns)
{
    d->idle_at = p->idle_ns ? now_ns + p->idle_ns : 0;
    d->conversation_at = p->conversation_ns ? now_ns + p->conversation_ns : 0;
}

void deadline_progress(struct deadline *d, const struct deadline_policy *p, uint64_t now_ns)
{
    if (p->idle_ns)
        d->idle_at = now_ns + p->idle_ns;
}

uint64_t deadline_next(const struct deadline *d)
{
    if (d->idle_at == 0)
        return d->conversation_at;
    if (d->conversation_at == 0)
        return d->idle_at;
    return d->idle_at < d->conversation_at ? d->idle_at : d->conversation_at;
}

enum deadline_kind deadline_expired(const struct deadline *d, uint64_t now_ns)
{
    if (d->conversation_at && now_ns >= d->conversation_at)
        return DEADLINE_CONVERSATION;
    if (d->idle_at && now_ns >= d->idle_at)
        return DEADLINE_IDLE;
    return DEADLINE_NONE;
}

void deadline_lane_init(struct deadline_lane *l)
{
    l->head.prev = l->head.next = &l->head;
    l->head.at = 0;
}

void deadline_lane_cancel(struct deadline_timer *t)
{
    if (!t->next)
        return;
    t->prev->next = t->next;
    t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

void deadline_lane_arm(struct deadline_lane *l, struct deadline_timer *t, uint64_t at_ns)
{
    deadline_lane_cancel(t);
    if (at_ns == 0)
        return;
    t->at = at_ns;
    t->prev = l->head.prev;
    t->next = &l->head;
    l->head.prev->next = t;
    l->head.prev = t;
}

struct deadline_timer *deadline_lane_due(const struct deadline_lane *l, uint64_t now_ns)
{
    struct deadline_timer *first = l->head.next;
    return first != &l->head && first->at <= now_ns ? first : NULL;
}

uint64_t deadline_lane_next(const struct deadline_lane *l, uint64_t next_ns)
{
    const struct deadline_timer *first = l->head.next;
    if (first == &l->head)
        return next_ns;
    return next_ns == 0 || first->at < next_ns ? first->at : next_ns;
}
