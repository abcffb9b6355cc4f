/* calibrate - measures, on the machine at hand, the primitives parlab's programs are built
 * from (starting a program, fork, a thread, a system call, a pipe round trip, a TCP
 * connection, an atomic add, a division, mpirun), each a median of batched samples with its
 * 95% interval, lmbench-style, and writes them as one CSV (results/README.md): the costs the
 * report explains parlab's measurements by. */
#include "cli.h"
#include "cliopt.h"
#include "csv.h"
#include "outfile.h"
#include "prims.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CALIBRATE_DEFAULT_OUTPUT "calibration.csv"
#define CALIBRATE_HEADER         "primitive,variant,unit,runs,median,ci_lo,ci_hi,min,max,note"

/* A default sample is a batch of at least 5 ms, long enough that the clock and a stray
 * interrupt are lost in it; --quick takes 1 ms batches and fewer of them. */
#define CALIBRATE_RUNS        21u
#define CALIBRATE_BATCH_NS    5000000u
#define CALIBRATE_QUICK_RUNS  11u
#define CALIBRATE_QUICK_BATCH 1000000u
#define CALIBRATE_MAX_BATCH   (1ull << 32)
/* A row wider than SAMPLE_WIDE is sampled again, up to this many sets in all; --quick,
 * a check that calibrate works, takes one. */
#define CALIBRATE_ATTEMPTS       3u
#define CALIBRATE_QUICK_ATTEMPTS 1u

/* Every primitive, in the order measured and written. The processes come before any thread
 * has been started, so fork copies a process of one thread. */
static const struct {
    const char *name;
    prims_fn run;
} calibrate_prims[] = {
    {"startup", prims_startup},
    {"fork", prims_fork},
    {"pipe_procs", prims_pipe_procs},
    {"thread", prims_thread},
    {"pipe_threads", prims_pipe_threads},
    {"syscall", prims_syscall},
    {"tcp_connect", prims_tcp_connect},
    {"atomic", prims_atomic},
    {"div32", prims_div32},
    {"write", prims_write},
    {"mpi_startup", prims_mpi_startup},
};
#define CALIBRATE_NPRIMS (sizeof calibrate_prims / sizeof calibrate_prims[0])
#define CALIBRATE_MPI    (CALIBRATE_NPRIMS - 1)

struct calibrate_config {
    const char *output;
    unsigned runs;
    int runs_given;
    int quick;
    const char *only; /* as given, for messages */
    int chosen[CALIBRATE_NPRIMS];
    const char *mpirun, *primes_mpi;
};

static void calibrate_usage(void)
{
    printf("usage: calibrate [--output FILE] [--runs N] [--quick] [--only LIST]\n"
           "                 [--mpirun CMD --primes-mpi PATH]\n"
           "\n"
           "Measures what parlab's programs are built from on this machine and writes one row\n"
           "per primitive and variant to FILE (CSV: primitive,variant,unit,runs,median,ci_lo,\n"
           "ci_hi,min,max,note): each a median of batched samples with its 95%% interval.\n"
           "\n"
           "  -o, --output FILE    where to write (default " CALIBRATE_DEFAULT_OUTPUT
           "), all or nothing\n"
           "  -r, --runs N         samples per row, %u to %u (default %u; %u with --quick)\n"
           "  -q, --quick          fewer samples of shorter batches: a couple of seconds\n"
           "      --only LIST      the primitives to measure, comma-separated, of:\n"
           "                       startup, fork, pipe_procs, thread, pipe_threads, syscall,\n"
           "                       tcp_connect, atomic, div32, write, mpi_startup (default:\n"
           "                       all; mpi_startup only with --mpirun)\n"
           "      --mpirun CMD     with --primes-mpi: also time `CMD -np 1|2 PATH --limit 10`\n"
           "      --primes-mpi PATH\n"
           "  -h, --help           this text\n"
           "      --version        the build's identity\n"
           "\n"
           "exit status: 0 written, 1 a measurement failed or FILE could not be written,\n"
           "2 bad usage\n",
           SAMPLE_MIN_RUNS, SAMPLE_MAX_RUNS, CALIBRATE_RUNS, CALIBRATE_QUICK_RUNS);
}

