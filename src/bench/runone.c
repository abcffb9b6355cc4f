/* runone - runs one command and reports what it cost: wall time, user and system CPU time,
 * peak resident memory and how it ended, as one line on a file descriptor. bench/measure's
 * engine (scripts/parlab/measure.py) starts every timed run through it.
 *
 * Why a C program: Linux carries the peak resident memory a process had before its exec into
 * ru_maxrss, and a child starts as a copy of its parent. A command forked straight from
 * Python never reads below Python's own 15 MB or so; forked from this program, whose own
 * footprint is about 1 MB, it reads what the command itself used. */
#include "cli.h"
#include "cliopt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* The report's format version: the first two words of the line. A reader refuses any other,
 * so a stale build is named rather than misread. */
#define RUNONE_FORMAT "runone 1"

static void runone_usage(void)
{
    printf("usage: runone [--fd N] [--] COMMAND [ARG...]\n"
           "\n"
           "Runs COMMAND (searched in PATH as a shell would, never through a shell) and, once it\n"
           "has ended, writes one line to file descriptor N:\n"
           "\n"
           "  " RUNONE_FORMAT " wall_ns=W user_us=U sys_us=S maxrss_kib=M status=KIND:V\n"
           "\n"
           "W: wall time from before the fork to after the reap (CLOCK_MONOTONIC); U, S: user\n"
           "and system CPU time, M: peak resident memory, from the command's rusage (wait4: the\n"
           "command and the descendants it waited for); KIND:V is exit:CODE, signal:NUMBER, or\n"
           "exec:ERRNO when the command could not be started.\n"
           "\n"
           "The command inherits everything else (working folder, environment, stdin, stdout,\n"
           "stderr); N is closed in it unless N is 0, 1 or 2. While waiting, runone ignores\n"
           "SIGINT and SIGQUIT, as system(3) does, so that Ctrl-C reaches the command alone;\n"
           "should runone itself be killed, the command is killed with it (Linux).\n"
           "\n"
           "  -f, --fd N     where the report goes (default 2, stderr)\n"
           "  -h, --help     this text\n"
           "      --version  the build's identity\n"
           "\n"
           "exit status: 0 the report written (whatever the command did), 1 the command could\n"
           "not be run or the report not written (one line on stderr), 2 bad usage\n");
}

struct runone_cost {
    unsigned long long wall_ns;
    unsigned long long user_us;
    unsigned long long sys_us;
    long maxrss_kib;
    const char *kind; /* "exit", "signal" or "exec" */
    int value;        /* the exit code, the signal number or exec's errno */
};

static const int saved_signals[] = {SIGINT, SIGQUIT, SIGCHLD};
#define SAVED_COUNT (sizeof saved_signals / sizeof saved_signals[0])

static unsigned long long runone_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static unsigned long long runone_us(struct timeval tv)
{
    return (unsigned long long)tv.tv_sec * 1000000ull + (unsigned long long)tv.tv_usec;
}

