/* prims_proc.c - what starting and talking to processes and threads costs: a program's
 * start-up (with and without PAPI), fork, thread creation at the stack sizes the server's
 * thread model sweeps, one-byte pipe round trips, and mpirun's start-up. */
#include "counters.h"
#include "prims.h"
#include "timer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The thread model's stack sizes worth knowing (KiB): the server's smallest, a few sizes
 * either side of its default, and glibc's default of 8 MiB. */
static const unsigned prims_stacks_kib[] = {16, 64, 256, 8192};

int prims_child(const char *mode)
{
    if (strcmp(mode, "bare") == 0)
        return 0;
    if (strcmp(mode, "papi") != 0)
        return -1;
    /* What a run with --metrics --events none does before its first row: open libsde and
     * libpapi, start PAPI with parlab's SDE library registered, stop. */
    if (!counters_have_papi())
        return PRIMS_CHILD_NO_PAPI;
    struct counters_spec spec;
    memset(&spec, 0, sizeof spec);
    struct counters c;
    struct counters_result result;
    counters_start(&c, &spec, "parlab_calibrate", NULL, 0);
    counters_stop(&c, &result);
    return 0;
}

/* fork, exec argv (searched in PATH when argv[0] has no slash), wait. `quiet` sends the
 * child's standard streams to /dev/null. Returns 0 with the wait status in *status, or -1
 * with "call: reason" in err. */
static int prims_spawn(char *const argv[], int quiet, int *status, char *err, size_t errlen)
{
    int null = -1;
    if (quiet && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "open /dev/null: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        /* Between fork and exec: async-signal-safe calls only. */
        if (null >= 0 && (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0))
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int e = errno;
    if (null >= 0)
        close(null);
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(e));
        return -1;
    }
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* "exited with status N" or "was killed by signal N", for a child that did not exit 0. */
static void prims_status_text(int status, char *out, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(out, len, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
}

struct prims_exec {
    char *const *argv;
    int quiet;
};

/* One operation: a whole fork + exec + wait of argv, which must exit 0. */
static int prims_exec_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    const struct prims_exec *x = ctx;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        int status;
        if (prims_spawn(x->argv, x->quiet, &status, err, errlen) != 0)
            return -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char how[64];
            prims_status_text(status, how, sizeof how);
            snprintf(err, errlen, "'%s' %s", x->argv[0], how);
            return -1;
        }
    }
    *ns = timer_wall_ns() - t0;
    return 0;
}

/* The program `name` beside calibrate (runone, the bench's launcher; the primes programs),
 * or "" when it is not there. */
static void prims_sibling(const char *self, const char *name, char *out, size_t len)
{
    const char *slash = strrchr(self, '/');
    int n = slash ? snprintf(out, len, "%.*s/%s", (int)(slash - self), self, name)
                  : snprintf(out, len, "%s", name);
    if (n < 0 || (size_t)n >= len || access(out, X_OK) != 0)
        out[0] = '\0';
}

/* The primes programs whose own start-up is timed: what their libraries cost to load (the
 * OpenMP runtime, in optimized) beyond the trivial child's. */
static const char *const prims_programs[] = {"nonoptimized", "optimized"};

/* One operation: `runone --fd W -- calibrate --startup-child bare`, the child's time as
 * runone reports it (wall_ns, fork to reap), not this loop's: exactly what the bench's
 * launcher times of every run, start-up and all. */
static int prims_launched_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    char *const *argv = ctx;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        int fds[2];
        if (pipe(fds) != 0) {
            snprintf(err, errlen, "pipe: %s", strerror(errno));
            return -1;
        }
        /* argv[2] is the --fd value: the pipe's write end, whatever its number. */
        char fd[16];
        snprintf(fd, sizeof fd, "%d", fds[1]);
        char *args[8];
        memcpy(args, argv, sizeof args);
        args[2] = fd;
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            execv(args[0], args);
            _exit(127);
        }
        int e = errno;
        close(fds[1]);
        if (pid < 0) {
            close(fds[0]);
            snprintf(err, errlen, "fork: %s", strerror(e));
            return -1;
        }
        char line[256];
        size_t got = 0;
        ssize_t r;
        while (got < sizeof line - 1 &&
               (r = read(fds[0], line + got, sizeof line - 1 - got)) != 0) {
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                break;
            got += (size_t)r;
        }
        line[got] = '\0';
        close(fds[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        const char *w = strstr(line, " wall_ns=");
        unsigned long long wall = 0;
        if (!w || !strstr(line, "status=exit:0") || sscanf(w, " wall_ns=%llu", &wall) != 1) {
            snprintf(err, errlen, "runone: no report of a clean exit: '%.60s'", line);
            return -1;
        }
        sum += wall;
    }
    *ns = sum;
    return 0;
}

