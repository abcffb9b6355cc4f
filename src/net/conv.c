/* conv.c - one connection's conversation and its admission (see conv.h). */
#include "conv.h"

#include "logline.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char conv_busy[] = "error: server busy";
static const char conv_timeout_reply[] = "error: timeout";

/* The victim conv_evict() last shed, for the line that says so; written and read on the
 * thread that admits, under and after admit_enter(). */
static _Thread_local struct sockaddr_storage conv_victim;

/* The admission policy's evict callback, run under its lock with the victim still
 * admitted, so the victim's descriptor is not closed (conv_end() leaves admission first):
 * flag it, then shut its reading side, so whatever waits for its input, wherever, reads
 * the end of the stream at once and finds the flag. Reading is shut, not writing, so the
 * victim can still say why. */
static void conv_evict(struct admit_entry *victim, void *arg)
{
    struct conv_server *s = arg;
    struct conv_slot *slot =
        (struct conv_slot *)(void *)((char *)victim - offsetof(struct conv_slot, admit));
    atomic_store_explicit(&slot->evicted, 1, memory_order_release);
    conv_victim = slot->addr;
    shutdown((int)(slot - s->slots), SHUT_RD);
    atomic_fetch_add_explicit(&s->stats.evictions, 1, memory_order_relaxed);
}

int conv_server_init(struct conv_server *s, int quiet, const struct deadline_policy *deadlines,
                     uint64_t max_clients, uint64_t max_per_addr, size_t slot_count, char *err,
                     size_t errlen)
{
    s->quiet = quiet;
    s->deadlines = *deadlines;
    stats_init(&s->stats);
    atomic_init(&s->stopping, 0);
    s->spare_fd = -1;
    /* One slot per possible descriptor; calloc'd pages cost nothing until used. */
    s->slot_count = slot_count;
    s->slots = calloc(slot_count, sizeof *s->slots);
    if (!s->slots) {
        snprintf(err, errlen, "calloc: %s", strerror(ENOMEM));
        return -1;
    }
    if (mean_init(&s->mean, err, errlen) != 0) {
        free(s->slots);
        s->slots = NULL;
        return -1;
    }
    if (admit_init(&s->admit, max_clients, max_per_addr, conv_evict, s, err, errlen) != 0) {
        mean_destroy(&s->mean);
        free(s->slots);
        s->slots = NULL;
        return -1;
    }
    return 0;
}

/* --- admission ----------------------------------------------------------------------- */

void conv_say_busy(int fd)
{
    send(fd, conv_busy, sizeof conv_busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_WR);
    net_drain(fd, -1, 0, CONV_DRAIN_MAX);
}

static void conv_reject(struct conv_server *s, int fd, const struct sockaddr_storage *addr,
                        const char *why)
{
    atomic_fetch_add_explicit(&s->stats.busy_rejections, 1, memory_order_relaxed);
    if (!s->quiet) {
        char tuple[NET_PEER_LEN];
        net_peer_tuple((const struct sockaddr *)addr, tuple, sizeof tuple);
        logline_put("Server: ", why, ", turned away ", tuple);
    }
    conv_say_busy(fd);
    close(fd);
}

void conv_turn_away(struct conv_server *s, int fd, const struct sockaddr_storage *addr,
                    const char *why)
{
    atomic_fetch_add_explicit(&s->stats.connections_accepted, 1, memory_order_relaxed);
    conv_reject(s, fd, addr, why);
}

