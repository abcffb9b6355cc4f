#include "timer.h"

#include <sys/resource.h>
#include <time.h>

static uint64_t timer_read(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t timer_wall_ns(void)
{
    return timer_read(CLOCK_MONOTONIC);
}

uint64_t timer_cpu_ns(void)
{
    return timer_read(CLOCK_PROCESS_CPUTIME_ID);
}

uint64_t timer_children_cpu_ns(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
        return 0;
    uint64_t us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
                  (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    return us * 1000u;
}
