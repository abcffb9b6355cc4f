#include "workers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct workers_thread {
    pthread_t id;
    unsigned index;
    workers_fn fn;
    void *arg;
};

static void *workers_thread_main(void *p)
{
    struct workers_thread *t = p;
    t->fn(t->index, t->arg);
    return NULL;
}

int workers_run_threads(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen)
{
    struct workers_thread *threads = calloc(count, sizeof *threads);
    if (!threads) {
        snprintf(err, errlen, "cannot start %u workers: out of memory", count);
        return -1;
    }
    unsigned started = 0;
    int create_rc = 0;
    for (; started < count; started++) {
        threads[started] = (struct workers_thread){.index = started, .fn = fn, .arg = arg};
        create_rc =
            pthread_create(&threads[started].id, NULL, workers_thread_main, &threads[started]);
        if (create_rc != 0)
            break;
    }
    /* Threads cannot be killed one by one: the started ones finish their share, and the
     * caller, told the run failed, writes nothing. */
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i].id, NULL);
    free(threads);
    if (create_rc != 0) {
        snprintf(err, errlen, "pthread_create: cannot start worker %u of %u: %s", started, count,
                 strerror(create_rc));
        return -1;
    }
    return 0;
}
