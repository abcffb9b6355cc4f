/* net_check.h - the shared check.h, plus what the net tests also compare: doubles bit for
 * bit (so -0.0 differs from 0.0, and so does any last-bit error), signed integers, and
 * plain conditions. */
#ifndef PARLAB_NET_CHECK_H
#define PARLAB_NET_CHECK_H

#include "check.h"

#include <string.h>

#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, #cond, "true", "false")

#define CHECK_INT(expected, actual)                                                                \
    do {                                                                                           \
        long long e_ = (long long)(expected), a_ = (long long)(actual);                            \
        char es_[32], as_[32];                                                                     \
        snprintf(es_, sizeof es_, "%lld", e_);                                                     \
        snprintf(as_, sizeof as_, "%lld", a_);                                                     \
        check_report(e_ == a_, __FILE__, __LINE__, #actual, es_, as_);                             \
    } while (0)

#define CHECK_DBL(expected, actual)                                                                \
    do {                                                                                           \
        double e_ = (expected), a_ = (actual);                                                     \
        char es_[64], as_[64];                                                                     \
        snprintf(es_, sizeof es_, "%.17g (%a)", e_, e_);                                           \
        snprintf(as_, sizeof as_, "%.17g (%a)", a_, a_);                                           \
        check_report(memcmp(&e_, &a_, sizeof e_) == 0, __FILE__, __LINE__, #actual, es_, as_);     \
    } while (0)

#endif
