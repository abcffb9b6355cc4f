/* primes_mpi - every prime <= N by the same trial division as nonoptimized and optimized,
 * split over the ranks of an MPI job (one machine or several). Each rank marks the primes
 * of its numbers in a bitmap of its own; the bitmaps are OR-ed together on rank 0, which
 * alone writes the file, all or nothing. */
#include "args.h"
#include "cli.h"
#include "cliopt.h"
#include "counters.h"
#include "metrics.h"
#include "outfile.h"
#include "primes.h"
#include "schedule.h"
#include "timer.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

/* The same default as optimized's, measured there (README, "Choosing the chunk"); over a
 * network a chunk also pays a round trip, which 1000 numbers (tens of microseconds of
 * divisions at 10^6) still cover. */
#define PM_DEFAULT_CHUNK 1000u
#define PM_MAX_CHUNK     (1ull << 32)

/* Test hook: the rank named here raises SIGKILL after its first chunk, so the tests can
 * show that a rank dying mid-run fails the job and writes nothing. */
#define PM_KILL_ENV "PARLAB_MPI_KILL_RANK"

/* How dynamic hands out chunks: a counter on rank 0 that every rank fetch-and-adds through
 * one-sided MPI (no rank answers), or rank 0 answering each rank's request by message. */
enum pm_dynamic { PM_RMA, PM_MASTER };
static const char *const pm_dynamic_names[] = {"rma", "master", NULL};
/* The schedule column of --metrics rows names the variant actually run. */
static const char *const pm_dynamic_columns[] = {"dynamic-rma", "dynamic-master"};

struct pm_config {
    struct primes_args common; /* limit, output, metrics, events */
    uint64_t chunk;
    enum primes_schedule schedule;
    enum pm_dynamic dynamic;
};

/* What one rank sends rank 0 for --metrics. */
struct pm_rank_stats {
    struct counters_result result;
    uint64_t process_cpu_ns; /* the whole process, start-up and reduction included */
};

/* The state of one rank's run. */
struct pm_rank {
    const struct pm_config *cfg;
    int rank, size;
    uint64_t end; /* limit + 1: numbers 0..limit are examined */
    struct primes_bitmap bm;
    struct primes_tally tally;
    long kill_after; /* chunks before this rank kills itself (test hook), or -1 */
};

static void pm_usage(void)
{
    printf("usage: mpirun -np P primes_mpi [--limit N] [--schedule dynamic|static|cyclic]\n"
           "                  [--dynamic rma|master] [--chunk C]\n"
           "                  [--output FILE] [--metrics FILE] [--events LIST]\n"
           "\n"
           "Writes every prime <= N, found by trial division in the P ranks of an MPI job,\n"
           "to FILE on rank 0 (one per line, no newline at the end).\n"
           "\n");
    primes_args_usage("primes_mpi.txt");
    printf("  -c, --chunk C        numbers per chunk for dynamic and cyclic (default %u)\n"
           "  -s, --schedule S     dynamic: ranks take the next free chunk (default)\n"
           "                       static:  P equal contiguous blocks\n"
           "                       cyclic:  chunks dealt round-robin\n"
           "  -d, --dynamic HOW    rma:    a counter on rank 0 taken with MPI_Fetch_and_op\n"
           "                               (default)\n"
           "                       master: rank 0 answers each rank's request for a chunk\n"
           "  -h, --help           this text\n"
           "\n"
           "exit status: 0 done, 1 the output could not be written, 2 bad usage;\n"
           "a rank that dies fails the job (mpirun's status) and nothing is written\n",
           PM_DEFAULT_CHUNK);
}

enum { PM_CHUNK = PRIMES_ARGS_END, PM_SCHEDULE, PM_DYNAMIC_HOW };

static const struct cliopt pm_opts[] = {
    PRIMES_ARGS_OPTS,
    {"chunk", 'c', CLIOPT_VALUE, PM_CHUNK},
    {"schedule", 's', CLIOPT_VALUE, PM_SCHEDULE},
    {"dynamic", 'd', CLIOPT_VALUE, PM_DYNAMIC_HOW},
};

static void pm_take(void *ctx, int key, const char *value)
{
    struct pm_config *cfg = ctx;
    if (primes_args_take(&cfg->common, key, value))
        return;
    switch (key) {
    case PM_CHUNK:
        cfg->chunk = cli_parse_u64("--chunk", value, 1, PM_MAX_CHUNK);
        break;
    case PM_SCHEDULE:
        cfg->schedule = cli_parse_choice("--schedule", value, primes_schedule_names);
        break;
    case PM_DYNAMIC_HOW:
        cfg->dynamic = cli_parse_choice("--dynamic", value, pm_dynamic_names);
        break;
    }
}

