/* histmerge - the latency histograms of several loadgen processes (loadgen --hist) merged
 * into the percentiles of all their sessions together. Percentiles do not average: the p99
 * of two runs is not the mean of their p99s, so the buckets are added up and the
 * percentiles computed once, from the sum. A program of its own rather than a loadgen
 * mode: it takes none of loadgen's options and no server address, and each parser stays
 * strict about its own. */
#include "cli.h"
#include "cliopt.h"
#include "csv.h"
#include "hist.h"
#include "histfile.h"
#include "pyfloat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char histmerge_header[] =
    "histograms,count,latency_mean_us,latency_p50_us,latency_p90_us,latency_p99_us,"
    "latency_p999_us,latency_max_us";

static const double histmerge_percents[] = {50.0, 90.0, 99.0, 99.9};

static void histmerge_usage(void)
{
    printf("usage: histmerge [--csv FILE] HIST...\n"
           "\n"
           "Merges latency histograms written by loadgen --hist (several loadgen processes\n"
           "against one server) into the percentiles of all their sessions: the buckets are\n"
           "added up and the percentiles computed from the sum, never averaged. Prints a CSV\n"
           "header and one row: histograms, count (sessions), latency_mean_us, p50, p90,\n"
           "p99, p999 and max in microseconds, as loadgen --csv writes them (nearest rank,\n"
           "at most 1/128 above the true value; the mean and max exact). Histograms of\n"
           "another bucket layout or format version are refused.\n"
           "\n"
           "  -o, --csv FILE    append the row to this CSV instead, with the header when\n"
           "                    the file is new\n"
           "  -h, --help        this text\n"
           "\n"
           "exit status: 0 merged, 1 a histogram unreadable, malformed or of another\n"
           "layout (one line naming the file), or the CSV not written, 2 bad usage\n");
}

/* Microseconds as loadgen's CSV has them: whole nanoseconds / 1000, as Python prints it. */
static void histmerge_us(struct csv *csv, const struct hist *h, double ns)
{
    if (h->total == 0) {
        csv_empty(csv);
        return;
    }
    char text[PYFLOAT_LEN];
    pyfloat_format(round(ns) / 1e3, text);
    csv_str(csv, text);
}

enum { HISTMERGE_CSV };

static const struct cliopt histmerge_opts[] = {
    {"csv", 'o', CLIOPT_VALUE, HISTMERGE_CSV},
};

static void histmerge_take(void *ctx, int key, const char *value)
{
    const char **out = ctx;
    (void)key; /* --csv is the only option */
    *out = cli_parse_path("--csv", value);
}

static const struct cliopt_program histmerge_cli = {.opts = histmerge_opts,
                                                    .count = CLIOPT_COUNT(histmerge_opts),
                                                    .usage = histmerge_usage,
                                                    .take = histmerge_take};

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    const char *out = NULL;
    struct cliopt_args args;
    int status = cliopt_parse(&histmerge_cli, &out, argc, argv, &args);
    if (status != CLIOPT_GO)
        return status;
    if (args.count == 0)
        cli_usage_error("missing HIST (see --help)");
    for (int i = 0; i < args.count; i++)
        if (args.words[i][0] == '\0')
            cli_usage_error("HIST: empty file name");

    static struct hist total, one;
    hist_init(&total);
    char err[HISTFILE_ERR_LEN];
    for (int i = 0; i < args.count; i++) {
        if (histfile_read(args.words[i], &one, err, sizeof err) != 0) {
            cli_error("%s", err);
            return CLI_EXIT_FAILURE;
        }
        hist_merge(&total, &one);
    }

    struct csv csv;
    csv_init(&csv);
    csv_u64(&csv, (uint64_t)args.count);
    csv_u64(&csv, total.total);
    histmerge_us(&csv, &total, hist_mean(&total));
    for (size_t i = 0; i < sizeof histmerge_percents / sizeof histmerge_percents[0]; i++)
        histmerge_us(&csv, &total, (double)hist_percentile(&total, histmerge_percents[i]));
    histmerge_us(&csv, &total, (double)total.max_ns);
    csv_end_line(&csv);
    status = CLI_EXIT_OK;
    if (out) {
        char cerr[CSV_ERR_LEN];
        if (csv_append(out, histmerge_header, &csv, cerr, sizeof cerr) != 0) {
            cli_error("%s", cerr);
            status = CLI_EXIT_FAILURE;
        }
    } else if (csv.oom) {
        cli_error("out of memory");
        status = CLI_EXIT_FAILURE;
    } else {
        printf("%s\n%.*s", histmerge_header, (int)csv.len, csv.buf);
        if (fflush(stdout) != 0) {
            cli_error("stdout: %s", strerror(errno));
            status = CLI_EXIT_FAILURE;
        }
    }
    csv_free(&csv);
    return status;
}
