/* cli.h - the one argument-parsing and message module every parlab program uses; the
 * option loop itself is cliopt.h's.
 *
 * Exit convention. Library code never exits: it returns an error and fills the caller's
 * buffer. This module and cliopt are the exception, by choice: they are the programs' own
 * front end, and a usage error (a bad value, an unknown option, a missing value or
 * argument) prints one line naming it and exits CLI_EXIT_USAGE on the spot, which keeps
 * every parser a straight line of checks. What is not an error (--help, --version) is
 * returned to the program, which exits with the status it is given. */
#ifndef PARLAB_CLI_H
#define PARLAB_CLI_H

#include <stdint.h>
#include <stdnoreturn.h>

#define CLI_EXIT_OK      0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE   2

/* Name used as the prefix of every message ("optimized: ..."). */
void cli_init(const char *argv0);
const char *cli_program(void);

/* One line on stderr, prefixed with the program name. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, then exit(CLI_EXIT_USAGE). */
noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict parsers for option values: the whole text must be a number in [min, max].
 * On failure they print one line naming the option and the bad value and exit 2. */
uint64_t cli_parse_u64(const char *option, const char *text, uint64_t min, uint64_t max);
double cli_parse_double(const char *option, const char *text, double min, double max);

/* A file name option: refuses an empty one. */
const char *cli_parse_path(const char *option, const char *text);

/* Pick a keyword out of a NULL-terminated list; returns its index or exits 2. */
int cli_parse_choice(const char *option, const char *text, const char *const *choices);

/* The build's identity: "version=0.1.0 commit=<short hash>|unknown dirty=0|1|?". */
const char *cli_build_id(void);

/* --version's answer: "PROGRAM version=... commit=... dirty=..." on stdout. Returns the
 * status to exit with: CLI_EXIT_OK, or CLI_EXIT_FAILURE when stdout could not take it. */
int cli_version(void);

#endif
