/* nonoptimized - every prime <= N by brute-force trial division, one process, one thread. */
#include "cli.h"
#include "primes.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nonopt_config {
    uint64_t limit;
    const char *output;
};

static void nonopt_usage(void)
{
    printf("usage: nonoptimized [--limit N] [--output FILE]\n"
           "\n"
           "Writes every prime <= N, found by trial division in a single process, to FILE\n"
           "(one per line, no newline at the end).\n"
           "\n"
           "  -n, --limit N     largest number to test (default %u, at most %u)\n"
           "  -o, --output FILE where to write (default primes_nonoptimized.txt)\n"
           "  -h, --help        this text\n"
           "\n"
           "exit status: 0 done, 1 could not write the output, 2 bad usage\n",
           PRIMES_DEFAULT_LIMIT, (unsigned)PRIMES_MAX_LIMIT);
}

static void nonopt_parse(int argc, char **argv, struct nonopt_config *cfg)
{
    static const struct option longopts[] = {
        {"limit", required_argument, NULL, 'n'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cfg->limit = PRIMES_DEFAULT_LIMIT;
    cfg->output = "primes_nonoptimized.txt";
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":n:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            cfg->limit = cli_parse_u64("--limit", optarg, 0, PRIMES_MAX_LIMIT);
            break;
        case 'o':
            if (optarg[0] == '\0')
                cli_usage_error("--output: the file name is empty");
            cfg->output = optarg;
            break;
        case 'h':
            nonopt_usage();
            exit(CLI_EXIT_OK);
        default:
            cli_bad_option(argv, c == ':');
        }
    }
    if (optind < argc)
        cli_usage_error("unexpected argument '%s' (see --help)", argv[optind]);
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    struct nonopt_config cfg;
    nonopt_parse(argc, argv, &cfg);

    struct primes_bitmap bm;
    int rc = primes_bitmap_map(&bm, cfg.limit, 0);
    if (rc != 0) {
        cli_error("cannot allocate the result bitmap for --limit %llu: %s",
                  (unsigned long long)cfg.limit, strerror(-rc));
        return CLI_EXIT_FAILURE;
    }
    struct primes_tally tally = {0};
    primes_scan(&bm, 0, cfg.limit + 1, &tally);

    char err[512];
    rc = primes_write(&bm, cfg.output, err);
    primes_bitmap_unmap(&bm);
    if (rc != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
