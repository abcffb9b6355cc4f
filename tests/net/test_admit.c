/* test_admit - the admission policy: free slots for anyone, then evictions that even out
 * the slots between addresses, longest idle first, and addresses as the policy groups them. */
#include "admit.h"
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define MAX_ENTRIES 64

static struct admit_entry entries[MAX_ENTRIES];
static struct admit_entry *evicted[MAX_ENTRIES];
static int evicted_count;

static void record_eviction(struct admit_entry *victim, void *arg)
{
    ASSERT_PTR_EQ(arg, entries);
    ASSERT_NULL(victim->addr); /* no longer holding a slot when shed */
    evicted[evicted_count++] = victim;
}

static struct sockaddr_storage v4(const char *text)
{
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    in->sin_family = AF_INET;
    inet_pton(AF_INET, text, &in->sin_addr);
    return ss;
}

static struct sockaddr_storage v6(const char *text)
{
    struct sockaddr_storage ss = {0};
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    in6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &in6->sin6_addr);
    return ss;
}

static enum admit_result enter(struct admit *a, int i, const char *addr)
{
    struct sockaddr_storage ss = strchr(addr, ':') ? v6(addr) : v4(addr);
    return admit_enter(a, &entries[i], (struct sockaddr *)&ss);
}

static void setup(struct admit *a, uint64_t max, uint64_t per_addr)
{
    memset(entries, 0, sizeof entries);
    evicted_count = 0;
    char err[256];
    REQUIRE_EQ(admit_init(a, max, per_addr, record_eviction, entries, err, sizeof err), 0);
}

/* One address may take every slot; the next from it is turned away, not given a slot
 * of its own. */
static void test_one_address_fills(void)
{
    struct admit a;
    setup(&a, 4, 0);
    for (int i = 0; i < 4; i++)
        ASSERT_EQ(enter(&a, i, "127.0.0.1"), ADMIT_OK);
    ASSERT_EQ(enter(&a, 4, "127.0.0.1"), ADMIT_FULL);
    ASSERT_EQ(evicted_count, 0);
    ASSERT_EQ(admit_held(&a), 4);
    /* A slot given back is free again for anyone. */
    ASSERT_EQ(admit_leave(&a, &entries[2]), 0);
    ASSERT_EQ(enter(&a, 4, "127.0.0.1"), ADMIT_OK);
    for (int i = 0; i < 5; i++)
        if (i != 2)
            admit_leave(&a, &entries[i]);
    ASSERT_EQ(admit_held(&a), 0);
    admit_destroy(&a);
}

/* A newcomer from elsewhere evicts the longest idle of the biggest holder, until the two
 * are within one slot of each other. */
static void test_eviction_evens_out(void)
{
    struct admit a;
    setup(&a, 6, 0);
    for (int i = 0; i < 6; i++)
        ASSERT_EQ(enter(&a, i, "10.0.0.1"), ADMIT_OK);
    /* Entry 0 completed a message: entry 1 is now the longest without progress. */
    admit_progress(&a, &entries[0]);
    ASSERT_EQ(enter(&a, 10, "10.0.0.2"), ADMIT_EVICTED);
    ASSERT_EQ(evicted_count, 1);
    ASSERT_PTR_EQ(evicted[0], &entries[1]);
    ASSERT_EQ(admit_leave(&a, &entries[1]), 1); /* its thread leaves later: a no-op */
    ASSERT_EQ(enter(&a, 11, "10.0.0.2"), ADMIT_EVICTED);
    ASSERT_PTR_EQ(evicted[1], &entries[2]);
    ASSERT_EQ(enter(&a, 12, "10.0.0.2"), ADMIT_EVICTED);
    ASSERT_PTR_EQ(evicted[2], &entries[3]);
    /* 3 against 3: no more. */
    ASSERT_EQ(enter(&a, 13, "10.0.0.2"), ADMIT_FULL);
    ASSERT_EQ(enter(&a, 13, "10.0.0.1"), ADMIT_FULL);
    /* A third address, holding nothing, evicts from one of the two holding 3. */
    ASSERT_EQ(enter(&a, 13, "10.0.0.3"), ADMIT_EVICTED);
    ASSERT_EQ(evicted_count, 4);
    ASSERT_EQ(admit_held(&a), 6);
    admit_destroy(&a);
}

