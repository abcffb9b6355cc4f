/* prims_cpu.c - what the processor charges for parlab's smallest steps: a null system call,
 * the shared counter of the dynamic schedule (an atomic add, contended across two cores and
 * alone), and the 32-bit division of the primes kernel. */
#include "primes.h"
#include "prims.h"
#include "timer.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Tells the compiler that x may have changed, with no instruction emitted: a value it cannot
 * see through cannot be folded, and a computation on it cannot be hoisted out of a loop. */
#define PRIMS_OPAQUE(x) __asm__ volatile("" : "+r"(x))
/* Tells the compiler that memory may have changed: atomic adds in a loop stay one per turn. */
#define PRIMS_CLOBBER() __asm__ volatile("" ::: "memory")

static int prims_getppid_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    uint64_t t0 = timer_wall_ns();
    /* syscall(), not getppid(): a C library may answer from a cache without entering the
     * kernel. */
    for (uint64_t i = 0; i < n; i++)
        syscall(SYS_getppid);
    *ns = timer_wall_ns() - t0;
    return 0;
}

int prims_syscall(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    return prims_sample(env, t, "syscall", "getppid", "ns", 1.0, prims_getppid_run, NULL, err,
                        errlen, "syscall(SYS_getppid): a system call that does no work");
}

/* The counter on a cache line of its own, the hand-shake flags on another: only the adds
 * bounce the counter's line between the cores. */
struct prims_atomic {
    alignas(64) atomic_uint_fast64_t counter;
    alignas(64) atomic_int ready, go, done;
    uint64_t n;
    int pin; /* pin the partner to cpu */
    int cpu;
};

/* Pins the calling thread to one CPU; 0, or the error number. */
static int prims_pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void prims_add_n(atomic_uint_fast64_t *counter, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
        PRIMS_CLOBBER();
    }
}

/* Waits for a flag, giving the CPU away meanwhile: on one CPU the other thread needs it. */
static void prims_await(atomic_int *flag)
{
    while (!atomic_load_explicit(flag, memory_order_acquire))
        sched_yield();
}

static void *prims_atomic_partner(void *arg)
{
    struct prims_atomic *a = arg;
    if (a->pin)
        prims_pin(a->cpu);
    atomic_store_explicit(&a->ready, 1, memory_order_release);
    prims_await(&a->go);
    prims_add_n(&a->counter, a->n);
    atomic_store_explicit(&a->done, 1, memory_order_release);
    return NULL;
}

/* One operation: an add by this thread while the partner makes as many; the batch's time runs
 * from the start signal until both are done. */
static int prims_contended_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    struct prims_atomic *a = ctx;
    a->n = n;
    atomic_store(&a->ready, 0);
    atomic_store(&a->go, 0);
    atomic_store(&a->done, 0);
    pthread_t tid;
    int rc = pthread_create(&tid, NULL, prims_atomic_partner, a);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_create: %s", strerror(rc));
        return -1;
    }
    prims_await(&a->ready);
    uint64_t t0 = timer_wall_ns();
    atomic_store_explicit(&a->go, 1, memory_order_release);
    prims_add_n(&a->counter, n);
    prims_await(&a->done);
    *ns = timer_wall_ns() - t0;
    pthread_join(tid, NULL);
    return 0;
}

static int prims_uncontended_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    struct prims_atomic *a = ctx;
    (void)err;
    (void)errlen;
    uint64_t t0 = timer_wall_ns();
    prims_add_n(&a->counter, n);
    *ns = timer_wall_ns() - t0;
    return 0;
}

/* The first two CPUs this thread may run on; 0 when it may run on fewer than two. */
static int prims_two_cpus(int *first, int *second)
{
    cpu_set_t set;
    if (pthread_getaffinity_np(pthread_self(), sizeof set, &set) != 0 || CPU_COUNT(&set) < 2)
        return 0;
    int *next = first;
    for (int cpu = 0; cpu < CPU_SETSIZE && next; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            *next = cpu;
            next = next == first ? second : NULL;
        }
    }
    return 1;
}

int prims_atomic(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    static struct prims_atomic a; /* static: aligned as declared, whatever the stack */
    int mine = 0;
    a.pin = prims_two_cpus(&mine, &a.cpu);
    cpu_set_t saved;
    int restore = 0;
    if (a.pin) {
        restore = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
        int rc = prims_pin(mine);
        if (rc != 0) {
            snprintf(err, errlen, "atomic: pthread_setaffinity_np: %s", strerror(rc));
            return -1;
        }
    }
    char where[64];
    if (a.pin)
        snprintf(where, sizeof where, "pinned to CPUs %d and %d", mine, a.cpu);
    else
        snprintf(where, sizeof where, "one CPU: the two threads take turns on it");
    int rc =
        prims_sample(env, t, "atomic", "contended", "ns", 1.0, prims_contended_run, &a, err, errlen,
                     "relaxed atomic fetch-and-add on one counter by two threads at once "
                     "(%s); ns per add as each thread sees it",
                     where);
    if (restore)
        pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    if (rc != 0)
        return -1;
    return prims_sample(env, t, "atomic", "uncontended", "ns", 1.0, prims_uncontended_run, &a, err,
                        errlen,
                        "the same fetch-and-add by one thread alone: its cache line stays put");
}

