#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parlab_build_id.h" /* generated at build time: PARLAB_VERSION, _COMMIT, _DIRTY */

static const char *program = "parlab";

/* The build's identity, kept in every binary as one searchable string: bench/run reads it
 * from the file (a binary is never run to learn where it came from). */
__attribute__((used)) static const char build_id[] =
    "parlab-build: version=" PARLAB_VERSION " commit=" PARLAB_COMMIT " dirty=" PARLAB_DIRTY;

const char *cli_build_id(void)
{
    return build_id + strlen("parlab-build: ");
}

void cli_init(const char *argv0)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
    if (argv0 && *argv0)
        program = slash ? slash + 1 : argv0;
}

const char *cli_program(void)
{
    return program;
}

/* Built whole and written with one call so lines from concurrent threads never interleave. */
static void cli_vmessage(const char *fmt, va_list ap)
{
    char line[1024];
    int head = snprintf(line, sizeof line, "%s: ", program);
    vsnprintf(line + head, sizeof line - (size_t)head - 1, fmt, ap);
    size_t len = strlen(line);
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
    fflush(stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vmessage(fmt, ap);
    va_end(ap);
}

noreturn void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vmessage(fmt, ap);
    va_end(ap);
    exit(CLI_EXIT_USAGE);
}

uint64_t cli_parse_u64(const char *option, const char *text, uint64_t min, uint64_t max)
{
    /* strtoull accepts leading blanks and a minus sign (wrapping the value); refuse both. */
    const char *p = text;
    if (*p < '0' || *p > '9')
        cli_usage_error("%s: '%s' is not a whole number from %llu to %llu", option, text,
                        (unsigned long long)min, (unsigned long long)max);
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(p, &end, 10);
    if (*end != '\0')
        cli_usage_error("%s: '%s' is not a whole number from %llu to %llu", option, text,
                        (unsigned long long)min, (unsigned long long)max);
    if (errno == ERANGE || v < min || v > max)
        cli_usage_error("%s: '%s' is out of range (%llu to %llu)", option, text,
                        (unsigned long long)min, (unsigned long long)max);
    return (uint64_t)v;
}

double cli_parse_double(const char *option, const char *text, double min, double max)
{
    errno = 0;
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || text[0] == ' ' || !isfinite(v))
        cli_usage_error("%s: '%s' is not a number from %g to %g", option, text, min, max);
    if (errno == ERANGE || v < min || v > max)
        cli_usage_error("%s: '%s' is out of range (%g to %g)", option, text, min, max);
    return v;
}

const char *cli_parse_path(const char *option, const char *text)
{
    if (text[0] == '\0')
        cli_usage_error("%s: the file name is empty", option);
    return text;
}

int cli_parse_choice(const char *option, const char *text, const char *const *choices)
{
    char list[256] = "";
    for (int i = 0; choices[i]; i++) {
        if (strcmp(text, choices[i]) == 0)
            return i;
        if (i)
            strncat(list, "|", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    cli_usage_error("%s: '%s' is not one of %s", option, text, list);
}

int cli_version(void)
{
    printf("%s %s\n", program, cli_build_id());
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