/* What a cold start finds evicted: more than a core's share of the last-level cache of
 * current x86 servers. The bench's every run follows others (the other variants, runone,
 * bench/measure's Python), so it starts with caches like these, not warm ones. */
#define PRIMS_EVICT_BYTES (8u << 20)
static unsigned char prims_evict_buf[PRIMS_EVICT_BYTES];

/* One operation: the caches evicted (not timed), then a fork + exec + wait of argv. */
static int prims_cold_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    uint64_t sum = 0, one;
    for (uint64_t i = 0; i < n; i++) {
        memset(prims_evict_buf, (int)i, sizeof prims_evict_buf);
        uint64_t t0 = timer_wall_ns();
        if (prims_exec_run(ctx, 1, &one, err, errlen) != 0)
            return -1;
        sum += timer_wall_ns() - t0;
    }
    *ns = sum;
    return 0;
}

/* The start-up child opening PAPI; a row that says why where PAPI cannot be opened. */
static int prims_startup_papi(const struct prims_env *env, struct prims_table *t, char *err,
                              size_t errlen)
{
    char *papi[] = {(char *)env->self, PRIMS_CHILD, "papi", NULL};
    /* One try first: where PAPI cannot be opened the child says so by its status. */
    int status;
    char why[256];
    if (prims_spawn(papi, 0, &status, why, sizeof why) != 0) {
        snprintf(err, errlen, "startup papi: %s", why);
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == PRIMS_CHILD_NO_PAPI) {
#ifdef PARLAB_HAVE_PAPI
        const char *reason = "PAPI cannot be opened on this machine (libpapi or libsde)";
#else
        const char *reason = "built without PAPI";
#endif
        return prims_skip(t, "startup", "papi", "us", err, errlen, "not measured: %s", reason);
    }
    struct prims_exec x = {papi, 0};
    return prims_sample(env, t, "startup", "papi", "us", 1000.0, prims_exec_run, &x, err, errlen,
                        "the same child after opening and starting PAPI as --metrics does");
}

/* The bare child through runone, and the primes programs' own start-up, where they are
 * built beside calibrate; rows that say so where not. */
static int prims_startup_beside(const struct prims_env *env, struct prims_table *t, char *err,
                                size_t errlen)
{
    char runone[PATH_MAX];
    prims_sibling(env->self, "runone", runone, sizeof runone);
    char *launched[8] = {runone, "--fd", NULL, "--", (char *)env->self, PRIMS_CHILD, "bare", NULL};
    if (!runone[0]) {
        if (prims_skip(t, "startup", "launched", "us", err, errlen,
                       "not measured: no runone beside calibrate") != 0)
            return -1;
    } else if (prims_sample(env, t, "startup", "launched", "us", 1000.0, prims_launched_run,
                            launched, err, errlen,
                            "the bare child started by runone as the bench starts every run; "
                            "the wall_ns runone reports (fork to reap)") != 0) {
        return -1;
    }
    for (size_t i = 0; i < sizeof prims_programs / sizeof prims_programs[0]; i++) {
        char path[PATH_MAX];
        prims_sibling(env->self, prims_programs[i], path, sizeof path);
        if (!path[0]) {
            if (prims_skip(t, "startup", prims_programs[i], "us", err, errlen,
                           "not measured: no %s beside calibrate", prims_programs[i]) != 0)
                return -1;
            continue;
        }
        char *argv[] = {path, "--version", NULL};
        struct prims_exec prog = {argv, 1};
        if (prims_sample(env, t, "startup", prims_programs[i], "us", 1000.0, prims_cold_run, &prog,
                         err, errlen,
                         "%s --version beside calibrate; cold as startup cold: the program "
                         "start-up with its libraries",
                         prims_programs[i]) != 0)
            return -1;
    }
    return 0;
}

int prims_startup(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    char *bare[] = {(char *)env->self, PRIMS_CHILD, "bare", NULL};
    struct prims_exec x = {bare, 0};
    if (prims_sample(env, t, "startup", "bare", "us", 1000.0, prims_exec_run, &x, err, errlen,
                     "fork + exec + wait of calibrate in a child mode that exits at once") != 0)
        return -1;
    if (prims_sample(env, t, "startup", "cold", "us", 1000.0, prims_cold_run, &x, err, errlen,
                     "the same after %u MiB written elsewhere evicted the caches (not timed)",
                     PRIMS_EVICT_BYTES >> 20) != 0)
        return -1;
    if (prims_startup_papi(env, t, err, errlen) != 0)
        return -1;
    return prims_startup_beside(env, t, err, errlen);
}

