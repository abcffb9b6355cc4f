/* The CSV writer: quoting, a header only for a new file, refusal to mix columns. */
#include "check.h"
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    static char text[4096];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f)
        fclose(f);
    return text;
}

int main(void)
{
    char path[] = "/tmp/parlab-csv-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path); /* csv_append must create it */

    struct csv csv;
    csv_init(&csv);
    csv_str(&csv, "plain");
    csv_str(&csv, "a,b");
    csv_str(&csv, "say \"hi\"");
    csv_u64(&csv, 18446744073709551615ull);
    csv_i64(&csv, -42);
    csv_empty(&csv);
    csv_double(&csv, 0.1);
    csv_end_line(&csv);
    CHECK_EQ_STR("plain,\"a,b\",\"say \"\"hi\"\"\",18446744073709551615,-42,,0.10000000000000001\n",
                 csv.buf);

    char err[CSV_ERR_LEN];
    CHECK_EQ_U64(0, csv_append(path, "h1,h2,h3,h4,h5,h6,h7", &csv, err));
    CHECK_EQ_U64(0, csv_append(path, "h1,h2,h3,h4,h5,h6,h7", &csv, err));
    char expected[512];
    snprintf(expected, sizeof expected, "h1,h2,h3,h4,h5,h6,h7\n%s%s", csv.buf, csv.buf);
    CHECK_EQ_STR(expected, slurp(path));

    /* Other columns: refused, file unchanged. */
    CHECK_EQ_U64((uint64_t)-1, (uint64_t)csv_append(path, "h1,other", &csv, err));
    CHECK_EQ_U64(1, strstr(err, "header differs") != NULL);
    CHECK_EQ_STR(expected, slurp(path));

    /* A missing directory names the path. */
    CHECK_EQ_U64((uint64_t)-1, (uint64_t)csv_append("/nonexistent/dir/m.csv", "h", &csv, err));
    CHECK_EQ_STR("cannot write '/nonexistent/dir/m.csv': No such file or directory", err);

    csv_free(&csv);
    unlink(path);
    return check_done();
}
