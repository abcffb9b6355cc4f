/* test_admit - the admission policy: free slots for anyone, then evictions that even out
 * the slots between addresses, longest idle first, and addresses as the policy groups them. */
#include "admit.h"
#include "net_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define MAX_ENTRIES 64

static struct admit_entry entries[MAX_ENTRIES];
static struct admit_entry *evicted[MAX_ENTRIES];
static int evicted_count;

static void record_eviction(struct admit_entry *victim, void *arg)
{
    CHECK(arg == (void *)entries);
    CHECK(victim->addr == NULL); /* no longer holding a slot when shed */
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
    CHECK_INT(0, admit_init(a, max, per_addr, record_eviction, entries));
}

/* One address may take every slot; the next from it is turned away, not given a slot
 * of its own. */
static void test_one_address_fills(void)
{
    struct admit a;
    setup(&a, 4, 0);
    for (int i = 0; i < 4; i++)
        CHECK_INT(ADMIT_OK, enter(&a, i, "127.0.0.1"));
    CHECK_INT(ADMIT_FULL, enter(&a, 4, "127.0.0.1"));
    CHECK_INT(0, evicted_count);
    CHECK_EQ_U64(4, admit_held(&a));
    /* A slot given back is free again for anyone. */
    CHECK_INT(0, admit_leave(&a, &entries[2]));
    CHECK_INT(ADMIT_OK, enter(&a, 4, "127.0.0.1"));
    for (int i = 0; i < 5; i++)
        if (i != 2)
            admit_leave(&a, &entries[i]);
    CHECK_EQ_U64(0, admit_held(&a));
    admit_destroy(&a);
}

/* A newcomer from elsewhere evicts the longest idle of the biggest holder, until the two
 * are within one slot of each other. */
static void test_eviction_evens_out(void)
{
    struct admit a;
    setup(&a, 6, 0);
    for (int i = 0; i < 6; i++)
        CHECK_INT(ADMIT_OK, enter(&a, i, "10.0.0.1"));
    /* Entry 0 completed a message: entry 1 is now the longest without progress. */
    admit_progress(&a, &entries[0]);
    CHECK_INT(ADMIT_EVICTED, enter(&a, 10, "10.0.0.2"));
    CHECK_INT(1, evicted_count);
    CHECK(evicted[0] == &entries[1]);
    CHECK_INT(1, admit_leave(&a, &entries[1])); /* its thread leaves later: a no-op */
    CHECK_INT(ADMIT_EVICTED, enter(&a, 11, "10.0.0.2"));
    CHECK(evicted[1] == &entries[2]);
    CHECK_INT(ADMIT_EVICTED, enter(&a, 12, "10.0.0.2"));
    CHECK(evicted[2] == &entries[3]);
    /* 3 against 3: no more. */
    CHECK_INT(ADMIT_FULL, enter(&a, 13, "10.0.0.2"));
    CHECK_INT(ADMIT_FULL, enter(&a, 13, "10.0.0.1"));
    /* A third address, holding nothing, evicts from one of the two holding 3. */
    CHECK_INT(ADMIT_EVICTED, enter(&a, 13, "10.0.0.3"));
    CHECK_INT(4, evicted_count);
    CHECK_EQ_U64(6, admit_held(&a));
    admit_destroy(&a);
}

/* The fixed limit holds even with slots free. */
static void test_max_per_address(void)
{
    struct admit a;
    setup(&a, 10, 2);
    CHECK_INT(ADMIT_OK, enter(&a, 0, "192.0.2.1"));
    CHECK_INT(ADMIT_OK, enter(&a, 1, "192.0.2.1"));
    CHECK_INT(ADMIT_ADDRESS_FULL, enter(&a, 2, "192.0.2.1"));
    CHECK_INT(ADMIT_OK, enter(&a, 2, "192.0.2.2"));
    admit_leave(&a, &entries[0]);
    CHECK_INT(ADMIT_OK, enter(&a, 3, "192.0.2.1"));
    admit_destroy(&a);
}

/* IPv6 counts by /64; an IPv4-mapped address is the IPv4 address. */
static void test_address_groups(void)
{
    struct admit a;
    setup(&a, 2, 0);
    CHECK_INT(ADMIT_OK, enter(&a, 0, "2001:db8:1:2::1"));
    CHECK_INT(ADMIT_OK, enter(&a, 1, "2001:db8:1:2::ffff:9"));
    /* Same /64: the same address, which cannot evict itself. */
    CHECK_INT(ADMIT_FULL, enter(&a, 2, "2001:db8:1:2:abcd::7"));
    /* Another /64 evicts. */
    CHECK_INT(ADMIT_EVICTED, enter(&a, 2, "2001:db8:1:3::1"));
    CHECK(evicted[0] == &entries[0]);
    admit_destroy(&a);

    setup(&a, 2, 0);
    CHECK_INT(ADMIT_OK, enter(&a, 0, "198.51.100.7"));
    CHECK_INT(ADMIT_OK, enter(&a, 1, "::ffff:198.51.100.7"));
    CHECK_INT(ADMIT_FULL, enter(&a, 2, "198.51.100.7"));
    CHECK_INT(ADMIT_EVICTED, enter(&a, 2, "::ffff:198.51.100.8"));
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
        CHECK_INT(ADMIT_OK, enter(&a, i, addr));
    }
    CHECK_INT(ADMIT_OK, enter(&a, MAX_ENTRIES - 2, "10.1.0.7"));
    /* A newcomer evicts from address 7, the only one holding 3 (entries 14, 15, 62). */
    CHECK_INT(ADMIT_EVICTED, enter(&a, MAX_ENTRIES - 1, "10.2.0.1"));
    CHECK(evicted[0] == &entries[14]);
    /* A slot given back is free for anyone; then the newcomer's address, holding 1, may
     * not evict from addresses holding 2. */
    CHECK_INT(0, admit_leave(&a, &entries[MAX_ENTRIES - 1]));
    CHECK_INT(ADMIT_OK, enter(&a, MAX_ENTRIES - 1, "10.2.0.1"));
    CHECK_INT(ADMIT_FULL, enter(&a, 14, "10.2.0.1"));
    CHECK_INT(1, evicted_count);
    for (int i = 0; i < MAX_ENTRIES; i++)
        if (i != 14)
            admit_leave(&a, &entries[i]);
    CHECK_EQ_U64(0, admit_held(&a));
    CHECK_EQ_U64(0, a.addrs);
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
