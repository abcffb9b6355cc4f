/* server - the lab's running-mean server, one thread per connection. Each thread reads a
 * number, adds it to the mean of everything every client sent, waits for `ready` and
 * replies with that mean, printed as Python prints a float. Who gets a connection slot is
 * admit.c's decision, how long a conversation may take deadline.c's, and the log goes
 * through logline.c's queue: none of them knows about threads. */
#include "admit.h"
#include "cli.h"
#include "deadline.h"
#include "logline.h"
#include "mean.h"
#include "net.h"
#include "pyfloat.h"
#include "srvconfig.h"
#include "srvmetrics.h"
#include "stats.h"
#include "timer.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SERVER_BACKLOG      4096
#define SERVER_ACCEPT_BATCH 128
/* How long a stop waits for connection threads, then for stdout to take the log, then for
 * stderr to take a report of lines dropped: 1 s in all at most. */
#define SERVER_STOP_GRACE_NS 600000000ull
#define SERVER_LOG_FLUSH_NS  200000000ull
#define SERVER_REPORT_MS     100
/* How long a reply may wait for room in a peer's receive window. */
#define SERVER_SEND_TIMEOUT_MS 5000
/* After an error reply, how long to wait for a peer to stop sending before closing. */
#define SERVER_LINGER_MS 250
#define SERVER_DRAIN_MAX (64 * 1024)
/* The lab's recv(1024): data has no delimiter, so one read is one message. */
#define SERVER_READ_SIZE 1024
/* Descriptors above this are turned away (the slots are indexed by descriptor). */
#define SERVER_MAX_SLOTS (1u << 22)
/* A connection still waiting for `ready` after this long gives back its idle stack pages. */
#define SERVER_TRIM_AFTER_MS 20
/* Trimmed: from SPAN below the trimming frame (never below the stack, see stack_room) up
 * to MARGIN below it, kept for the calls it makes. The span covers the deepest call the
 * data message makes, about 3 KiB below that frame. */
#define SERVER_TRIM_SPAN   (16 * 1024)
#define SERVER_TRIM_MARGIN 512

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
#define SERVER_STACK_SIZE (512 * 1024)
#else
#define SERVER_STACK_SIZE (20 * 1024)
#endif

struct server {
    struct srvconfig cfg;
    uint64_t max_clients;
    struct deadline_policy deadlines;
    struct admit admit;
    int wake_rd, wake_wr; /* the signal thread writes here to stop the accept loop */
    int stop_rd, stop_wr; /* stop_rd reads EOF once the server stops: wakes every thread */
    int spare_fd;         /* given up to accept (and turn away) when out of descriptors */
    atomic_int stopping;  /* the accept loop has ended */
    pthread_attr_t attr;
    struct mean mean;
    struct server_stats stats;
};

static struct server srv;

/* What the accept loop hands a new thread besides the descriptor: a slot per descriptor
 * number, which is unique while open, so a slot is never needed by two connections at
 * once. No malloc here: a first free() on a thread costs it a malloc cache and an arena,
 * kilobytes apiece over thousands of threads. `busy` orders the handover.
 *
 * The admission entry lives here too. The accept thread may shed a connection it does not
 * own (server_evict) only while that entry is admitted, under the admission lock; a thread
 * leaves admission before it closes its descriptor, so the descriptor the accept thread
 * shuts down is never a closed or reused one. */
struct conn_slot {
    struct sockaddr_storage peer;
    atomic_int busy;
    atomic_int evicted; /* set by the accept thread: say "error: server busy" and go */
    struct admit_entry admit;
};

static struct conn_slot *slots;
static size_t slot_count;

/* Usable stack below a connection thread's first frame (0: unknown, no trimming). Every
 * thread made with srv.attr has the same layout, so one probe thread measures it. */
static uintptr_t stack_room;

/* One connection, on its thread's stack. */
struct conn {
    int fd;
    struct conn_slot *slot;
    const char *text;        /* the data message, for the log */
    char peer[NET_PEER_LEN]; /* "('127.0.0.1', 62000)"; empty when quiet */
    char mean[PYFLOAT_LEN];  /* the last mean formatted */
    uintptr_t first_frame;   /* this thread's first frame, for conn_trim_stack() */
    int trimmed;             /* the stack was trimmed for a long wait */
    struct conn_stats stats;
};

