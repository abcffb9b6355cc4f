/* The command-line front end: a table becomes getopt_long's optstring and long options,
 * every form of an option reaches the program with its value, the words that are not
 * options come back in order, and the refusals print the one line each program's usage
 * tests expect. The paths that exit run in a forked child whose stdout, stderr and status
 * are compared whole. */
#include "check.h"
#include "cli.h"
#include "cliopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { K_QUIET = 10, K_CSV, K_LEVEL, K_HOLD_FOR, K_VERIFY };

static const struct cliopt t_opts[] = {
    {"quiet", 'q', CLIOPT_FLAG, K_QUIET},  {"csv", 'o', CLIOPT_VALUE, K_CSV},
    {"level", 'L', CLIOPT_VALUE, K_LEVEL}, {"hold-for", 0, CLIOPT_VALUE, K_HOLD_FOR},
    {"verify", 0, CLIOPT_FLAG, K_VERIFY},
};

static int t_usage_calls;

static void t_usage(void)
{
    t_usage_calls++;
}

/* What take() was handed, as text: "quiet csv=a.csv " and so on. */
struct t_seen {
    char text[512];
};

static void t_take(void *ctx, int key, const char *value)
{
    static const char *const names[] = {"quiet", "csv", "level", "hold-for", "verify"};
    struct t_seen *seen = ctx;
    size_t len = strlen(seen->text);
    const char *name = key >= K_QUIET && key <= K_VERIFY ? names[key - K_QUIET] : "?";
    snprintf(seen->text + len, sizeof seen->text - len, value ? "%s=%s " : "%s ", name, value);
}

static void t_unknown(const char *word, int letter)
{
    cli_usage_error("hook: word=%s letter=%d", word ? word : "(none)", letter);
}

#define T_PROGRAM(table)                                                                           \
    .opts = (table), .count = CLIOPT_COUNT(table), .usage = t_usage, .take = t_take
static const struct cliopt_program t_cli = {T_PROGRAM(t_opts)};
static const struct cliopt_program t_cli_in_order = {T_PROGRAM(t_opts), .in_order = 1};
static const struct cliopt_program t_cli_hook = {T_PROGRAM(t_opts), .unknown = t_unknown};

static int t_argc(char **argv)
{
    int n = 0;
    while (argv[n])
        n++;
    return n;
}

/* The words that were not options, joined by single spaces. */
static const char *t_words(const struct cliopt_args *args)
{
    static char text[256];
    text[0] = '\0';
    for (int i = 0; i < args->count; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof text - len, "%s%s", i ? " " : "", args->words[i]);
    }
    return text;
}

/* Parses in this process; for the paths that return. */
struct t_parsed {
    int status;
    struct t_seen seen;
    struct cliopt_args args;
};

static struct t_parsed t_parse(const struct cliopt_program *prog, char **argv)
{
    struct t_parsed p = {0};
    p.status = cliopt_parse(prog, &p.seen, t_argc(argv), argv, &p.args);
    return p;
}

static void t_read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    ssize_t n;
    while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fd);
}

/* The words a forked child takes, past which cliopt_refuse_extra refuses. */
static int t_most = 1000;

/* Parses in a forked child: its exit status (100 for CLIOPT_GO), stdout and stderr. */
struct t_child {
    int status;
    char out[512];
    char err[512];
};

static struct t_child t_fork(const struct cliopt_program *prog, char **argv)
{
    struct t_child r = {.status = -1};
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) {
        perror("pipe");
        exit(1);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        close(err[0]);
        close(err[1]);
        struct t_seen seen = {0};
        struct cliopt_args args;
        int status = cliopt_parse(prog, &seen, t_argc(argv), argv, &args);
        if (status == CLIOPT_GO)
            cliopt_refuse_extra(&args, t_most);
        fflush(stdout);
        _exit(status == CLIOPT_GO ? 100 : status);
    }
    close(out[1]);
    close(err[1]);
    /* The child writes a line or two, far less than a pipe holds: reading one pipe to
     * its end before the other cannot block it. */
    t_read_all(out[0], r.out, sizeof r.out);
    t_read_all(err[0], r.err, sizeof r.err);
    int status;
    if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
        r.status = WEXITSTATUS(status);
    return r;
}

