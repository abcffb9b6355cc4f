/* workers.h - run a function in N fork()ed worker processes and wait for all of them.
 * If any worker dies (signal or non-zero exit) the others are killed at once and the
 * failure is described in the caller's buffer. */
#ifndef PARLAB_WORKERS_H
#define PARLAB_WORKERS_H

#include <stddef.h>

#define WORKERS_MAX 1024u

/* Runs fn(index, arg) in each child; a child that returns exits with status 0. */
typedef void (*workers_fn)(unsigned index, void *arg);

/* Returns 0 when every worker exited 0, else -1 with a one-line reason in err. */
int workers_run(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen);

#endif
