/* convio.c - accepting, and serving a connection with blocking waits (see convio.h). */
#include "convio.h"

#include "logline.h"
#include "timer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

void convio_log_failure(const char *call, int errnum)
{
    char buf[128];
    logline_put("Server: ", call, ": ", net_strerror(errnum, buf, sizeof buf));
}

void convio_spare(struct conv_server *s)
{
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int convio_shed(struct conv_server *s, int lfd)
{
    if (s->spare_fd < 0)
        return CONVIO_BACKOFF_MS;
    close(s->spare_fd);
    struct sockaddr_storage peer;
    int fd = net_accept(lfd, &peer, NULL, 0);
    if (fd >= 0)
        conv_turn_away(s, fd, &peer, "out of descriptors");
    convio_spare(s);
    return 0;
}

int convio_accept(struct conv_server *s, int lfd, convio_start_fn start, void *arg)
{
    for (int i = 0; i < CONVIO_ACCEPT_BATCH; i++) {
        struct sockaddr_storage peer;
        /* Told apart by errno: most batches end in EAGAIN, which needs no text. */
        int fd = net_accept(lfd, &peer, NULL, 0);
        if (fd >= 0) {
            if (conv_admit(s, fd, &peer) == 0)
                start(arg, fd);
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
            int backoff = convio_shed(s, lfd);
            if (backoff)
                return backoff;
            continue;
        }
        default:
            convio_log_failure("accept", errno);
            return CONVIO_BACKOFF_MS;
        }
    }
    return 0;
}

void convio_finish(struct conv_server *s, struct conv *c, int stop_fd)
{
    if (c->finish == CONV_FINISH_SILENT)
        return;
    if (c->finish == CONV_FINISH_SHED) {
        conv_say_busy(c->fd);
        return;
    }
    /* After an error the peer may still be sending: reading what it sends for a moment
     * keeps close() from answering with a reset that could destroy the reply before the
     * peer reads it. After `ready` the peer has nothing more to say, and close() alone
     * sends the FIN. */
    char err[NET_ERR_LEN];
    if (net_send_all(c->fd, c->out, c->out_len, stop_fd, CONV_SEND_TIMEOUT_MS, err, sizeof err) ==
        -1)
        conv_reply_failed(s, c, err);
    if (c->finish == CONV_FINISH_LINGER) {
        shutdown(c->fd, SHUT_WR);
        net_drain(c->fd, stop_fd, CONV_LINGER_MS, CONV_DRAIN_MAX);
    }
}

static int convio_poll(void *arg, struct conv *c, uint64_t deadline_ns)
{
    int stop_fd = *(const int *)arg;
    return net_wait_readable(c->fd, stop_fd, net_ms_until(deadline_ns));
}

enum convio_read_result convio_read(struct conv_server *s, struct conv *c, uint64_t now_ns)
{
    char buf[CONV_READ_SIZE];
    for (;;) {
        if (conv_shed(s, c) == CONV_DONE)
            return CONVIO_READ_DONE;
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return CONVIO_READ_AGAIN;
            conv_failed(s, c, "recv", errno);
            return CONVIO_READ_FAILED;
        }
        if (conv_input(s, c, buf, (size_t)n, now_ns) == CONV_DONE)
            return CONVIO_READ_DONE;
    }
}

/* The conversation: data, then `ready`, whichever way TCP cuts them up. */
void convio_serve(struct conv_server *s, struct conv *c, int stop_fd, convio_wait_fn wait,
                  void *arg)
{
    if (!wait) {
        wait = convio_poll;
        arg = &stop_fd;
    }
    for (;;) {
        /* Read first, wait only if nothing is there: a client that sends at once (most do)
         * costs one system call instead of two. */
        enum convio_read_result r = convio_read(s, c, timer_wall_ns());
        if (r == CONVIO_READ_DONE)
            break;
        if (r == CONVIO_READ_FAILED)
            return;
        int w = wait(arg, c, conv_deadline(c));
        if (w == 1)
            continue;
        if (w == 0) {
            if (conv_expire(s, c, timer_wall_ns()) == CONV_DONE)
                break;
            continue;
        }
        if (w == NET_WAIT_ERROR)
            conv_failed(s, c, "poll", errno);
        return;
    }
    convio_finish(s, c, stop_fd);
}
