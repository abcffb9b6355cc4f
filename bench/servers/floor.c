/* floor.c - the command line, the listening socket and the protocol's decisions of the floor
 * servers (floor.h). */
#include "floor.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void floor_fail(const char *prog, const char *call)
{
    fprintf(stderr, "%s: %s: %s\n", prog, call, strerror(errno));
    exit(1);
}

/* Digits only, 0 to 65535: strtoul would take a sign, spaces and a trailing word. */
static unsigned floor_port(const char *prog, const char *text)
{
    unsigned long port = 0;
    size_t n = strlen(text);
    if (n == 0 || n > 5 || strspn(text, "0123456789") != n ||
        (port = strtoul(text, NULL, 10)) > 65535) {
        fprintf(stderr, "%s: port '%s' is not a whole number from 0 to 65535\n", prog, text);
        exit(2);
    }
    return (unsigned)port;
}

int floor_listen(const char *prog, int argc, char **argv, int sock_flags)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT (0: a free port)\n", prog);
        exit(2);
    }
    unsigned port = floor_port(prog, argv[1]);

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl); /* refused for an unlimited hard limit: keep the soft */
    }

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | sock_flags, 0);
    if (fd < 0)
        floor_fail(prog, "socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        floor_fail(prog, "setsockopt SO_REUSEADDR");
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((unsigned short)port),
                               .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        floor_fail(prog, "bind");
    /* parlab's server's backlog (MODEL_BACKLOG): the same queue for the same bursts. */
    if (listen(fd, 4096) != 0)
        floor_fail(prog, "listen");
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
        floor_fail(prog, "getsockname");
    printf("Server: listening on 0.0.0.0:%u\n", (unsigned)ntohs(addr.sin_port));
    fflush(stdout);
    return fd;
}

int floor_ready(const char *buf, size_t len)
{
    return len >= 5 && memcmp(buf + len - 5, "ready", 5) == 0;
}

int floor_number(const char *buf, size_t len, double *value)
{
    char text[FLOOR_CONV_MAX + 1];
    if (len < 5 || len - 5 == 0 || len - 5 > FLOOR_CONV_MAX)
        return -1;
    len -= 5;
    memcpy(text, buf, len);
    text[len] = '\0';
    char *end;
    *value = strtod(text, &end);
    return end == text + len ? 0 : -1;
}

size_t floor_format(double mean, char *out)
{
    int n = snprintf(out, FLOOR_REPLY_MAX, "%.17g", mean);
    return n < 0 ? 0 : (size_t)n;
}
