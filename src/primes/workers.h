/* workers.h - run a function in N workers and wait for all of them: fork()ed processes,
 * POSIX threads, or the threads of an OpenMP parallel region. With processes, if any
 * worker dies (signal or non-zero exit) the others are killed at once and the failure is
 * described in the caller's buffer; threads share one process, so a thread that dies
 * takes the run with it, and what can fail is starting them. */
#ifndef PARLAB_WORKERS_H
#define PARLAB_WORKERS_H

#include <stddef.h>

#define WORKERS_MAX 1024u

/* Runs fn(index, arg) once for each index 0..count-1, each in its own worker; with
 * processes, a child that returns exits with status 0. */
typedef void (*workers_fn)(unsigned index, void *arg);

/* fork()ed processes. Returns 0 when every worker exited 0, else -1 with a one-line
 * reason in err. */
int workers_run(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen);

/* POSIX threads. Returns 0 when all ran, else -1 with "pthread_create: ..." in err (the
 * threads already started are joined first). */
int workers_run_threads(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen);

/* 1 when this build has OpenMP (workers_run_openmp exists). */
int workers_have_openmp(void);

/* The threads of one OpenMP parallel region of exactly `count` threads. Returns 0, or -1
 * with a reason in err when the runtime gives fewer threads (OMP_THREAD_LIMIT) or this
 * build has no OpenMP; no fn ran then. */
int workers_run_openmp(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen);

#endif
