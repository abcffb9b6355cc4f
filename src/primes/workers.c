#include "workers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static void workers_child(unsigned index, workers_fn fn, void *arg, pid_t parent)
{
#ifdef __linux__
    /* A parent killed outright (SIGKILL, OOM) must not leave workers burning CPU. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
#else
    (void)parent;
#endif
    fn(index, arg);
    /* _exit: the parent's stdio buffers and atexit handlers are not ours to run. */
    _exit(0);
}

static void workers_kill_all(const pid_t *pids, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGKILL);
}

static void workers_describe(char *err, size_t errlen, unsigned index, pid_t pid, int status)
{
    if (WIFSIGNALED(status))
        snprintf(err, errlen, "worker %u (pid %ld) was killed by signal %d (%s)", index, (long)pid,
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(err, errlen, "worker %u (pid %ld) exited with status %d", index, (long)pid,
                 WEXITSTATUS(status));
}

/* Reaps every started worker; returns the index of the first that failed, or -1. */
static int workers_reap(pid_t *pids, unsigned started, char *err, size_t errlen)
{
    int failed = -1;
    unsigned live = started;
    while (live > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: nothing left to wait for */
        }
        for (unsigned i = 0; i < started; i++) {
            if (pids[i] != pid)
                continue;
            pids[i] = 0;
            live--;
            int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (!ok && failed < 0) {
                failed = (int)i;
                workers_describe(err, errlen, i, pid, status);
                workers_kill_all(pids, started);
            }
            break;
        }
    }
    return failed;
}

int workers_run(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen)
{
    pid_t *pids = calloc(count, sizeof *pids);
    if (!pids) {
        snprintf(err, errlen, "cannot start %u workers: out of memory", count);
        return -1;
    }
    /* Anything still buffered would otherwise be written once per child. */
    fflush(NULL);
    pid_t parent = getpid();
    unsigned started = 0;
    int fork_errno = 0;
    for (; started < count; started++) {
        pid_t pid = fork();
        if (pid == 0)
            workers_child(started, fn, arg, parent);
        if (pid < 0) {
            fork_errno = errno;
            break;
        }
        pids[started] = pid;
    }
    if (fork_errno)
        workers_kill_all(pids, started);
    int failed = workers_reap(pids, started, err, errlen);
    free(pids);
    if (fork_errno) {
        snprintf(err, errlen, "fork: cannot start worker %u of %u: %s", started, count,
                 strerror(fork_errno));
        return -1;
    }
    return failed < 0 ? 0 : -1;
}
