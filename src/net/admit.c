/* admit.c - the admission policy (see admit.h for the rule and why). */
#include "admit.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ADMIT_KEY_LEN    16
#define ADMIT_TABLE_MIN  64
#define ADMIT_IPV6_GROUP 8 /* bytes of an IPv6 address that name its owner: the /64 */

struct admit_addr {
    uint8_t key[ADMIT_KEY_LEN];
    uint64_t count;           /* slots held */
    size_t heap_index;        /* where in a->heap */
    struct admit_addr *chain; /* next in its hash bucket */
    struct admit_entry *head, *tail;
};

/* IPv4 as IPv4-mapped IPv6, so a dual-stack listener counts a client once; IPv6 by its
 * /64; anything else (a Unix socket) as one address. */
static void admit_key(const struct sockaddr *sa, uint8_t key[ADMIT_KEY_LEN])
{
    memset(key, 0, ADMIT_KEY_LEN);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        size_t n = IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) ? ADMIT_KEY_LEN : ADMIT_IPV6_GROUP;
        memcpy(key, &in6->sin6_addr, n);
    }
}

/* A keyed mix (splitmix64 steps over the two halves): not a cryptographic hash, but with a
 * secret seed a client cannot choose addresses that all land in one bucket. */
static size_t admit_hash(const struct admit *a, const uint8_t key[ADMIT_KEY_LEN])
{
    uint64_t h = a->seed;
    for (int i = 0; i < 2; i++) {
        uint64_t w;
        memcpy(&w, key + 8 * i, 8);
        h ^= w;
        h += 0x9e3779b97f4a7c15ull;
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
        h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
        h ^= h >> 31;
    }
    return (size_t)h & (a->table_size - 1);
}

static uint64_t admit_seed(void)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 32 ^
               (uint64_t)ts.tv_sec;
    }
    return seed;
}

int admit_init(struct admit *a, uint64_t max_held, uint64_t max_per_addr, admit_evict_fn evict,
               void *evict_arg, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->max_held = max_held;
    a->max_per_addr = max_per_addr;
    a->evict = evict;
    a->evict_arg = evict_arg;
    a->seed = admit_seed();
    a->table_size = ADMIT_TABLE_MIN;
    a->table = calloc(a->table_size, sizeof *a->table);
    if (!a->table) {
        snprintf(err, errlen, "calloc: %s", strerror(ENOMEM));
        return -1;
    }
    int rc = pthread_mutex_init(&a->lock, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_mutex_init: %s", strerror(rc));
        free(a->table);
        a->table = NULL;
        return -1;
    }
    return 0;
}

void admit_destroy(struct admit *a)
{
    for (size_t i = 0; i < a->table_size; i++) {
        struct admit_addr *next;
        for (struct admit_addr *ad = a->table[i]; ad; ad = next) {
            next = ad->chain;
            free(ad);
        }
    }
    free(a->table);
    free(a->heap);
    pthread_mutex_destroy(&a->lock);
    a->table = NULL;
    a->heap = NULL;
}

/* --- the address holding the most slots: a max-heap on count ----------------------- */

static void admit_heap_set(struct admit *a, size_t i, struct admit_addr *ad)
{
    a->heap[i] = ad;
    ad->heap_index = i;
}

static void admit_heap_up(struct admit *a, size_t i)
{
    struct admit_addr *ad = a->heap[i];
    while (i > 0 && a->heap[(i - 1) / 2]->count < ad->count) {
        admit_heap_set(a, i, a->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    admit_heap_set(a, i, ad);
}

static void admit_heap_down(struct admit *a, size_t i)
{
    struct admit_addr *ad = a->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= a->addrs)
            break;
        if (child + 1 < a->addrs && a->heap[child + 1]->count > a->heap[child]->count)
            child++;
        if (a->heap[child]->count <= ad->count)
            break;
        admit_heap_set(a, i, a->heap[child]);
        i = child;
    }
    admit_heap_set(a, i, ad);
}

/* --- addresses: created with their first slot, freed with their last ---------------- */

static struct admit_addr *admit_find(struct admit *a, const uint8_t key[ADMIT_KEY_LEN])
{
    for (struct admit_addr *ad = a->table[admit_hash(a, key)]; ad; ad = ad->chain)
        if (memcmp(ad->key, key, ADMIT_KEY_LEN) == 0)
            return ad;
    return NULL;
}

/* Keeps the table at most one address per bucket on average. A failed resize keeps the
 * old table: chains grow longer, nothing breaks. */
static void admit_grow_table(struct admit *a)
{
    if (a->addrs < a->table_size)
        return;
    size_t size = a->table_size * 2;
    struct admit_addr **table = calloc(size, sizeof *table);
    if (!table)
        return;
    struct admit_addr **old = a->table;
    size_t old_size = a->table_size;
    a->table = table;
    a->table_size = size;
    for (size_t i = 0; i < old_size; i++) {
        struct admit_addr *next;
        for (struct admit_addr *ad = old[i]; ad; ad = next) {
            next = ad->chain;
            size_t b = admit_hash(a, ad->key);
            ad->chain = table[b];
            table[b] = ad;
        }
    }
    free(old);
}

