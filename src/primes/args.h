/* args.h - the options nonoptimized and optimized share, parsed in one place. */
#ifndef PARLAB_PRIMES_ARGS_H
#define PARLAB_PRIMES_ARGS_H

#include "cliopt.h"

#include <stdint.h>

struct primes_args {
    uint64_t limit;
    const char *output;
    const char *metrics; /* CSV to append counters to, or NULL */
    const char *events;  /* hardware events, or NULL for $PARLAB_EVENTS or the default */
};

/* The shared options' keys; a program numbers its own from PRIMES_ARGS_END. */
enum {
    PRIMES_ARGS_LIMIT,
    PRIMES_ARGS_OUTPUT,
    PRIMES_ARGS_METRICS,
    PRIMES_ARGS_EVENTS,
    PRIMES_ARGS_END,
};

/* The shared options' rows of a program's cliopt table. */
#define PRIMES_ARGS_OPTS                                                                           \
    {"limit", 'n', CLIOPT_VALUE, PRIMES_ARGS_LIMIT},                                               \
        {"output", 'o', CLIOPT_VALUE, PRIMES_ARGS_OUTPUT},                                         \
        {"metrics", 'm', CLIOPT_VALUE, PRIMES_ARGS_METRICS},                                       \
    {                                                                                              \
        "events", 'e', CLIOPT_VALUE, PRIMES_ARGS_EVENTS                                            \
    }

void primes_args_init(struct primes_args *args, const char *default_output);

/* Takes one option from cliopt_parse; returns 1 if it was a shared one, 0 otherwise.
 * A bad value is a usage error (exit 2). */
int primes_args_take(struct primes_args *args, int key, const char *value);

/* Prints the help lines of the shared options. */
void primes_args_usage(const char *default_output);

struct counters_spec;

/* The events to count, when --metrics or --events asks for any: a bad list is a usage
 * error (exit 2), and with --metrics the note on events that will not be counted goes to
 * stderr. Returns 1 when spec was filled, 0 when nothing asked for events. */
int primes_args_events(const struct primes_args *args, struct counters_spec *spec);

#endif