int prims_mpi_startup(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    static const char *const ranks[] = {"1", "2"};
    for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++) {
        char *argv[] = {(char *)env->mpirun,
                        "-np",
                        (char *)ranks[i],
                        (char *)env->primes_mpi,
                        "--limit",
                        "10",
                        "--output",
                        "/dev/null",
                        NULL};
        struct prims_exec x = {argv, 1};
        if (prims_sample(env, t, "mpi_startup", ranks[i], "us", 1000.0, prims_exec_run, &x, err,
                         errlen, "--mpirun CMD -np %s primes_mpi --limit 10 (variant: ranks)",
                         ranks[i]) != 0)
            return -1;
    }
    return 0;
}

static int prims_fork_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    (void)ctx;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            snprintf(err, errlen, "fork: %s", strerror(errno));
            return -1;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                snprintf(err, errlen, "waitpid: %s", strerror(errno));
                return -1;
            }
        }
    }
    *ns = timer_wall_ns() - t0;
    return 0;
}

int prims_fork(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    return prims_sample(env, t, "fork", "exit", "us", 1000.0, prims_fork_run, NULL, err, errlen,
                        "fork + _exit + waitpid of a child that runs no code");
}

static void *prims_nothing(void *arg)
{
    return arg;
}

static int prims_join_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    const pthread_attr_t *attr = ctx;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        pthread_t tid;
        int rc = pthread_create(&tid, attr, prims_nothing, NULL);
        if (rc != 0) {
            snprintf(err, errlen, "pthread_create: %s", strerror(rc));
            return -1;
        }
        pthread_join(tid, NULL);
    }
    *ns = timer_wall_ns() - t0;
    return 0;
}

/* A detached thread cannot be joined: it says it has run, and the creator waits for that. */
static void *prims_mark_ran(void *arg)
{
    atomic_store_explicit((atomic_int *)arg, 1, memory_order_release);
    return NULL;
}

static int prims_detached_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    const pthread_attr_t *attr = ctx;
    /* The store is each thread's last touch of it: once seen, the next thread may reuse it. */
    atomic_int ran;
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        atomic_init(&ran, 0);
        pthread_t tid;
        int rc = pthread_create(&tid, attr, prims_mark_ran, &ran);
        if (rc != 0) {
            snprintf(err, errlen, "pthread_create: %s", strerror(rc));
            return -1;
        }
        while (!atomic_load_explicit(&ran, memory_order_acquire))
            sched_yield();
    }
    *ns = timer_wall_ns() - t0;
    return 0;
}

/* 0 when a thread can start with attr's stack; the error number otherwise. The stack holds
 * the thread's TLS too, so a size the system takes may still be too small for a build with
 * much of it (a sanitizer's runtime). */
static int prims_stack_fits(const pthread_attr_t *attr)
{
    size_t size;
    pthread_attr_t probe;
    int rc = pthread_attr_getstacksize(attr, &size);
    if (rc == 0 && (rc = pthread_attr_init(&probe)) == 0) {
        rc = pthread_attr_setstacksize(&probe, size);
        pthread_t tid;
        if (rc == 0 && (rc = pthread_create(&tid, &probe, prims_nothing, NULL)) == 0)
            pthread_join(tid, NULL);
        pthread_attr_destroy(&probe);
    }
    return rc;
}

/* One row of thread creation at stack_kib, joinable or detached; a stack the system refuses
 * gives a row that says so. */
static int prims_thread_row(const struct prims_env *env, struct prims_table *t, unsigned stack_kib,
                            int detached, char *err, size_t errlen)
{
    char variant[24];
    snprintf(variant, sizeof variant, "%u%s", stack_kib, detached ? "-detached" : "");
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0) {
        snprintf(err, errlen, "thread %s: pthread_attr_init: %s", variant, strerror(rc));
        return -1;
    }
    rc = pthread_attr_setstacksize(&attr, (size_t)stack_kib * 1024);
    if (rc == 0)
        rc = prims_stack_fits(&attr);
    if (rc == 0 && detached)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int out;
    if (rc != 0)
        out = prims_skip(t, "thread", variant, "us", err, errlen,
                         "not measured: a thread with a %u KiB stack: %s", stack_kib, strerror(rc));
    else if (detached)
        out = prims_sample(env, t, "thread", variant, "us", 1000.0, prims_detached_run, &attr, err,
                           errlen,
                           "detached pthread_create at %u KiB waited for until it runs; its "
                           "exit overlaps the next create",
                           stack_kib);
    else
        out = prims_sample(env, t, "thread", variant, "us", 1000.0, prims_join_run, &attr, err,
                           errlen,
                           "pthread_create + return + pthread_join at %u KiB (variant: stack "
                           "KiB)",
                           stack_kib);
    pthread_attr_destroy(&attr);
    return out;
}

