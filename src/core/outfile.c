#include "outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int outfile_fail(struct outfile *of, const char *what, int errnum, char *err)
{
    snprintf(err, OUTFILE_ERR_LEN, "cannot %s '%s': %s", what, of->path, strerror(errnum));
    of->failed = 1;
    return -1;
}

int outfile_open(struct outfile *of, const char *path, char *err)
{
    memset(of, 0, sizeof *of);
    of->fd = -1;
    of->path = strdup(path);
    size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
    of->tmp_path = malloc(n);
    if (!of->path || !of->tmp_path) {
        snprintf(err, OUTFILE_ERR_LEN, "cannot write '%s': out of memory", path);
        outfile_abort(of);
        return -1;
    }
    snprintf(of->tmp_path, n, "%s.tmp.XXXXXX", path);
    of->fd = mkstemp(of->tmp_path);
    if (of->fd < 0) {
        outfile_fail(of, "write", errno, err);
        free(of->tmp_path);
        of->tmp_path = NULL; /* nothing was created: nothing to unlink */
        outfile_abort(of);
        return -1;
    }
    /* mkstemp creates 0600; a results file should get the usual umask-derived mode. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(of->fd, 0666 & ~mask);
    return 0;
}

static int outfile_flush(struct outfile *of, char *err)
{
    size_t off = 0;
    while (off < of->used) {
        ssize_t w = write(of->fd, of->buf + off, of->used - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return outfile_fail(of, "write", errno, err);
        }
        off += (size_t)w;
    }
    of->used = 0;
    return 0;
}

int outfile_write(struct outfile *of, const void *data, size_t len, char *err)
{
    const char *p = data;
    while (len > 0) {
        if (of->used == sizeof of->buf && outfile_flush(of, err) != 0)
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

int outfile_commit(struct outfile *of, char *err)
{
    if (of->failed || outfile_flush(of, err) != 0) {
        outfile_abort(of);
        return -1;
    }
    /* close() can report a delayed write error (NFS, quota): check it before renaming. */
    int rc = close(of->fd);
    of->fd = -1;
    if (rc != 0) {
        outfile_fail(of, "write", errno, err);
        outfile_abort(of);
        return -1;
    }
    if (rename(of->tmp_path, of->path) != 0) {
        outfile_fail(of, "rename into", errno, err);
        outfile_abort(of);
        return -1;
    }
    free(of->tmp_path);
    of->tmp_path = NULL;
    outfile_abort(of);
    return 0;
}

void outfile_abort(struct outfile *of)
{
    if (of->fd >= 0)
        close(of->fd);
    of->fd = -1;
    if (of->tmp_path)
        unlink(of->tmp_path);
    free(of->tmp_path);
    free(of->path);
    of->tmp_path = NULL;
    of->path = NULL;
}
