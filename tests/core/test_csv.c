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
    ASSERT_STR_EQ(
        csv.buf,
        "plain,\"a,b\",\"say \"\"hi\"\"\",18446744073709551615,-42,,0.10000000000000001\n");

    char err[CSV_ERR_LEN];
    ASSERT_EQ(csv_append(path, "h1,h2,h3,h4,h5,h6,h7", &csv, err, sizeof err), 0);
    ASSERT_EQ(csv_append(path, "h1,h2,h3,h4,h5,h6,h7", &csv, err, sizeof err), 0);
    char expected[512];
    snprintf(expected, sizeof expected, "h1,h2,h3,h4,h5,h6,h7\n%s%s", csv.buf, csv.buf);
    ASSERT_STR_EQ(slurp(path), expected);

    /* Other columns: refused, file unchanged. */
    ASSERT_EQ(csv_append(path, "h1,other", &csv, err, sizeof err), -1);
    ASSERT_NOT_NULL(strstr(err, "header differs"));
    ASSERT_STR_EQ(slurp(path), expected);

    /* A missing directory names the path. */
    ASSERT_EQ(csv_append("/nonexistent/dir/m.csv", "h", &csv, err, sizeof err), -1);
    ASSERT_STR_EQ(err, "cannot write '/nonexistent/dir/m.csv': No such file or directory");

    csv_free(&csv);
    unlink(path);
    return check_done();
}
