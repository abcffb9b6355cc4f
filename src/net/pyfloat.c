/* pyfloat.c - Python's float repr: shortest round-trip digits, then Python's layout.
 *
 * The digits come from the C library: "%.*e" rounds correctly, and strtod() tells whether
 * a candidate reads back as the same double. Round-tripping is monotonic in the number of
 * digits (a correctly rounded p+1-digit decimal is never farther from x than the p-digit
 * one that round-tripped), so a binary search over 1..17 digits finds the shortest in at
 * most five tries; 17 significant digits always round-trip for IEEE doubles. */
#include "pyfloat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal exponents from PYFLOAT_EXP_MIN to PYFLOAT_EXP_MAX print positionally, as
 * Python's float_repr_style 'short' does (repr switches to "1e+16" at 10**16). */
#define PYFLOAT_EXP_MIN (-4)
#define PYFLOAT_EXP_MAX 15

static size_t pyfloat_copy(char *out, const char *text)
{
    size_t len = strlen(text);
    memcpy(out, text, len + 1);
    return len;
}

/* Adds one unit in the last digit of the magnitude of "d.ddde+XX", carrying into the
 * exponent when every digit was a 9. */
static void pyfloat_bump(char *sci, size_t len)
{
    char *e = strchr(sci, 'e');
    int exp10 = atoi(e + 1);
    char *p = e - 1;
    char *first = sci + (sci[0] == '-');
    for (;; p--) {
        if (*p == '.')
            continue;
        if (*p != '9') {
            (*p)++;
            break;
        }
        *p = '0';
        if (p == first) {
            /* 9.99e+05 + 1 unit = 10.00e+05, written 1.00e+06 with the same digit count. */
            *p = '1';
            exp10++;
            break;
        }
    }
    snprintf(e, len - (size_t)(e - sci), "e%+03d", exp10);
}

/* Whether a decimal of prec + 1 significant digits reads back as x; leaves it in sci.
 * The correctly rounded one is the closest, so it is the one to keep whenever it works.
 * Only at a power of two can a farther one work when it does not: the doubles around
 * 2**k are spaced twice as wide above it as below, so a candidate just above x may still
 * read back as x while the nearest one, just below, reads back as x's lower neighbour. */
static int pyfloat_try(double x, int prec, char *sci, size_t len)
{
    snprintf(sci, len, "%.*e", prec, x);
    if (strtod(sci, NULL) == x)
        return 1;
    int exp2;
    if (frexp(x, &exp2) != 0.5 && frexp(x, &exp2) != -0.5)
        return 0;
    pyfloat_bump(sci, len);
    return strtod(sci, NULL) == x;
}

/* Integers below 10**16 are exact in a double and print as their digits plus ".0"; this
 * skips the search for the values a mean of whole numbers most often has. */
static size_t pyfloat_integer(double x, char *out)
{
    char digits[24];
    unsigned long long v = (unsigned long long)fabs(x);
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t len = 0;
    if (signbit(x))
        out[len++] = '-';
    while (n)
        out[len++] = digits[--n];
    memcpy(out + len, ".0", 3);
    return len + 2;
}

size_t pyfloat_format(double x, char *out)
{
    if (isnan(x))
        return pyfloat_copy(out, "nan");
    if (isinf(x))
        return pyfloat_copy(out, x < 0 ? "-inf" : "inf");
    if (x == 0)
        return pyfloat_copy(out, signbit(x) ? "-0.0" : "0.0");
    if (fabs(x) < 1e16 && x == trunc(x))
        return pyfloat_integer(x, out);

    /* sci holds "-d.dddddddddddddddde-308" at worst. */
    char sci[40];
    int lo = 0, hi = 16;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (pyfloat_try(x, mid, sci, sizeof sci))
            hi = mid;
        else
            lo = mid + 1;
    }
    pyfloat_try(x, hi, sci, sizeof sci);

    /* Split "-d.ddde+XX" into sign, significant digits (trailing zeros dropped) and exponent. */
    const char *p = sci;
    int negative = *p == '-';
    if (negative)
        p++;
    char digits[20];
    int n = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    int exp10 = *p == 'e' ? atoi(p + 1) : 0;

    size_t len = 0;
    if (negative)
        out[len++] = '-';
    if (exp10 >= PYFLOAT_EXP_MIN && exp10 <= PYFLOAT_EXP_MAX) {
        if (exp10 >= 0) {
            /* Integer part: the first exp10 + 1 digits, padded with zeros if they run out. */
            for (int i = 0; i <= exp10; i++)
                out[len++] = i < n ? digits[i] : '0';
            out[len++] = '.';
            if (exp10 + 1 >= n) {
                out[len++] = '0';
            } else {
                for (int i = exp10 + 1; i < n; i++)
                    out[len++] = digits[i];
            }
        } else {
            out[len++] = '0';
            out[len++] = '.';
            for (int i = exp10; i < -1; i++)
                out[len++] = '0';
            for (int i = 0; i < n; i++)
                out[len++] = digits[i];
        }
        out[len] = '\0';
        return len;
    }
    out[len++] = digits[0];
    if (n > 1) {
        out[len++] = '.';
        for (int i = 1; i < n; i++)
            out[len++] = digits[i];
    }
    /* Python writes at least two exponent digits and always a sign: 1e+16, 1.5e-05. */
    int written = snprintf(out + len, PYFLOAT_LEN - len, "e%c%02d", exp10 < 0 ? '-' : '+',
                           exp10 < 0 ? -exp10 : exp10);
    return len + (size_t)written;
}
