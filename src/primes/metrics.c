#include "metrics.h"

#include "csv.h"

#include <stdio.h>
#include <string.h>

void primes_metrics_sde(struct primes_tally *tally, struct counters_sde sde[PRIMES_SDE_COUNT])
{
    sde[0] = (struct counters_sde){"numbers_tested", &tally->numbers_tested, 0};
    sde[1] = (struct counters_sde){"trial_divisions", &tally->trial_divisions, 0};
    sde[2] = (struct counters_sde){"primes_found", &tally->primes_found, 0};
}

static void primes_metrics_row(struct csv *csv, const struct primes_run *run, const char *worker,
                               const struct counters_result *r)
{
    csv_str(csv, run->program);
    csv_u64(csv, run->limit);
    csv_u64(csv, run->procs);
    csv_u64(csv, run->chunk);
    csv_str(csv, run->schedule);
    csv_str(csv, worker);
    csv_u64(csv, r->wall_ns);
    csv_u64(csv, r->cpu_ns);
    for (unsigned i = 0; i < PRIMES_SDE_COUNT; i++)
        csv_i64(csv, r->sde[i]);
    for (unsigned i = 0; i < run->spec->count; i++) {
        if (r->hw_valid[i])
            csv_i64(csv, r->hw[i]);
        else
            csv_empty(csv);
    }
    csv_end_line(csv);
}

int primes_metrics_write(const char *path, const struct primes_run *run,
                         const struct counters_result *workers, const struct counters_result *all,
                         char *err, size_t errlen)
{
    char header[2048] = "program,limit,procs,chunk,schedule,worker,wall_ns,cpu_ns,"
                        "numbers_tested,trial_divisions,primes_found";
    for (unsigned i = 0; i < run->spec->count; i++) {
        strncat(header, ",", sizeof header - strlen(header) - 1);
        strncat(header, run->spec->names[i], sizeof header - strlen(header) - 1);
    }
    struct csv csv;
    csv_init(&csv);
    char worker[16];
    for (unsigned w = 0; w < run->procs; w++) {
        snprintf(worker, sizeof worker, "%u", w);
        primes_metrics_row(&csv, run, worker, &workers[w]);
    }
    primes_metrics_row(&csv, run, "all", all);
    int rc = csv_append(path, header, &csv, err, errlen);
    csv_free(&csv);
    return rc;
}
