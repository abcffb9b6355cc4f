/* report.h - a run's results: the human summary on stdout and the one CSV row. */
#ifndef LOADGEN_REPORT_H
#define LOADGEN_REPORT_H

#include "tally.h"

#include <stddef.h>
#include <stdint.h>

enum report_mode { REPORT_CLOSED, REPORT_OPEN, REPORT_HOLD };

struct report_run {
    const char *label;
    const char *target; /* HOST:PORT as given */
    enum report_mode mode;
    uint64_t clients; /* hold: connections asked for */
    unsigned threads;
    double rate;  /* open loop */
    double delay; /* hold: --hold-for */
    uint64_t measured_ns;
    uint64_t backlog; /* open loop */
    int spread;
    /* hold */
    uint64_t opened, held, open_ns, exact;
    int exact_known;
    double expected;
};

/* The CSV columns, in order. */
extern const char report_csv_header[];

void report_print(const struct report_run *run, const struct tally *t);

/* Appends the run's row to path. Returns 0, or -1 with a one-line reason in err
 * (CSV_ERR_LEN bytes). */
int report_csv(const char *path, const struct report_run *run, const struct tally *t, char *err,
               size_t errlen);

#endif