static const struct cliopt_program pm_cli = {
    .opts = pm_opts, .count = CLIOPT_COUNT(pm_opts), .usage = pm_usage, .take = pm_take};

/* A usage error exits from inside the parser on every rank alike (they all parse the same
 * words): finalizing on the way out lets mpirun report the status, 2, rather than a rank
 * that vanished without MPI_Finalize. */
static void pm_finalize_at_exit(void)
{
    int done = 1;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
}

/* Parses on every rank, so all reach the same verdict without a message between them;
 * only rank 0 is heard: the others' stdout and stderr go to /dev/null meanwhile, so a bad
 * value is one line, not one per rank. Returns CLIOPT_GO or the status to exit with. */
static int pm_parse(int argc, char **argv, int rank, struct pm_config *cfg,
                    struct counters_spec *spec)
{
    primes_args_init(&cfg->common, "primes_mpi.txt");
    cfg->chunk = PM_DEFAULT_CHUNK;
    cfg->schedule = PRIMES_SCHED_DYNAMIC;
    cfg->dynamic = PM_RMA;
    int saved_out = -1, saved_err = -1;
    if (rank != 0) {
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        fflush(stdout);
        saved_out = dup(STDOUT_FILENO);
        saved_err = dup(STDERR_FILENO);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
            close(devnull);
        }
    }
    struct cliopt_args args;
    int status = cliopt_parse(&pm_cli, cfg, argc, argv, &args);
    if (status == CLIOPT_GO) {
        cliopt_refuse_extra(&args, 0);
        primes_args_events(&cfg->common, spec);
    }
    if (rank != 0) {
        fflush(stdout);
        if (saved_out >= 0) {
            dup2(saved_out, STDOUT_FILENO);
            close(saved_out);
        }
        if (saved_err >= 0) {
            dup2(saved_err, STDERR_FILENO);
            close(saved_err);
        }
    }
    return status;
}

/* The kill hook, called before each unit of work after the first. */
static void pm_maybe_die(struct pm_rank *r)
{
    if (r->kill_after > 0 && --r->kill_after == 0)
        raise(SIGKILL);
}

/* dynamic by RMA: a counter in rank 0's window, the next free number; every rank (rank 0
 * too) adds a chunk to it with MPI_Fetch_and_op and scans what it got back, until that is
 * past the end. Nobody has to answer: the library carries the atomic to rank 0. */
struct pm_rma {
    struct pm_rank *r;
    MPI_Win win;
    int started;
};

static uint64_t pm_next_rma(void *ctx, uint64_t chunk)
{
    struct pm_rma *m = ctx;
    if (m->started++)
        pm_maybe_die(m->r);
    uint64_t lo = 0;
    MPI_Fetch_and_op(&chunk, &lo, MPI_UINT64_T, 0, 0, MPI_SUM, m->win);
    MPI_Win_flush(0, m->win);
    return lo;
}

static int pm_run_rma(struct pm_rank *r, struct primes_share share, char *err, size_t errlen)
{
    uint64_t *counter = NULL;
    struct pm_rma m = {.r = r};
    MPI_Aint bytes = r->rank == 0 ? (MPI_Aint)sizeof *counter : 0;
    int rc = MPI_Win_allocate(bytes, (int)sizeof *counter, MPI_INFO_NULL, MPI_COMM_WORLD, &counter,
                              &m.win);
    if (rc != MPI_SUCCESS) {
        snprintf(err, errlen, "MPI_Win_allocate: error %d", rc);
        return -1;
    }
    if (r->rank == 0)
        *counter = 0;
    /* The counter is zero on rank 0 before anyone adds to it. */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_lock_all(MPI_MODE_NOCHECK, m.win);
    share.next = pm_next_rma;
    share.next_ctx = &m;
    primes_scan_share(&share, (unsigned)r->rank, &r->bm, &r->tally);
    MPI_Win_unlock_all(m.win);
    MPI_Win_free(&m.win);
    return 0;
}

enum { PM_TAG_ASK = 1, PM_TAG_GIVE = 2 };

/* dynamic by master-worker: rank 0 keeps the counter and answers every request with the
 * first number of a chunk (past the end: stop). It scans chunks too, serving whatever
 * requests are waiting before taking each one, so that P ranks are P scanners as in the
 * RMA variant; once the numbers run out it only answers, until every other rank was told
 * to stop. */