static void conn_log_data(void *arg, double mean)
{
    struct conn *c = arg;
    pyfloat_format(mean, c->mean);
    logline_put("Server: received ", c->text, " from ", c->peer, ", new mean_data ", c->mean);
}

static void conn_log_ready(void *arg, double mean)
{
    struct conn *c = arg;
    pyfloat_format(mean, c->mean);
    logline_put("Server: got ready message from ", c->peer, ", sending ", c->mean);
}

/* Sends the last thing this connection says; the caller closes. After an error the peer
 * may still be sending: reading what it sends for a moment keeps close() from answering
 * with a reset that could destroy the reply before the peer reads it. After `ready` the
 * peer has nothing more to say, and close() alone sends the FIN. */
static void conn_finish(struct conn *c, const char *reply, size_t len, int linger)
{
    char err[NET_ERR_LEN];
    if (net_send_all(c->fd, reply, len, srv.stop_rd, SERVER_SEND_TIMEOUT_MS, err, sizeof err) ==
            -1 &&
        !srv.cfg.quiet)
        logline_put("Server: could not reply to ", c->peer, ": ", err);
    if (linger) {
        shutdown(c->fd, SHUT_WR);
        net_drain(c->fd, srv.stop_rd, SERVER_LINGER_MS, SERVER_DRAIN_MAX);
    }
}

static void conn_error(struct conn *c, const char *reason, int bad)
{
    if (bad)
        c->stats.bad_messages++;
    if (!srv.cfg.quiet)
        logline_put("Server: ", bad ? "bad message from " : "closing ", c->peer, ": ", reason);
    char reply[WIRE_REASON_LEN + 8] = "error: ";
    size_t len = strlen(reply);
    size_t rlen = strlen(reason);
    if (rlen > sizeof reply - len - 1)
        rlen = sizeof reply - len - 1;
    memcpy(reply + len, reason, rlen);
    conn_finish(c, reply, len + rlen, 1);
}

static void conn_data(struct conn *c, const struct wire_parser *wp)
{
    c->stats.data_messages++;
    c->text = wp->text;
    mean_add(&srv.mean, wp->value, srv.cfg.quiet ? NULL : conn_log_data, c, &c->stats.lock_wait_ns);
    if (!srv.cfg.quiet)
        logline_put("Server: waiting for ready message from ", c->peer);
}

static void conn_ready(struct conn *c)
{
    c->stats.ready_messages++;
    double mean =
        mean_read(&srv.mean, srv.cfg.quiet ? NULL : conn_log_ready, c, &c->stats.lock_wait_ns);
    /* Quiet: format outside the lock, nobody needs the order. */
    size_t len = srv.cfg.quiet ? pyfloat_format(mean, c->mean) : strlen(c->mean);
    conn_finish(c, c->mean, len, 0);
}

static void conn_timeout(struct conn *c, const struct wire_parser *wp, enum deadline_kind kind)
{
    int whole = kind == DEADLINE_CONVERSATION;
    if (whole)
        c->stats.conversation_timeouts++;
    else
        c->stats.idle_timeouts++;
    if (!srv.cfg.quiet)
        logline_put("Server: timeout waiting for ",
                    wp->phase == WIRE_PHASE_DATA ? "data" : "ready message", " from ", c->peer,
                    whole ? " (conversation limit)" : "");
    conn_finish(c, "error: timeout", strlen("error: timeout"), 0);
}

/* "error: server busy" and a close that does not wait: the reply fits any socket's buffer,
 * and what the peer already sent is read so close() does not reset. For connections turned
 * away and connections shed alike. */
static void server_say_busy(int fd)
{
    static const char busy[] = "error: server busy";
    send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
    net_drain(fd, -1, 0, SERVER_DRAIN_MAX);
}

/* Shed for a newcomer (server_evict woke us): whatever it was waiting for, it goes. */
static int conn_evicted(struct conn *c)
{
    if (!atomic_load_explicit(&c->slot->evicted, memory_order_acquire))
        return 0;
    server_say_busy(c->fd);
    return 1;
}

static void conn_failed(struct conn *c, const char *call, int err)
{
    if (srv.cfg.quiet)
        return;
    char buf[128];
    logline_put("Server: connection with ", c->peer, " failed: ", call, ": ",
                net_strerror(err, buf, sizeof buf));
}

