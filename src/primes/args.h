/* args.h - the options nonoptimized and optimized share, parsed in one place. */
#ifndef PARLAB_PRIMES_ARGS_H
#define PARLAB_PRIMES_ARGS_H

#include <getopt.h>
#include <stdint.h>

struct primes_args {
    uint64_t limit;
    const char *output;
    const char *metrics; /* CSV to append counters to, or NULL */
    const char *events;  /* hardware events, or NULL for $PARLAB_EVENTS or the default */
};

/* getopt_long material for the shared options. */
#define PRIMES_ARGS_SHORT "n:o:m:e:"
#define PRIMES_ARGS_LONG                                                                           \
    {"limit", required_argument, NULL, 'n'}, {"output", required_argument, NULL, 'o'},             \
        {"metrics", required_argument, NULL, 'm'},                                                 \
    {                                                                                              \
        "events", required_argument, NULL, 'e'                                                     \
    }

void primes_args_init(struct primes_args *args, const char *default_output);

/* Takes one getopt_long result; returns 1 if it was a shared option, 0 otherwise.
 * A bad value is a usage error (exit 2). */
int primes_args_take(struct primes_args *args, int opt, const char *value);

/* Prints the help lines of the shared options. */
void primes_args_usage(const char *default_output);

#endif