/* A refusal: exit 2, nothing on stdout, exactly this line on stderr. */
static void t_refused(const struct cliopt_program *prog, char **argv, const char *line)
{
    struct t_child r = t_fork(prog, argv);
    char expected[512];
    snprintf(expected, sizeof expected, "cliopt-test: %s\n", line);
    ASSERT_EQ(r.status, CLI_EXIT_USAGE);
    ASSERT_STR_EQ(r.err, expected);
    ASSERT_STR_EQ(r.out, "");
}

static void test_build(void)
{
    struct cliopt_getopt g;
    char err[128] = "";
    ASSERT_EQ(cliopt_build(&t_cli, &g, err, sizeof err), 0);
    ASSERT_STR_EQ(g.optstring, ":qo:L:h");
    static const struct {
        const char *name;
        int has_arg;
        int val;
    } want[] = {{"quiet", no_argument, 256},       {"csv", required_argument, 257},
                {"level", required_argument, 258}, {"hold-for", required_argument, 259},
                {"verify", no_argument, 260},      {"help", no_argument, 261}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ASSERT_STR_EQ(g.longopts[i].name, want[i].name);
        ASSERT_EQ(g.longopts[i].has_arg, want[i].has_arg);
        ASSERT_EQ(g.longopts[i].val, want[i].val);
        ASSERT_EQ(g.longopts[i].flag == NULL, 1);
    }
    ASSERT_EQ(g.longopts[6].name == NULL, 1);
    ASSERT_EQ(g.longopts[6].val, 0);

    ASSERT_EQ(cliopt_build(&t_cli_in_order, &g, err, sizeof err), 0);
    ASSERT_STR_EQ(g.optstring, "+:qo:L:h");

    /* Tables getopt could not be given. */
    static const struct cliopt twice_letter[] = {{"one", 'x', CLIOPT_FLAG, 1},
                                                 {"two", 'x', CLIOPT_FLAG, 2}};
    static const struct cliopt twice_name[] = {{"one", 'x', CLIOPT_FLAG, 1},
                                               {"one", 'y', CLIOPT_FLAG, 2}};
    static const struct cliopt letter_h[] = {{"hold", 'h', CLIOPT_VALUE, 1}};
    static const struct cliopt name_help[] = {{"help", 0, CLIOPT_FLAG, 1}};
    static const struct cliopt letter_colon[] = {{"colon", ':', CLIOPT_FLAG, 1}};
    static const struct cliopt name_equals[] = {{"a=b", 0, CLIOPT_FLAG, 1}};
    static const struct {
        const struct cliopt *opts;
        size_t count;
        const char *err;
    } bad[] = {
        {twice_letter, 2, "option table: 'two': its letter is another option's"},
        {twice_name, 2, "option table: 'one': named twice"},
        {letter_h, 1, "option table: 'hold': -h is the front end's"},
        {name_help, 1, "option table: 'help': --help is the front end's"},
        {letter_colon, 1, "option table: 'colon': a letter getopt cannot take"},
        {name_equals, 1, "option table: 'a=b': not a long name"},
        {t_opts, CLIOPT_MAX + 1, "option table: 33 options, at most 32"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cliopt_program prog = {
            .opts = bad[i].opts, .count = bad[i].count, .usage = t_usage, .take = t_take};
        err[0] = '\0';
        ASSERT_EQ(cliopt_build(&prog, &g, err, sizeof err), -1);
        ASSERT_STR_EQ(err, bad[i].err);
    }
    /* cliopt_parse says so and returns a failure, rather than parsing without the table. */
    struct cliopt_program prog = {T_PROGRAM(twice_name)};
    struct t_child r = t_fork(&prog, (char *[]){"prog", "--one", NULL});
    ASSERT_EQ(r.status, CLI_EXIT_FAILURE);
    ASSERT_STR_EQ(r.err, "cliopt-test: option table: 'one': named twice\n");
}

static void test_values(void)
{
    /* Every way of writing an option and its value. */
    /* Not const: getopt_long may reorder an argv. */
    static struct {
        char *argv[6];
        const char *seen;
    } cases[] = {
        {{"prog", "--csv", "a.csv"}, "csv=a.csv "},
        {{"prog", "--csv=a.csv"}, "csv=a.csv "},
        {{"prog", "-o", "a.csv"}, "csv=a.csv "},
        {{"prog", "-oa.csv"}, "csv=a.csv "},
        {{"prog", "--csv="}, "csv= "},
        {{"prog", "--csv", "-q"}, "csv=-q "}, /* a value may look like an option */
        {{"prog", "--quiet", "--verify"}, "quiet verify "},
        {{"prog", "-q"}, "quiet "},
        {{"prog", "-qL3"}, "quiet level=3 "},
        {{"prog", "-qo", "a.csv"}, "quiet csv=a.csv "},
        {{"prog", "-qqq"}, "quiet quiet quiet "},
        {{"prog", "--hold-for", "2", "--level=x"}, "hold-for=2 level=x "},
        {{"prog", "--hold", "2"}, "hold-for=2 "}, /* a unique prefix, as getopt_long has it */
        {{"prog"}, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_parsed p = t_parse(&t_cli, cases[i].argv);
        ASSERT_EQ((uint64_t)p.status, (uint64_t)CLIOPT_GO);
        ASSERT_STR_EQ(p.seen.text, cases[i].seen);
        ASSERT_EQ(p.args.count, 0);
    }
}

static void test_words(void)
{
    /* Options and words mix; the words come back in their order. */
    struct t_parsed p =
        t_parse(&t_cli, (char *[]){"prog", "x", "-q", "y", "--csv", "f", "z", NULL});
    ASSERT_EQ((uint64_t)p.status, (uint64_t)CLIOPT_GO);
    ASSERT_STR_EQ(p.seen.text, "quiet csv=f ");
    ASSERT_EQ(p.args.count, 3);
    ASSERT_STR_EQ(t_words(&p.args), "x y z");
    ASSERT_EQ(p.args.words[p.args.count] == NULL, 1);

    /* "--" ends the options: what follows is words, even "-q" and "--csv". */
    p = t_parse(&t_cli, (char *[]){"prog", "a", "-q", "--", "-q", "--csv", "-2.5", NULL});
    ASSERT_STR_EQ(p.seen.text, "quiet ");
    ASSERT_STR_EQ(t_words(&p.args), "a -q --csv -2.5");

    /* A lone "-" is a word (stdin, by custom). */
    p = t_parse(&t_cli, (char *[]){"prog", "-", "-q", NULL});
    ASSERT_STR_EQ(p.seen.text, "quiet ");
    ASSERT_STR_EQ(t_words(&p.args), "-");

    /* in_order: the first word ends the options; the rest is left as it is. */
    p = t_parse(&t_cli_in_order, (char *[]){"prog", "-q", "ls", "-o", "x", "--", NULL});
    ASSERT_EQ((uint64_t)p.status, (uint64_t)CLIOPT_GO);
    ASSERT_STR_EQ(p.seen.text, "quiet ");
    ASSERT_STR_EQ(t_words(&p.args), "ls -o x --");
    p = t_parse(&t_cli_in_order, (char *[]){"prog", "--", "-q", NULL});
    ASSERT_STR_EQ(p.seen.text, "");
    ASSERT_STR_EQ(t_words(&p.args), "-q");
}

static void test_extra_words(void)
{
    t_most = 2;
    struct t_child r = t_fork(&t_cli, (char *[]){"prog", "a", "-q", "b", NULL});
    ASSERT_EQ(r.status, 100);
    ASSERT_STR_EQ(r.err, "");
    t_refused(&t_cli, (char *[]){"prog", "a", "-q", "b", "c", "d", NULL},
              "unexpected argument 'c' (see --help)");
    t_most = 0;
    t_refused(&t_cli, (char *[]){"prog", "-q", "--", "-x", NULL},
              "unexpected argument '-x' (see --help)");
    t_most = 1000;
}

static void test_help_version(void)
{
    /* --help: the program's text, then the program exits 0; later options are not taken. */
    static char *helps[][4] = {
        {"prog", "-h", "-q", NULL}, {"prog", "--help", "-q", NULL}, {"prog", "--he", NULL, NULL}};
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        t_usage_calls = 0;
        struct t_parsed p = t_parse(&t_cli, helps[i]);
        ASSERT_EQ(p.status, CLI_EXIT_OK);
        ASSERT_EQ(t_usage_calls, 1);
        ASSERT_STR_EQ(p.seen.text, "");
    }
    t_usage_calls = 0;
    struct t_parsed p = t_parse(&t_cli, (char *[]){"prog", "-qh", NULL});
    ASSERT_EQ(p.status, CLI_EXIT_OK);
    ASSERT_EQ(t_usage_calls, 1);
    ASSERT_STR_EQ(p.seen.text, "quiet ");

    /* --version: the build's identity on stdout, exit 0; only the whole word. */
    char expected[256];
    snprintf(expected, sizeof expected, "cliopt-test %s\n", cli_build_id());
    struct t_child r = t_fork(&t_cli, (char *[]){"prog", "-q", "--version", NULL});
    ASSERT_EQ(r.status, CLI_EXIT_OK);
    ASSERT_STR_EQ(r.out, expected);
    ASSERT_STR_EQ(r.err, "");
    ASSERT_EQ(strncmp(r.out, "cliopt-test version=", 20) == 0, 1);
    t_refused(&t_cli, (char *[]){"prog", "--vers", NULL}, "unknown option '--vers' (see --help)");
}

static void test_refusals(void)
{
    t_refused(&t_cli, (char *[]){"prog", "--csv", NULL},
              "option '--csv' needs a value (see --help)");
    t_refused(&t_cli, (char *[]){"prog", "a", "--hold-for", NULL},
              "option '--hold-for' needs a value (see --help)");
    t_refused(&t_cli, (char *[]){"prog", "-o", NULL}, "option '-o' needs a value (see --help)");
    t_refused(&t_cli, (char *[]){"prog", "-qo", NULL}, "option '-o' needs a value (see --help)");
    t_refused(&t_cli, (char *[]){"prog", "--frobnicate", NULL},
              "unknown option '--frobnicate' (see --help)");
    t_refused(&t_cli, (char *[]){"prog", "-z", NULL}, "unknown option '-z' (see --help)");
    /* Within a bundle, the letter is named, wherever it stands. */
    t_refused(&t_cli, (char *[]){"prog", "x", "-qz", NULL}, "unknown option '-z' (see --help)");
    t_refused(&t_cli, (char *[]){"prog", "x", "-zq", NULL}, "unknown option '-z' (see --help)");
    /* A flag given a value, an ambiguous prefix, --help with a value: the word as written. */
    t_refused(&t_cli, (char *[]){"prog", "--quiet=1", NULL},
              "unknown option '--quiet=1' (see --help)");
    t_refused(&t_cli, (char *[]){"prog", "--help=1", NULL},
              "unknown option '--help=1' (see --help)");
    static const struct cliopt close_names[] = {{"value", 'v', CLIOPT_VALUE, 1},
                                                {"verify", 'V', CLIOPT_FLAG, 2}};
    struct cliopt_program close_cli = {T_PROGRAM(close_names)};
    t_refused(&close_cli, (char *[]){"prog", "--v", "1", NULL},
              "unknown option '--v' (see --help)");
    /* Nothing is taken after a refusal: the child never got to print what it took. */
    t_refused(&t_cli, (char *[]){"prog", "-q", "--bogus", "--csv", NULL},
              "unknown option '--bogus' (see --help)");

    /* A program's own message for an unknown option comes first. */
    t_refused(&t_cli_hook, (char *[]){"prog", "x", "-2.5", NULL}, "hook: word=(none) letter=50");
    t_refused(&t_cli_hook, (char *[]){"prog", "--bogus", NULL}, "hook: word=--bogus letter=0");
    /* ...but not for a missing value, nor for --version. */
    t_refused(&t_cli_hook, (char *[]){"prog", "--csv", NULL},
              "option '--csv' needs a value (see --help)");
    struct t_child r = t_fork(&t_cli_hook, (char *[]){"prog", "--version", NULL});
    ASSERT_EQ(r.status, CLI_EXIT_OK);
    ASSERT_STR_EQ(r.err, "");
}

int main(void)
{
    cli_init("/usr/bin/cliopt-test");
    test_build();
    test_values();
    test_words();
    test_extra_words();
    test_help_version();
    test_refusals();
    return check_done();
}