static void runone_restore(const struct sigaction *old)
{
    for (size_t i = 0; i < SAVED_COUNT; i++)
        sigaction(saved_signals[i], &old[i], NULL);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static noreturn void runone_child(char **command, int errfd, pid_t parent,
                                  const struct sigaction *old)
{
    /* The dispositions runone was given, not the ones it set for its wait: an ignored
     * signal would stay ignored across exec. */
    runone_restore(old);
#ifdef __linux__
    /* A runone killed on its own (a stray kill, the OOM killer) takes the command with it,
     * rather than leaving it running unobserved. The parent check closes the race of a
     * runone that died before the request. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
        _exit(127);
#else
    (void)parent;
#endif
    execvp(command[0], command);
    int e = errno;
    /* 4 bytes into a pipe are written whole or not at all; nothing to do if not. */
    ssize_t w = write(errfd, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* Runs command to its end; 0 with *cost filled, or -1 with err holding
 * "syscall: reason". */
static int runone_run(char **command, struct runone_cost *cost, char *err, size_t errlen)
{
    /* exec's errno comes back on a close-on-exec pipe: end of file means exec succeeded. */
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) == -1) {
        snprintf(err, errlen, "pipe2: %s", strerror(errno));
        return -1;
    }
    /* Ctrl-C at a terminal reaches the whole foreground group: the command decides what a
     * SIGINT means, and runone stays to report how it ended. SIGCHLD at its default, since
     * an inherited SIG_IGN would have the kernel reap the command before wait4 sees it. */
    struct sigaction ignore = {0}, dfl = {0}, old[SAVED_COUNT];
    ignore.sa_handler = SIG_IGN;
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&ignore.sa_mask);
    sigemptyset(&dfl.sa_mask);
    for (size_t i = 0; i < SAVED_COUNT; i++)
        sigaction(saved_signals[i], saved_signals[i] == SIGCHLD ? &dfl : &ignore, &old[i]);

    pid_t parent = getpid();
    unsigned long long t0 = runone_now_ns();
    pid_t pid = fork();
    if (pid == -1) {
        int e = errno;
        runone_restore(old);
        close(pipefd[0]);
        close(pipefd[1]);
        snprintf(err, errlen, "fork: %s", strerror(e));
        return -1;
    }
    if (pid == 0)
        runone_child(command, pipefd[1], parent, old);
    close(pipefd[1]);

    int exec_errno = 0;
    ssize_t got;
    do
        got = read(pipefd[0], &exec_errno, sizeof exec_errno);
    while (got == -1 && errno == EINTR);
    close(pipefd[0]);
    if (got != (ssize_t)sizeof exec_errno)
        exec_errno = 0; /* end of file: exec succeeded */

    int status = 0;
    struct rusage ru;
    pid_t reaped;
    do
        reaped = wait4(pid, &status, 0, &ru);
    while (reaped == -1 && errno == EINTR);
    int wait_errno = reaped == -1 ? errno : 0;
    unsigned long long t1 = runone_now_ns();
    runone_restore(old);
    if (reaped == -1) {
        snprintf(err, errlen, "wait4: %s", strerror(wait_errno));
        return -1;
    }

    cost->wall_ns = t1 - t0;
    cost->user_us = runone_us(ru.ru_utime);
    cost->sys_us = runone_us(ru.ru_stime);
    cost->maxrss_kib = ru.ru_maxrss; /* KiB on Linux */
    if (exec_errno) {
        cost->kind = "exec";
        cost->value = exec_errno;
    } else if (WIFSIGNALED(status)) {
        cost->kind = "signal";
        cost->value = WTERMSIG(status);
    } else {
        cost->kind = "exit";
        cost->value = WEXITSTATUS(status);
    }
    return 0;
}

/* Writes the whole line to fd; 0, or -1 with err holding "write: reason". */
static int runone_report(int fd, const struct runone_cost *cost, char *err, size_t errlen)
{
    char line[256];
    int len = snprintf(line, sizeof line,
                       RUNONE_FORMAT " wall_ns=%llu user_us=%llu sys_us=%llu maxrss_kib=%ld "
                                     "status=%s:%d\n",
                       cost->wall_ns, cost->user_us, cost->sys_us, cost->maxrss_kib, cost->kind,
                       cost->value);
    /* A reader gone is a write error to report, not a reason to die of SIGPIPE unheard. The
     * command has been reaped: nothing inherits this disposition. */
    signal(SIGPIPE, SIG_IGN);
    for (int done = 0; done < len;) {
        ssize_t w = write(fd, line + done, (size_t)(len - done));
        if (w == -1 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "write: %s", w == -1 ? strerror(errno) : "nothing written");
            return -1;
        }
        done += (int)w;
    }
    return 0;
}

enum { RUNONE_FD };

static const struct cliopt runone_opts[] = {
    {"fd", 'f', CLIOPT_VALUE, RUNONE_FD},
};

static void runone_take(void *ctx, int key, const char *value)
{
    int *fd = ctx;
    (void)key; /* --fd is the only option */
    *fd = (int)cli_parse_u64("--fd", value, 0, INT_MAX);
    if (fcntl(*fd, F_GETFD) == -1)
        cli_usage_error("--fd: '%s' is not an open file descriptor", value);
}

/* in_order: options end at the first word that is not one, so the command's own options
 * (runone ls -l) are left to the command, with or without "--". */
static const struct cliopt_program runone_cli = {.opts = runone_opts,
                                                 .count = CLIOPT_COUNT(runone_opts),
                                                 .usage = runone_usage,
                                                 .take = runone_take,
                                                 .in_order = 1};

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    int fd = 2;
    struct cliopt_args args;
    int status = cliopt_parse(&runone_cli, &fd, argc, argv, &args);
    if (status != CLIOPT_GO)
        return status;
    if (args.count == 0)
        cli_usage_error("no command given (see --help)");
    /* The report's descriptor is runone's, not the command's: a command holding the write
     * end of a reader's pipe would keep it from seeing end of file. 0, 1 and 2 are the
     * command's own streams as well. */
    if (fd > 2 && fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
        cli_usage_error("--fd: '%d': %s", fd, strerror(errno));

    char err[256];
    struct runone_cost cost;
    if (runone_run(args.words, &cost, err, sizeof err) != 0 ||
        runone_report(fd, &cost, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
