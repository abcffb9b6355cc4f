#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void csv_init(struct csv *csv)
{
    memset(csv, 0, sizeof *csv);
}

void csv_free(struct csv *csv)
{
    free(csv->buf);
    csv_init(csv);
}

static void csv_put(struct csv *csv, const char *text, size_t n)
{
    if (csv->len + n + 1 > csv->cap) {
        size_t cap = csv->cap ? csv->cap * 2 : 1024;
        while (cap < csv->len + n + 1)
            cap *= 2;
        char *p = realloc(csv->buf, cap);
        if (!p) {
            csv->oom = 1;
            return;
        }
        csv->buf = p;
        csv->cap = cap;
    }
    memcpy(csv->buf + csv->len, text, n);
    csv->len += n;
    csv->buf[csv->len] = '\0';
}

static void csv_sep(struct csv *csv)
{
    if (csv->fields++)
        csv_put(csv, ",", 1);
}

void csv_str(struct csv *csv, const char *text)
{
    csv_sep(csv);
    if (strpbrk(text, ",\"\n\r") == NULL) {
        csv_put(csv, text, strlen(text));
        return;
    }
    csv_put(csv, "\"", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            csv_put(csv, "\"", 1);
        csv_put(csv, p, 1);
    }
    csv_put(csv, "\"", 1);
}

void csv_u64(struct csv *csv, uint64_t value)
{
    char text[24];
    csv_sep(csv);
    int n = snprintf(text, sizeof text, "%" PRIu64, value);
    csv_put(csv, text, (size_t)n);
}

void csv_i64(struct csv *csv, int64_t value)
{
    char text[24];
    csv_sep(csv);
    int n = snprintf(text, sizeof text, "%" PRId64, value);
    csv_put(csv, text, (size_t)n);
}

void csv_double(struct csv *csv, double value)
{
    char text[32];
    csv_sep(csv);
    /* 17 significant digits: the exact double comes back when the file is read. */
    int n = snprintf(text, sizeof text, "%.17g", value);
    csv_put(csv, text, (size_t)n);
}

void csv_empty(struct csv *csv)
{
    csv_sep(csv);
}

void csv_end_line(struct csv *csv)
{
    csv_put(csv, "\n", 1);
    csv->fields = 0;
}

/* Compares the file's first line with header; 1 when equal. */
static int csv_header_matches(int fd, const char *header)
{
    size_t n = strlen(header);
    char *line = malloc(n + 2);
    if (!line)
        return 0;
    ssize_t got = pread(fd, line, n + 1, 0);
    int same = got == (ssize_t)(n + 1) && memcmp(line, header, n) == 0 && line[n] == '\n';
    free(line);
    return same;
}

static int csv_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int csv_append(const char *path, const char *header, const struct csv *rows, char *err,
               size_t errlen)
{
    if (rows->oom) {
        snprintf(err, errlen, "cannot write '%s': out of memory", path);
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    /* Two runs appending to one file must not both see it empty and both write a header. */
    flock(fd, LOCK_EX);
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0 && st.st_size > 0 && !csv_header_matches(fd, header)) {
        snprintf(err, errlen,
                 "cannot append to '%s': its header differs from this run's columns (use a new "
                 "file)",
                 path);
        close(fd);
        return -1;
    }
    if (rc == 0 && st.st_size == 0)
        rc = csv_write_all(fd, header, strlen(header)) || csv_write_all(fd, "\n", 1) ? -1 : 0;
    if (rc == 0 && rows->len)
        rc = csv_write_all(fd, rows->buf, rows->len);
    if (rc != 0)
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    if (close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}
