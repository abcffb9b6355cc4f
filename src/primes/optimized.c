/* optimized - every prime <= N by the same trial division, split over workers that report
 * through shared memory: fork()ed processes (the default), POSIX threads, or an OpenMP
 * parallel region, all running the same kernel and the same schedules. */
#include "args.h"
#include "cli.h"
#include "cliopt.h"
#include "counters.h"
#include "metrics.h"
#include "primes.h"
#include "schedule.h"
#include "timer.h"
#include "workers.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Chosen by measurement (see README, "Choosing the chunk"): large enough that taking a
 * chunk costs nothing next to its divisions, small enough that the last chunks, the
 * dearest ones, still spread evenly over the workers. */
#define OPT_DEFAULT_CHUNK 1000u
#define OPT_MAX_CHUNK     (1ull << 32)

enum opt_backend { BACKEND_FORK, BACKEND_THREADS, BACKEND_OPENMP };
static const char *const opt_backend_names[] = {"fork", "threads", "openmp", NULL};
/* The --metrics "program" column: fork keeps the lab program's name, so rows written
 * before the other backends existed still mean the same thing. */
static const char *const opt_program_names[] = {"optimized", "optimized-threads",
                                                "optimized-openmp"};

struct opt_config {
    struct primes_args common; /* limit, output, metrics, events */
    unsigned procs;
    uint64_t chunk;
    enum primes_schedule schedule;
    enum opt_backend backend;
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
    struct primes_share share;
};

static void opt_usage(void)
{
    printf(
        "usage: optimized [--limit N] [--procs P] [--chunk C] [--schedule dynamic|static|cyclic]\n"
        "                 [--backend fork|threads|openmp] [--output FILE] [--metrics FILE]\n"
        "                 [--events LIST]\n"
        "\n"
        "Writes every prime <= N, found by trial division in P workers, to FILE (one per\n"
        "line, no newline at the end).\n"
        "\n");
    primes_args_usage("primes_optimized.txt");
    printf(
        "  -p, --procs P        worker processes, 1 to %u (default: online CPUs, here %ld)\n"
        "  -c, --chunk C        numbers per chunk for dynamic and cyclic (default %u)\n"
        "  -s, --schedule S     dynamic: workers take the next free chunk (default)\n"
        "                       static:  P equal contiguous blocks\n"
        "                       cyclic:  chunks dealt round-robin\n"
        "  -b, --backend B      fork:    P fork()ed worker processes (default)\n"
        "                       threads: P POSIX threads\n"
        "                       openmp:  an OpenMP parallel region of P threads%s\n"
        "  -h, --help           this text\n"
        "\n"
        "exit status: 0 done, 1 a worker failed or the output could not be written, 2 bad usage\n",
        WORKERS_MAX, sysconf(_SC_NPROCESSORS_ONLN), OPT_DEFAULT_CHUNK,
        workers_have_openmp() ? "" : " (not in this build)");
}

static unsigned opt_default_procs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (unsigned)n;
}

enum { OPT_PROCS = PRIMES_ARGS_END, OPT_CHUNK, OPT_SCHEDULE, OPT_BACKEND };

static const struct cliopt opt_opts[] = {
    PRIMES_ARGS_OPTS,
    {"procs", 'p', CLIOPT_VALUE, OPT_PROCS},
    {"chunk", 'c', CLIOPT_VALUE, OPT_CHUNK},
    {"schedule", 's', CLIOPT_VALUE, OPT_SCHEDULE},
    {"backend", 'b', CLIOPT_VALUE, OPT_BACKEND},
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
        cfg->schedule = cli_parse_choice("--schedule", value, primes_schedule_names);
        break;
    case OPT_BACKEND:
        cfg->backend = cli_parse_choice("--backend", value, opt_backend_names);
        if (cfg->backend == BACKEND_OPENMP && !workers_have_openmp())
            cli_usage_error("--backend: 'openmp' is not available (built without OpenMP)");
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
    cfg->schedule = PRIMES_SCHED_DYNAMIC;
    cfg->backend = BACKEND_FORK;
    struct cliopt_args args;
    int status = cliopt_parse(&opt_cli, cfg, argc, argv, &args);
    if (status != CLIOPT_GO)
        exit(status);
    cliopt_refuse_extra(&args, 0);
}

