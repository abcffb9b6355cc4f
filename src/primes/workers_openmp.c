#include "workers.h"

#include <stdio.h>

#ifdef PARLAB_OPENMP
#include <omp.h>

int workers_have_openmp(void)
{
    return 1;
}

int workers_run_openmp(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen)
{
    /* A runtime allowed to choose fewer threads would leave some indices' work undone. */
    omp_set_dynamic(0);
    int got = 0;
#pragma omp parallel num_threads((int)count)
    {
        /* Every thread sees the same team size, so all run or none does: no barrier. */
        int team = omp_get_num_threads();
        if (omp_get_thread_num() == 0)
            got = team;
        if ((unsigned)team == count)
            fn((unsigned)omp_get_thread_num(), arg);
    }
    if ((unsigned)got != count) {
        snprintf(err, errlen, "openmp: the runtime started %d threads of %u (OMP_THREAD_LIMIT?)",
                 got, count);
        return -1;
    }
    return 0;
}

#else /* built without OpenMP */

int workers_have_openmp(void)
{
    return 0;
}

int workers_run_openmp(unsigned count, workers_fn fn, void *arg, char *err, size_t errlen)
{
    (void)fn;
    (void)arg;
    snprintf(err, errlen, "openmp: cannot start %u workers: built without OpenMP", count);
    return -1;
}

#endif
