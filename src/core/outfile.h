/* outfile.h - write an output file without ever leaving half of one in place of the old.
 *
 * What the path names decides how it is written (stat(), links followed):
 * - a regular file, or nothing yet: all-or-nothing. The data goes to a temporary beside the
 *   file and is renamed over it, so a failed or interrupted run leaves any earlier file
 *   untouched. Through a symbolic link (a chain of them, or a dangling one) the temporary is
 *   made beside the file the chain ends at and renamed over that file: the links stay links.
 *   An existing file keeps its permission bits; a new one gets 0666 less the umask.
 * - a character device, FIFO or socket (/dev/null, /dev/tty, a pipe's reader): written in
 *   place, never replaced; a FIFO's open waits for a reader, as `cat > fifo` does. What a
 *   failed run wrote there stays written.
 * - a directory or a block device: refused.
 * While an outfile is open, SIGINT, SIGTERM and SIGHUP (where they would kill the process)
 * first remove the temporary, then kill as before; SIGPIPE (where it would kill) is ignored,
 * so a reader that leaves becomes a write error. The previous dispositions come back at
 * commit or abort. Only the first of several outfiles open at once is guarded so.
 * Errors are written as one line ("cannot write 'path': reason") into the caller's buffer,
 * always naming the path as given; nothing here exits. */
#ifndef PARLAB_OUTFILE_H
#define PARLAB_OUTFILE_H

#include <stddef.h>

/* A size for the caller's err buffer that holds any message here with a long path. */
#define OUTFILE_ERR_LEN 512

struct outfile {
    int fd;
    char *path;     /* as given: what every message names */
    char *target;   /* the regular file the temporary replaces: path, its links followed */
    char *tmp_path; /* temporary beside target; NULL when written in place */
    char buf[1 << 16];
    size_t used;
    int failed;
};

int outfile_open(struct outfile *of, const char *path, char *err, size_t errlen);
int outfile_write(struct outfile *of, const void *data, size_t len, char *err, size_t errlen);
/* Flushes, closes and renames into place; on any failure removes the temporary. */
int outfile_commit(struct outfile *of, char *err, size_t errlen);
/* Removes the temporary; safe to call after a failed commit or open. */
void outfile_abort(struct outfile *of);

#endif
