#include "cliopt.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>

static int cliopt_fail(char *err, size_t errlen, const char *name, const char *what)
{
    snprintf(err, errlen, "option table: '%s': %s", name, what);
    return -1;
}

/* getopt reads ':', '?', '-', '+' and ';' as its own syntax, and a letter past ASCII would
 * come back as a negative char: letters and digits only. */
static int cliopt_letter_ok(char letter)
{
    return (letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z') ||
           (letter >= '0' && letter <= '9');
}

int cliopt_build(const struct cliopt_program *prog, struct cliopt_getopt *out, char *err,
                 size_t errlen)
{
    if (prog->count > CLIOPT_MAX) {
        snprintf(err, errlen, "option table: %zu options, at most %d", prog->count, CLIOPT_MAX);
        return -1;
    }
    /* ':' first: a missing value comes back as ':' and an unknown option as '?', with no
     * message from getopt itself (opterr is 0 as well), so every message is parlab's. */
    char *p = out->optstring;
    if (prog->in_order)
        *p++ = '+';
    *p++ = ':';
    for (size_t i = 0; i < prog->count; i++) {
        const struct cliopt *o = &prog->opts[i];
        if (!o->name || !o->name[0] || strchr(o->name, '='))
            return cliopt_fail(err, errlen, o->name ? o->name : "(null)", "not a long name");
        if (strcmp(o->name, "help") == 0)
            return cliopt_fail(err, errlen, o->name, "--help is the front end's");
        for (size_t j = 0; j < i; j++) {
            if (strcmp(prog->opts[j].name, o->name) == 0)
                return cliopt_fail(err, errlen, o->name, "named twice");
            if (o->letter && prog->opts[j].letter == o->letter)
                return cliopt_fail(err, errlen, o->name, "its letter is another option's");
        }
        if (o->letter) {
            if (o->letter == 'h')
                return cliopt_fail(err, errlen, o->name, "-h is the front end's");
            if (!cliopt_letter_ok(o->letter))
                return cliopt_fail(err, errlen, o->name, "a letter getopt cannot take");
            *p++ = o->letter;
            if (o->arg == CLIOPT_VALUE)
                *p++ = ':';
        }
        out->longopts[i] =
            (struct option){o->name, o->arg == CLIOPT_VALUE ? required_argument : no_argument, NULL,
                            CLIOPT_LONG_BASE + (int)i};
    }
    *p++ = 'h';
    *p = '\0';
    /* A code of its own rather than 'h': "--help=x" must not pass for the letter h. */
    out->longopts[prog->count] =
        (struct option){"help", no_argument, NULL, CLIOPT_LONG_BASE + (int)prog->count};
    out->longopts[prog->count + 1] = (struct option){NULL, 0, NULL, 0};
    return 0;
}

/* An option getopt_long refused. optopt holds a short option's letter; a long option's
 * code is CLIOPT_LONG_BASE or more, and an unknown long option leaves it 0. A long option
 * is named by the word getopt stopped at, argv[optind - 1]; a letter is named by itself,
 * since within a bundle (-qz) getopt has not moved past the word yet. --version is known
 * to no table: every program answers it here, with the build's identity. */
static int cliopt_refused(const struct cliopt_program *prog, char **argv, int missing_value)
{
    int letter = optopt > 0 && optopt < CLIOPT_LONG_BASE ? optopt : 0;
    const char *word = argv[optind - 1];
    if (missing_value) {
        if (letter)
            cli_usage_error("option '-%c' needs a value (see --help)", letter);
        cli_usage_error("option '%s' needs a value (see --help)", word);
    }
    if (!letter && strcmp(word, "--version") == 0)
        return cli_version();
    if (prog->unknown)
        prog->unknown(letter ? NULL : word, letter);
    if (letter)
        cli_usage_error("unknown option '-%c' (see --help)", letter);
    cli_usage_error("unknown option '%s' (see --help)", word);
}

static const struct cliopt *cliopt_find(const struct cliopt_program *prog, int code)
{
    if (code >= CLIOPT_LONG_BASE && code < CLIOPT_LONG_BASE + (int)prog->count)
        return &prog->opts[code - CLIOPT_LONG_BASE];
    for (size_t i = 0; i < prog->count; i++)
        if (prog->opts[i].letter == code) /* code is never 0 */
            return &prog->opts[i];
    return NULL;
}

int cliopt_parse(const struct cliopt_program *prog, void *ctx, int argc, char **argv,
                 struct cliopt_args *args)
{
    struct cliopt_getopt g;
    char err[128];
    if (cliopt_build(prog, &g, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    opterr = 0;
    /* 0, not 1: getopt_long starts over (its place in a bundle of letters, the '+'), so a
     * second parse in one process reads its argv from the start. */
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, g.optstring, g.longopts, NULL)) != -1) {
        if (c == 'h' || c == CLIOPT_LONG_BASE + (int)prog->count) {
            prog->usage();
            return CLI_EXIT_OK;
        }
        if (c == ':' || c == '?')
            return cliopt_refused(prog, argv, c == ':');
        const struct cliopt *o = cliopt_find(prog, c);
        if (!o) { /* cannot happen: getopt_long returns only what the table gave it */
            cli_error("option table: getopt_long returned %d", c);
            return CLI_EXIT_FAILURE;
        }
        prog->take(ctx, o->key, o->arg == CLIOPT_VALUE ? optarg : NULL);
    }
    args->count = argc - optind;
    args->words = argv + optind;
    return CLIOPT_GO;
}

void cliopt_refuse_extra(const struct cliopt_args *args, int n)
{
    if (args->count > n)
        cli_usage_error("unexpected argument '%s' (see --help)", args->words[n]);
}
