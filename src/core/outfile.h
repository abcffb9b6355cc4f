/* outfile.h - write a file all-or-nothing: a temporary beside the target, then rename.
 * A failed or interrupted run leaves any earlier file untouched. Errors are written as
 * one line ("cannot write 'path': reason") into the caller's buffer. */
#ifndef PARLAB_OUTFILE_H
#define PARLAB_OUTFILE_H

#include <stddef.h>

#define OUTFILE_ERR_LEN 512

struct outfile {
    int fd;
    char *path;     /* final name */
    char *tmp_path; /* temporary in the same directory, so rename() is atomic */
    char buf[1 << 16];
    size_t used;
    int failed;
};

int outfile_open(struct outfile *of, const char *path, char *err);
int outfile_write(struct outfile *of, const void *data, size_t len, char *err);
/* Flushes, closes and renames into place; on any failure removes the temporary. */
int outfile_commit(struct outfile *of, char *err);
/* Removes the temporary; safe to call after a failed commit or open. */
void outfile_abort(struct outfile *of);

#endif
