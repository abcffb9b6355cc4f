/* report.c - the summary and the CSV row. */
#include "report.h"

#include "csv.h"
#include "pyfloat.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char report_csv_header[] =
    "label,target,mode,clients,threads,rate_per_s,delay_s,duration_s,sessions,sessions_per_s,"
    "latency_mean_us,latency_p50_us,latency_p90_us,latency_p99_us,latency_p999_us,"
    "latency_max_us,errors_connect,errors_write,errors_read,errors_timeout,errors_reply,"
    "errors_unparsable,held";

static const char *const report_modes[] = {"closed", "open", "hold"};

static const double report_percents[] = {50.0, 90.0, 99.0, 99.9};

static double report_per_second(const struct report_run *run, const struct tally *t)
{
    return run->measured_ns ? (double)t->sessions * 1e9 / (double)run->measured_ns : 0.0;
}

/* "812.3 us", "1.825 ms", "2.104 s". */
static void report_latency(char *out, size_t len, double ns)
{
    if (ns < 1e6)
        snprintf(out, len, "%.1f us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(out, len, "%.3f ms", ns / 1e6);
    else
        snprintf(out, len, "%.3f s", ns / 1e9);
}

static void report_print_latency(const char *what, const struct tally *t)
{
    if (t->latency.total == 0) {
        printf("%-11s none measured\n", what);
        return;
    }
    char mean[32], max[32], p[4][32];
    report_latency(mean, sizeof mean, hist_mean(&t->latency));
    report_latency(max, sizeof max, (double)t->latency.max_ns);
    for (int i = 0; i < 4; i++)
        report_latency(p[i], sizeof p[i], (double)hist_percentile(&t->latency, report_percents[i]));
    printf("%-11s mean %s, p50 %s, p90 %s, p99 %s, p99.9 %s, max %s\n", what, mean, p[0], p[1],
           p[2], p[3], max);
}

static void report_print_errors(const struct tally *t)
{
    uint64_t all = tally_errors(t);
    if (all == 0) {
        printf("errors      none\n");
        return;
    }
    printf("errors      %" PRIu64 ":", all);
    const char *sep = " ";
    for (int k = 0; k < TALLY_KINDS; k++) {
        if (!t->errors[k])
            continue;
        printf("%s%s %" PRIu64 " (first: %s)", sep, tally_kind_name((enum tally_kind)k),
               t->errors[k], t->first[k]);
        sep = ", ";
    }
    printf("\n");
    for (int i = 0; i < TALLY_REPLY_TEXTS && t->replies[i].count; i++)
        printf("replies     %" PRIu64 " x '%s'\n", t->replies[i].count, t->replies[i].text);
    if (t->replies_other)
        printf("replies     %" PRIu64 " x other error replies\n", t->replies_other);
}

void report_print(const struct report_run *run, const struct tally *t)
{
    double seconds = (double)run->measured_ns / 1e9;
    char pause[48] = "no pause";
    if (run->delay > 0)
        snprintf(pause, sizeof pause, "%g s pause", run->delay);
    if (run->mode == REPORT_HOLD) {
        printf("target      %s (hold %" PRIu64 " connections, one thread)\n", run->target,
               run->clients);
        printf("opened      %" PRIu64 " with their numbers sent in %.3f s\n", run->opened,
               (double)run->open_ns / 1e9);
        printf("held        %" PRIu64 " at once\n", run->held);
        printf("answered    %" PRIu64 " with a mean in %.3f s", t->sessions, seconds);
        if (run->exact_known) {
            char want[PYFLOAT_LEN];
            pyfloat_format(run->expected, want);
            printf(
                "; %" PRIu64 " of them %s, the exact mean of every number held%s", run->exact, want,
                run->exact < t->sessions ? " (not all: was the server fresh? see also --hold-for)"
                                         : "");
        }
        printf("\n");
        report_print_latency("latency", t);
    } else {
        if (run->mode == REPORT_OPEN)
            printf("target      %s (open loop at %g/s, %" PRIu64 " clients, %u threads, %s)\n",
                   run->target, run->rate, run->clients, run->threads, pause);
        else
            printf("target      %s (closed loop, %" PRIu64 " clients, %u threads, %s)\n",
                   run->target, run->clients, run->threads, pause);
        printf("sessions    %" PRIu64 " in %.3f s, %.1f/s\n", t->sessions, seconds,
               report_per_second(run, t));
        report_print_latency("latency", t);
        if (run->backlog)
            printf("backlog     %" PRIu64
                   " sessions were due before the end but no client was free to start them\n",
                   run->backlog);
    }
    report_print_errors(t);
    if (run->spread)
        printf("sources     local ports ran out; source addresses spread over 127.0.0.2-254\n");
    fflush(stdout);
}

/* Numbers as Python prints them ("0.1", not "0.10000000000000001"), rounded to 1/scale
 * (when scale > 0) so no digits that mean nothing are written: the clock counts nanoseconds.
 * Dividing the rounded count by scale gives the double nearest the decimal, which prints
 * short. */
static void report_num(struct csv *csv, double x, double scale)
{
    char text[PYFLOAT_LEN];
    pyfloat_format(scale > 0 ? round(x * scale) / scale : x, text);
    csv_str(csv, text);
}

static void report_us(struct csv *csv, const struct tally *t, double ns)
{
    if (t->latency.total == 0)
        csv_empty(csv);
    else
        report_num(csv, round(ns) / 1e3, 0);
}

int report_csv(const char *path, const struct report_run *run, const struct tally *t, char *err,
               size_t errlen)
{
    struct csv csv;
    csv_init(&csv);
    csv_str(&csv, run->label);
    csv_str(&csv, run->target);
    csv_str(&csv, report_modes[run->mode]);
    csv_u64(&csv, run->clients);
    csv_u64(&csv, run->threads);
    if (run->mode == REPORT_OPEN)
        report_num(&csv, run->rate, 0);
    else
        csv_empty(&csv);
    report_num(&csv, run->delay, 0);
    report_num(&csv, (double)run->measured_ns / 1e9, 1e6);
    csv_u64(&csv, t->sessions);
    report_num(&csv, report_per_second(run, t), 100);
    report_us(&csv, t, hist_mean(&t->latency));
    for (int i = 0; i < 4; i++)
        report_us(&csv, t, (double)hist_percentile(&t->latency, report_percents[i]));
    report_us(&csv, t, (double)t->latency.max_ns);
    for (int k = 0; k < TALLY_KINDS; k++)
        csv_u64(&csv, t->errors[k]);
    if (run->mode == REPORT_HOLD)
        csv_u64(&csv, run->held);
    else
        csv_empty(&csv);
    csv_end_line(&csv);
    int rc = csv_append(path, report_csv_header, &csv, err, errlen);
    csv_free(&csv);
    return rc;
}