/* Handling the data message (strtod, the log line, Python's float text) runs a few KiB
 * deeper than waiting does, and touched stack pages stay resident: with thousands of
 * clients waiting for their `ready` (the lab's client pauses 5 s) that third page per
 * thread is a quarter of the server's memory. Pages below this frame hold nothing live,
 * so a connection about to wait long hands them back; they refill on demand. */
static __attribute__((noinline)) void conn_trim_stack(const struct conn *c)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || stack_room == 0)
        return;
    uintptr_t mask = (uintptr_t)page - 1;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t low = c->first_frame - stack_room;
    uintptr_t start = here - SERVER_TRIM_SPAN > low ? here - SERVER_TRIM_SPAN : low;
    start = (start + mask) & ~mask;
    uintptr_t end = (here - SERVER_TRIM_MARGIN) & ~mask;
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

/* Waits for input. A connection that has had its data waits a short while first, and
 * only if `ready` is not there by then trims its stack and waits the rest. */
static int conn_wait(struct conn *c, const struct wire_parser *wp, unsigned long long deadline)
{
    int left = net_ms_until(deadline);
    if (wp->phase == WIRE_PHASE_READY && !c->trimmed && (left < 0 || left > SERVER_TRIM_AFTER_MS)) {
        int w = net_wait_readable(c->fd, srv.stop_rd, SERVER_TRIM_AFTER_MS);
        if (w != 0)
            return w;
        conn_trim_stack(c);
        c->trimmed = 1;
        left = net_ms_until(deadline);
    }
    return net_wait_readable(c->fd, srv.stop_rd, left);
}

/* The conversation: data, then `ready`, whichever way TCP cuts them up. */
static void conn_serve(struct conn *c)
{
    struct wire_parser wp;
    wire_init(&wp);
    char buf[SERVER_READ_SIZE];
    struct deadline dl;
    deadline_start(&dl, &srv.deadlines, timer_wall_ns());
    for (;;) {
        if (conn_evicted(c))
            return;
        /* Try first, wait only if nothing is there: a client that sends at once (most do)
         * costs one system call instead of two. */
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                conn_failed(c, "recv", errno);
                return;
            }
            int w = conn_wait(c, &wp, deadline_next(&dl));
            enum deadline_kind kind = DEADLINE_NONE;
            if (w == 0)
                kind = deadline_expired(&dl, timer_wall_ns());
            if (w == 1 || (w == 0 && kind == DEADLINE_NONE))
                continue;
            if (w == 0)
                conn_timeout(c, &wp, kind);
            else if (w == NET_WAIT_ERROR)
                conn_failed(c, "poll", errno);
            return;
        }
        if (n == 0) {
            if (conn_evicted(c))
                return;
            /* Data followed by a hang-up still counted; only the mean goes unsent. */
            const char *why = wire_eof(&wp);
            if (why)
                conn_error(c, why, wp.phase == WIRE_PHASE_DATA);
            return;
        }
        c->stats.bytes_received += (uint64_t)n;
        size_t off = 0;
        while (off < (size_t)n) {
            size_t used = 0;
            enum wire_event ev = wire_next(&wp, buf + off, (size_t)n - off, &used);
            off += used;
            if (ev == WIRE_DATA) {
                /* Progress: the only thing that buys more time, and that moves this
                 * connection to the back of those its address would give up. */
                deadline_progress(&dl, &srv.deadlines, timer_wall_ns());
                admit_progress(&srv.admit, &c->slot->admit);
                conn_data(c, &wp);
            } else if (ev == WIRE_READY) {
                conn_ready(c);
                return;
            } else if (ev == WIRE_ERROR) {
                conn_error(c, wp.reason, 1);
                return;
            } else {
                break;
            }
        }
    }
}

static void *conn_main(void *arg)
{
    struct conn c = {.fd = (int)(intptr_t)arg,
                     .slot = &slots[(intptr_t)arg],
                     .first_frame = (uintptr_t)__builtin_frame_address(0)};
    struct conn_slot *slot = c.slot;
    if (!srv.cfg.quiet)
        net_peer_tuple((const struct sockaddr *)&slot->peer, c.peer, sizeof c.peer);
    atomic_store_explicit(&slot->busy, 0, memory_order_release);
    if (!srv.cfg.quiet)
        logline_put("Server: got connection from client ", c.peer);
    conn_serve(&c);
    /* Before close(): from here on the accept thread cannot shed this descriptor. Once the
     * server stops, nothing is admitted or shed any more, and thousands of threads ending
     * at once would only queue for the lock. */
    if (!atomic_load_explicit(&srv.stopping, memory_order_relaxed))
        admit_leave(&srv.admit, &slot->admit);
    close(c.fd);
    stats_publish(&srv.stats, &c.stats);
    /* Last: once the count reaches zero a stopping server may exit. */
    atomic_fetch_sub(&srv.stats.connections_active, 1);
    return NULL;
}

