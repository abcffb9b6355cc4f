/* prims.h - the primitives calibrate measures, each a function that appends its rows (one per
 * variant) to a table: prims_proc.c (processes, threads, pipes, start-up), prims_cpu.c (a
 * system call, atomics, division), prims_net.c (a loopback TCP connection and a whole
 * session), prims_io.c (writing the result). */
#ifndef PARLAB_PRIMS_H
#define PARLAB_PRIMS_H

#include "sample.h"

#include <stddef.h>

#define PRIMS_MAX_ROWS 32
#define PRIMS_NOTE_LEN 300 /* the readers take notes of 300 characters at most */

/* One row of calibration.csv. */
struct prims_row {
    const char *primitive;
    char variant[24];
    const char *unit; /* "ns" or "us" */
    int measured;     /* 0: not measurable here; the cells are empty and the note says why */
    struct sample_stats stats;
    char note[PRIMS_NOTE_LEN]; /* what was timed, or why not; no commas */
};

struct prims_table {
    unsigned count;
    struct prims_row rows[PRIMS_MAX_ROWS];
};

/* What every primitive is given. */
struct prims_env {
    const struct sample_plan *plan;
    const char *self;       /* calibrate's own binary, for the start-up child */
    const char *mpirun;     /* NULL: mpi_startup is not measured */
    const char *primes_mpi; /* with mpirun */
};

/* A primitive: appends its rows to t; 0, or -1 with "what: call: reason" in err. */
typedef int (*prims_fn)(const struct prims_env *env, struct prims_table *t, char *err,
                        size_t errlen);

/* Adds a row of primitive/variant sampled from fn (sample_measure, `per` turning ns per
 * operation of fn into `unit`, "ns" or "us"), its note from fmt. 0, or -1 with
 * "primitive: call: reason" in err. */
int prims_sample(const struct prims_env *env, struct prims_table *t, const char *primitive,
                 const char *variant, const char *unit, double per, sample_fn fn, void *ctx,
                 char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 11, 12)));

/* Adds a row that could not be measured here: empty cells, the reason in its note. */
int prims_skip(struct prims_table *t, const char *primitive, const char *variant, const char *unit,
               char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* The hidden argument that makes calibrate the start-up child: `calibrate PRIMS_CHILD bare`
 * exits at once, `... papi` after opening PAPI as a measured run does. */
#define PRIMS_CHILD "--startup-child"
/* The child's status when PAPI cannot be opened on this machine. */
#define PRIMS_CHILD_NO_PAPI 3
int prims_child(const char *mode);

int prims_startup(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);
int prims_fork(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);
int prims_thread(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);
int prims_pipe_threads(const struct prims_env *env, struct prims_table *t, char *err,
                       size_t errlen);
int prims_pipe_procs(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);
int prims_mpi_startup(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);

int prims_syscall(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);
int prims_atomic(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);
int prims_div32(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);

int prims_tcp_connect(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);

int prims_write(const struct prims_env *env, struct prims_table *t, char *err, size_t errlen);

#endif
