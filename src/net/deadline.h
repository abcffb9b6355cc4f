/* deadline.h - when a conversation is cut off with "error: timeout". Pure arithmetic on the
 * timer_wall_ns() clock, so a thread, an event loop or a test can drive it.
 *
 * Why two limits, neither restarted by bytes alone: when any byte restarted the clock, one
 * blank byte every 25 s kept a connection past a 60 s idle timeout forever. So
 * - the idle limit runs from the last progress: the arrival, then each completed message
 *   (the data, then `ready`); bytes that complete nothing (whitespace, part of a message)
 *   do not restart it, so dribbling buys nothing;
 * - the conversation limit runs from the arrival and bounds the whole exchange, however
 *   the idle limit is spent. */
#ifndef PARLAB_DEADLINE_H
#define PARLAB_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

/* The shortest limit that can be kept: waits are poll(2) milliseconds. */
#define DEADLINE_MIN_S 0.001

struct deadline_policy {
    uint64_t idle_ns;         /* 0: none */
    uint64_t conversation_ns; /* 0: none */
};

enum deadline_kind { DEADLINE_NONE, DEADLINE_IDLE, DEADLINE_CONVERSATION };

struct deadline {
    uint64_t idle_at;         /* 0: none */
    uint64_t conversation_at; /* 0: none */
};

/* Seconds to nanoseconds for a limit: 0 stays 0 (none); a positive value below
 * DEADLINE_MIN_S, which would otherwise round to "none" or expire before any wait, is
 * refused. Returns 0, or -1 with err saying why. */
int deadline_seconds(double seconds, uint64_t *ns, char *err, size_t errlen);

void deadline_start(struct deadline *d, const struct deadline_policy *p, uint64_t now_ns);

/* A message was completed: the idle limit starts again. */
void deadline_progress(struct deadline *d, const struct deadline_policy *p, uint64_t now_ns);

/* The earliest of the two, or 0 for none. */
uint64_t deadline_next(const struct deadline *d);

/* Which limit has passed at now_ns (the conversation one when both have). */
enum deadline_kind deadline_expired(const struct deadline *d, uint64_t now_ns);

/* Timers for an event loop that keeps thousands of connections: a lane is a queue of
 * timers that are always armed in time order (a lane per kind of limit, each the same
 * length for every connection, armed at the loop's "now", which never goes back), so its
 * first timer is its earliest, and arming, re-arming and cancelling are O(1). The loop
 * sleeps until the earliest first timer of its lanes (the epoll_wait or io_uring wait
 * timeout), then takes the timers due. */
struct deadline_timer {
    struct deadline_timer *prev, *next; /* NULL while not armed */
    uint64_t at;
};

struct deadline_lane {
    struct deadline_timer head; /* the sentinel of a circular list */
};

void deadline_lane_init(struct deadline_lane *l);

/* Arms t (cancelling it first if armed) at at_ns, which must not be earlier than any
 * timer already in the lane. at_ns 0 only cancels: 0 means never. */
void deadline_lane_arm(struct deadline_lane *l, struct deadline_timer *t, uint64_t at_ns);

/* Disarms t; harmless if it is not armed. */
void deadline_lane_cancel(struct deadline_timer *t);

/* The lane's earliest timer if it is due at now_ns (its time has come), else NULL. */
struct deadline_timer *deadline_lane_due(const struct deadline_lane *l, uint64_t now_ns);

/* The earlier of next_ns and the lane's earliest timer; 0 for none on both sides. */
uint64_t deadline_lane_next(const struct deadline_lane *l, uint64_t next_ns);

#endif