/* "error: server busy" without blocking the accept loop. */
static void server_reject(int fd, const struct sockaddr_storage *peer, const char *why)
{
    atomic_fetch_add_explicit(&srv.stats.busy_rejections, 1, memory_order_relaxed);
    if (!srv.cfg.quiet) {
        char tuple[NET_PEER_LEN];
        net_peer_tuple((const struct sockaddr *)peer, tuple, sizeof tuple);
        logline_put("Server: ", why, ", turned away ", tuple);
    }
    server_say_busy(fd);
    close(fd);
}

/* The descriptor server_evict() last shed; only the accept thread touches it. */
static int evicted_fd = -1;

/* The admission policy's evict callback, run on the accept thread under the admission
 * lock, the victim still admitted (see struct conn_slot): flag it, then shutdown(SHUT_RD)
 * so its thread, wherever it waits for input, reads end of stream at once and finds the
 * flag. Reading is shut, not writing, so that thread can still say why. */
static void server_evict(struct admit_entry *victim, void *arg)
{
    (void)arg;
    struct conn_slot *slot =
        (struct conn_slot *)(void *)((char *)victim - offsetof(struct conn_slot, admit));
    atomic_store_explicit(&slot->evicted, 1, memory_order_release);
    evicted_fd = (int)(slot - slots);
    shutdown(evicted_fd, SHUT_RD);
    atomic_fetch_add_explicit(&srv.stats.evictions, 1, memory_order_relaxed);
}

/* Asks the admission policy for a slot; 0 when the connection may be served. */
static int server_admit(int fd, const struct sockaddr_storage *peer, struct conn_slot *slot)
{
    atomic_store_explicit(&slot->evicted, 0, memory_order_relaxed);
    enum admit_result res = admit_enter(&srv.admit, &slot->admit, (const struct sockaddr *)peer);
    if (res == ADMIT_FULL || res == ADMIT_ADDRESS_FULL) {
        server_reject(fd, peer,
                      res == ADMIT_FULL ? "server busy" : "too many connections from one address");
        return -1;
    }
    if (res == ADMIT_EVICTED && !srv.cfg.quiet) {
        /* The victim's peer was written by this thread and is rewritten only by it. */
        char victim[NET_PEER_LEN], tuple[NET_PEER_LEN];
        net_peer_tuple((const struct sockaddr *)&slots[evicted_fd].peer, victim, sizeof victim);
        net_peer_tuple((const struct sockaddr *)peer, tuple, sizeof tuple);
        logline_put("Server: server busy, evicted ", victim, " for ", tuple);
    }
    return 0;
}

static void server_start_conn(int fd, const struct sockaddr_storage *peer)
{
    atomic_fetch_add_explicit(&srv.stats.connections_accepted, 1, memory_order_relaxed);
    if ((size_t)fd >= slot_count) {
        server_reject(fd, peer, "out of descriptors");
        return;
    }
    /* The thread that last had this number let go of the slot before closing it, so this
     * does not spin; the acquire makes that visible. */
    struct conn_slot *slot = &slots[fd];
    while (atomic_load_explicit(&slot->busy, memory_order_acquire))
        sched_yield();
    slot->peer = *peer;
    if (server_admit(fd, peer, slot) != 0)
        return;
    atomic_store_explicit(&slot->busy, 1, memory_order_relaxed);
    atomic_fetch_add(&srv.stats.connections_active, 1);
    pthread_t tid;
    int rc = pthread_create(&tid, &srv.attr, conn_main, (void *)(intptr_t)fd);
    if (rc != 0) {
        atomic_fetch_sub(&srv.stats.connections_active, 1);
        atomic_store_explicit(&slot->busy, 0, memory_order_relaxed);
        admit_leave(&srv.admit, &slot->admit);
        char buf[128], why[160];
        snprintf(why, sizeof why, "cannot start a thread (%s)", net_strerror(rc, buf, sizeof buf));
        server_reject(fd, peer, why);
    }
}

/* Out of descriptors, a pending connection would sit in the backlog forever and keep the
 * listener readable; freeing the spare descriptor lets us accept it and say we are busy. */