int conv_admit(struct conv_server *s, int fd, const struct sockaddr_storage *addr)
{
    atomic_fetch_add_explicit(&s->stats.connections_accepted, 1, memory_order_relaxed);
    if ((size_t)fd >= s->slot_count) {
        conv_reject(s, fd, addr, "out of descriptors");
        return -1;
    }
    /* Whoever last had this number let go of the slot before closing it, so this does not
     * spin; the acquire makes what it did visible. */
    struct conv_slot *slot = &s->slots[fd];
    while (atomic_load_explicit(&slot->busy, memory_order_acquire))
        sched_yield();
    slot->addr = *addr;
    atomic_store_explicit(&slot->evicted, 0, memory_order_relaxed);
    enum admit_result res = admit_enter(&s->admit, &slot->admit, (const struct sockaddr *)addr);
    if (res == ADMIT_FULL || res == ADMIT_ADDRESS_FULL) {
        conv_reject(s, fd, addr,
                    res == ADMIT_FULL ? "server busy" : "too many connections from one address");
        return -1;
    }
    if (res == ADMIT_EVICTED && !s->quiet) {
        char victim[NET_PEER_LEN], tuple[NET_PEER_LEN];
        net_peer_tuple((const struct sockaddr *)&conv_victim, victim, sizeof victim);
        net_peer_tuple((const struct sockaddr *)addr, tuple, sizeof tuple);
        logline_put("Server: server busy, evicted ", victim, " for ", tuple);
    }
    atomic_store_explicit(&slot->busy, 1, memory_order_relaxed);
    atomic_fetch_add(&s->stats.connections_active, 1);
    return 0;
}

void conv_unadmit(struct conv_server *s, int fd, const char *why)
{
    struct conv_slot *slot = &s->slots[fd];
    atomic_fetch_sub(&s->stats.connections_active, 1);
    admit_leave(&s->admit, &slot->admit);
    atomic_store_explicit(&slot->busy, 0, memory_order_relaxed);
    conv_reject(s, fd, &slot->addr, why);
}

/* --- the conversation ---------------------------------------------------------------- */

void conv_init(struct conv_server *s, struct conv *c, int fd)
{
    memset(&c->stats, 0, sizeof c->stats);
    c->fd = fd;
    c->slot = &s->slots[fd];
    c->text = "";
    c->peer[0] = '\0';
    c->mean[0] = '\0';
    c->out = NULL;
    c->out_len = 0;
    c->finish = CONV_FINISH_SILENT;
    wire_init(&c->wp);
}

void conv_begin(struct conv_server *s, struct conv *c, uint64_t now_ns)
{
    deadline_start(&c->dl, &s->deadlines, now_ns);
    if (s->quiet)
        return;
    net_peer_tuple((const struct sockaddr *)&c->slot->addr, c->peer, sizeof c->peer);
    logline_put("Server: got connection from client ", c->peer);
}

static enum conv_step conv_done(struct conv *c, enum conv_finish finish, const char *out,
                                size_t len)
{
    c->finish = finish;
    c->out = out;
    c->out_len = len;
    return CONV_DONE;
}

enum conv_step conv_shed(struct conv_server *s, struct conv *c)
{
    (void)s;
    if (!atomic_load_explicit(&c->slot->evicted, memory_order_acquire))
        return CONV_MORE;
    return conv_done(c, CONV_FINISH_SHED, conv_busy, sizeof conv_busy - 1);
}

static void conv_log_data(void *arg, double mean)
{
    struct conv *c = arg;
    pyfloat_format(mean, c->mean);
    logline_put("Server: received ", c->text, " from ", c->peer, ", new mean_data ", c->mean);
}

static void conv_log_ready(void *arg, double mean)
{
    struct conv *c = arg;
    pyfloat_format(mean, c->mean);
    logline_put("Server: got ready message from ", c->peer, ", sending ", c->mean);
}

static enum conv_step conv_error(struct conv_server *s, struct conv *c, const char *reason, int bad)
{
    if (bad)
        c->stats.bad_messages++;
    if (!s->quiet)
        logline_put("Server: ", bad ? "bad message from " : "closing ", c->peer, ": ", reason);
    static const char prefix[] = "error: ";
    size_t len = sizeof prefix - 1;
    size_t rlen = strlen(reason);
    if (rlen > sizeof c->reply - len - 1)
        rlen = sizeof c->reply - len - 1;
    memcpy(c->reply, prefix, len);
    memmove(c->reply + len, reason, rlen);
    c->reply[len + rlen] = '\0';
    return conv_done(c, CONV_FINISH_LINGER, c->reply, len + rlen);
}

/* A number: into the mean (logged under its lock, so the lines come in the order of the
 * updates). Progress: the only thing that buys more time, and that moves this connection
 * to the back of those its address would give up. */
