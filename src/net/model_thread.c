/* model_thread.c - the lab's model: one detached thread per connection, with a small
 * stack, running the conversation with blocking waits (convio_serve). The main thread
 * accepts, admits and starts the threads. */
#include "convio.h"
#include "model.h"
#include "timer.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A connection still waiting for `ready` after this long gives back its idle stack pages. */
#define THREAD_TRIM_AFTER_MS 20
/* Trimmed: from SPAN below the trimming frame (never below the stack, see stack_room) up
 * to MARGIN below it, kept for the calls it makes. The span covers the deepest call the
 * data message makes, about 3 KiB below that frame. */
#define THREAD_TRIM_SPAN   (16 * 1024)
#define THREAD_TRIM_MARGIN 512

/* Connection thread stacks. The deepest a connection goes is about 4 KiB below its first
 * frame (strtod and snprintf of a double; measured by painting stacks through the whole
 * test suite), so 20 KiB, guard page and thread control block included, leaves three times
 * that. Small enough, too, that glibc's thread exit skips its madvise() of the unused
 * stack (done only past 16 KiB free): one system call less per connection. Only touched
 * pages count against memory, so a larger stack would cost no resident memory, only that
 * call. Sanitizers pad every frame and get room to match. */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) ||                               \
    __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define THREAD_SANITIZED     1
#define THREAD_DEFAULT_STACK (512 * 1024)
#else
#define THREAD_SANITIZED     0
#define THREAD_DEFAULT_STACK (20 * 1024)
#endif

static struct model_env *env;
static pthread_attr_t thread_attr;
static size_t thread_stack_size;

/* Usable stack below a connection thread's first frame (0: unknown, no trimming). Every
 * thread made with thread_attr has the same layout, so one probe thread measures it. */
static uintptr_t stack_room;

/* What a connection's thread keeps besides the conversation, on its stack. */
struct thread_conn {
    uintptr_t first_frame; /* this thread's first frame, for thread_trim_stack() */
    int trimmed;           /* the stack was trimmed for a long wait */
};

/* Handling the data message (strtod, the log line, Python's float text) runs a few KiB
 * deeper than waiting does, and touched stack pages stay resident: with thousands of
 * clients waiting for their `ready` (the lab's client pauses 5 s) that third page per
 * thread is a quarter of the server's memory. Pages below this frame hold nothing live,
 * so a connection about to wait long hands them back; they refill on demand. */
static __attribute__((noinline)) void thread_trim_stack(const struct thread_conn *tc)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || stack_room == 0)
        return;
    uintptr_t mask = (uintptr_t)page - 1;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t low = tc->first_frame - stack_room;
    uintptr_t start = here - THREAD_TRIM_SPAN > low ? here - THREAD_TRIM_SPAN : low;
    start = (start + mask) & ~mask;
    uintptr_t end = (here - THREAD_TRIM_MARGIN) & ~mask;
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

/* Waits for input. A connection that has had its data waits a short while first, and
 * only if `ready` is not there by then trims its stack and waits the rest. */
static int thread_wait(void *arg, struct conv *c, uint64_t deadline_ns)
{
    struct thread_conn *tc = arg;
    int left = net_ms_until(deadline_ns);
    if (conv_has_data(c) && !tc->trimmed && (left < 0 || left > THREAD_TRIM_AFTER_MS)) {
        int w = net_wait_readable(c->fd, env->stop_rd, THREAD_TRIM_AFTER_MS);
        if (w != 0)
            return w;
        thread_trim_stack(tc);
        tc->trimmed = 1;
        left = net_ms_until(deadline_ns);
    }
    return net_wait_readable(c->fd, env->stop_rd, left);
}

static void *thread_conn_main(void *arg)
{
    struct thread_conn tc = {.first_frame = (uintptr_t)__builtin_frame_address(0)};
    struct conv c;
    conv_init(env->conv, &c, (int)(intptr_t)arg);
    conv_begin(env->conv, &c, timer_wall_ns());
    convio_serve(env->conv, &c, env->stop_rd, thread_wait, &tc);
    conv_end(env->conv, &c);
    return NULL;
}

static void thread_start(void *arg, int fd)
{
    (void)arg;
    pthread_t tid;
    int rc = pthread_create(&tid, &thread_attr, thread_conn_main, (void *)(intptr_t)fd);
    if (rc == 0)
        stats_thread_started(&env->conv->stats);
    else {
        char buf[128], why[160];
        snprintf(why, sizeof why, "cannot start a thread (%s)", net_strerror(rc, buf, sizeof buf));
        conv_unadmit(env->conv, fd, why);
    }
}

static void *thread_probe_main(void *arg)
{
    uintptr_t *room = arg;
    pthread_attr_t attr;
    void *low = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return NULL;
    if (pthread_attr_getstack(&attr, &low, &size) == 0) {
        uintptr_t first = (uintptr_t)__builtin_frame_address(0);
        /* A page of slack for whatever the C library keeps at the bottom. */
        long page = sysconf(_SC_PAGESIZE);
        uintptr_t floor = (uintptr_t)low + (uintptr_t)(page > 0 ? page : 4096);
        if (first > floor)
            *room = first - floor;
    }
    pthread_attr_destroy(&attr);
    return NULL;
}

/* Measures stack_room on a thread with the connection threads' stack size. */
static void thread_probe_stack(void)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return;
    pthread_t tid;
    uintptr_t room = 0;
    if (pthread_attr_setstacksize(&attr, thread_stack_size) == 0 &&
        pthread_create(&tid, &attr, thread_probe_main, &room) == 0 && pthread_join(tid, NULL) == 0)
        stack_room = room;
    pthread_attr_destroy(&attr);
}

static int thread_prepare(struct model_env *e, char *err, size_t errlen)
{
    env = e;
    thread_stack_size = e->stack_size ? e->stack_size : THREAD_DEFAULT_STACK;
#if THREAD_SANITIZED
    /* Sanitizers pad every frame: a stack asked for below their room would overflow. */
    if (thread_stack_size < THREAD_DEFAULT_STACK)
        thread_stack_size = THREAD_DEFAULT_STACK;
#endif
    int rc = pthread_attr_init(&thread_attr);
    if (rc == 0)
        rc = pthread_attr_setdetachstate(&thread_attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0)
        rc = pthread_attr_setstacksize(&thread_attr, thread_stack_size);
    if (rc != 0) {
        snprintf(err, errlen, "cannot set up threads of a %zu KiB stack: %s",
                 thread_stack_size / 1024, strerror(rc));
        return -1;
    }
    thread_probe_stack();
    return 0;
}

/* Stop accepting first, then wake every connection thread, then wait for them; those that
 * lag behind are silenced by the log's stop. */
static int thread_serve(struct model_env *e)
{
    model_accept_loop(e, thread_start, NULL);
    unsigned long long start = timer_wall_ns();
    model_stop_begin(e);
    model_stop_wait(e, start);
    return 0;
}

const struct model_ops model_thread = {"thread", thread_prepare, thread_serve};
