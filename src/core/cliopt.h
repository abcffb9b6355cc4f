/* cliopt.h - the one command-line front end of every parlab program. A program declares its
 * options once, in a table, and cliopt_parse() does the rest: builds getopt_long's
 * optstring and long options from the table, runs the loop, answers -h/--help and
 * --version, refuses unknown options and missing values (one line, exit 2), and hands each
 * recognised option with its value to the program, then the other words, in order.
 *
 *     static const struct cliopt client_opts[] = {
 *         {"number", 'n', CLIOPT_VALUE, CLIENT_NUMBER},
 *         {"quiet", 'q', CLIOPT_FLAG, CLIENT_QUIET},
 *     };
 *     static const struct cliopt_program client_cli = {
 *         .opts = client_opts, .count = CLIOPT_COUNT(client_opts),
 *         .usage = client_usage, .take = client_take};
 *     ...
 *     struct cliopt_args args;
 *     int status = cliopt_parse(&client_cli, &cfg, argc, argv, &args);
 *     if (status != CLIOPT_GO)
 *         exit(status);
 *
 * -h/--help is every program's own: a table must not name it (cliopt_build refuses). */
#ifndef PARLAB_CLIOPT_H
#define PARLAB_CLIOPT_H

#include <getopt.h>
#include <stddef.h>

/* Options a table may hold; the front end adds -h/--help. */
#define CLIOPT_MAX 32

#define CLIOPT_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* cliopt_parse's "carry on": the options are taken, the program runs. Any other return is
 * the status to exit with now (help or version printed). */
#define CLIOPT_GO (-1)

enum cliopt_arg {
    CLIOPT_FLAG,  /* --quiet */
    CLIOPT_VALUE, /* --csv FILE, --csv=FILE, -o FILE, -oFILE */
};

struct cliopt {
    const char *name; /* the long name, without "--" */
    char letter;      /* the short name, or 0 for a long option only */
    enum cliopt_arg arg;
    int key; /* what take() receives for this option; the program's own numbering */
};

struct cliopt_program {
    const struct cliopt *opts;
    size_t count;
    /* Prints the --help text on stdout. */
    void (*usage)(void);
    /* Called for each option in the order given; value is NULL for a flag. A bad value is
     * a usage error (cli_usage_error: one line, exit 2), as in cli.h's value parsers. */
    void (*take)(void *ctx, int key, const char *value);
    /* Options end at the first word that is not one, so that a command's own options
     * (runone ls -l) stay with the command; otherwise options and arguments may mix. */
    int in_order;
    /* Optional: called for an unknown option before the usage error, to give a better one:
     * with the word as written for a long option (letter 0), with the letter for a short
     * one (word NULL). Returning lets the generic message through. */
    void (*unknown)(const char *word, int letter);
};

/* The words that are not options, in the order given. */
struct cliopt_args {
    int count;
    char **words;
};

/* getopt_long's view of a table. */
struct cliopt_getopt {
    char optstring[3 + 2 * CLIOPT_MAX + 2]; /* "+:" prefix, "x:" each, "h", '\0' */
    struct option longopts[CLIOPT_MAX + 2]; /* the table's, --help, the terminator */
};

/* Long options' getopt_long codes: CLIOPT_LONG_BASE + their index in the table, --help's
 * the one after the last (a short option returns its letter). */
#define CLIOPT_LONG_BASE 256

/* Builds out from prog's table; 0, or -1 with err holding what is wrong with the table
 * (too many options, an empty or duplicate name or letter, a letter getopt cannot take). */
int cliopt_build(const struct cliopt_program *prog, struct cliopt_getopt *out, char *err,
                 size_t errlen);

/* Parses argv (from argv[1]; it may be called again) and hands every option to
 * prog->take(ctx, ...). Returns CLIOPT_GO with *args filled, or the status to exit with:
 * CLI_EXIT_OK after -h/--help printed prog->usage() or --version printed the build's
 * identity, CLI_EXIT_FAILURE when stdout could not take the version or the table is bad
 * (one line on stderr). An unknown option or a missing value is a usage error (one line,
 * exit 2; see cli.h). */
int cliopt_parse(const struct cliopt_program *prog, void *ctx, int argc, char **argv,
                 struct cliopt_args *args);

/* Refuses a word past the first n a program takes: "unexpected argument 'W' (see --help)",
 * a usage error. */
void cliopt_refuse_extra(const struct cliopt_args *args, int n);

#endif
