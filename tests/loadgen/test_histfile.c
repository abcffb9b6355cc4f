/* The histogram file: what is written reads back bucket for bucket, and every kind of bad
 * file is refused with a line naming the file and the fault. */
#include "check.h"
#include "hist.h"
#include "histfile.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/parlab-histfile.XXXXXX";

static void path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static void write_text(const char *name, const char *text)
{
    char path[256];
    path_of(path, sizeof path, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void check_same(const struct hist *a, const struct hist *b)
{
    ASSERT_EQ(b->total, a->total);
    ASSERT_EQ(b->min_ns, a->min_ns);
    ASSERT_EQ(b->max_ns, a->max_ns);
    ASSERT_EQ(b->sum_ns, a->sum_ns);
    unsigned differ = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++)
        differ += a->counts[i] != b->counts[i];
    ASSERT_EQ(differ, 0);
}

static void test_round_trip(void)
{
    static struct hist h, back;
    hist_init(&h);
    for (uint64_t i = 1; i <= 20000; i++)
        hist_record(&h, i * i * 7919 % 50000000 + 3);
    hist_record(&h, 5);               /* the exact region */
    hist_record(&h, 300000000000ull); /* past the range: the last bucket */
    char path[256], err[HISTFILE_ERR_LEN] = "";
    path_of(path, sizeof path, "full.hist");
    ASSERT_EQ(histfile_write(path, &h, err, sizeof err), 0);
    ASSERT_STR_EQ(err, "");
    ASSERT_EQ(histfile_read(path, &back, err, sizeof err), 0);
    ASSERT_STR_EQ(err, "");
    check_same(&h, &back);
    ASSERT_EQ(hist_percentile(&back, 99.9), hist_percentile(&h, 99.9));

    hist_init(&h);
    path_of(path, sizeof path, "empty.hist");
    ASSERT_EQ(histfile_write(path, &h, err, sizeof err), 0);
    ASSERT_EQ(histfile_read(path, &back, err, sizeof err), 0);
    check_same(&h, &back);
}

/* name holds text; reading it fails with exactly "DIR/name: why". */
static void check_refused(const char *name, const char *text, const char *why)
{
    static struct hist h;
    write_text(name, text);
    char path[256], err[HISTFILE_ERR_LEN] = "", want[HISTFILE_ERR_LEN + 300];
    path_of(path, sizeof path, name);
    snprintf(want, sizeof want, "%s: %s", path, why);
    ASSERT_EQ(histfile_read(path, &h, err, sizeof err), -1);
    ASSERT_STR_EQ(err, want);
}

#define HEAD "parlab-hist 1\nsub_bits 7\nmax_bits 37\n"

static void test_refused(void)
{
    check_refused("csv", "label,target\n",
                  "line 1: not a loadgen histogram (no 'parlab-hist "
                  "VERSION' line)");
    check_refused("v2", "parlab-hist 2\n", "line 1: format version 2, this build reads 1");
    check_refused("layout", "parlab-hist 1\nsub_bits 6\nmax_bits 37\n",
                  "line 3: bucket layout sub_bits 6 max_bits 37 differs from this build's "
                  "(sub_bits 7 max_bits 37)");
    check_refused("cut", HEAD "total 1\nmin_ns 5\nmax_ns 5\nsum_ns 5\nbucket 5 1\n",
                  "line 8: ends before the 'end' line: the file is cut short");
    check_refused("sum", HEAD "total 2\nmin_ns 5\nmax_ns 5\nsum_ns 5\nbucket 5 1\nend\n",
                  "line 9: the buckets hold 1 values, total says 2");
    check_refused("order",
                  HEAD "total 2\nmin_ns 5\nmax_ns 6\nsum_ns 11\nbucket 6 1\n"
                       "bucket 5 1\nend\n",
                  "line 9: bucket 5 out of order or past the last (3967)");
    check_refused("range", HEAD "total 1\nmin_ns 5\nmax_ns 5\nsum_ns 5\nbucket 3968 1\nend\n",
                  "line 8: bucket 3968 out of order or past the last (3967)");
    check_refused("sign", HEAD "total 1\nmin_ns 5\nmax_ns 5\nsum_ns 5\nbucket 5 -1\nend\n",
                  "line 8: expected 'bucket INDEX COUNT' or 'end', found 'bucket 5 -1'");
    check_refused("field", HEAD "total x\n", "line 4: expected 'total N', found 'total x'");
    check_refused("after", HEAD "total 0\nmin_ns 0\nmax_ns 0\nsum_ns 0\nend\nmore\n",
                  "line 8: more after the 'end' line");
    check_refused("minmax", HEAD "total 1\nmin_ns 9\nmax_ns 5\nsum_ns 5\n",
                  "line 7: min_ns 9 above max_ns 5");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_refused();
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done();
}