struct pm_master {
    struct pm_rank *r;
    uint64_t next; /* rank 0: the first number not yet handed out */
    int stopped;   /* rank 0: ranks told to stop */
    int started;
};

/* Rank 0 answers one request: the next chunk, or (none left) stop. */
static void pm_answer(struct pm_master *m, uint64_t chunk)
{
    MPI_Status st;
    MPI_Recv(NULL, 0, MPI_BYTE, MPI_ANY_SOURCE, PM_TAG_ASK, MPI_COMM_WORLD, &st);
    uint64_t lo = m->next;
    if (m->next < m->r->end)
        m->next = chunk > m->r->end - m->next ? m->r->end : m->next + chunk;
    else
        m->stopped++;
    MPI_Send(&lo, 1, MPI_UINT64_T, st.MPI_SOURCE, PM_TAG_GIVE, MPI_COMM_WORLD);
}

static uint64_t pm_next_master(void *ctx, uint64_t chunk)
{
    struct pm_master *m = ctx;
    if (m->started++)
        pm_maybe_die(m->r);
    if (m->r->rank != 0) {
        uint64_t lo;
        MPI_Send(NULL, 0, MPI_BYTE, 0, PM_TAG_ASK, MPI_COMM_WORLD);
        MPI_Recv(&lo, 1, MPI_UINT64_T, 0, PM_TAG_GIVE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        return lo;
    }
    for (int waiting = 1; waiting && m->next < m->r->end;) {
        MPI_Iprobe(MPI_ANY_SOURCE, PM_TAG_ASK, MPI_COMM_WORLD, &waiting, MPI_STATUS_IGNORE);
        if (waiting)
            pm_answer(m, chunk);
    }
    uint64_t lo = m->next;
    if (m->next < m->r->end)
        m->next = chunk > m->r->end - m->next ? m->r->end : m->next + chunk;
    return lo;
}

static void pm_run_master(struct pm_rank *r, struct primes_share share)
{
    struct pm_master m = {.r = r};
    share.next = pm_next_master;
    share.next_ctx = &m;
    primes_scan_share(&share, (unsigned)r->rank, &r->bm, &r->tally);
    if (r->rank == 0)
        while (m.stopped < r->size - 1)
            pm_answer(&m, share.chunk);
}

/* This rank's share of the numbers, by schedule.c as optimized's workers take theirs,
 * measured when --metrics asks. */
static int pm_compute(struct pm_rank *r, const struct counters_spec *spec,
                      struct counters_result *result, char *err, size_t errlen)
{
    const struct pm_config *cfg = r->cfg;
    uint64_t wall0 = timer_wall_ns(), cpu0 = timer_cpu_ns();
    struct counters counters;
    /* Read by counters_stop: the counters keep a pointer to it, so it lives as long. */
    struct counters_sde sde[PRIMES_SDE_COUNT];
    if (cfg->common.metrics) {
        primes_metrics_sde(&r->tally, sde);
        counters_start(&counters, spec, PRIMES_SDE_LIBRARY, sde, PRIMES_SDE_COUNT);
    }
    struct primes_share share = {.schedule = cfg->schedule,
                                 .end = r->end,
                                 .chunk = cfg->chunk,
                                 .workers = (unsigned)r->size};
    int rc = 0;
    if (cfg->schedule != PRIMES_SCHED_DYNAMIC) {
        primes_scan_share(&share, (unsigned)r->rank, &r->bm, &r->tally);
        pm_maybe_die(r);
    } else if (cfg->dynamic == PM_RMA) {
        rc = pm_run_rma(r, share, err, errlen);
    } else {
        pm_run_master(r, share);
    }
    if (cfg->common.metrics) {
        counters_stop(&counters, result);
    } else {
        result->wall_ns = timer_wall_ns() - wall0;
        result->cpu_ns = timer_cpu_ns() - cpu0;
    }
    return rc;
}

/* Rank 0: a row per rank and the whole-run row, appended to --metrics. */
static int pm_write_metrics(const struct pm_config *cfg, const struct counters_spec *spec,
                            const struct pm_rank_stats *stats, int size, uint64_t wall0, char *err,
                            size_t errlen)
{
    struct counters_result *rows = calloc((size_t)size, sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "cannot write '%s': out of memory", cfg->common.metrics);
        return -1;
    }
    struct counters_result all = {0};
    uint64_t cpu = 0;
    for (int k = 0; k < size; k++) {
        rows[k] = stats[k].result;
        counters_add(&all, &rows[k]);
        cpu += stats[k].process_cpu_ns;
    }
    all.wall_ns = timer_wall_ns() - wall0;
    all.cpu_ns = cpu;
    struct primes_share share = {.schedule = cfg->schedule,
                                 .end = cfg->common.limit + 1,
                                 .chunk = cfg->chunk,
                                 .workers = (unsigned)size};
    uint64_t chunk = primes_share_unit(&share);
    const char *schedule = cfg->schedule == PRIMES_SCHED_DYNAMIC
                               ? pm_dynamic_columns[cfg->dynamic]
                               : primes_schedule_names[cfg->schedule];
    struct primes_run run = {"primes_mpi", cfg->common.limit, (unsigned)size,
                             chunk,        schedule,          spec};
    int rc = primes_metrics_write(cfg->common.metrics, &run, rows, &all, err, errlen);
    free(rows);
    return rc;
}

