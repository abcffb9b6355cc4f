/* test_deadline - a conversation's limits: progress restarts the idle one only, the
 * conversation one never moves, and limits too short to keep are refused; and the lanes
 * an event loop keeps its timers in. */
#include "deadline.h"
#include "net_check.h"

#define S 1000000000ull

static void test_idle_and_whole(void)
{
    struct deadline_policy p = {.idle_ns = 10 * S, .conversation_ns = 15 * S};
    struct deadline d;
    deadline_start(&d, &p, 100 * S);
    CHECK_EQ_U64(110 * S, deadline_next(&d));
    CHECK_INT(DEADLINE_NONE, deadline_expired(&d, 109 * S));
    CHECK_INT(DEADLINE_IDLE, deadline_expired(&d, 110 * S));
    /* A message at 108 s: idle until 118 s, but the conversation ends at 115 s. */
    deadline_progress(&d, &p, 108 * S);
    CHECK_EQ_U64(115 * S, deadline_next(&d));
    CHECK_INT(DEADLINE_NONE, deadline_expired(&d, 114 * S));
    CHECK_INT(DEADLINE_CONVERSATION, deadline_expired(&d, 115 * S));
}

static void test_none(void)
{
    struct deadline_policy idle_only = {.idle_ns = 2 * S, .conversation_ns = 0};
    struct deadline d;
    deadline_start(&d, &idle_only, 5 * S);
    CHECK_EQ_U64(7 * S, deadline_next(&d));
    deadline_progress(&d, &idle_only, 6 * S);
    CHECK_EQ_U64(8 * S, deadline_next(&d));

    struct deadline_policy whole_only = {.idle_ns = 0, .conversation_ns = 3 * S};
    deadline_start(&d, &whole_only, 5 * S);
    deadline_progress(&d, &whole_only, 6 * S);
    CHECK_EQ_U64(8 * S, deadline_next(&d));
    CHECK_INT(DEADLINE_CONVERSATION, deadline_expired(&d, 8 * S));

    struct deadline_policy never = {0, 0};
    deadline_start(&d, &never, 5 * S);
    CHECK_EQ_U64(0, deadline_next(&d));
    CHECK_INT(DEADLINE_NONE, deadline_expired(&d, UINT64_MAX));
}

static void test_seconds(void)
{
    uint64_t ns = 99;
    char err[128] = "";
    CHECK_INT(0, deadline_seconds(0, &ns, err, sizeof err));
    CHECK_EQ_U64(0, ns);
    CHECK_INT(0, deadline_seconds(0.001, &ns, err, sizeof err));
    CHECK_EQ_U64(1000000, ns);
    CHECK_INT(0, deadline_seconds(60, &ns, err, sizeof err));
    CHECK_EQ_U64(60 * S, ns);
    /* Below a millisecond would once have rounded to 0 ns, that is to "never". */
    CHECK_INT(-1, deadline_seconds(1e-12, &ns, err, sizeof err));
    CHECK_EQ_STR("below the shortest time limit that can be kept, 0.001 s (0 means none)", err);
    CHECK_INT(-1, deadline_seconds(0.0009, &ns, err, sizeof err));
}

/* A lane of timers of one length: the first is the earliest, re-arming moves a timer to
 * the back, and a cancelled one is never due. */
static void test_lane(void)
{
    struct deadline_lane lane;
    deadline_lane_init(&lane);
    struct deadline_timer a = {0}, b = {0}, c = {0};
    CHECK(deadline_lane_due(&lane, UINT64_MAX) == NULL);
    CHECK_EQ_U64(0, deadline_lane_next(&lane, 0));
    CHECK_EQ_U64(7 * S, deadline_lane_next(&lane, 7 * S));
    deadline_lane_arm(&lane, &a, 10 * S);
    deadline_lane_arm(&lane, &b, 11 * S);
    deadline_lane_arm(&lane, &c, 12 * S);
    CHECK_EQ_U64(10 * S, deadline_lane_next(&lane, 0));
    CHECK_EQ_U64(7 * S, deadline_lane_next(&lane, 7 * S));
    CHECK(deadline_lane_due(&lane, 9 * S) == NULL);
    /* a makes progress at 3 s: due at 13 s, behind c. */
    deadline_lane_arm(&lane, &a, 13 * S);
    CHECK_EQ_U64(11 * S, deadline_lane_next(&lane, 0));
    deadline_lane_cancel(&b);
    deadline_lane_cancel(&b);
    CHECK(deadline_lane_due(&lane, 12 * S) == &c);
    deadline_lane_cancel(&c);
    CHECK(deadline_lane_due(&lane, 12 * S) == NULL);
    CHECK(deadline_lane_due(&lane, 13 * S) == &a);
    /* Armed at 0: never, and no longer in the lane. */
    deadline_lane_arm(&lane, &a, 0);
    CHECK(deadline_lane_due(&lane, UINT64_MAX) == NULL);
    CHECK(a.next == NULL);
}

int main(void)
{
    test_idle_and_whole();
    test_none();
    test_seconds();
    test_lane();
    return check_done();
}