/* Read once per batch through volatile, so the compiler knows none of them: n near 10^7
 * and d near its square root, the sizes of the primes sweeps' divisions. */
static volatile uint32_t prims_dividend = 9999991u; /* a prime: the kernel tries every d */
static volatile uint32_t prims_divisor = 3001u;
static volatile uint32_t prims_root = 3162u; /* floor(sqrt(9999991)) */
static volatile uint32_t prims_sink;

/* A dependent chain: each division waits for the one before (plus one add to keep the
 * dividend large). */
static int prims_latency_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    uint32_t x = prims_dividend, d = prims_divisor, base = prims_dividend;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        x = x % d + base;
        PRIMS_OPAQUE(x);
    }
    *ns = timer_wall_ns() - t0;
    prims_sink = x;
    return 0;
}

#define PRIMS_LANES 4

/* Independent divisions, PRIMS_LANES an operation: inputs made opaque every turn are
 * recomputed every turn, and no division waits for another. */
static int prims_throughput_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    uint32_t d = prims_divisor, a0 = prims_dividend, a1 = a0 - 2, a2 = a0 - 4, a3 = a0 - 6;
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        PRIMS_OPAQUE(a0);
        PRIMS_OPAQUE(a1);
        PRIMS_OPAQUE(a2);
        PRIMS_OPAQUE(a3);
        s0 += a0 % d;
        s1 += a1 % d;
        s2 += a2 % d;
        s3 += a3 % d;
    }
    *ns = timer_wall_ns() - t0;
    prims_sink = s0 + s1 + s2 + s3;
    return 0;
}

/* The kernel itself (primes.h): one operation is testing a prime, every d from 2 to its
 * root, each division followed by its test and branch. */
static int prims_kernel_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    uint32_t v = prims_dividend, root = prims_root, sum = 0;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        PRIMS_OPAQUE(v);
        PRIMS_OPAQUE(root);
        int prime;
        sum += primes_trial_divide(v, root, &prime);
    }
    *ns = timer_wall_ns() - t0;
    prims_sink = sum;
    return 0;
}

/* The scan as the programs run it, on the first numbers of every run: most end their loop
 * after a division or two, at a branch no predictor foresees, so a number costs more than
 * its divisions. Short loops are most of these numbers and of any N's, and where that
 * per-number part shows: the model takes it from this row less its divisions at the
 * kernel's rate. */
#define PRIMS_SCAN_LO 0u
#define PRIMS_SCAN_HI 100000u

static int prims_scan_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct primes_bitmap *bm = ctx;
    struct primes_tally tally = {0, 0, 0};
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t lo = PRIMS_SCAN_LO;
        PRIMS_OPAQUE(lo);
        primes_scan(bm, lo, PRIMS_SCAN_HI, &tally);
    }
    *ns = timer_wall_ns() - t0;
    prims_sink = (uint32_t)tally.trial_divisions;
    return 0;
}

static int prims_scan_row(const struct prims_env *env, struct prims_table *t, char *err,
                          size_t errlen)
{
    struct primes_bitmap bm;
    char why[256];
    if (primes_bitmap_map(&bm, PRIMS_SCAN_HI, 0, why, sizeof why) != 0) {
        snprintf(err, errlen, "div32 scan: %s", why);
        return -1;
    }
    struct primes_tally tally = {0, 0, 0};
    primes_scan(&bm, PRIMS_SCAN_LO, PRIMS_SCAN_HI, &tally);
    /* Per number the kernel tests (0 and 1 are not), as the tally counts them. */
    int rc =
        prims_sample(env, t, "div32", "scan", "ns", (double)tally.numbers_tested, prims_scan_run,
                     &bm, err, errlen,
                     "primes_scan of the numbers %u to %u (%llu tested; %llu divisions); "
                     "ns per number tested",
                     PRIMS_SCAN_LO, PRIMS_SCAN_HI - 1, (unsigned long long)tally.numbers_tested,
                     (unsigned long long)tally.trial_divisions);
    primes_bitmap_unmap(&bm);
    return rc;
}

int prims_div32(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    if (prims_sample(env, t, "div32", "latency", "ns", 1.0, prims_latency_run, NULL, err, errlen,
                     "x = x %% d + n: each 32-bit division waits for the last; n = %u; d = %u",
                     prims_dividend, prims_divisor) != 0)
        return -1;
    if (prims_sample(env, t, "div32", "throughput", "ns", PRIMS_LANES, prims_throughput_run, NULL,
                     err, errlen, "%d independent 32-bit n %% d at a time; n near %u; d = %u",
                     PRIMS_LANES, prims_dividend, prims_divisor) != 0)
        return -1;
    /* The divisions one test makes, counted by the kernel, not assumed. */
    int prime;
    uint32_t per = primes_trial_divide(prims_dividend, prims_root, &prime);
    if (prims_sample(env, t, "div32", "kernel", "ns", per, prims_kernel_run, NULL, err, errlen,
                     "primes_trial_divide on the prime %u: %u divisions with their tests; "
                     "ns per division",
                     prims_dividend, per) != 0)
        return -1;
    return prims_scan_row(env, t, err, errlen);
}