static int server_shed(int lfd)
{
    if (srv.spare_fd < 0)
        return 100;
    close(srv.spare_fd);
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        atomic_fetch_add_explicit(&srv.stats.connections_accepted, 1, memory_order_relaxed);
        server_reject(fd, &peer, "out of descriptors");
    }
    srv.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return 0;
}

/* Accepts what is pending; returns how long to back off (ms) before trying again. */
static int server_accept(int lfd)
{
    for (int i = 0; i < SERVER_ACCEPT_BATCH; i++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            server_start_conn(fd, &peer);
            continue;
        }
        switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return 0;
        /* The peer gave up, or a firewall said no, before we got to it: next one. */
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
            continue;
        case EMFILE:
        case ENFILE: {
            int backoff = server_shed(lfd);
            if (backoff)
                return backoff;
            continue;
        }
        default: {
            char buf[128];
            logline_put("Server: accept: ", net_strerror(errno, buf, sizeof buf));
            return 100;
        }
        }
    }
    return 0;
}

static void server_loop(int lfd)
{
    struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = srv.wake_rd, .events = POLLIN}};
    int backoff = 0;
    for (;;) {
        /* While backing off, only the wake pipe is watched. */
        pfd[0].fd = backoff ? -1 : lfd;
        int rc = poll(pfd, 2, backoff ? backoff : -1);
        if (rc < 0 && errno != EINTR) {
            char buf[128];
            logline_put("Server: poll: ", net_strerror(errno, buf, sizeof buf));
            return;
        }
        if (rc > 0 && pfd[1].revents)
            return;
        backoff = rc > 0 && (pfd[0].revents & POLLIN) ? server_accept(lfd) : 0;
    }
}