/* CPU time of the calling thread: a worker's own, whether it is a process or a thread. */
static uint64_t opt_thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void opt_worker(unsigned index, void *arg)
{
    struct opt_job *job = arg;
    const struct opt_config *cfg = job->cfg;
    struct opt_worker_stats *st = &job->shared->workers[index];
    uint64_t wall0 = timer_wall_ns(), cpu0 = opt_thread_cpu_ns();
    /* PAPI counts a process's events: a fork()ed worker is one. Threads of one process
     * would share its event sets and SDE registrations, so they report their tally as
     * it is, and no hardware events. */
    int papi = cfg->common.metrics && cfg->backend == BACKEND_FORK;
    struct counters counters;
    /* Read by counters_stop: the counters keep a pointer to it, so it lives as long. */
    struct counters_sde sde[PRIMES_SDE_COUNT];
    if (papi) {
        primes_metrics_sde(&st->tally, sde);
        counters_start(&counters, job->spec, PRIMES_SDE_LIBRARY, sde, PRIMES_SDE_COUNT);
    }

    primes_scan_share(&job->share, index, job->bm, &st->tally);

    if (papi) {
        counters_stop(&counters, &st->result);
        return;
    }
    st->result.wall_ns = timer_wall_ns() - wall0;
    st->result.cpu_ns = opt_thread_cpu_ns() - cpu0;
    if (cfg->common.metrics) {
        st->result.hw_count = job->spec->count; /* every cell empty: hw_valid stays 0 */
        st->result.sde_count = PRIMES_SDE_COUNT;
        st->result.sde[0] = (long long)st->tally.numbers_tested;
        st->result.sde[1] = (long long)st->tally.trial_divisions;
        st->result.sde[2] = (long long)st->tally.primes_found;
    }
}

/* Appends a row per worker and the whole-run row to --metrics. */
static int opt_write_metrics(const struct opt_job *job, uint64_t wall0, char *err, size_t errlen)
{
    const struct opt_config *cfg = job->cfg;
    struct counters_result *rows = calloc(cfg->procs, sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "cannot write '%s': out of memory", cfg->common.metrics);
        return -1;
    }
    struct counters_result all = {0};
    for (unsigned w = 0; w < cfg->procs; w++) {
        rows[w] = job->shared->workers[w].result;
        counters_add(&all, &rows[w]);
    }
    all.wall_ns = timer_wall_ns() - wall0;
    all.cpu_ns = timer_cpu_ns() + timer_children_cpu_ns();
    struct primes_run run = {opt_program_names[cfg->backend],
                             cfg->common.limit,
                             cfg->procs,
                             primes_share_unit(&job->share),
                             primes_schedule_names[cfg->schedule],
                             job->spec};
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
    if (primes_args_events(&cfg.common, &spec) && cfg.common.metrics && spec.count &&
        cfg.backend != BACKEND_FORK)
        cli_error("--backend %s: hardware events are counted per process only; their cells "
                  "are empty",
                  opt_backend_names[cfg.backend]);

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
    job.share = (struct primes_share){.schedule = cfg.schedule,
                                      .end = cfg.common.limit + 1,
                                      .chunk = cfg.chunk,
                                      .workers = cfg.procs,
                                      .next = primes_next_atomic,
                                      .next_ctx = &shared->next};
    /* The bitmap and the stats live in MAP_SHARED pages: shared by fork()ed processes,
     * and ordinary memory to threads. */
    int ran;
    switch (cfg.backend) {
    case BACKEND_THREADS:
        ran = workers_run_threads(cfg.procs, opt_worker, &job, err, sizeof err);
        break;
    case BACKEND_OPENMP:
        ran = workers_run_openmp(cfg.procs, opt_worker, &job, err, sizeof err);
        break;
    default:
        ran = workers_run(cfg.procs, opt_worker, &job, err, sizeof err);
        break;
    }
    if (ran != 0) {
        cli_error("%s; no output written", err);
        return CLI_EXIT_FAILURE;
    }
    rc = primes_write(&bm, cfg.common.output, err, sizeof err);
    if (rc == 0 && cfg.common.metrics)
        rc = opt_write_metrics(&job, wall0, err, sizeof err);
    primes_bitmap_unmap(&bm);
    munmap(shared, shared_bytes);
    if (rc != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
