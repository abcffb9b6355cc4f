/* logline.h - log lines that any thread (or event loop) can post at once without waiting:
 * each line is built whole in a small buffer and queued (logq.h); one writer thread writes
 * the queue to standard output as it can, so lines never interleave, a terminal, a file or
 * a reading pipe sees each one promptly, and a stdout nobody reads stalls nobody. */
#ifndef PARLAB_LOGLINE_H
#define PARLAB_LOGLINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Longer lines are cut; the longest a mean server writes is about 200 bytes. */
#define LOGLINE_MAX 512
/* Queued bytes before lines are dropped: some 2,000 lines, seconds of a busy server's log,
 * for a reader that is merely slow. */
#define LOGLINE_QUEUE (256 * 1024)

/* Posts the concatenation of its string arguments and a newline. Built without printf to
 * keep the stacks of thousands of connection threads small. Without logline_start() the
 * line is written at once, under a lock; after logline_stop() it is discarded. */
#define logline_put(...) logline_parts(__VA_ARGS__, (const char *)NULL)

/* logline_put() without the macro: the list must end with (const char *)NULL. */
void logline_parts(const char *first, ...) __attribute__((sentinel));

/* Starts the writer thread; lines dropped (queue full, stdout failing) are counted in
 * *dropped. Returns 0, or -1 with "call: reason" in err. */
int logline_start(_Atomic uint64_t *dropped, char *err, size_t errlen);

/* Writes line last, after every line posted before, if stdout takes it within budget_ns;
 * every logline_put() after this is discarded, so it stays last even if a connection
 * thread is still running. Returns the lines dropped over the run; *error is the errno of
 * a failed write to stdout, or 0. */
uint64_t logline_stop(const char *line, uint64_t budget_ns, int *error);

/* logline_stop() for a program that never started the writer (its lines are written as
 * they are posted): writes line, and every logline_put() after it is dropped. With the
 * writer started, the writer gets LOGLINE_LAST_BUDGET_NS. */
#define LOGLINE_LAST_BUDGET_NS 200000000ull
void logline_last(const char *line);

#endif
