/* csv.h - the one CSV writer: rows are built in memory, then appended to a file with a
 * single write, the header first when the file is new. Appending to a file whose header
 * differs (other events, other program) is refused rather than mixing columns. */
#ifndef PARLAB_CSV_H
#define PARLAB_CSV_H

#include <stddef.h>
#include <stdint.h>

/* A size for the caller's err buffer that holds any message here with a long path. */
#define CSV_ERR_LEN 512

struct csv {
    char *buf;
    size_t len, cap;
    int fields; /* fields in the current line */
    int oom;
};

void csv_init(struct csv *csv);
void csv_free(struct csv *csv);

/* Cells of the current line. Text is quoted when it holds a comma, quote or newline. */
void csv_str(struct csv *csv, const char *text);
void csv_u64(struct csv *csv, uint64_t value);
void csv_i64(struct csv *csv, int64_t value);
void csv_double(struct csv *csv, double value);
void csv_empty(struct csv *csv);
void csv_end_line(struct csv *csv);

/* Appends the rows in `rows` to path, writing `header` (one line, no newline) first when the
 * file is empty. Returns 0, or -1 with a one-line reason in err
 * ("cannot write 'path': reason"). */
int csv_append(const char *path, const char *header, const struct csv *rows, char *err,
               size_t errlen);

#endif
