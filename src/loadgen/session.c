/* session.c - the mean protocol, client side, as a state machine. */
#include "session.h"

#include "pyfloat.h"
#include "wire.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char session_ready[] = "ready";
/* A server turning us away answers this without reading the number. */
static const char session_busy[] = "error: server busy";

static void session_why(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void session_why(struct session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
}

void session_fail(struct session *s, enum tally_kind kind, const char *why)
{
    s->outcome = (int)kind;
    snprintf(s->why, sizeof s->why, "%s", why);
    s->state = SESSION_DONE;
}

void session_time_out(struct session *s)
{
    session_fail(s, TALLY_TIMEOUT,
                 s->state == SESSION_CONNECTING ? "connect: timed out"
                 : s->state == SESSION_SENDING  ? "send: timed out"
                                                : "no reply in time");
}

static enum session_step session_failed(struct session *s, enum tally_kind kind, const char *call,
                                        int err)
{
    s->outcome = (int)kind;
    session_why(s, "%s: %s", call, strerror(err));
    s->state = SESSION_DONE;
    return SESSION_FINISHED;
}

void session_close(struct session *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

enum session_step session_begin(struct session *s, const struct session_opts *opts, int64_t value)
{
    s->state = SESSION_CONNECTING;
    s->ready_queued = s->connected = s->data_sent = s->readable = 0;
    s->outcome = SESSION_OK;
    s->out_off = s->in_len = 0;
    s->value = value;
    s->mean = 0.0;
    s->why[0] = '\0';
    int n = snprintf(s->out, sizeof s->out, "%" PRId64, value);
    if (!opts->pause && opts->coalesce) {
        memcpy(s->out + n, session_ready, sizeof session_ready);
        n += (int)sizeof session_ready - 1;
        s->ready_queued = 1;
    }
    s->out_len = (unsigned)n;
    s->fd = target_connect(opts->target, s->why, sizeof s->why);
    if (s->fd < 0) {
        s->outcome = TALLY_CONNECT;
        s->state = SESSION_DONE;
        return SESSION_FINISHED;
    }
    /* Edge-triggered for both directions at once: no epoll_ctl() between the phases. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = s};
    if (epoll_ctl(opts->ep, EPOLL_CTL_ADD, s->fd, &ev) != 0) {
        session_failed(s, TALLY_CONNECT, "epoll_ctl", errno);
        session_close(s);
        return SESSION_FINISHED;
    }
    return SESSION_WAIT;
}

/* The reply is complete (the server closed): a mean, an error, or neither. */
static enum session_step session_classify(struct session *s, const struct session_opts *opts)
{
    s->state = SESSION_DONE;
    s->in[s->in_len] = '\0';
    size_t len = s->in_len;
    if (len == 0) {
        session_fail(s, TALLY_READ, "closed without a reply");
        return SESSION_FINISHED;
    }
    if (strncmp(s->in, "error:", 6) == 0) {
        len = strcspn(s->in, "\r\n");
        s->outcome = TALLY_REPLY;
        snprintf(s->why, sizeof s->why, "%.*s", (int)len, s->in);
        return SESSION_FINISHED;
    }
    /* Python's float() would take surrounding whitespace; --verify takes only its str(). */
    const char *text = s->in;
    if (!opts->strict) {
        while (len > 0 && (*text == ' ' || (*text >= '\t' && *text <= '\r'))) {
            text++;
            len--;
        }
        while (len > 0 &&
               (text[len - 1] == ' ' || (text[len - 1] >= '\t' && text[len - 1] <= '\r')))
            len--;
    }
    double v;
    int ok = len > 0 && wire_parse_number(text, len, &v, NULL, 0) == 0;
    if (ok && opts->strict) {
        char canon[PYFLOAT_LEN];
        ok = pyfloat_format(v, canon) == len && memcmp(canon, text, len) == 0;
    }
    if (!ok) {
        char quoted[TALLY_WHY_LEN];
        s->outcome = TALLY_UNPARSABLE;
        session_why(s, "reply %s", wire_quote(s->in, s->in_len, 32, quoted, 64));
        return SESSION_FINISHED;
    }
    s->mean = v;
    s->outcome = SESSION_OK;
    return SESSION_FINISHED;
}

static enum session_step session_read(struct session *s, const struct session_opts *opts)
{
    for (;;) {
        if (s->in_len >= sizeof s->in - 1) {
            session_why(s, "reply longer than %zu bytes", sizeof s->in - 1);
            s->outcome = TALLY_UNPARSABLE;
            s->state = SESSION_DONE;
            return SESSION_FINISHED;
        }
        ssize_t n = recv(s->fd, s->in + s->in_len, sizeof s->in - 1 - s->in_len, 0);
        if (n > 0) {
            s->in_len += (unsigned)n;
            continue;
        }
        if (n == 0)
            return session_classify(s, opts);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return SESSION_WAIT;
        /* A reset after the reply arrived still leaves the reply. */
        if (s->in_len > 0)
            return session_classify(s, opts);
        return session_failed(s, TALLY_READ, "recv", errno);
    }
}

/* A send failed: a server that turned us away said why before closing, so a reply that is
 * already there explains the failure better than the send does. */
static enum session_step session_send_failed(struct session *s, const struct session_opts *opts,
                                             int err)
{
    ssize_t n = recv(s->fd, s->in, sizeof s->in - 1, MSG_DONTWAIT);
    if (n > 6 && strncmp(s->in, "error:", 6) == 0) {
        s->in_len = (unsigned)n;
        return session_classify(s, opts);
    }
    s->in_len = 0;
    return session_failed(s, TALLY_WRITE, "send", err);
}

/* The number is sent. If the server already spoke, it will not say more for a `ready`
 * (an error, a close): that ends the session instead of the pause. */
static enum session_step session_pause(struct session *s, const struct session_opts *opts)
{
    if (s->readable) {
        s->state = SESSION_READING;
        enum session_step step = session_read(s, opts);
        if (step != SESSION_WAIT || s->in_len > 0)
            return step;
        s->readable = 0;
    }
    s->state = SESSION_PAUSED;
    return SESSION_PAUSE;
}

static enum session_step session_write(struct session *s, const struct session_opts *opts)
{
    for (;;) {
        while (s->out_off < s->out_len) {
            ssize_t n = send(s->fd, s->out + s->out_off, s->out_len - s->out_off, MSG_NOSIGNAL);
            if (n > 0) {
                s->out_off += (unsigned)n;
                s->data_sent = 1;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return SESSION_WAIT;
            return session_send_failed(s, opts, n < 0 ? errno : EIO);
        }
        if (s->ready_queued)
            break;
        if (opts->pause)
            return session_pause(s, opts);
        memcpy(s->out, session_ready, sizeof session_ready);
        s->out_len = sizeof session_ready - 1;
        s->out_off = 0;
        s->ready_queued = 1;
    }
    s->state = SESSION_READING;
    /* Edges only announce what arrives from now on: a reply (a server turning us away
     * speaks first) that came while we were writing must be read now. */
    return s->readable ? session_read(s, opts) : SESSION_WAIT;
}

enum session_step session_resume(struct session *s, const struct session_opts *opts)
{
    if (s->state != SESSION_PAUSED)
        return s->state == SESSION_DONE ? SESSION_FINISHED : SESSION_WAIT;
    memcpy(s->out, session_ready, sizeof session_ready);
    s->out_len = sizeof session_ready - 1;
    s->out_off = 0;
    s->ready_queued = 1;
    s->state = SESSION_SENDING;
    return session_write(s, opts);
}

enum session_step session_io(struct session *s, const struct session_opts *opts, uint32_t events)
{
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
        s->readable = 1;
    switch (s->state) {
    case SESSION_CONNECTING: {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return SESSION_WAIT;
        if (events & (EPOLLERR | EPOLLHUP)) {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                err = errno;
            return session_failed(s, TALLY_CONNECT, "connect", err ? err : ECONNRESET);
        }
        s->connected = 1;
        s->state = SESSION_SENDING;
        return session_write(s, opts);
    }
    case SESSION_SENDING:
        return session_write(s, opts);
    case SESSION_PAUSED:
        /* The server spoke or hung up before `ready`: whatever it said ends the session. */
        if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
            return SESSION_WAIT;
        s->state = SESSION_READING;
        return session_read(s, opts);
    case SESSION_READING:
        return session_read(s, opts);
    default:
        return SESSION_WAIT;
    }
}

void session_tally(const struct session *s, struct tally *t, uint64_t end_ns)
{
    if (s->outcome == SESSION_OK) {
        tally_value(t, s->value);
    } else if (s->data_sent && !(s->outcome == TALLY_REPLY && strcmp(s->why, session_busy) == 0)) {
        /* Sent but unanswered: the server may have added it or not. */
        t->uncertain++;
    }
    if (!s->measured)
        return;
    if (s->outcome == SESSION_OK)
        tally_ok(t, end_ns > s->start_ns ? end_ns - s->start_ns : 0);
    else
        tally_error(t, (enum tally_kind)s->outcome, s->why);
    if (end_ns > t->last_ns)
        t->last_ns = end_ns;
}
