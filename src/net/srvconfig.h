/* srvconfig.h - the server's command line: its options, their defaults and --help. */
#ifndef PARLAB_SRVCONFIG_H
#define PARLAB_SRVCONFIG_H

#include <stdint.h>

#define SRVCONFIG_DEFAULT_IDLE 60.0
#define SRVCONFIG_MAX_TIME     1e6
/* The lab's client sends its data at once and `ready` after a 5 s pause: by default a
 * conversation may take the idle limit for its data and then that pause (see deadline.h). */
#define SRVCONFIG_LAB_PAUSE   5.0
#define SRVCONFIG_MAX_CLIENTS 10000000u
/* Descriptors that are not connections: stdio, the listener, pipes, the spare. */
#define SRVCONFIG_RESERVED_FDS 16

/* How connections are served (model.h). */
enum srvconfig_model { SRVCONFIG_THREAD, SRVCONFIG_POOL, SRVCONFIG_EPOLL, SRVCONFIG_URING };
#define SRVCONFIG_MAX_THREADS 1024
/* --stack-size bounds, KiB: glibc's own floor (PTHREAD_STACK_MIN) and a sanity cap. */
#define SRVCONFIG_MIN_STACK_KIB 16u
#define SRVCONFIG_MAX_STACK_KIB (1024u * 1024u)

struct srvconfig {
    unsigned port;
    enum srvconfig_model model;
    unsigned threads;   /* pool workers or event loops; 0 with the thread model */
    unsigned stack_kib; /* connection threads' stack (thread model); 0: the model's default */
    const char *bind;
    int quiet;
    uint64_t max_clients;        /* 0: from the descriptor limit */
    double idle_timeout;         /* seconds; 0: never */
    double conversation_timeout; /* seconds; 0: never */
    uint64_t max_per_address;    /* 0: no fixed limit */
    const char *metrics;         /* CSV for --metrics, or NULL */
    double metrics_interval;
    const char *events; /* hardware events for --metrics, or NULL for the default */
};

/* Parses the command line into cfg, every default filled in. Usage errors print one line
 * and exit 2; --help and --version print their text and exit 0. */
void srvconfig_parse(int argc, char **argv, struct srvconfig *cfg);

#endif