/* The fixed limit holds even with slots free. */
static void test_max_per_address(void)
{
    struct admit a;
    setup(&a, 10, 2);
    ASSERT_EQ(enter(&a, 0, "192.0.2.1"), ADMIT_OK);
    ASSERT_EQ(enter(&a, 1, "192.0.2.1"), ADMIT_OK);
    ASSERT_EQ(enter(&a, 2, "192.0.2.1"), ADMIT_ADDRESS_FULL);
    ASSERT_EQ(enter(&a, 2, "192.0.2.2"), ADMIT_OK);
    admit_leave(&a, &entries[0]);
    ASSERT_EQ(enter(&a, 3, "192.0.2.1"), ADMIT_OK);
    admit_destroy(&a);
}

/* IPv6 counts by /64; an IPv4-mapped address is the IPv4 address. */
static void test_address_groups(void)
{
    struct admit a;
    setup(&a, 2, 0);
    ASSERT_EQ(enter(&a, 0, "2001:db8:1:2::1"), ADMIT_OK);
    ASSERT_EQ(enter(&a, 1, "2001:db8:1:2::ffff:9"), ADMIT_OK);
    /* Same /64: the same address, which cannot evict itself. */
    ASSERT_EQ(enter(&a, 2, "2001:db8:1:2:abcd::7"), ADMIT_FULL);
    /* Another /64 evicts. */
    ASSERT_EQ(enter(&a, 2, "2001:db8:1:3::1"), ADMIT_EVICTED);
    ASSERT_PTR_EQ(evicted[0], &entries[0]);
    admit_destroy(&a);

    setup(&a, 2, 0);
    ASSERT_EQ(enter(&a, 0, "198.51.100.7"), ADMIT_OK);
    ASSERT_EQ(enter(&a, 1, "::ffff:198.51.100.7"), ADMIT_OK);
    ASSERT_EQ(enter(&a, 2, "198.51.100.7"), ADMIT_FULL);
    ASSERT_EQ(enter(&a, 2, "::ffff:198.51.100.8"), ADMIT_EVICTED);
    admit_destroy(&a);
}

/* Many addresses coming and going: the count of slots taken and the biggest holder stay
 * right (checked through which address gets evicted). */
static void test_many_addresses(void)
{
    struct admit a;
    setup(&a, MAX_ENTRIES - 1, 0);
    char addr[32];
    /* 62 slots over 31 addresses, two each, then address 7 takes the last one. */
    for (int i = 0; i < MAX_ENTRIES - 2; i++) {
        snprintf(addr, sizeof addr, "10.1.0.%d", i / 2);
        ASSERT_EQ(enter(&a, i, addr), ADMIT_OK);
    }
    ASSERT_EQ(enter(&a, MAX_ENTRIES - 2, "10.1.0.7"), ADMIT_OK);
    /* A newcomer evicts from address 7, the only one holding 3 (entries 14, 15, 62). */
    ASSERT_EQ(enter(&a, MAX_ENTRIES - 1, "10.2.0.1"), ADMIT_EVICTED);
    ASSERT_PTR_EQ(evicted[0], &entries[14]);
    /* A slot given back is free for anyone; then the newcomer's address, holding 1, may
     * not evict from addresses holding 2. */
    ASSERT_EQ(admit_leave(&a, &entries[MAX_ENTRIES - 1]), 0);
    ASSERT_EQ(enter(&a, MAX_ENTRIES - 1, "10.2.0.1"), ADMIT_OK);
    ASSERT_EQ(enter(&a, 14, "10.2.0.1"), ADMIT_FULL);
    ASSERT_EQ(evicted_count, 1);
    for (int i = 0; i < MAX_ENTRIES; i++)
        if (i != 14)
            admit_leave(&a, &entries[i]);
    ASSERT_EQ(admit_held(&a), 0);
    ASSERT_EQ(a.addrs, 0);
    admit_destroy(&a);
}

int main(void)
{
    test_one_address_fills();
    test_eviction_evens_out();
    test_max_per_address();
    test_address_groups();
    test_many_addresses();
    return check_done();
}