/* Every rank's verdict: 0 when all succeeded, else -1 on every rank. */
static int pm_agree(int rc)
{
    int worst = 0;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return worst;
}

/* OR-s every rank's bitmap into rank 0's, in pieces an int count can name. */
static void pm_combine(struct pm_rank *r)
{
    size_t words = r->bm.bytes / sizeof(uint64_t);
    for (size_t at = 0; at < words;) {
        size_t n = words - at < (size_t)INT_MAX ? words - at : (size_t)INT_MAX;
        if (r->rank == 0)
            MPI_Reduce(MPI_IN_PLACE, r->bm.words + at, (int)n, MPI_UINT64_T, MPI_BOR, 0,
                       MPI_COMM_WORLD);
        else
            MPI_Reduce(r->bm.words + at, NULL, (int)n, MPI_UINT64_T, MPI_BOR, 0, MPI_COMM_WORLD);
        at += n;
    }
}

int main(int argc, char **argv)
{
    uint64_t wall0 = timer_wall_ns();
    cli_init(argv[0]);
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        cli_error("MPI_Init failed; run under mpirun");
        return CLI_EXIT_FAILURE;
    }
    atexit(pm_finalize_at_exit);
    struct pm_rank r = {.kill_after = -1};
    MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r.size);

    struct pm_config cfg;
    struct counters_spec spec = {0};
    int status = pm_parse(argc, argv, r.rank, &cfg, &spec);
    if (status != CLIOPT_GO)
        return status;
    r.cfg = &cfg;
    r.end = cfg.common.limit + 1;
    const char *kill_rank = getenv(PM_KILL_ENV);
    if (kill_rank && *kill_rank && atoi(kill_rank) == r.rank)
        r.kill_after = 1;

    char err[OUTFILE_ERR_LEN];
    int rc = primes_bitmap_map(&r.bm, cfg.common.limit, 0, err, sizeof err);
    /* Rank 0's room for every rank's --metrics row, taken before anything is computed. */
    struct pm_rank_stats *stats = NULL;
    if (rc == 0 && r.rank == 0 && cfg.common.metrics) {
        stats = calloc((size_t)r.size, sizeof *stats);
        if (!stats) {
            snprintf(err, sizeof err, "calloc: out of memory");
            rc = -1;
        }
    }
    if (pm_agree(rc) != 0) {
        if (rc != 0)
            cli_error("rank %d: cannot set up for --limit %llu: %s", r.rank,
                      (unsigned long long)cfg.common.limit, err);
        free(stats);
        primes_bitmap_unmap(&r.bm);
        MPI_Finalize();
        return CLI_EXIT_FAILURE;
    }

    struct pm_rank_stats mine = {0};
    rc = pm_compute(&r, &spec, &mine.result, err, sizeof err);
    if (pm_agree(rc) != 0) {
        if (rc != 0)
            cli_error("rank %d: %s; no output written", r.rank, err);
        free(stats);
        primes_bitmap_unmap(&r.bm);
        MPI_Finalize();
        return CLI_EXIT_FAILURE;
    }
    pm_combine(&r);
    if (cfg.common.metrics) {
        mine.process_cpu_ns = timer_cpu_ns();
        MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, stats, (int)sizeof mine, MPI_BYTE, 0,
                   MPI_COMM_WORLD);
    }

    if (r.rank == 0 && rc == 0) {
        rc = primes_write(&r.bm, cfg.common.output, err, sizeof err);
        if (rc == 0 && cfg.common.metrics)
            rc = pm_write_metrics(&cfg, &spec, stats, r.size, wall0, err, sizeof err);
        if (rc != 0)
            cli_error("%s", err);
    }
    free(stats);
    primes_bitmap_unmap(&r.bm);
    MPI_Finalize();
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
