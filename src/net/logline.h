/* logline.h - log lines that threads can write at once: each line is built whole in a small
 * buffer and written with a single write(2) under a lock, so lines never interleave and a
 * pipe sees each as soon as it is written (there is no stdio buffer to flush). */
#ifndef PARLAB_LOGLINE_H
#define PARLAB_LOGLINE_H

#include <stddef.h>

/* Longer lines are cut; the longest a mean server writes is about 200 bytes. */
#define LOGLINE_MAX 512

/* Writes the concatenation of its string arguments and a newline to fd 1. Built without
 * printf to keep the stacks of thousands of connection threads small. */
#define logline_put(...) logline_parts(__VA_ARGS__, (const char *)NULL)

/* logline_put() without the macro: the list must end with (const char *)NULL. */
void logline_parts(const char *first, ...) __attribute__((sentinel));

/* Writes the last line: every logline_put() after it is dropped, so it stays last even if a
 * connection thread is still running. */
void logline_last(const char *line);

#endif
