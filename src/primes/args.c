#include "args.h"

#include "cli.h"
#include "counters.h"
#include "primes.h"

#include <stdio.h>

void primes_args_init(struct primes_args *args, const char *default_output)
{
    args->limit = PRIMES_DEFAULT_LIMIT;
    args->output = default_output;
    args->metrics = NULL;
    args->events = NULL;
}

int primes_args_take(struct primes_args *args, int key, const char *value)
{
    switch (key) {
    case PRIMES_ARGS_LIMIT:
        args->limit = cli_parse_u64("--limit", value, 0, PRIMES_MAX_LIMIT);
        return 1;
    case PRIMES_ARGS_OUTPUT:
        args->output = cli_parse_path("--output", value);
        return 1;
    case PRIMES_ARGS_METRICS:
        args->metrics = cli_parse_path("--metrics", value);
        return 1;
    case PRIMES_ARGS_EVENTS:
        args->events = value;
        return 1;
    default:
        return 0;
    }
}

void primes_args_usage(const char *default_output)
{
    printf("  -n, --limit N        largest number to test (default %u, at most %u)\n"
           "  -o, --output FILE    where to write the primes (default %s)\n"
           "  -m, --metrics FILE   append counters, a row per worker and one for the run, to\n"
           "                       this CSV (columns: results/README.md)\n"
           "  -e, --events LIST    hardware events for --metrics, comma-separated PAPI names\n"
           "                       (default $%s, else\n"
           "                       %s;\n"
           "                       'none' for none)\n",
           PRIMES_DEFAULT_LIMIT, (unsigned)PRIMES_MAX_LIMIT, default_output, COUNTERS_ENV,
           COUNTERS_DEFAULT_LIST);
}

int primes_args_events(const struct primes_args *args, struct counters_spec *spec)
{
    if (!args->metrics && !args->events)
        return 0;
    char err[COUNTERS_ERR_LEN];
    if (counters_parse_events(spec, args->events, err, sizeof err) != 0)
        cli_usage_error("%s", err);
    if (args->metrics && spec->note[0])
        cli_error("%s", spec->note);
    return 1;
}
