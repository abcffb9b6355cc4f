/* nonoptimized - every prime <= N by brute-force trial division, one process, one thread. */
#include "args.h"
#include "cli.h"
#include "cliopt.h"
#include "counters.h"
#include "metrics.h"
#include "primes.h"
#include "timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void nonopt_usage(void)
{
    printf("usage: nonoptimized [--limit N] [--output FILE] [--metrics FILE] [--events LIST]\n"
           "\n"
           "Writes every prime <= N, found by trial division in a single process, to FILE\n"
           "(one per line, no newline at the end).\n"
           "\n");
    primes_args_usage("primes_nonoptimized.txt");
    printf("  -h, --help           this text\n"
           "\n"
           "exit status: 0 done, 1 could not write the output, 2 bad usage\n");
}

static const struct cliopt nonopt_opts[] = {PRIMES_ARGS_OPTS};

static void nonopt_take(void *ctx, int key, const char *value)
{
    primes_args_take(ctx, key, value); /* every option is a shared one */
}

static const struct cliopt_program nonopt_cli = {.opts = nonopt_opts,
                                                 .count = CLIOPT_COUNT(nonopt_opts),
                                                 .usage = nonopt_usage,
                                                 .take = nonopt_take};

static void nonopt_parse(int argc, char **argv, struct primes_args *cfg)
{
    primes_args_init(cfg, "primes_nonoptimized.txt");
    struct cliopt_args args;
    int status = cliopt_parse(&nonopt_cli, cfg, argc, argv, &args);
    if (status != CLIOPT_GO)
        exit(status);
    cliopt_refuse_extra(&args, 0);
}

int main(int argc, char **argv)
{
    uint64_t wall0 = timer_wall_ns();
    cli_init(argv[0]);
    struct primes_args cfg;
    nonopt_parse(argc, argv, &cfg);
    struct counters_spec spec;
    primes_args_events(&cfg, &spec);

    char err[512];
    struct primes_bitmap bm;
    if (primes_bitmap_map(&bm, cfg.limit, 0, err, sizeof err) != 0) {
        cli_error("cannot allocate the result bitmap for --limit %llu: %s",
                  (unsigned long long)cfg.limit, err);
        return CLI_EXIT_FAILURE;
    }
    struct primes_tally tally = {0};
    struct counters counters;
    /* Read by counters_stop: the counters keep a pointer to it, so it lives as long. */
    struct counters_sde sde[PRIMES_SDE_COUNT];
    struct counters_result worker;
    if (cfg.metrics) {
        primes_metrics_sde(&tally, sde);
        counters_start(&counters, &spec, PRIMES_SDE_LIBRARY, sde, PRIMES_SDE_COUNT);
    }
    primes_scan(&bm, 0, cfg.limit + 1, &tally);
    if (cfg.metrics)
        counters_stop(&counters, &worker);

    int rc = primes_write(&bm, cfg.output, err, sizeof err);
    primes_bitmap_unmap(&bm);
    if (rc != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    if (cfg.metrics) {
        struct counters_result all = worker;
        all.wall_ns = timer_wall_ns() - wall0;
        all.cpu_ns = timer_cpu_ns();
        struct primes_run run = {"nonoptimized", cfg.limit, 1, cfg.limit + 1, "serial", &spec};
        if (primes_metrics_write(cfg.metrics, &run, &worker, &all, err, sizeof err) != 0) {
            cli_error("%s", err);
            return CLI_EXIT_FAILURE;
        }
    }
    return CLI_EXIT_OK;
}
