/* histfile.h - a latency histogram as a file, so that the histograms of several loadgen
 * processes can be merged into exact percentiles later (histmerge) instead of averaging
 * theirs, which is meaningless. A versioned text format, one fact a line:
 *
 *   parlab-hist 1
 *   sub_bits 7          the bucket layout (hist.h): files of another layout are refused
 *   max_bits 37
 *   total N             values recorded; the bucket counts add up to it
 *   min_ns N            exact; 0 when empty
 *   max_ns N            exact
 *   sum_ns N            exact, for the mean
 *   bucket INDEX COUNT  one line per bucket that is not empty, by increasing index
 *   end
 *
 * The `end` line tells a whole file from a cut one. */
#ifndef LOADGEN_HISTFILE_H
#define LOADGEN_HISTFILE_H

#include "hist.h"

#include <stddef.h>

#define HISTFILE_VERSION 1
#define HISTFILE_ERR_LEN 512

/* Writes h to path all or nothing (outfile.h). Returns 0, or -1 with one line in err
 * ("cannot write 'path': reason"). */
int histfile_write(const char *path, const struct hist *h, char *err, size_t errlen);

/* Reads path into h. Returns 0, or -1 with one line in err naming the file (and the line
 * where it is at fault): not a histogram, another version or bucket layout, a cut file. */
int histfile_read(const char *path, struct hist *h, char *err, size_t errlen);

#endif