enum { OPT_OUTPUT, OPT_RUNS, OPT_QUICK, OPT_ONLY, OPT_MPIRUN, OPT_PRIMES_MPI };

static const struct cliopt calibrate_opts[] = {
    {"output", 'o', CLIOPT_VALUE, OPT_OUTPUT}, {"runs", 'r', CLIOPT_VALUE, OPT_RUNS},
    {"quick", 'q', CLIOPT_FLAG, OPT_QUICK},    {"only", 0, CLIOPT_VALUE, OPT_ONLY},
    {"mpirun", 0, CLIOPT_VALUE, OPT_MPIRUN},   {"primes-mpi", 0, CLIOPT_VALUE, OPT_PRIMES_MPI},
};

/* The index of the primitive named by the len bytes at name; -1 for none. */
static int calibrate_find(const char *name, size_t len)
{
    for (size_t i = 0; i < CALIBRATE_NPRIMS; i++)
        if (strlen(calibrate_prims[i].name) == len &&
            strncmp(calibrate_prims[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* --only: every name must be a primitive's; an empty name is refused too. */
static void calibrate_take_only(struct calibrate_config *cfg, const char *value)
{
    memset(cfg->chosen, 0, sizeof cfg->chosen);
    cfg->only = value;
    const char *p = value;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0)
            cli_usage_error("--only: '%s' has an empty name (a comma list of primitives)", value);
        int i = calibrate_find(p, len);
        if (i < 0)
            cli_usage_error("--only: '%.*s' is not a primitive (see --help)", (int)len, p);
        else
            cfg->chosen[i] = 1;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
}

static void calibrate_take(void *ctx, int key, const char *value)
{
    struct calibrate_config *cfg = ctx;
    switch (key) {
    case OPT_OUTPUT:
        cfg->output = cli_parse_path("--output", value);
        break;
    case OPT_RUNS:
        cfg->runs = (unsigned)cli_parse_u64("--runs", value, SAMPLE_MIN_RUNS, SAMPLE_MAX_RUNS);
        cfg->runs_given = 1;
        break;
    case OPT_QUICK:
        cfg->quick = 1;
        break;
    case OPT_ONLY:
        calibrate_take_only(cfg, value);
        break;
    case OPT_MPIRUN:
        cfg->mpirun = cli_parse_path("--mpirun", value);
        break;
    case OPT_PRIMES_MPI:
        cfg->primes_mpi = cli_parse_path("--primes-mpi", value);
        break;
    }
}

static const struct cliopt_program calibrate_cli = {.opts = calibrate_opts,
                                                    .count = CLIOPT_COUNT(calibrate_opts),
                                                    .usage = calibrate_usage,
                                                    .take = calibrate_take};

static void calibrate_parse(int argc, char **argv, struct calibrate_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->output = CALIBRATE_DEFAULT_OUTPUT;
    for (size_t i = 0; i < CALIBRATE_NPRIMS; i++)
        cfg->chosen[i] = 1;
    struct cliopt_args args;
    int status = cliopt_parse(&calibrate_cli, cfg, argc, argv, &args);
    if (status != CLIOPT_GO)
        exit(status);
    cliopt_refuse_extra(&args, 0);
    if (!cfg->mpirun != !cfg->primes_mpi)
        cli_usage_error("%s: '%s' needs %s too", cfg->mpirun ? "--mpirun" : "--primes-mpi",
                        cfg->mpirun ? cfg->mpirun : cfg->primes_mpi,
                        cfg->mpirun ? "--primes-mpi" : "--mpirun");
    if (!cfg->mpirun) {
        if (cfg->only && cfg->chosen[CALIBRATE_MPI])
            cli_usage_error("--only: 'mpi_startup' needs --mpirun and --primes-mpi");
        cfg->chosen[CALIBRATE_MPI] = 0;
    }
    if (!cfg->runs_given)
        cfg->runs = cfg->quick ? CALIBRATE_QUICK_RUNS : CALIBRATE_RUNS;
}

/* A number of the row's unit, three decimals: never an exponent, never a thousands mark. */
static void calibrate_cell(struct csv *csv, double value)
{
    char text[64];
    snprintf(text, sizeof text, "%.3f", value);
    csv_str(csv, text);
}

/* The rows below the header (which csv_str would quote, commas and all: written whole). */
static void calibrate_rows(const struct prims_table *t, struct csv *csv)
{
    for (unsigned i = 0; i < t->count; i++) {
        const struct prims_row *r = &t->rows[i];
        csv_str(csv, r->primitive);
        csv_str(csv, r->variant);
        csv_str(csv, r->unit);
        if (r->measured) {
            csv_u64(csv, r->stats.runs);
            calibrate_cell(csv, r->stats.median);
            calibrate_cell(csv, r->stats.ci_lo);
            calibrate_cell(csv, r->stats.ci_hi);
            calibrate_cell(csv, r->stats.min);
            calibrate_cell(csv, r->stats.max);
        } else { /* not measured on this machine: runs 0, the cells empty */
            csv_u64(csv, 0);
            for (int k = 0; k < 5; k++)
                csv_empty(csv);
        }
        csv_str(csv, r->note);
        csv_end_line(csv);
    }
}

/* The header and the rows, all or nothing (outfile.h). 0, or -1 with the reason in err. */
static int calibrate_write(const char *path, const struct prims_table *t, char *err, size_t errlen)
{
    struct csv csv;
    csv_init(&csv);
    calibrate_rows(t, &csv);
    if (csv.oom) {
        csv_free(&csv);
        snprintf(err, errlen, "cannot write '%s': out of memory", path);
        return -1;
    }
    struct outfile of;
    int rc = outfile_open(&of, path, err, errlen);
    if (rc == 0) {
        static const char header[] = CALIBRATE_HEADER "\n";
        if (outfile_write(&of, header, sizeof header - 1, err, errlen) != 0 ||
            outfile_write(&of, csv.buf, csv.len, err, errlen) != 0) {
            outfile_abort(&of);
            rc = -1;
        } else {
            rc = outfile_commit(&of, err, errlen);
        }
    }
    csv_free(&csv);
    return rc;
}

/* calibrate's own binary, for the start-up child: the file running now, not argv[0], which
 * may be a bare name found in PATH. */
static void calibrate_self(char *out, size_t len, const char *argv0)
{
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    if (n > 0) {
        out[n] = '\0';
        return;
    }
    snprintf(out, len, "%s", argv0);
}

int main(int argc, char **argv)
{
    /* The start-up child: before anything else, so that it costs what a trivial program's
     * start costs. Any other word after it falls through to the options' refusal. */
    if (argc == 3 && strcmp(argv[1], PRIMS_CHILD) == 0) {
        int status = prims_child(argv[2]);
        if (status >= 0)
            return status;
    }
    cli_init(argv[0]);
    struct calibrate_config cfg;
    calibrate_parse(argc, argv, &cfg);

    char self[PATH_MAX];
    calibrate_self(self, sizeof self, argv[0]);
    struct sample_plan plan = {cfg.runs, cfg.quick ? CALIBRATE_QUICK_BATCH : CALIBRATE_BATCH_NS,
                               CALIBRATE_MAX_BATCH,
                               cfg.quick ? CALIBRATE_QUICK_ATTEMPTS : CALIBRATE_ATTEMPTS};
    struct prims_env env = {&plan, self, cfg.mpirun, cfg.primes_mpi};
    static struct prims_table table; /* static: some 10 KiB, kept off the stack */
    char err[512];
    for (size_t i = 0; i < CALIBRATE_NPRIMS; i++) {
        if (cfg.chosen[i] && calibrate_prims[i].run(&env, &table, err, sizeof err) != 0) {
            cli_error("%s; nothing written", err);
            return CLI_EXIT_FAILURE;
        }
    }
    if (calibrate_write(cfg.output, &table, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
