/* test_pyfloat - pyfloat_format() against repr() results recorded from CPython 3.11.
 * With --dump it reads IEEE bit patterns in hex, one a line, and prints each formatted, so
 * pyfloat_vs_python.py can compare against the python3 at hand on many more values. */
#include "check.h"
#include "pyfloat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

struct pyfloat_case {
    double value;
    const char *repr;
};

/* Hex literals, so the C compiler's decimal reading plays no part in the expectations. */
static const struct pyfloat_case cases[] = {
    {0x1.0000000000000p+1, "2.0"},                        /* 2.0 */
    {0x1.aaaaaaaaaaaabp+1, "3.3333333333333335"},         /* 10/3 */
    {0x1.1c37937e08000p+53, "1e+16"},                     /* 1e16 */
    {0x1.f75104d551d69p-17, "1.5e-05"},                   /* 1.5e-5 */
    {-0x0.0p+0, "-0.0"},                                  /* -0.0 */
    {0x0.0p+0, "0.0"},                                    /* 0.0 */
    {0x1.999999999999ap-4, "0.1"},                        /* 0.1 */
    {0x1.5555555555555p-2, "0.3333333333333333"},         /* 1/3 */
    {0x1.c6bf526340000p+49, "1000000000000000.0"},        /* 1e15 */
    {0x1.b69b4ba630f35p+56, "1.2345678901234568e+17"},    /* 123456789012345678.0 */
    {0x1.1c37937e07fffp+53, "9999999999999998.0"},        /* 9999999999999998.0 */
    {0x1.a36e2eb1c432dp-14, "0.0001"},                    /* 0.0001 */
    {0x1.4f8b588e368f1p-17, "1e-05"},                     /* 0.00001 */
    {0x1.02e4b6ce5dc68p-13, "0.00012345"},                /* 0.00012345 */
    {0x0.0000000000001p-1022, "5e-324"},                  /* 5e-324 */
    {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"}, /* 1.7976931348623157e308 */
    {0x1.0000000000000p-1022, "2.2250738585072014e-308"}, /* 2.2250738585072014e-308 */
    {0x1.0f0cf064dd592p+73, "1e+22"},                     /* 1e22 */
    {0x1.52d02c7e14af6p+76, "1e+23"},                     /* 1e23 */
    {0x1.0000000000000p-1, "0.5"},                        /* 0.5 */
    {0x1.9000000000000p+6, "100.0"},                      /* 100.0 */
    {-0x1.8000000000000p+0, "-1.5"},                      /* -1.5 */
    {0x1.34a456d5cfaadp+10, "1234.5678"},                 /* 1234.5678 */
    {0x1.1666666666666p+2, "4.35"},                       /* 4.35 */
    {0x1.5666666666666p+1, "2.675"},                      /* 2.675 */
    {0x1.78c29dccccccdp+23, "12345678.9"},                /* 12345678.9 */
    {-0x1.c12218377de6bp+46, "-123456789012345.67"},      /* -123456789012345.67 */
    {0x1.f75104d551d6ap-16, "3.0000000000000004e-05"},    /* 1e-5*3 */
    {0x1.0000000000000p-1017, "7.120236347223045e-307"},  /* 2.0**-1017 */
    {0x1.0000000000000p-1000, "9.332636185032189e-302"},  /* 2.0**-1000 */
    {0x1.0000000000000p+60, "1.152921504606847e+18"},     /* 2.0**60 */
    {0x1.0000000000001p+53, "9007199254740994.0"},        /* 2.0**53+2 */
    {0x1.0000000000000p+53, "9007199254740992.0"},        /* 9007199254740993.0 */
    {INFINITY, "inf"},                                    /* inf */
    {-INFINITY, "-inf"},                                  /* -inf */
    {-0x1.ad7f29abcaf48p-24, "-1e-07"},                   /* -1e-7 */
    {0x1.4292212bd2d95p+671, "1.23456e+202"},             /* 123.456e200 */
    {0x1.fe185ca57c517p+78, "6.02214076e+23"},            /* 6.02214076e23 */
    {0x1.2492492492492p-3, "0.14285714285714285"},        /* 1/7 */
    {-0x1.5555555555555p-1, "-0.6666666666666666"},       /* -2/3 */
    {0x1.0000000000000p+2, "4.0"},                        /* 4.0 */
    {0x1.4000000000000p+2, "5.0"},                        /* 5.0 */
    {0x1.4000000000000p+1, "2.5"},                        /* 2.5 */
    {0x1.a36e2eb1c432dp-14, "0.0001"},                    /* 1e-4 */
    {0x1.0e0198eaee000p+53, "9500000000000000.0"},        /* 9.5e15 */
    {0x1.249ad2594c37dp+332, "1e+100"},                   /* 1e100 */
};

static int dump(void)
{
    char line[64], out[PYFLOAT_LEN];
    while (fgets(line, sizeof line, stdin)) {
        uint64_t bits = strtoull(line, NULL, 16);
        double x;
        memcpy(&x, &bits, sizeof x);
        pyfloat_format(x, out);
        puts(out);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0)
        return dump();

    char out[PYFLOAT_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = pyfloat_format(cases[i].value, out);
        ASSERT_STR_EQ(out, cases[i].repr);
        ASSERT_EQ(len, strlen(cases[i].repr));
    }
    pyfloat_format(NAN, out);
    ASSERT_STR_EQ(out, "nan");

    /* Whatever the value, the text reads back as the same double and fits the buffer. */
    uint64_t state = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 100000; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        double x;
        memcpy(&x, &state, sizeof x);
        if (!isfinite(x))
            continue;
        size_t len = pyfloat_format(x, out);
        ASSERT_LT(len, PYFLOAT_LEN);
        ASSERT_DBL_EQ(strtod(out, NULL), x);
    }
    return check_done();
}
