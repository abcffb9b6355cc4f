/* mean.c - the exact running mean behind a mutex. */
#include "mean.h"

#include "timer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A count past 2**32 needs 96-bit by 64-bit division: GCC's and Clang's 128-bit integers,
 * on every 64-bit target they support. */
__extension__ typedef unsigned __int128 mean_u128;

#define MEAN_LIMB_BITS 32
#define MEAN_LIMB_MASK 0xffffffffu
/* The sum's unit is 2**-1074: limb k weighs 2**(32k - 1074). */
#define MEAN_UNIT_EXP (-1074)
/* Quotient digits below limb 0, so the rounding of a subnormal mean sees its round bit. */
#define MEAN_EXTRA_DIGITS 2
#define DBL_PRECISION     53
#define DBL_MIN_EXP_NORM  (-1022) /* exponent of the smallest normal double's leading bit */

void mean_sum_init(struct mean_sum *s)
{
    memset(s, 0, sizeof *s);
}

/* Adds v (|v| < 2**62) at limb k and carries upward. A carry rarely travels far: only a
 * change of the whole sum's sign runs it to the top, where it wraps as two's complement. */
static void mean_carry_from(struct mean_sum *s, int k, int64_t v)
{
    for (; k < MEAN_LIMBS && v != 0; k++) {
        int64_t t = (int64_t)s->limb[k] + v;
        s->limb[k] = (uint32_t)t;
        v = t >> MEAN_LIMB_BITS; /* floor: arithmetic shift */
    }
}

void mean_sum_add(struct mean_sum *s, double x)
{
    if (!isfinite(x))
        return;
    s->count++;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned field = (unsigned)(bits >> 52) & 0x7ff;
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    if (field != 0)
        m |= UINT64_C(1) << 52; /* the implicit leading bit of a normal number */
    if (m == 0)
        return;
    /* x = m * 2**(field - 1075) for normal numbers, m * 2**-1074 for subnormal ones. */
    unsigned offset = field ? field - 1 : 0;
    int k = (int)(offset / MEAN_LIMB_BITS);
    unsigned b = offset % MEAN_LIMB_BITS;
    /* m << b has up to 85 bits: its low limb, then the rest (up to 53 bits) one limb up. */
    int64_t lo = (int64_t)((m << b) & MEAN_LIMB_MASK);
    int64_t up = (int64_t)(b ? m >> (MEAN_LIMB_BITS - b) : m >> MEAN_LIMB_BITS);
    if (bits >> 63) {
        lo = -lo;
        up = -up;
    }
    mean_carry_from(s, k, lo);
    mean_carry_from(s, k + 1, up);
}

/* The sum's magnitude, limb by limb: the limbs themselves, or a negated copy in `buf`.
 * Sets *negative. */
static const uint32_t *mean_magnitude(const struct mean_sum *s, uint32_t buf[MEAN_LIMBS],
                                      int *negative)
{
    *negative = s->limb[MEAN_LIMBS - 1] >> (MEAN_LIMB_BITS - 1);
    if (!*negative)
        return s->limb;
    uint64_t carry = 1; /* two's complement: invert and add one */
    for (int k = 0; k < MEAN_LIMBS; k++) {
        uint64_t t = (uint64_t)(uint32_t)~s->limb[k] + carry;
        buf[k] = (uint32_t)t;
        carry = t >> MEAN_LIMB_BITS;
    }
    return buf;
}

/* One step of the long division: (rem * 2**32 + digit) / n, the remainder kept in *rem.
 * While n fits 32 bits so does rem, and 64-bit division does it. */
static uint32_t mean_divide_step(uint64_t *rem, uint32_t digit, uint64_t n)
{
    if (n <= MEAN_LIMB_MASK) {
        uint64_t cur = (*rem << MEAN_LIMB_BITS) | digit;
        *rem = cur % n;
        return (uint32_t)(cur / n);
    }
    mean_u128 cur = ((mean_u128)*rem << MEAN_LIMB_BITS) | digit;
    *rem = (uint64_t)(cur % n);
    return (uint32_t)(cur / n);
}

/* Rounds q * 2**e (plus something below q's last bit if sticky) to the nearest double,
 * ties to even, with the precision a double has at that magnitude (fewer bits when
 * subnormal). q has at least one bit more than the precision needs. */
static double mean_round(uint64_t q, int e, int sticky)
{
    if (q == 0)
        return 0.0;
    int bits = 64 - __builtin_clzll(q);
    int lead = bits - 1 + e; /* exponent of q's leading bit */
    int precision = DBL_PRECISION;
    if (lead < DBL_MIN_EXP_NORM)
        precision -= DBL_MIN_EXP_NORM - lead;
    if (precision < 0)
        return 0.0;              /* below half the smallest subnormal */
    int drop = bits - precision; /* at most 64 */
    if (drop <= 0)
        return ldexp((double)q, e); /* exact, and sticky cannot matter: see mean_sum_mean */
    uint64_t kept = drop == 64 ? 0 : q >> drop;
    uint64_t rest = drop == 64 ? q : q & ((UINT64_C(1) << drop) - 1);
    uint64_t half = UINT64_C(1) << (drop - 1);
    if (rest > half || (rest == half && (sticky || (kept & 1))))
        kept++;
    return ldexp((double)kept, e + drop);
}

double mean_sum_mean(const struct mean_sum *s)
{
    if (s->count == 0)
        return 0.0;
    uint32_t buf[MEAN_LIMBS];
    int negative;
    const uint32_t *mag = mean_magnitude(s, buf, &negative);
    int top = MEAN_LIMBS - 1;
    while (top >= 0 && mag[top] == 0)
        top--;
    if (top < 0)
        return 0.0;
    /* Long division by the count, a 32-bit digit at a time from the top, until the
     * quotient holds more than 64 bits or the digits below limb 0 are done. What the
     * division leaves over, and every limb not reached, only decides the sticky bit. */
    mean_u128 q = 0;
    uint64_t rem = 0;
    int k = top;
    for (; k >= -MEAN_EXTRA_DIGITS && (q >> 64) == 0; k--)
        q = (q << MEAN_LIMB_BITS) | mean_divide_step(&rem, k >= 0 ? mag[k] : 0, s->count);
    int e = MEAN_UNIT_EXP + MEAN_LIMB_BITS * (k + 1);
    int sticky = rem != 0;
    for (int j = k; j >= 0 && !sticky; j--)
        sticky = mag[j] != 0;
    /* Down to 64 bits, the dropped ones into sticky. With 65 or more bits the rounding
     * drops at least 12; otherwise the last digit weighs 2**-1138, 64 bits below the
     * smallest subnormal: either way the round bit is inside q. */
    while (q >> 64) {
        sticky |= (int)(q & 1);
        q >>= 1;
        e++;
    }
    double mean = mean_round((uint64_t)q, e, sticky);
    return negative ? -mean : mean;
}

int mean_init(struct mean *m, char *err, size_t errlen)
{
    mean_sum_init(&m->acc);
    int rc = pthread_mutex_init(&m->lock, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_mutex_init: %s", strerror(rc));
        return -1;
    }
    return 0;
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
