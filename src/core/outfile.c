#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Linux itself gives up after 40 links (ELOOP). */
#define OUTFILE_MAX_LINKS 40

/* The signals whose default action would end the process mid-write, temporary and all. */
static const int outfile_fatal[] = {SIGINT, SIGTERM, SIGHUP};
#define OUTFILE_NFATAL (sizeof outfile_fatal / sizeof outfile_fatal[0])

/* The dispositions replaced while one outfile, the owner, is open (the last slot: SIGPIPE). */
static struct {
    const struct outfile *owner;
    int taken[OUTFILE_NFATAL + 1];
    struct sigaction saved[OUTFILE_NFATAL + 1];
} outfile_guard;

/* The temporary the handler removes. Changed only with the fatal signals blocked, so the
 * handler never reads it half-written. */
static const char *volatile outfile_live_tmp;

static int outfile_fail(struct outfile *of, const char *reason, char *err, size_t errlen)
{
    snprintf(err, errlen, "cannot write '%s': %s", of->path, reason);
    of->failed = 1;
    return -1;
}

/* Async-signal-safe: unlink(), signal() and raise() only. The signal is blocked while this
 * runs, so the raised one ends the process, by its default action, as the handler returns:
 * the parent sees the death it would have seen without the handler. */
static void outfile_on_signal(int sig)
{
    const char *tmp = outfile_live_tmp;
    if (tmp)
        unlink(tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void outfile_fatal_set(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < OUTFILE_NFATAL; i++)
        sigaddset(set, outfile_fatal[i]);
}

static void outfile_block(sigset_t *old)
{
    sigset_t set;
    outfile_fatal_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void outfile_unblock(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Replaces a disposition only where it is the default: an ignored signal kills nothing,
 * and a program's own handler keeps the say (its write then ends in commit or abort). */
static void outfile_guard_take(size_t slot, int sig, void (*handler)(int))
{
    struct sigaction now;
    if (sigaction(sig, NULL, &now) != 0 || (now.sa_flags & SA_SIGINFO) || now.sa_handler != SIG_DFL)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    outfile_fatal_set(&sa.sa_mask);
    outfile_guard.taken[slot] = sigaction(sig, &sa, &outfile_guard.saved[slot]) == 0;
}

/* SIGPIPE is ignored so that a reader who leaves turns into a write error (EPIPE) naming
 * the path, instead of a silent death. */
static void outfile_guard_install(const struct outfile *of)
{
    if (outfile_guard.owner)
        return;
    outfile_guard.owner = of;
    for (size_t i = 0; i < OUTFILE_NFATAL; i++)
        outfile_guard_take(i, outfile_fatal[i], outfile_on_signal);
    outfile_guard_take(OUTFILE_NFATAL, SIGPIPE, SIG_IGN);
}

static void outfile_guard_release(const struct outfile *of)
{
    if (outfile_guard.owner != of)
        return;
    for (size_t i = 0; i <= OUTFILE_NFATAL; i++) {
        int sig = i < OUTFILE_NFATAL ? outfile_fatal[i] : SIGPIPE;
        if (outfile_guard.taken[i])
            sigaction(sig, &outfile_guard.saved[i], NULL);
        outfile_guard.taken[i] = 0;
    }
    outfile_guard.owner = NULL;
}

/* Sets or clears the temporary the handler removes, if this outfile owns the guard. */
static void outfile_publish(const struct outfile *of, const char *tmp)
{
    if (outfile_guard.owner == of)
        outfile_live_tmp = tmp;
}

/* The text of a link, a relative one taken from the directory holding the link. */
static char *outfile_join(const char *link_path, const char *text, size_t len)
{
    const char *slash = strrchr(link_path, '/');
    size_t dir = text[0] == '/' || !slash ? 0 : (size_t)(slash - link_path) + 1;
    char *out = malloc(dir + len + 1);
    if (out) {
        memcpy(out, link_path, dir);
        memcpy(out + dir, text, len);
        out[dir + len] = '\0';
    }
    return out;
}

/* Follows the chain of symbolic links at path to the name it ends at, which need not exist
 * yet (a dangling link: the file it points at is created). The temporary must sit beside
 * that name for rename() to replace the file and leave every link a link. */
static int outfile_resolve(const char *path, char **out)
{
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out = cur;
            return 0;
        }
        if (hops == OUTFILE_MAX_LINKS) {
            free(cur);
            return ELOOP;
        }
        char text[PATH_MAX];
        ssize_t n = readlink(cur, text, sizeof text);
        if (n < 0 || (size_t)n == sizeof text) {
            int errnum = n < 0 ? errno : ENAMETOOLONG;
            free(cur);
            return errnum;
        }
        char *next = outfile_join(cur, text, (size_t)n);
        free(cur);
        cur = next;
    }
    return ENOMEM;
}

/* 0666 less the umask, the mode open(O_CREAT) would give a new file. */
static mode_t outfile_new_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* All-or-nothing: a temporary in the target's own directory, so rename() is atomic. */
static int outfile_open_replace(struct outfile *of, mode_t mode, char *err, size_t errlen)
{
    int rc = outfile_resolve(of->path, &of->target);
    if (rc != 0)
        return outfile_fail(of, strerror(rc), err, errlen);
    size_t n = strlen(of->target) + sizeof ".tmp.XXXXXX";
    char *tmp = malloc(n);
    if (!tmp)
        return outfile_fail(of, strerror(ENOMEM), err, errlen);
    snprintf(tmp, n, "%s.tmp.XXXXXX", of->target);
    outfile_guard_install(of);
    sigset_t old;
    outfile_block(&old);
    of->fd = mkstemp(tmp);
    int errnum = errno;
    if (of->fd >= 0) {
        of->tmp_path = tmp;
        outfile_publish(of, tmp);
    }
    outfile_unblock(&old);
    if (of->fd < 0) {
        free(tmp);
        return outfile_fail(of, strerror(errnum), err, errlen);
    }
    /* mkstemp creates 0600: give the mode the file would have had written in place. */
    if (fchmod(of->fd, mode) != 0)
        return outfile_fail(of, strerror(errno), err, errlen);
    return 0;
}

/* A socket cannot be open()ed: connect to it as a stream client, as `nc -U` does. */
static int outfile_connect(const char *path)
{
    struct sockaddr_un addr;
    size_t len = strlen(path);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (len >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(addr.sun_path, path, len + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (const struct sockaddr *)&addr, sizeof addr) != 0) {
        int errnum = errno;
        close(fd);
        errno = errnum;
        fd = -1;
    }
    return fd;
}

/* A device, FIFO or socket belongs to whoever reads it: write to it, never replace it
 * (as root, replacing /dev/null would break the machine). No O_CREAT: it exists. A
 * directory is refused, and so is a block device: primes written over a disk's blocks
 * would destroy its file system. */
static int outfile_open_in_place(struct outfile *of, mode_t type, char *err, size_t errlen)
{
    if (S_ISDIR(type))
        return outfile_fail(of, strerror(EISDIR), err, errlen);
    if (S_ISBLK(type))
        return outfile_fail(of, "Is a block device (refused: it would overwrite a disk)", err,
                            errlen);
    outfile_guard_install(of);
    if (S_ISSOCK(type)) {
        of->fd = outfile_connect(of->path);
    } else {
        do {
            of->fd = open(of->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        } while (of->fd < 0 && errno == EINTR);
    }
    return of->fd < 0 ? outfile_fail(of, strerror(errno), err, errlen) : 0;
}

int outfile_open(struct outfile *of, const char *path, char *err, size_t errlen)
{
    memset(of, 0, sizeof *of);
    of->fd = -1;
    of->path = strdup(path);
    if (!of->path) {
        snprintf(err, errlen, "cannot write '%s': out of memory", path);
        return -1;
    }
    struct stat st;
    int rc;
    if (stat(path, &st) == 0)
        rc = S_ISREG(st.st_mode) ? outfile_open_replace(of, st.st_mode & 0777, err, errlen)
                                 : outfile_open_in_place(of, st.st_mode, err, errlen);
    else if (errno == ENOENT)
        rc = outfile_open_replace(of, outfile_new_mode(), err, errlen);
    else
        rc = outfile_fail(of, strerror(errno), err, errlen);
    if (rc != 0)
        outfile_abort(of);
    return rc;
}

static int outfile_flush(struct outfile *of, char *err, size_t errlen)
{
    size_t off = 0;
    while (off < of->used) {
        ssize_t w = write(of->fd, of->buf + off, of->used - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return outfile_fail(of, strerror(errno), err, errlen);
        }
        off += (size_t)w;
    }
    of->used = 0;
    return 0;
}

int outfile_write(struct outfile *of, const void *data, size_t len, char *err, size_t errlen)
{
    const char *p = data;
    while (len > 0) {
        if (of->used == sizeof of->buf && outfile_flush(of, err, errlen) != 0)
            return -1;
        size_t room = sizeof of->buf - of->used;
        size_t n = len < room ? len : room;
        memcpy(of->buf + of->used, p, n);
        of->used += n;
        p += n;
        len -= n;
    }
    return 0;
}

/* close() can report a delayed write error (NFS, quota): checked before the rename. EINTR
 * is not one: Linux has released the descriptor by then. */
static int outfile_close(struct outfile *of, char *err, size_t errlen)
{
    int rc = close(of->fd);
    of->fd = -1;
    if (rc != 0 && errno != EINTR)
        return outfile_fail(of, strerror(errno), err, errlen);
    return 0;
}

/* The temporary stops being one, for the handler too, in the same blocked instant. */
static int outfile_rename(struct outfile *of, char *err, size_t errlen)
{
    sigset_t old;
    outfile_block(&old);
    int rc = rename(of->tmp_path, of->target);
    int errnum = errno;
    if (rc == 0) {
        outfile_publish(of, NULL);
        free(of->tmp_path);
        of->tmp_path = NULL;
    }
    outfile_unblock(&old);
    return rc == 0 ? 0 : outfile_fail(of, strerror(errnum), err, errlen);
}

int outfile_commit(struct outfile *of, char *err, size_t errlen)
{
    int rc = -1;
    if (!of->failed && outfile_flush(of, err, errlen) == 0 && outfile_close(of, err, errlen) == 0)
        rc = of->tmp_path ? outfile_rename(of, err, errlen) : 0;
    outfile_abort(of); /* after a rename there is no temporary left to remove */
    return rc;
}

void outfile_abort(struct outfile *of)
{
    if (of->fd >= 0)
        close(of->fd);
    of->fd = -1;
    sigset_t old;
    outfile_block(&old);
    if (of->tmp_path) {
        unlink(of->tmp_path);
        outfile_publish(of, NULL);
    }
    free(of->tmp_path);
    of->tmp_path = NULL;
    outfile_unblock(&old);
    outfile_guard_release(of);
    free(of->target);
    free(of->path);
    of->target = NULL;
    of->path = NULL;
}
