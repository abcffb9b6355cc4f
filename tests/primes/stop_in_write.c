/* stop_in_write.c - an LD_PRELOAD shim that freezes a program inside its output write.
 *
 * PARLAB_STOP_AT=write:N stops the process (SIGSTOP) just before its N-th write() to a
 * temporary (a file whose name holds ".tmp."); PARLAB_STOP_AT=rename stops it just before it
 * renames one into place. A test then finds the process stopped with the temporary on disk,
 * sends the signal under test and SIGCONT, so the signal lands inside the write window every
 * time, however short the window is on a fast disk.
 *
 * The program also starts with the default SIGINT, SIGTERM and SIGHUP, as a terminal's
 * foreground job has them: a shell script starts its background jobs with SIGINT ignored,
 * which would hide the very signal under test.
 *
 * A shim the output tests load, not a test: it asserts nothing, so check.h has no part in
 * it (and it is built without the project's options, to load into any build). */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void stop_default_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

static const char *stop_at(const char *prefix)
{
    const char *at = getenv("PARLAB_STOP_AT");
    size_t len = strlen(prefix);
    return at && strncmp(at, prefix, len) == 0 ? at + len : NULL;
}

static int stop_is_temporary(int fd)
{
    char link[64], name[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, name, sizeof name - 1);
    if (n < 0)
        return 0;
    name[n] = '\0';
    return strstr(name, ".tmp.") != NULL;
}

ssize_t write(int fd, const void *data, size_t len)
{
    static ssize_t (*real)(int, const void *, size_t);
    static int writes;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "write");
    const char *n = stop_at("write:");
    if (n && stop_is_temporary(fd) && ++writes == atoi(n))
        raise(SIGSTOP);
    return real(fd, data, len);
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "rename");
    const char *rest = stop_at("rename");
    if (rest && *rest == '\0' && strstr(from, ".tmp."))
        raise(SIGSTOP);
    return real(from, to);
}