int prims_thread(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof prims_stacks_kib / sizeof prims_stacks_kib[0]; i++)
        if (prims_thread_row(env, t, prims_stacks_kib[i], 0, err, errlen) != 0)
            return -1;
    /* The server's thread model: a detached thread per connection, at its smallest stack. */
    return prims_thread_row(env, t, prims_stacks_kib[0], 1, err, errlen);
}

/* Echoes every byte read from in to out until end of file or an error. */
static void prims_echo(int in, int out)
{
    char c;
    for (;;) {
        ssize_t r = read(in, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 1 || write(out, &c, 1) != 1)
            return;
    }
}

/* The two pipes of a round trip: to[1] -> echo -> from[0]. */
struct prims_pipes {
    int to[2], from[2];
};

static int prims_pipes_open(struct prims_pipes *p, char *err, size_t errlen)
{
    if (pipe2(p->to, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe2: %s", strerror(errno));
        return -1;
    }
    if (pipe2(p->from, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe2: %s", strerror(errno));
        close(p->to[0]);
        close(p->to[1]);
        return -1;
    }
    return 0;
}

static void *prims_echo_thread(void *arg)
{
    const struct prims_pipes *p = arg;
    prims_echo(p->to[0], p->from[1]);
    return NULL;
}

/* One operation: a byte to the echo and back. */
static int prims_round_trip_run(void *ctx, uint64_t n, uint64_t *ns, char *err, size_t errlen)
{
    const struct prims_pipes *p = ctx;
    char c = 'x';
    uint64_t t0 = timer_wall_ns();
    for (uint64_t i = 0; i < n; i++) {
        ssize_t w, r;
        do
            w = write(p->to[1], &c, 1);
        while (w < 0 && errno == EINTR);
        do
            r = read(p->from[0], &c, 1);
        while (r < 0 && errno == EINTR);
        if (w != 1 || r != 1) {
            snprintf(err, errlen, "%s: %s", w != 1 ? "write" : "read",
                     r == 0 ? "the echo ended" : strerror(errno));
            return -1;
        }
    }
    *ns = timer_wall_ns() - t0;
    return 0;
}

/* Samples the round trips to a running echo (a `who`), then ends it: it reads end of file
 * once to[1] is closed. */
static int prims_round_trips(const struct prims_env *env, struct prims_table *t,
                             const char *primitive, struct prims_pipes *p, const char *who,
                             char *err, size_t errlen)
{
    int rc =
        prims_sample(env, t, primitive, "1byte", "us", 1000.0, prims_round_trip_run, p, err, errlen,
                     "one byte there and back over two pipes to an echoing %s; unpinned", who);
    close(p->to[1]);
    p->to[1] = -1;
    return rc;
}

int prims_pipe_threads(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    struct prims_pipes p;
    if (prims_pipes_open(&p, err, errlen) != 0)
        return -1;
    pthread_t tid;
    int rc = pthread_create(&tid, NULL, prims_echo_thread, &p);
    if (rc != 0) {
        snprintf(err, errlen, "pipe_threads: pthread_create: %s", strerror(rc));
        rc = -1;
    } else {
        rc = prims_round_trips(env, t, "pipe_threads", &p, "thread", err, errlen);
        pthread_join(tid, NULL);
    }
    for (int i = 0; i < 2; i++) {
        if (p.to[i] >= 0)
            close(p.to[i]);
        close(p.from[i]);
    }
    return rc;
}

int prims_pipe_procs(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen)
{
    struct prims_pipes p;
    if (prims_pipes_open(&p, err, errlen) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p.to[1]);
        close(p.from[0]);
        prims_echo(p.to[0], p.from[1]);
        _exit(0);
    }
    int e = errno;
    close(p.to[0]);
    close(p.from[1]);
    int rc;
    if (pid < 0) {
        snprintf(err, errlen, "pipe_procs: fork: %s", strerror(e));
        close(p.to[1]);
        rc = -1;
    } else {
        rc = prims_round_trips(env, t, "pipe_procs", &p, "child process", err, errlen);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    close(p.from[0]);
    return rc;
}