static void *server_signal_main(void *arg)
{
    const sigset_t *set = arg;
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    char byte = 1;
    while (write(srv.wake_wr, &byte, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* SIGINT and SIGTERM are blocked in every thread and taken by one thread with sigwait(),
 * so no connection's system calls are interrupted and nothing runs in a signal handler.
 * Their default action is restored first: a shell starts background jobs with SIGINT
 * ignored, and an ignored signal is discarded rather than left pending for sigwait(). */
static int server_signals(void)
{
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    /* Peers that vanish must cost an EPIPE, not the process. */
    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t tid;
    return pthread_create(&tid, &srv.attr, server_signal_main, &set);
}

static void *server_probe_main(void *arg)
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
static void server_probe_stack(void)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return;
    pthread_t tid;
    uintptr_t room = 0;
    if (pthread_attr_setstacksize(&attr, SERVER_STACK_SIZE) == 0 &&
        pthread_create(&tid, &attr, server_probe_main, &room) == 0 && pthread_join(tid, NULL) == 0)
        stack_room = room;
    pthread_attr_destroy(&attr);
}

/* Waits, briefly, for every connection thread to finish, so "Server: stopped" comes last
 * and no thread is cut off mid-reply; logline_stop() silences any that lag behind. */
static void server_drain_threads(void)
{
    uint64_t until = timer_wall_ns() + SERVER_STOP_GRACE_NS;
    struct timespec tick = {0, 1000000};
    while (atomic_load(&srv.stats.connections_active) > 0 && timer_wall_ns() < until)
        nanosleep(&tick, NULL);
}

static int server_pipe(int fds[2])
{
    return pipe2(fds, O_CLOEXEC);
}

/* "server: N log lines dropped (stdout blocked)" on stderr, if stderr takes it soon: it may
 * be the very pipe stdout is (2>&1), and the stop must not wait for it. */
static void server_report_drops(uint64_t dropped, int error)
{
    if (dropped == 0)
        return;
    char buf[128], line[256];
    int len = snprintf(line, sizeof line, "%s: %llu log line%s dropped (stdout %s)\n",
                       cli_program(), (unsigned long long)dropped, dropped == 1 ? "" : "s",
                       error ? net_strerror(error, buf, sizeof buf) : "blocked");
    struct pollfd p = {.fd = STDERR_FILENO, .events = POLLOUT};
    if (len > 0 && poll(&p, 1, SERVER_REPORT_MS) == 1 && (p.revents & POLLOUT) &&
        write(STDERR_FILENO, line, (size_t)len) < 0) {
        /* Nowhere left to say it. */
    }
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    srvconfig_parse(argc, argv, &srv.cfg);
    static struct srvmetrics metrics;
    if (srv.cfg.metrics || srv.cfg.events)
        srvmetrics_parse(&metrics, srv.cfg.metrics, srv.cfg.metrics_interval, srv.cfg.events);
    long nofile = net_raise_nofile();
    srv.max_clients = srv.cfg.max_clients;
    if (srv.max_clients == 0)
        srv.max_clients = nofile > 2 * SRVCONFIG_RESERVED_FDS
                              ? (uint64_t)nofile - SRVCONFIG_RESERVED_FDS
                              : SRVCONFIG_RESERVED_FDS;
    char err[NET_ERR_LEN];
    /* Both were checked while parsing. */
    deadline_seconds(srv.cfg.idle_timeout, &srv.deadlines.idle_ns, err, sizeof err);
    deadline_seconds(srv.cfg.conversation_timeout, &srv.deadlines.conversation_ns, err, sizeof err);
    stats_init(&srv.stats);
    /* One slot per possible descriptor; calloc'd pages cost nothing until used. */
    slot_count = nofile > 0 && nofile < SERVER_MAX_SLOTS ? (size_t)nofile : SERVER_MAX_SLOTS;
    slots = calloc(slot_count, sizeof *slots);
    if (!slots) {
        cli_error("cannot allocate %zu connection slots", slot_count);
        return CLI_EXIT_FAILURE;
    }

    int rc = mean_init(&srv.mean);
    if (rc == 0)
        rc = admit_init(&srv.admit, srv.max_clients, srv.cfg.max_per_address, server_evict, NULL);
    if (rc == 0)
        rc = pthread_attr_init(&srv.attr);
    if (rc == 0)
        rc = pthread_attr_setdetachstate(&srv.attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0)
        rc = pthread_attr_setstacksize(&srv.attr, SERVER_STACK_SIZE);
    if (rc != 0) {
        cli_error("cannot set up threads: %s", strerror(rc));
        return CLI_EXIT_FAILURE;
    }
    int wake[2], stop[2];
    if (server_pipe(wake) != 0 || server_pipe(stop) != 0) {
        cli_error("pipe: %s", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    srv.wake_rd = wake[0];
    srv.wake_wr = wake[1];
    srv.stop_rd = stop[0];
    srv.stop_wr = stop[1];
    srv.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    server_probe_stack();
    rc = server_signals();
    if (rc != 0) {
        cli_error("cannot start the signal thread: %s", strerror(rc));
        return CLI_EXIT_FAILURE;
    }
    /* After the signals are blocked: the log writer must not take them either. */
    if (logline_start(&srv.stats.log_lines_dropped, err, sizeof err) != 0) {
        cli_error("cannot start the log writer: %s", err);
        return CLI_EXIT_FAILURE;
    }

    char addr[NET_ADDR_LEN];
    int lfd = net_listen(srv.cfg.bind, srv.cfg.port, SERVER_BACKLOG, err, sizeof err);
    if (lfd < 0) {
        net_format_hostport(srv.cfg.bind, srv.cfg.port, addr, sizeof addr);
        cli_error("cannot listen on %s: %s", addr, err);
        return CLI_EXIT_FAILURE;
    }
    unsigned port = srv.cfg.port;
    if (net_local_addr(lfd, addr, sizeof addr, &port) != 0)
        net_format_hostport(srv.cfg.bind, port, addr, sizeof addr);
    /* Counting starts before the line a client waits for, so no connection goes uncounted. */
    if (srv.cfg.metrics && srvmetrics_start(&metrics, &srv.stats, &srv.mean, err, sizeof err)) {
        cli_error("cannot start --metrics: %s", err);
        close(lfd);
        return CLI_EXIT_FAILURE;
    }
    logline_put("Server: listening on ", addr);

    server_loop(lfd);

    /* Stop accepting first, then wake every connection thread, then wait for them. */
    atomic_store_explicit(&srv.stopping, 1, memory_order_relaxed);
    close(lfd);
    close(srv.stop_wr);
    server_drain_threads();
    /* The log first, so the final --metrics row counts every line it dropped. */
    int log_error = 0;
    uint64_t dropped = logline_stop("Server: stopped", SERVER_LOG_FLUSH_NS, &log_error);
    rc = srv.cfg.metrics ? srvmetrics_stop(&metrics) : 0;
    server_report_drops(dropped, log_error);
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
