/* test_deadline - a conversation's limits: progress restarts the idle one only, the
 * conversation one never moves, and limits too short to keep are refused; and the lanes
 * an event loop keeps its timers in. */
#include "deadline.h"
#include "check.h"

#define S 1000000000ull

static void test_idle_and_whole(void)
{
    struct deadline_policy p = {.idle_ns = 10 * S, .conversation_ns = 15 * S};
    struct deadline d;
    deadline_start(&d, &p, 100 * S);
    ASSERT_EQ(deadline_next(&d), 110 * S);
    ASSERT_EQ(deadline_expired(&d, 109 * S), DEADLINE_NONE);
    ASSERT_EQ(deadline_expired(&d, 110 * S), DEADLINE_IDLE);
    /* A message at 108 s: idle until 118 s, but the conversation ends at 115 s. */
    deadline_progress(&d, &p, 108 * S);
    ASSERT_EQ(deadline_next(&d), 115 * S);
    ASSERT_EQ(deadline_expired(&d, 114 * S), DEADLINE_NONE);
    ASSERT_EQ(deadline_expired(&d, 115 * S), DEADLINE_CONVERSATION);
}

static void test_none(void)
{
    struct deadline_policy idle_only = {.idle_ns = 2 * S, .conversation_ns = 0};
    struct deadline d;
    deadline_start(&d, &idle_only, 5 * S);
    ASSERT_EQ(deadline_next(&d), 7 * S);
    deadline_progress(&d, &idle_only, 6 * S);
    ASSERT_EQ(deadline_next(&d), 8 * S);

    struct deadline_policy whole_only = {.idle_ns = 0, .conversation_ns = 3 * S};
    deadline_start(&d, &whole_only, 5 * S);
    deadline_progress(&d, &whole_only, 6 * S);
    ASSERT_EQ(deadline_next(&d), 8 * S);
    ASSERT_EQ(deadline_expired(&d, 8 * S), DEADLINE_CONVERSATION);

    struct deadline_policy never = {0, 0};
    deadline_start(&d, &never, 5 * S);
    ASSERT_EQ(deadline_next(&d), 0);
    ASSERT_EQ(deadline_expired(&d, UINT64_MAX), DEADLINE_NONE);
}

static void test_seconds(void)
{
    uint64_t ns = 99;
    char err[128] = "";
    ASSERT_EQ(deadline_seconds(0, &ns, err, sizeof err), 0);
    ASSERT_EQ(ns, 0);
    ASSERT_EQ(deadline_seconds(0.001, &ns, err, sizeof err), 0);
    ASSERT_EQ(ns, 1000000);
    ASSERT_EQ(deadline_seconds(60, &ns, err, sizeof err), 0);
    ASSERT_EQ(ns, 60 * S);
    /* Below a millisecond would once have rounded to 0 ns, that is to "never". */
    ASSERT_EQ(deadline_seconds(1e-12, &ns, err, sizeof err), -1);
    ASSERT_STR_EQ(err, "below the shortest time limit that can be kept, 0.001 s (0 means none)");
    ASSERT_EQ(deadline_seconds(0.0009, &ns, err, sizeof err), -1);
}

/* A lane of timers of one length: the first is the earliest, re-arming moves a timer to
 * the back, and a cancelled one is never due. */
static void test_lane(void)
{
    struct deadline_lane lane;
    deadline_lane_init(&lane);
    struct deadline_timer a = {0}, b = {0}, c = {0};
    ASSERT_NULL(deadline_lane_due(&lane, UINT64_MAX));
    ASSERT_EQ(deadline_lane_next(&lane, 0), 0);
    ASSERT_EQ(deadline_lane_next(&lane, 7 * S), 7 * S);
    deadline_lane_arm(&lane, &a, 10 * S);
    deadline_lane_arm(&lane, &b, 11 * S);
    deadline_lane_arm(&lane, &c, 12 * S);
    ASSERT_EQ(deadline_lane_next(&lane, 0), 10 * S);
    ASSERT_EQ(deadline_lane_next(&lane, 7 * S), 7 * S);
    ASSERT_NULL(deadline_lane_due(&lane, 9 * S));
    /* a makes progress at 3 s: due at 13 s, behind c. */
    deadline_lane_arm(&lane, &a, 13 * S);
    ASSERT_EQ(deadline_lane_next(&lane, 0), 11 * S);
    deadline_lane_cancel(&b);
    deadline_lane_cancel(&b);
    ASSERT_PTR_EQ(deadline_lane_due(&lane, 12 * S), &c);
    deadline_lane_cancel(&c);
    ASSERT_NULL(deadline_lane_due(&lane, 12 * S));
    ASSERT_PTR_EQ(deadline_lane_due(&lane, 13 * S), &a);
    /* Armed at 0: never, and no longer in the lane. */
    deadline_lane_arm(&lane, &a, 0);
    ASSERT_NULL(deadline_lane_due(&lane, UINT64_MAX));
    ASSERT_NULL(a.next);
}

int main(void)
{
    test_idle_and_whole();
    test_none();
    test_seconds();
    test_lane();
    return check_done();
}
