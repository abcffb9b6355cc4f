/* admit.h - the admission policy: which connections get one of a server's slots, and which
 * connection gives its slot up when the server is full.
 *
 * Why: without it one client can deny service to every other. A single address that opens
 * --max-clients silent connections leaves nothing for anyone else, and turning newcomers
 * away ("error: server busy") punishes the wrong side. A fixed share per address would
 * instead break the benchmarks, which run thousands of clients from 127.0.0.1 alone. So:
 *
 * - While a slot is free, anyone gets it: one address may fill the whole server.
 * - When every slot is taken, a newcomer from address A takes the slot of the connection
 *   of the address B holding the most slots that has gone longest without progress (its
 *   last completed message, else its arrival), if B holds at least two more slots than A;
 *   that connection is shed with "error: server busy". Otherwise the newcomer is turned
 *   away. Each eviction moves the slots towards an equal share (max-min fairness) with no
 *   share to configure, and an address never evicts its own connections.
 * - Optionally (max_per_addr), an address holding that many is turned away even with free
 *   slots.
 *
 * An address is an IPv4 address (IPv4-mapped IPv6 included) or an IPv6 /64: one IPv6 host
 * usually holds a whole /64 and could otherwise pose as millions of clients. Many
 * addresses working together (a botnet) are beyond any per-address rule.
 *
 * The policy knows nothing of threads or descriptors, so every concurrency model can use
 * it: the caller embeds a struct admit_entry in whatever it keeps per connection, and
 * sheds a connection in the evict callback its own way (a thread per connection: a flag
 * and shutdown(2) to wake the thread; an event loop: close it). All calls are O(1) but for
 * the O(log addresses) upkeep of the address holding the most slots, under one mutex. */
#ifndef PARLAB_ADMIT_H
#define PARLAB_ADMIT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct admit_addr;

/* One connection's place; owned by the caller, linked by the policy while admitted. */
struct admit_entry {
    struct admit_entry *prev, *next; /* its address's connections, least recent progress first */
    struct admit_addr *addr;         /* NULL unless admitted (cleared on leave and eviction) */
};

enum admit_result {
    ADMIT_OK,           /* a free slot */
    ADMIT_EVICTED,      /* the slot of a connection just passed to the evict callback */
    ADMIT_FULL,         /* every slot taken and no address holds more than its share */
    ADMIT_ADDRESS_FULL, /* the address already holds max_per_addr slots */
};

/* Sheds victim, which no longer counts against any slot. Runs under the policy's lock
 * with the victim still admitted until then, so the victim cannot have left (closed its
 * descriptor) before it returns; it must not block nor call back into the policy. */
typedef void (*admit_evict_fn)(struct admit_entry *victim, void *arg);

struct admit {
    pthread_mutex_t lock;
    uint64_t max_held;         /* slots */
    uint64_t max_per_addr;     /* 0: no fixed limit */
    uint64_t held;             /* slots taken */
    struct admit_addr **table; /* addresses holding slots, hashed */
    size_t table_size, addrs;
    struct admit_addr **heap; /* the same, the one holding the most slots first */
    size_t heap_cap;
    uint64_t seed; /* keys the hash, so a client cannot aim for one bucket */
    admit_evict_fn evict;
    void *evict_arg;
};

/* Returns 0, or -1 with "calloc: reason" or "pthread_mutex_init: reason" in err. */
int admit_init(struct admit *a, uint64_t max_held, uint64_t max_per_addr, admit_evict_fn evict,
               void *evict_arg, char *err, size_t errlen);
void admit_destroy(struct admit *a);

/* Asks for a slot for a connection from peer (e is caller-owned and not admitted). On
 * ADMIT_OK and ADMIT_EVICTED, e is admitted until admit_leave(). */
enum admit_result admit_enter(struct admit *a, struct admit_entry *e, const struct sockaddr *peer);

/* The connection completed a message: it becomes its address's last candidate to shed. */
void admit_progress(struct admit *a, struct admit_entry *e);

/* Gives the slot back; a no-op for an entry that was evicted. Returns 1 if e had been
 * evicted, 0 otherwise. A thread-per-connection server calls it before close(2). */
int admit_leave(struct admit *a, struct admit_entry *e);

/* Slots taken now. */
uint64_t admit_held(struct admit *a);

#endif
