/* timer.h - the one clock module: wall and CPU time in nanoseconds. */
#ifndef PARLAB_TIMER_H
#define PARLAB_TIMER_H

#include <stdint.h>

/* Monotonic wall-clock time; unaffected by clock adjustments. */
uint64_t timer_wall_ns(void);

/* CPU time consumed by the calling process (all its threads). */
uint64_t timer_cpu_ns(void);

/* CPU time of the calling process's reaped children (fork()ed workers, once waited for). */
uint64_t timer_children_cpu_ns(void);

#endif
