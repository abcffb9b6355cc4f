/* logq.h - a bounded queue of whole log lines, written to a descriptor by one writer thread,
 * so that no thread that logs ever waits for the descriptor.
 *
 * Why: a server's stdout may be a pipe nobody reads (`server 8081 | less`, paused). When
 * connections wrote their own lines, the first line that did not fit stalled its thread,
 * and with it every thread that wanted the log's lock or the mean's lock it held: clients
 * hung, timeouts stopped, and so did the shutdown. Now posting copies the line into memory
 * under a short lock and returns; the writer waits for the descriptor (poll(2), so a stop
 * can always reach it). Lines that find the queue full are dropped and counted, never
 * waited for; once full, it drops until half empty, so what is lost is whole stretches of
 * the log rather than every other line.
 *
 * Lines come out exactly in the order they were posted: a caller that posts under its own
 * lock (the mean's) gets its lines in that lock's order. A post makes a system call only to
 * wake an idle writer: a one-byte write to a non-blocking pipe, which cannot wait. */
#ifndef PARLAB_LOGQ_H
#define PARLAB_LOGQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct logq {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    char *ring;
    size_t cap;
    uint64_t head, tail; /* bytes taken by the writer and posted, ever (ring index % cap) */
    int dropping;        /* full: dropping until half empty */
    int sleeping;        /* the writer waits for a byte on wake[0] */
    int stopping, done;
    int finished; /* logq_stop() saw the writer finish */
    int closed;   /* posts are discarded (the queue has stopped) */
    uint64_t stop_by;
    char last[512];
    size_t last_len;
    int fd;
    int wake[2];
    int error;                 /* errno of the write that failed, or 0 */
    _Atomic uint64_t *dropped; /* lines dropped, counted here */
    pthread_t thread;
};

/* Starts the writer for fd with cap bytes of queue; lines dropped are counted in *dropped.
 * Call with the signals the writer must not take already blocked. Returns 0, or -1 with
 * "call: reason" in err. */
int logq_start(struct logq *q, int fd, size_t cap, _Atomic uint64_t *dropped, char *err,
               size_t errlen);

/* Queues one line (len bytes, its newline included). Returns 0, or -1 if it was dropped
 * (counted) or the queue has stopped (not counted: the log was closed on purpose). */
int logq_post(struct logq *q, const char *line, size_t len);

/* Stops posting, gives the writer until budget_ns from now to write what is queued and
 * then last (len bytes, newline included; the last line written), and returns the lines
 * dropped over the whole run. Never waits longer than the budget and a little slack, even
 * if the writer is stuck in a write(2) to a stopped terminal. *error: errno of a failed
 * write, or 0. */
uint64_t logq_stop(struct logq *q, const char *last, size_t len, uint64_t budget_ns, int *error);

/* Frees what logq_stop() leaves for the process's end (for a program that goes on), if the
 * writer finished; otherwise it may still use it, and nothing is freed. */
void logq_free(struct logq *q);

#endif
