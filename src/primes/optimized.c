/* optimized - every prime <= N by the same trial division, split over fork()ed workers
 * that report through shared memory. */
#include "args.h"
#include "cli.h"
#include "cliopt.h"
#include "counters.h"
#include "metrics.h"
#include "primes.h"
#include "timer.h"
#include "workers.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Chosen by measurement (see README, "Choosing the chunk"): large enough that taking a
 * chunk costs nothing next to its divisions, small enough that the last chunks, the
 * dearest ones, still spread evenly over the workers. */
#define OPT_DEFAULT_CHUNK 1000u
#define OPT_MAX_CHUNK     (1ull << 32)

enum opt_schedule { SCHED_DYNAMIC, SCHED_STATIC, SCHED_CYCLIC };
static const char *const opt_schedule_names[] = {"dynamic", "static", "cyclic", NULL};

struct opt_config {
    struct primes_args common; /* limit, output, metrics, events */
    unsigned procs;
    uint64_t chunk;
    enum opt_schedule schedule;
};

/* One cache line per worker so workers never write to the same line. */
struct opt_worker_stats {
    alignas(64) struct primes_tally tally;
    struct counters_result result;
};

/* Lives in a MAP_SHARED mapping made before fork(). */
struct opt_shared {
    alignas(64) atomic_uint_fast64_t next; /* dynamic: first number of the next free chunk */
    struct opt_worker_stats workers[];
};

struct opt_job {
    const struct opt_config *cfg;
    const struct counters_spec *spec;
    struct opt_shared *shared;
    struct primes_bitmap *bm;
};

static void opt_usage(void)
{
    printf(
        "usage: optimized [--limit N] [--procs P] [--chunk C] [--schedule dynamic|static|cyclic]\n"
        "                 [--output FILE] [--metrics FILE] [--events LIST]\n"
        "\n"
        "Writes every prime <= N, found by trial division in P fork()ed worker processes,\n"
        "to FILE (one per line, no newline at the end).\n"
        "\n");
    primes_args_usage("primes_optimized.txt");
    printf(
        "  -p, --procs P        worker processes, 1 to %u (default: online CPUs, here %ld)\n"
        "  -c, --chunk C        numbers per chunk for dynamic and cyclic (default %u)\n"
        "  -s, --schedule S     dynamic: workers take the next free chunk (default)\n"
        "                       static:  P equal contiguous blocks\n"
        "                       cyclic:  chunks dealt round-robin\n"
        "  -h, --help           this text\n"
        "\n"
        "exit status: 0 done, 1 a worker failed or the output could not be written, 2 bad usage\n",
        WORKERS_MAX, sysconf(_SC_NPROCESSORS_ONLN), OPT_DEFAULT_CHUNK);
}

static unsigned opt_default_procs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (unsigned)n;
}

enum { OPT_PROCS = PRIMES_ARGS_END, OPT_CHUNK, OPT_SCHEDULE };

static const struct cliopt opt_opts[] = {
    PRIMES_ARGS_OPTS,
    {"procs", 'p', CLIOPT_VALUE, OPT_PROCS},
    {"chunk", 'c', CLIOPT_VALUE, OPT_CHUNK},
    {"schedule", 's', CLIOPT_VALUE, OPT_SCHEDULE},
};

static void opt_take(void *ctx, int key, const char *value)
{
    struct opt_config *cfg = ctx;
    if (primes_args_take(&cfg->common, key, value))
        return;
    switch (key) {
    case OPT_PROCS:
        cfg->procs = (unsigned)cli_parse_u64("--procs", value, 1, WORKERS_MAX);
        break;
    case OPT_CHUNK:
        cfg->chunk = cli_parse_u64("--chunk", value, 1, OPT_MAX_CHUNK);
        break;
    case OPT_SCHEDULE:
        cfg->schedule = cli_parse_choice("--schedule", value, opt_schedule_names);
        break;
    }
}

static const struct cliopt_program opt_cli = {
    .opts = opt_opts, .count = CLIOPT_COUNT(opt_opts), .usage = opt_usage, .take = opt_take};

static void opt_parse(int argc, char **argv, struct opt_config *cfg)
{
    primes_args_init(&cfg->common, "primes_optimized.txt");
    cfg->procs = opt_default_procs();
    cfg->chunk = OPT_DEFAULT_CHUNK;
    cfg->schedule = SCHED_DYNAMIC;
    struct cliopt_args args;
    int status = cliopt_parse(&opt_cli, cfg, argc, argv, &args);
    if (status != CLIOPT_GO)
        exit(status);
    cliopt_refuse_extra(&args, 0);
}

