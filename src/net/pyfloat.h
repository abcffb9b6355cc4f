/* pyfloat.h - a double printed exactly as Python's str(float) / repr(float) prints it. */
#ifndef PARLAB_PYFLOAT_H
#define PARLAB_PYFLOAT_H

#include <stddef.h>

/* Enough for the longest result, "-2.2250738585072014e-308" (24 characters), and its NUL. */
#define PYFLOAT_LEN 32

/* Writes the shortest decimal that reads back as x, laid out by Python's rules: positional
 * ("2.0", "0.0001", "3.3333333333333335") when the decimal exponent is from -4 to 15,
 * otherwise scientific ("1e+16", "1.5e-05"); also "-0.0", "inf", "-inf", "nan".
 * out must hold PYFLOAT_LEN bytes. Returns the length written. */
size_t pyfloat_format(double x, char *out);

#endif
