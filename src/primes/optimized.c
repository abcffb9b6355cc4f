/* optimized - every prime <= N by the same trial division, split over fork()ed workers
 * that report through shared memory. */
#include "cli.h"
#include "primes.h"
#include "timer.h"
#include "workers.h"

#include <errno.h>
#include <getopt.h>
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
    uint64_t limit;
    unsigned procs;
    uint64_t chunk;
    enum opt_schedule schedule;
    const char *output;
};

/* One cache line per worker so workers never write to the same line. */
struct opt_worker_stats {
    alignas(64) struct primes_tally tally;
    uint64_t wall_ns;
    uint64_t cpu_ns;
    uint64_t chunks;
};

/* Lives in a MAP_SHARED mapping made before fork(). */
struct opt_shared {
    alignas(64) atomic_uint_fast64_t next; /* dynamic: first number of the next free chunk */
    struct opt_worker_stats workers[];
};

struct opt_job {
    const struct opt_config *cfg;
    struct opt_shared *shared;
    struct primes_bitmap *bm;
};

static void opt_usage(void)
{
    printf(
        "usage: optimized [--limit N] [--procs P] [--chunk C] [--schedule dynamic|static|cyclic]\n"
        "                 [--output FILE]\n"
        "\n"
        "Writes every prime <= N, found by trial division in P fork()ed worker processes,\n"
        "to FILE (one per line, no newline at the end).\n"
        "\n"
        "  -n, --limit N        largest number to test (default %u, at most %u)\n"
        "  -p, --procs P        worker processes, 1 to %u (default: online CPUs, here %ld)\n"
        "  -c, --chunk C        numbers per chunk for dynamic and cyclic (default %u)\n"
        "  -s, --schedule S     dynamic: workers take the next free chunk (default)\n"
        "                       static:  P equal contiguous blocks\n"
        "                       cyclic:  chunks dealt round-robin\n"
        "  -o, --output FILE    where to write (default primes_optimized.txt)\n"
        "  -h, --help           this text\n"
        "\n"
        "exit status: 0 done, 1 a worker failed or the output could not be written, 2 bad usage\n",
        PRIMES_DEFAULT_LIMIT, (unsigned)PRIMES_MAX_LIMIT, WORKERS_MAX,
        sysconf(_SC_NPROCESSORS_ONLN), OPT_DEFAULT_CHUNK);
}

static unsigned opt_default_procs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (unsigned)n;
}

static void opt_parse(int argc, char **argv, struct opt_config *cfg)
{
    static const struct option longopts[] = {
        {"limit", required_argument, NULL, 'n'},
        {"procs", required_argument, NULL, 'p'},
        {"chunk", required_argument, NULL, 'c'},
        {"schedule", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cfg->limit = PRIMES_DEFAULT_LIMIT;
    cfg->procs = opt_default_procs();
    cfg->chunk = OPT_DEFAULT_CHUNK;
    cfg->schedule = SCHED_DYNAMIC;
    cfg->output = "primes_optimized.txt";
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":n:p:c:s:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            cfg->limit = cli_parse_u64("--limit", optarg, 0, PRIMES_MAX_LIMIT);
            break;
        case 'p':
            cfg->procs = (unsigned)cli_parse_u64("--procs", optarg, 1, WORKERS_MAX);
            break;
        case 'c':
            cfg->chunk = cli_parse_u64("--chunk", optarg, 1, OPT_MAX_CHUNK);
            break;
        case 's':
            cfg->schedule = cli_parse_choice("--schedule", optarg, opt_schedule_names);
            break;
        case 'o':
            if (optarg[0] == '\0')
                cli_usage_error("--output: the file name is empty");
            cfg->output = optarg;
            break;
        case 'h':
            opt_usage();
            exit(CLI_EXIT_OK);
        default:
            cli_bad_option(argv, c == ':');
        }
    }
    if (optind < argc)
        cli_usage_error("unexpected argument '%s' (see --help)", argv[optind]);
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
    uint64_t end = cfg->limit + 1, chunk = cfg->chunk, procs = cfg->procs;
    uint64_t wall0 = timer_wall_ns(), cpu0 = timer_cpu_ns();

    switch (cfg->schedule) {
    case SCHED_DYNAMIC:
        for (;;) {
            uint64_t lo =
                atomic_fetch_add_explicit(&job->shared->next, chunk, memory_order_relaxed);
            if (lo >= end)
                break;
            primes_scan(job->bm, lo, opt_min(lo + chunk, end), &st->tally);
            st->chunks++;
        }
        break;
    case SCHED_STATIC:
        primes_scan(job->bm, end * index / procs, end * (index + 1) / procs, &st->tally);
        st->chunks = 1;
        break;
    case SCHED_CYCLIC:
        for (uint64_t lo = index * chunk; lo < end; lo += procs * chunk) {
            primes_scan(job->bm, lo, opt_min(lo + chunk, end), &st->tally);
            st->chunks++;
        }
        break;
    }
    st->wall_ns = timer_wall_ns() - wall0;
    st->cpu_ns = timer_cpu_ns() - cpu0;
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    struct opt_config cfg;
    opt_parse(argc, argv, &cfg);

    struct primes_bitmap bm;
    int rc = primes_bitmap_map(&bm, cfg.limit, 1);
    size_t shared_bytes = sizeof(struct opt_shared) + cfg.procs * sizeof(struct opt_worker_stats);
    struct opt_shared *shared =
        mmap(NULL, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (rc != 0 || shared == MAP_FAILED) {
        cli_error("cannot map shared memory for --limit %llu: %s", (unsigned long long)cfg.limit,
                  strerror(rc != 0 ? -rc : errno));
        return CLI_EXIT_FAILURE;
    }
    atomic_init(&shared->next, 0);

    struct opt_job job = {.cfg = &cfg, .shared = shared, .bm = &bm};
    char err[512];
    if (workers_run(cfg.procs, opt_worker, &job, err, sizeof err) != 0) {
        cli_error("%s; no output written", err);
        return CLI_EXIT_FAILURE;
    }
    rc = primes_write(&bm, cfg.output, err);
    primes_bitmap_unmap(&bm);
    munmap(shared, shared_bytes);
    if (rc != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
