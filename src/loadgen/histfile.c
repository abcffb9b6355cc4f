/* histfile.c - reading and writing histfile.h's format. */
#include "histfile.h"

#include "outfile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line longer than this is not one of ours. */
#define HISTFILE_LINE_LEN 128
#define HISTFILE_NOT_OURS "not a loadgen histogram (no 'parlab-hist VERSION' line)"

int histfile_write(const char *path, const struct hist *h, char *err, size_t errlen)
{
    static struct outfile of; /* its buffer is 64 KiB: not on the stack */
    if (outfile_open(&of, path, err, errlen) != 0)
        return -1;
    char line[HISTFILE_LINE_LEN * 2];
    int len = snprintf(line, sizeof line,
                       "parlab-hist %d\nsub_bits %d\nmax_bits %d\ntotal %" PRIu64
                       "\nmin_ns %" PRIu64 "\nmax_ns %" PRIu64 "\nsum_ns %" PRIu64 "\n",
                       HISTFILE_VERSION, HIST_SUB_BITS, HIST_MAX_BITS, h->total,
                       h->total ? h->min_ns : 0, h->max_ns, h->sum_ns);
    int rc = outfile_write(&of, line, (size_t)len, err, errlen);
    for (unsigned i = 0; rc == 0 && i < HIST_BUCKETS; i++) {
        if (h->counts[i] == 0)
            continue;
        len = snprintf(line, sizeof line, "bucket %u %" PRIu64 "\n", i, h->counts[i]);
        rc = outfile_write(&of, line, (size_t)len, err, errlen);
    }
    if (rc == 0)
        rc = outfile_write(&of, "end\n", 4, err, errlen);
    if (rc == 0)
        rc = outfile_commit(&of, err, errlen);
    if (rc != 0) {
        outfile_abort(&of);
        return -1;
    }
    return 0;
}

struct histfile_in {
    const char *path;
    FILE *f;
    unsigned line;
    char text[HISTFILE_LINE_LEN];
    char *err;
    size_t errlen;
};

static int histfile_fail(struct histfile_in *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "PATH: line N: reason" (no line number before the first line is read). */
static int histfile_fail(struct histfile_in *in, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (in->line)
        snprintf(in->err, in->errlen, "%s: line %u: %s", in->path, in->line, why);
    else
        snprintf(in->err, in->errlen, "%s: %s", in->path, why);
    return -1;
}

/* The next line without its newline; -1 (reported) at the end of the file, on a read
 * error, or for a line too long to be ours. */
static int histfile_next(struct histfile_in *in, const char *expecting)
{
    if (!fgets(in->text, sizeof in->text, in->f)) {
        if (ferror(in->f))
            return histfile_fail(in, "read: %s", strerror(errno));
        return histfile_fail(in, "ends before %s: the file is cut short", expecting);
    }
    in->line++;
    size_t len = strlen(in->text);
    if (len == 0 || in->text[len - 1] != '\n') {
        if (in->line == 1) /* a CSV's header, say: not ours at all */
            return histfile_fail(in, HISTFILE_NOT_OURS);
        return histfile_fail(in, "line too long, or without its newline");
    }
    in->text[len - 1] = '\0';
    return 0;
}

/* A whole number, digits only, that fits 64 bits. */
static int histfile_u64(const char *text, uint64_t *out)
{
    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* "KEY N" with exactly this key. */
static int histfile_field(struct histfile_in *in, const char *key, uint64_t *out)
{
    if (histfile_next(in, key) != 0)
        return -1;
    size_t klen = strlen(key);
    if (strncmp(in->text, key, klen) != 0 || in->text[klen] != ' ' ||
        histfile_u64(in->text + klen + 1, out) != 0)
        return histfile_fail(in, "expected '%s N', found '%s'", key, in->text);
    return 0;
}

static int histfile_parse(struct histfile_in *in, struct hist *h)
{
    if (histfile_next(in, "the first line") != 0)
        return -1;
    uint64_t version;
    if (strncmp(in->text, "parlab-hist ", 12) != 0 || histfile_u64(in->text + 12, &version))
        return histfile_fail(in, HISTFILE_NOT_OURS);
    if (version != HISTFILE_VERSION)
        return histfile_fail(in, "format version %" PRIu64 ", this build reads %d", version,
                             HISTFILE_VERSION);
    uint64_t sub_bits, max_bits;
    if (histfile_field(in, "sub_bits", &sub_bits) || histfile_field(in, "max_bits", &max_bits))
        return -1;
    /* Buckets of another layout cover other ranges: adding them up would be wrong. */
    if (sub_bits != HIST_SUB_BITS || max_bits != HIST_MAX_BITS)
        return histfile_fail(in,
                             "bucket layout sub_bits %" PRIu64 " max_bits %" PRIu64
                             " differs from this build's (sub_bits %d max_bits %d)",
                             sub_bits, max_bits, HIST_SUB_BITS, HIST_MAX_BITS);
    hist_init(h);
    uint64_t min_ns;
    if (histfile_field(in, "total", &h->total) || histfile_field(in, "min_ns", &min_ns) ||
        histfile_field(in, "max_ns", &h->max_ns) || histfile_field(in, "sum_ns", &h->sum_ns))
        return -1;
    h->min_ns = h->total ? min_ns : UINT64_MAX;
    if (h->total && min_ns > h->max_ns)
        return histfile_fail(in, "min_ns %" PRIu64 " above max_ns %" PRIu64, min_ns, h->max_ns);
    uint64_t seen = 0;
    long last = -1;
    for (;;) {
        if (histfile_next(in, "the 'end' line") != 0)
            return -1;
        if (strcmp(in->text, "end") == 0)
            break;
        /* "bucket INDEX COUNT": split at the second space, both parts digits only. */
        char *space = strncmp(in->text, "bucket ", 7) == 0 ? strchr(in->text + 7, ' ') : NULL;
        uint64_t index, count;
        if (space)
            *space = '\0';
        if (!space || histfile_u64(in->text + 7, &index) || histfile_u64(space + 1, &count)) {
            if (space)
                *space = ' ';
            return histfile_fail(in, "expected 'bucket INDEX COUNT' or 'end', found '%s'",
                                 in->text);
        }
        if (index >= HIST_BUCKETS || (long)index <= last)
            return histfile_fail(in, "bucket %" PRIu64 " out of order or past the last (%u)", index,
                                 HIST_BUCKETS - 1);
        last = (long)index;
        h->counts[index] = count;
        if (count > UINT64_MAX - seen)
            return histfile_fail(in, "bucket counts overflow");
        seen += count;
    }
    if (seen != h->total)
        return histfile_fail(in, "the buckets hold %" PRIu64 " values, total says %" PRIu64, seen,
                             h->total);
    if (fgetc(in->f) != EOF)
        return histfile_fail(in, "more after the 'end' line");
    return 0;
}

int histfile_read(const char *path, struct hist *h, char *err, size_t errlen)
{
    struct histfile_in in = {.path = path, .err = err, .errlen = errlen};
    in.f = fopen(path, "r");
    if (!in.f) {
        snprintf(err, errlen, "%s: open: %s", path, strerror(errno));
        return -1;
    }
    int rc = histfile_parse(&in, h);
    fclose(in.f);
    return rc;
}