static struct admit_addr *admit_add_addr(struct admit *a, const uint8_t key[ADMIT_KEY_LEN])
{
    if (a->addrs == a->heap_cap) {
        size_t cap = a->heap_cap ? a->heap_cap * 2 : ADMIT_TABLE_MIN;
        struct admit_addr **heap = realloc(a->heap, cap * sizeof *heap);
        if (!heap)
            return NULL;
        a->heap = heap;
        a->heap_cap = cap;
    }
    struct admit_addr *ad = calloc(1, sizeof *ad);
    if (!ad)
        return NULL;
    memcpy(ad->key, key, ADMIT_KEY_LEN);
    size_t b = admit_hash(a, key);
    ad->chain = a->table[b];
    a->table[b] = ad;
    admit_heap_set(a, a->addrs++, ad);
    admit_grow_table(a);
    return ad;
}

static void admit_remove_addr(struct admit *a, struct admit_addr *ad)
{
    struct admit_addr **link = &a->table[admit_hash(a, ad->key)];
    while (*link != ad)
        link = &(*link)->chain;
    *link = ad->chain;
    size_t i = ad->heap_index;
    struct admit_addr *last = a->heap[--a->addrs];
    if (last != ad) {
        admit_heap_set(a, i, last);
        admit_heap_up(a, i);
        admit_heap_down(a, last->heap_index);
    }
    free(ad);
}

/* --- entries ------------------------------------------------------------------------ */

static void admit_append(struct admit_addr *ad, struct admit_entry *e)
{
    e->next = NULL;
    e->prev = ad->tail;
    if (ad->tail)
        ad->tail->next = e;
    else
        ad->head = e;
    ad->tail = e;
}

static void admit_unlink(struct admit_addr *ad, struct admit_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        ad->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        ad->tail = e->prev;
    e->prev = e->next = NULL;
}

/* Takes e's slot back; frees its address with the last one. */
static void admit_release(struct admit *a, struct admit_entry *e)
{
    struct admit_addr *ad = e->addr;
    admit_unlink(ad, e);
    e->addr = NULL;
    a->held--;
    if (--ad->count == 0)
        admit_remove_addr(a, ad);
    else
        admit_heap_down(a, ad->heap_index);
}

static void admit_take(struct admit *a, struct admit_addr *ad, struct admit_entry *e)
{
    e->addr = ad;
    admit_append(ad, e);
    ad->count++;
    a->held++;
    admit_heap_up(a, ad->heap_index);
}

enum admit_result admit_enter(struct admit *a, struct admit_entry *e, const struct sockaddr *peer)
{
    uint8_t key[ADMIT_KEY_LEN];
    admit_key(peer, key);
    pthread_mutex_lock(&a->lock);
    e->addr = NULL;
    struct admit_addr *ad = admit_find(a, key);
    uint64_t mine = ad ? ad->count : 0;
    enum admit_result res = ADMIT_OK;
    if (a->max_per_addr && mine >= a->max_per_addr) {
        res = ADMIT_ADDRESS_FULL;
    } else if (a->held >= a->max_held) {
        struct admit_addr *top = a->addrs ? a->heap[0] : NULL;
        if (!top || top == ad || top->count < mine + 2) {
            res = ADMIT_FULL;
        } else {
            struct admit_entry *victim = top->head;
            admit_release(a, victim);
            a->evict(victim, a->evict_arg);
            res = ADMIT_EVICTED;
        }
    }
    if (res == ADMIT_OK || res == ADMIT_EVICTED) {
        /* The victim's address may have gone with its last slot; look again. */
        if (res == ADMIT_EVICTED || !ad)
            ad = admit_find(a, key);
        if (!ad)
            ad = admit_add_addr(a, key);
        if (ad)
            admit_take(a, ad, e);
        else
            res = ADMIT_FULL; /* out of memory: as if full */
    }
    pthread_mutex_unlock(&a->lock);
    return res;
}

void admit_progress(struct admit *a, struct admit_entry *e)
{
    pthread_mutex_lock(&a->lock);
    struct admit_addr *ad = e->addr;
    if (ad && ad->tail != e) {
        admit_unlink(ad, e);
        admit_append(ad, e);
    }
    pthread_mutex_unlock(&a->lock);
}

int admit_leave(struct admit *a, struct admit_entry *e)
{
    pthread_mutex_lock(&a->lock);
    int evicted = e->addr == NULL;
    if (!evicted)
        admit_release(a, e);
    pthread_mutex_unlock(&a->lock);
    return evicted;
}

uint64_t admit_held(struct admit *a)
{
    pthread_mutex_lock(&a->lock);
    uint64_t held = a->held;
    pthread_mutex_unlock(&a->lock);
    return held;
}
