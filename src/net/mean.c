/* mean.c - compensated running mean behind a mutex. */
#include "mean.h"

#include "timer.h"

#include <float.h>
#include <math.h>

/* Scaling steps of 2**64 keep every value's bits except those below 2**-958, which are far
 * below the last bit of a sum that needed scaling in the first place. */
#define MEAN_STEP 64
/* A scaled sum below this (2**958) fits unscaled again, with room for a few more values. */
#define MEAN_UNSCALE_BELOW 0x1p958

void mean_sum_init(struct mean_sum *s)
{
    s->sum = 0.0;
    s->comp = 0.0;
    s->shift = 0;
    s->count = 0;
}

void mean_sum_add(struct mean_sum *s, double x)
{
    double xs = ldexp(x, -s->shift);
    double t = s->sum + xs;
    while (!isfinite(t)) {
        s->shift += MEAN_STEP;
        s->sum = ldexp(s->sum, -MEAN_STEP);
        s->comp = ldexp(s->comp, -MEAN_STEP);
        xs = ldexp(x, -s->shift);
        t = s->sum + xs;
    }
    /* Neumaier: whichever operand is smaller in magnitude lost bits; recover them exactly.
     * Unlike plain Kahan this also holds when the new value dwarfs the sum. */
    if (fabs(s->sum) >= fabs(xs))
        s->comp += (s->sum - t) + xs;
    else
        s->comp += (xs - t) + s->sum;
    s->sum = t;
    s->count++;
    while (s->shift > 0 && fabs(s->sum) < MEAN_UNSCALE_BELOW &&
           fabs(s->comp) < MEAN_UNSCALE_BELOW) {
        s->shift -= MEAN_STEP;
        s->sum = ldexp(s->sum, MEAN_STEP);
        s->comp = ldexp(s->comp, MEAN_STEP);
    }
}

double mean_sum_mean(const struct mean_sum *s)
{
    if (s->count == 0)
        return 0.0;
    double n = (double)s->count;
    double total = s->sum + s->comp;
    /* Adding the compensation can overflow a sum at the very top of the range; dividing
     * first cannot, and the mean of finite values is finite. */
    double m = isfinite(total) ? total / n : s->sum / n + s->comp / n;
    /* Rounding can lift the mean of values at DBL_MAX a hair past it; DBL_MAX is then the
     * correctly rounded answer. */
    double mean = ldexp(m, s->shift);
    return isinf(mean) ? copysign(DBL_MAX, mean) : mean;
}

int mean_init(struct mean *m)
{
    mean_sum_init(&m->acc);
    return pthread_mutex_init(&m->lock, NULL);
}

void mean_destroy(struct mean *m)
{
    pthread_mutex_destroy(&m->lock);
}

/* Only a contended lock is timed: the uncontended path stays two atomic operations. */
static void mean_lock(struct mean *m, uint64_t *wait_ns)
{
    if (pthread_mutex_trylock(&m->lock) == 0)
        return;
    uint64_t t0 = timer_wall_ns();
    pthread_mutex_lock(&m->lock);
    if (wait_ns)
        *wait_ns += timer_wall_ns() - t0;
}

double mean_add(struct mean *m, double x, mean_fn fn, void *arg, uint64_t *wait_ns)
{
    mean_lock(m, wait_ns);
    mean_sum_add(&m->acc, x);
    double mean = mean_sum_mean(&m->acc);
    if (fn)
        fn(arg, mean);
    pthread_mutex_unlock(&m->lock);
    return mean;
}

double mean_read(struct mean *m, mean_fn fn, void *arg, uint64_t *wait_ns)
{
    mean_lock(m, wait_ns);
    double mean = mean_sum_mean(&m->acc);
    if (fn)
        fn(arg, mean);
    pthread_mutex_unlock(&m->lock);
    return mean;
}