static void conv_data(struct conv_server *s, struct conv *c, uint64_t now_ns)
{
    deadline_progress(&c->dl, &s->deadlines, now_ns);
    admit_progress(&s->admit, &c->slot->admit);
    c->stats.data_messages++;
    c->text = c->wp.text;
    mean_add(&s->mean, c->wp.value, s->quiet ? NULL : conv_log_data, c, &c->stats.lock_wait_ns);
    if (!s->quiet)
        logline_put("Server: waiting for ready message from ", c->peer);
}

static enum conv_step conv_ready(struct conv_server *s, struct conv *c)
{
    c->stats.ready_messages++;
    double mean = mean_read(&s->mean, s->quiet ? NULL : conv_log_ready, c, &c->stats.lock_wait_ns);
    /* Quiet: format outside the lock, nobody needs the order. */
    size_t len = s->quiet ? pyfloat_format(mean, c->mean) : strlen(c->mean);
    return conv_done(c, CONV_FINISH_CLOSE, c->mean, len);
}

enum conv_step conv_input(struct conv_server *s, struct conv *c, const char *buf, size_t n,
                          uint64_t now_ns)
{
    if (conv_shed(s, c) == CONV_DONE)
        return CONV_DONE;
    if (n == 0) {
        /* Data followed by a hang-up still counted; only the mean goes unsent. */
        const char *why = wire_eof(&c->wp);
        if (!why)
            return conv_done(c, CONV_FINISH_SILENT, NULL, 0);
        return conv_error(s, c, why, c->wp.phase == WIRE_PHASE_DATA);
    }
    c->stats.bytes_received += n;
    size_t off = 0;
    while (off < n) {
        size_t used = 0;
        enum wire_event ev = wire_next(&c->wp, buf + off, n - off, &used);
        off += used;
        if (ev == WIRE_DATA)
            conv_data(s, c, now_ns);
        else if (ev == WIRE_READY)
            return conv_ready(s, c);
        else if (ev == WIRE_ERROR)
            return conv_error(s, c, c->wp.reason, 1);
        else
            break;
    }
    return CONV_MORE;
}

enum conv_step conv_expire(struct conv_server *s, struct conv *c, uint64_t now_ns)
{
    enum deadline_kind kind = deadline_expired(&c->dl, now_ns);
    if (kind == DEADLINE_NONE)
        return CONV_MORE;
    int whole = kind == DEADLINE_CONVERSATION;
    if (whole)
        c->stats.conversation_timeouts++;
    else
        c->stats.idle_timeouts++;
    if (!s->quiet)
        logline_put("Server: timeout waiting for ",
                    c->wp.phase == WIRE_PHASE_DATA ? "data" : "ready message", " from ", c->peer,
                    whole ? " (conversation limit)" : "");
    return conv_done(c, CONV_FINISH_CLOSE, conv_timeout_reply, sizeof conv_timeout_reply - 1);
}

uint64_t conv_deadline(const struct conv *c)
{
    return deadline_next(&c->dl);
}

int conv_has_data(const struct conv *c)
{
    return c->wp.phase == WIRE_PHASE_READY;
}

void conv_failed(struct conv_server *s, struct conv *c, const char *call, int err)
{
    if (s->quiet)
        return;
    char buf[128];
    logline_put("Server: connection with ", c->peer, " failed: ", call, ": ",
                net_strerror(err, buf, sizeof buf));
}

void conv_reply_failed(struct conv_server *s, struct conv *c, const char *err)
{
    if (!s->quiet)
        logline_put("Server: could not reply to ", c->peer, ": ", err);
}

void conv_end(struct conv_server *s, struct conv *c)
{
    if (!atomic_load_explicit(&s->stopping, memory_order_relaxed))
        admit_leave(&s->admit, &c->slot->admit);
    stats_publish(&s->stats, &c->stats);
    /* Before close(): once the number is free the accepting thread may take this slot. */
    atomic_store_explicit(&c->slot->busy, 0, memory_order_release);
    close(c->fd);
    atomic_fetch_sub(&s->stats.connections_active, 1);
}