static uint64_t opt_min(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static void opt_worker(unsigned index, void *arg)
{
    struct opt_job *job = arg;
    const struct opt_config *cfg = job->cfg;
    struct opt_worker_stats *st = &job->shared->workers[index];
    uint64_t end = cfg->common.limit + 1, chunk = cfg->chunk, procs = cfg->procs;
    uint64_t wall0 = timer_wall_ns(), cpu0 = timer_cpu_ns();
    struct counters counters;
    /* Read by counters_stop: the counters keep a pointer to it, so it lives as long. */
    struct counters_sde sde[PRIMES_SDE_COUNT];
    if (cfg->common.metrics) {
        primes_metrics_sde(&st->tally, sde);
        counters_start(&counters, job->spec, PRIMES_SDE_LIBRARY, sde, PRIMES_SDE_COUNT);
    }

    switch (cfg->schedule) {
    case SCHED_DYNAMIC:
        for (;;) {
            uint64_t lo =
                atomic_fetch_add_explicit(&job->shared->next, chunk, memory_order_relaxed);
            if (lo >= end)
                break;
            primes_scan(job->bm, lo, opt_min(lo + chunk, end), &st->tally);
        }
        break;
    case SCHED_STATIC:
        primes_scan(job->bm, end * index / procs, end * (index + 1) / procs, &st->tally);
        break;
    case SCHED_CYCLIC:
        for (uint64_t lo = index * chunk; lo < end; lo += procs * chunk) {
            primes_scan(job->bm, lo, opt_min(lo + chunk, end), &st->tally);
        }
        break;
    }
    if (cfg->common.metrics) {
        counters_stop(&counters, &st->result);
    } else {
        st->result.wall_ns = timer_wall_ns() - wall0;
        st->result.cpu_ns = timer_cpu_ns() - cpu0;
    }
}

/* Appends a row per worker and the whole-run row to --metrics. */
static int opt_write_metrics(const struct opt_config *cfg, const struct counters_spec *spec,
                             const struct opt_shared *shared, uint64_t wall0, char *err,
                             size_t errlen)
{
    struct counters_result *rows = calloc(cfg->procs, sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "cannot write '%s': out of memory", cfg->common.metrics);
        return -1;
    }
    struct counters_result all = {0};
    for (unsigned w = 0; w < cfg->procs; w++) {
        rows[w] = shared->workers[w].result;
        counters_add(&all, &rows[w]);
    }
    all.wall_ns = timer_wall_ns() - wall0;
    all.cpu_ns = timer_cpu_ns() + timer_children_cpu_ns();
    uint64_t chunk =
        cfg->schedule == SCHED_STATIC ? (cfg->common.limit + cfg->procs) / cfg->procs : cfg->chunk;
    struct primes_run run = {
        "optimized", cfg->common.limit, cfg->procs, chunk, opt_schedule_names[cfg->schedule], spec};
    int rc = primes_metrics_write(cfg->common.metrics, &run, rows, &all, err, errlen);
    free(rows);
    return rc;
}

int main(int argc, char **argv)
{
    uint64_t wall0 = timer_wall_ns();
    cli_init(argv[0]);
    struct opt_config cfg;
    opt_parse(argc, argv, &cfg);
    struct counters_spec spec;
    primes_args_events(&cfg.common, &spec);

    char err[512];
    struct primes_bitmap bm;
    int rc = primes_bitmap_map(&bm, cfg.common.limit, 1, err, sizeof err);
    size_t shared_bytes = sizeof(struct opt_shared) + cfg.procs * sizeof(struct opt_worker_stats);
    struct opt_shared *shared = MAP_FAILED;
    if (rc == 0) {
        shared =
            mmap(NULL, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (shared == MAP_FAILED) {
            snprintf(err, sizeof err, "mmap: %s", strerror(errno));
            rc = -1;
        }
    }
    if (rc != 0) {
        cli_error("cannot map shared memory for --limit %llu: %s",
                  (unsigned long long)cfg.common.limit, err);
        return CLI_EXIT_FAILURE;
    }
    atomic_init(&shared->next, 0);

    struct opt_job job = {.cfg = &cfg, .spec = &spec, .shared = shared, .bm = &bm};
    if (workers_run(cfg.procs, opt_worker, &job, err, sizeof err) != 0) {
        cli_error("%s; no output written", err);
        return CLI_EXIT_FAILURE;
    }
    rc = primes_write(&bm, cfg.common.output, err, sizeof err);
    if (rc == 0 && cfg.common.metrics)
        rc = opt_write_metrics(&cfg, &spec, shared, wall0, err, sizeof err);
    primes_bitmap_unmap(&bm);
    munmap(shared, shared_bytes);
    if (rc != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
