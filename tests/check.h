/* check.h - loud assertions for parlab's C unit tests: each failure prints the place,
 * the expression and both values; the run ends with "N passed, N failed". */
#ifndef PARLAB_CHECK_H
#define PARLAB_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned check_passed, check_failed;

static inline void check_report(int ok, const char *file, int line, const char *what,
                                const char *expected, const char *actual)
{
    if (ok) {
        check_passed++;
        return;
    }
    check_failed++;
    fprintf(stderr, "%s:%d: FAIL %s\n  expected: %s\n  actual:   %s\n", file, line, what, expected,
            actual);
}

#define CHECK_EQ_U64(expected, actual)                                                             \
    do {                                                                                           \
        uint64_t e_ = (uint64_t)(expected), a_ = (uint64_t)(actual);                               \
        char es_[32], as_[32];                                                                     \
        snprintf(es_, sizeof es_, "%llu", (unsigned long long)e_);                                 \
        snprintf(as_, sizeof as_, "%llu", (unsigned long long)a_);                                 \
        check_report(e_ == a_, __FILE__, __LINE__, #actual, es_, as_);                             \
    } while (0)

#define CHECK_EQ_STR(expected, actual)                                                             \
    do {                                                                                           \
        const char *e_ = (expected), *a_ = (actual);                                               \
        check_report(a_ &&strcmp(e_, a_) == 0, __FILE__, __LINE__, #actual, e_,                    \
                     a_ ? a_ : "(null)");                                                          \
    } while (0)

static inline int check_done(void)
{
    printf("%u passed, %u failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
