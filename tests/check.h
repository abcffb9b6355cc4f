/* check.h - the assertions of parlab's C unit tests, in the manner of libuv's test/task.h.
 *
 * A failed assertion prints its place, the expressions and the value of each operand, counts
 * the failure, and the run goes on, so one run shows every broken expectation; check_done()
 * prints "N passed, N failed" and returns the exit status for main. Each macro evaluates each
 * operand exactly once, and is an expression worth 1 when it held and 0 when it failed.
 *
 *     ASSERT(cond)                        any condition
 *     ASSERT_EQ/NE/LT/LE/GT/GE(a, b)      integers of any types, compared by value: -1 is
 *                                         below every unsigned value, never wrapped to a huge
 *                                         one (a double or a pointer does not compile here)
 *     ASSERT_DBL_EQ(a, b)                 doubles bit for bit: -0.0 differs from 0.0, a NaN
 *                                         equals the same NaN, a last-bit error fails
 *     ASSERT_DBL_NEAR(a, b, tol)          |a - b| <= tol (equal infinities too; NaN never)
 *     ASSERT_STR_EQ/NE(a, b)              C strings; NULL equals only NULL
 *     ASSERT_MEM_EQ(a, b, n)              n bytes; a failure shows the first that differ
 *     ASSERT_PTR_EQ/NE(a, b)              pointers, by address
 *     ASSERT_NULL(p), ASSERT_NOT_NULL(p)
 *
 * Every ASSERT_X has a REQUIRE_X that, failing, also stops the run (the summary, then
 * abort()): for the setup a test cannot go on without, where carrying on would only crash or
 * report nonsense, and for fuzz targets, whose failures must abort.
 *
 * The counters are plain: assertions belong in the test's own thread, not in the threads a
 * test starts. */
#ifndef PARLAB_CHECK_H
#define PARLAB_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned check_passed, check_failed;

static inline int check_pass(void)
{
    check_passed++;
    return 1;
}

/* Counts a failure and starts its report: "FILE:LINE: FAIL ", stderr locked until
 * check_fail_end() so the report's lines stay together. */
static inline void check_fail_begin(const char *file, int line)
{
    check_failed++;
    flockfile(stderr);
    fprintf(stderr, "%s:%d: FAIL ", file, line);
}

static inline int check_fail_end(void)
{
    funlockfile(stderr);
    return 0;
}

/* The fatal half of REQUIRE_X: the run so far, then a stop a debugger or a fuzzer sees. */
static inline void check_stop(void)
{
    fprintf(stderr, "stopping at the first failed REQUIRE\n");
    printf("%u passed, %u failed\n", check_passed, check_failed);
    fflush(stdout);
    abort();
}

#define CHECK_REQUIRE_(ok) ((ok) ? (void)0 : check_stop())

static inline int check_cond(int ok, const char *expr, const char *file, int line)
{
    if (ok)
        return check_pass();
    check_fail_begin(file, line);
    fprintf(stderr, "%s\n", expr);
    return check_fail_end();
}

/* Integers. Each operand becomes its sign and its 64 bits, chosen by its own type: the
 * comparison then orders a negative value below any unsigned one, where C's usual
 * conversions would have made -1 the largest uint64_t. */
struct check_int {
    int negative;
    uint64_t bits; /* two's complement when negative */
};

static inline struct check_int check_int_signed(long long v)
{
    struct check_int i = {v < 0, (uint64_t)v};
    return i;
}

static inline struct check_int check_int_unsigned(unsigned long long v)
{
    struct check_int i = {0, (uint64_t)v};
    return i;
}

/* No default: a double or a pointer given to ASSERT_EQ fails to compile, rather than being
 * compared as something it is not. An enum is its compatible integer type. */
#define CHECK_INT_(x)                                                                              \
    _Generic((x), _Bool                                                                            \
             : check_int_unsigned, char                                                            \
             : check_int_signed, signed char                                                       \
             : check_int_signed, unsigned char                                                     \
             : check_int_unsigned, short                                                           \
             : check_int_signed, unsigned short                                                    \
             : check_int_unsigned, int                                                             \
             : check_int_signed, unsigned int                                                      \
             : check_int_unsigned, long                                                            \
             : check_int_signed, unsigned long                                                     \
             : check_int_unsigned, long long                                                       \
             : check_int_signed, unsigned long long                                                \
             : check_int_unsigned)(x)

enum check_op { CHECK_OP_EQ, CHECK_OP_NE, CHECK_OP_LT, CHECK_OP_LE, CHECK_OP_GT, CHECK_OP_GE };

static inline const char *check_op_symbol(enum check_op op)
{
    static const char *const symbol[] = {"==", "!=", "<", "<=", ">", ">="};
    return symbol[op];
}

/* -1, 0 or 1 as a is below, equal to or above b. Two negatives order as their bits do. */
static inline int check_int_order(struct check_int a, struct check_int b)
{
    if (a.negative != b.negative)
        return a.negative ? -1 : 1;
    return a.bits < b.bits ? -1 : a.bits > b.bits;
}

static inline int check_order_holds(int order, enum check_op op)
{
    switch (op) {
    case CHECK_OP_EQ:
        return order == 0;
    case CHECK_OP_NE:
        return order != 0;
    case CHECK_OP_LT:
        return order < 0;
    case CHECK_OP_LE:
        return order <= 0;
    case CHECK_OP_GT:
        return order > 0;
    case CHECK_OP_GE:
        return order >= 0;
    }
    return 0;
}

static inline void check_int_print(const char *label, struct check_int v)
{
    if (v.negative) /* the magnitude in unsigned arithmetic: INT64_MIN has no positive twin */
        fprintf(stderr, "  %s-%llu\n", label, (unsigned long long)(0 - v.bits));
    else
        fprintf(stderr, "  %s%llu\n", label, (unsigned long long)v.bits);
}

static inline int check_int_cmp(struct check_int a, enum check_op op, struct check_int b,
                                const char *a_expr, const char *b_expr, const char *file, int line)
{
    if (check_order_holds(check_int_order(a, b), op))
        return check_pass();
    check_fail_begin(file, line);
    fprintf(stderr, "%s %s %s\n", a_expr, check_op_symbol(op), b_expr);
    check_int_print("left:  ", a);
    check_int_print("right: ", b);
    return check_fail_end();
}

/* Doubles: both the shortest exact decimal a reader knows and the bits themselves. */
static inline void check_dbl_print(const char *label, double v)
{
    fprintf(stderr, "  %s%.17g (%a)\n", label, v, v);
}

static inline int check_dbl_eq(double a, double b, const char *a_expr, const char *b_expr,
                               const char *file, int line)
{
    if (memcmp(&a, &b, sizeof a) == 0)
        return check_pass();
    check_fail_begin(file, line);
    fprintf(stderr, "%s == %s (bit for bit)\n", a_expr, b_expr);
    check_dbl_print("left:  ", a);
    check_dbl_print("right: ", b);
    return check_fail_end();
}

static inline int check_dbl_near(double a, double b, double tol, const char *a_expr,
                                 const char *b_expr, const char *tol_expr, const char *file,
                                 int line)
{
    double diff = a > b ? a - b : b - a;
    if (a == b || diff <= tol) /* a == b: infinities, whose difference is NaN */
        return check_pass();
    check_fail_begin(file, line);
    fprintf(stderr, "|%s - %s| <= %s\n", a_expr, b_expr, tol_expr);
    check_dbl_print("left:  ", a);
    check_dbl_print("right: ", b);
    check_dbl_print("tol:   ", tol);
    return check_fail_end();
}

/* Strings, quoted, with anything unprintable escaped so a stray newline or NUL shows. */
static inline void check_str_print(const char *label, const char *s)
{
    fprintf(stderr, "  %s", label);
    if (!s) {
        fputs("NULL\n", stderr);
        return;
    }
    fputc('"', stderr);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '\n')
            fputs("\\n", stderr);
        else if (*c == '\t')
            fputs("\\t", stderr);
        else if (*c == '\r')
            fputs("\\r", stderr);
        else if (*c == '"' || *c == '\\')
            fprintf(stderr, "\\%c", *c);
        else if (*c < ' ' || *c >= 0x7f)
            fprintf(stderr, "\\x%02x", *c);
        else
            fputc(*c, stderr);
    }
    fputs("\"\n", stderr);
}

static inline int check_str_cmp(const char *a, int want_equal, const char *b, const char *a_expr,
                                const char *b_expr, const char *file, int line)
{
    int equal = a && b ? strcmp(a, b) == 0 : a == b;
    if (equal == want_equal)
        return check_pass();
    check_fail_begin(file, line);
    fprintf(stderr, "%s %s %s\n", a_expr, want_equal ? "==" : "!=", b_expr);
    check_str_print("left:  ", a);
    check_str_print("right: ", b);
    return check_fail_end();
}

/* Bytes: the first difference and up to 16 bytes from there, in hex. */
static inline void check_mem_print(const char *label, const void *p, size_t from, size_t n)
{
    const unsigned char *bytes = p;
    size_t end = n - from > 16 ? from + 16 : n;
    fprintf(stderr, "  %s", label);
    for (size_t i = from; i < end; i++)
        fprintf(stderr, "%02x%s", bytes[i], i + 1 < end ? " " : "");
    fprintf(stderr, "%s\n", end < n ? " ..." : "");
}

static inline int check_mem_eq(const void *a, const void *b, size_t n, const char *a_expr,
                               const char *b_expr, const char *n_expr, const char *file, int line)
{
    if (n == 0 || memcmp(a, b, n) == 0)
        return check_pass();
    const unsigned char *x = a, *y = b;
    size_t at = 0;
    while (x[at] == y[at])
        at++;
    check_fail_begin(file, line);
    fprintf(stderr, "%s == %s over %s bytes: byte %zu of %zu differs\n", a_expr, b_expr, n_expr, at,
            n);
    check_mem_print("left:  ", a, at, n);
    check_mem_print("right: ", b, at, n);
    return check_fail_end();
}

static inline int check_ptr_cmp(const void *a, int want_equal, const void *b, const char *a_expr,
                                const char *b_expr, const char *file, int line)
{
    if ((a == b) == want_equal)
        return check_pass();
    check_fail_begin(file, line);
    fprintf(stderr, "%s %s %s\n", a_expr, want_equal ? "==" : "!=", b_expr);
    fprintf(stderr, "  left:  %p\n  right: %p\n", a, b);
    return check_fail_end();
}

/* Each assertion is a call taking its operands once and their spelling, kept as written
 * (stringified here, before any macro in an operand is expanded). */
#define CHECK_COND_(c, ec) check_cond(!!(c), ec, __FILE__, __LINE__)
#define CHECK_INT_CMP_(a, op, b, ea, eb)                                                           \
    check_int_cmp(CHECK_INT_(a), op, CHECK_INT_(b), ea, eb, __FILE__, __LINE__)
#define CHECK_DBL_EQ_(a, b, ea, eb) check_dbl_eq((a), (b), ea, eb, __FILE__, __LINE__)
#define CHECK_DBL_NEAR_(a, b, t, ea, eb, et)                                                       \
    check_dbl_near((a), (b), (t), ea, eb, et, __FILE__, __LINE__)
#define CHECK_STR_(a, eq, b, ea, eb) check_str_cmp((a), eq, (b), ea, eb, __FILE__, __LINE__)
#define CHECK_MEM_EQ_(a, b, n, ea, eb, en)                                                         \
    check_mem_eq((a), (b), (n), ea, eb, en, __FILE__, __LINE__)
#define CHECK_PTR_(a, eq, b, ea, eb) check_ptr_cmp((a), eq, (b), ea, eb, __FILE__, __LINE__)

#define ASSERT(cond)               CHECK_COND_(cond, #cond)
#define ASSERT_EQ(a, b)            CHECK_INT_CMP_(a, CHECK_OP_EQ, b, #a, #b)
#define ASSERT_NE(a, b)            CHECK_INT_CMP_(a, CHECK_OP_NE, b, #a, #b)
#define ASSERT_LT(a, b)            CHECK_INT_CMP_(a, CHECK_OP_LT, b, #a, #b)
#define ASSERT_LE(a, b)            CHECK_INT_CMP_(a, CHECK_OP_LE, b, #a, #b)
#define ASSERT_GT(a, b)            CHECK_INT_CMP_(a, CHECK_OP_GT, b, #a, #b)
#define ASSERT_GE(a, b)            CHECK_INT_CMP_(a, CHECK_OP_GE, b, #a, #b)
#define ASSERT_DBL_EQ(a, b)        CHECK_DBL_EQ_(a, b, #a, #b)
#define ASSERT_DBL_NEAR(a, b, tol) CHECK_DBL_NEAR_(a, b, tol, #a, #b, #tol)
#define ASSERT_STR_EQ(a, b)        CHECK_STR_(a, 1, b, #a, #b)
#define ASSERT_STR_NE(a, b)        CHECK_STR_(a, 0, b, #a, #b)
#define ASSERT_MEM_EQ(a, b, n)     CHECK_MEM_EQ_(a, b, n, #a, #b, #n)
#define ASSERT_PTR_EQ(a, b)        CHECK_PTR_(a, 1, b, #a, #b)
#define ASSERT_PTR_NE(a, b)        CHECK_PTR_(a, 0, b, #a, #b)
#define ASSERT_NULL(p)             CHECK_PTR_(p, 1, NULL, #p, "NULL")
#define ASSERT_NOT_NULL(p)         CHECK_PTR_(p, 0, NULL, #p, "NULL")

#define REQUIRE(cond)               CHECK_REQUIRE_(CHECK_COND_(cond, #cond))
#define REQUIRE_EQ(a, b)            CHECK_REQUIRE_(CHECK_INT_CMP_(a, CHECK_OP_EQ, b, #a, #b))
#define REQUIRE_NE(a, b)            CHECK_REQUIRE_(CHECK_INT_CMP_(a, CHECK_OP_NE, b, #a, #b))
#define REQUIRE_LT(a, b)            CHECK_REQUIRE_(CHECK_INT_CMP_(a, CHECK_OP_LT, b, #a, #b))
#define REQUIRE_LE(a, b)            CHECK_REQUIRE_(CHECK_INT_CMP_(a, CHECK_OP_LE, b, #a, #b))
#define REQUIRE_GT(a, b)            CHECK_REQUIRE_(CHECK_INT_CMP_(a, CHECK_OP_GT, b, #a, #b))
#define REQUIRE_GE(a, b)            CHECK_REQUIRE_(CHECK_INT_CMP_(a, CHECK_OP_GE, b, #a, #b))
#define REQUIRE_DBL_EQ(a, b)        CHECK_REQUIRE_(CHECK_DBL_EQ_(a, b, #a, #b))
#define REQUIRE_DBL_NEAR(a, b, tol) CHECK_REQUIRE_(CHECK_DBL_NEAR_(a, b, tol, #a, #b, #tol))
#define REQUIRE_STR_EQ(a, b)        CHECK_REQUIRE_(CHECK_STR_(a, 1, b, #a, #b))
#define REQUIRE_STR_NE(a, b)        CHECK_REQUIRE_(CHECK_STR_(a, 0, b, #a, #b))
#define REQUIRE_MEM_EQ(a, b, n)     CHECK_REQUIRE_(CHECK_MEM_EQ_(a, b, n, #a, #b, #n))
#define REQUIRE_PTR_EQ(a, b)        CHECK_REQUIRE_(CHECK_PTR_(a, 1, b, #a, #b))
#define REQUIRE_PTR_NE(a, b)        CHECK_REQUIRE_(CHECK_PTR_(a, 0, b, #a, #b))
#define REQUIRE_NULL(p)             CHECK_REQUIRE_(CHECK_PTR_(p, 1, NULL, #p, "NULL"))
#define REQUIRE_NOT_NULL(p)         CHECK_REQUIRE_(CHECK_PTR_(p, 0, NULL, #p, "NULL"))

static inline int check_done(void)
{
    printf("%u passed, %u failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
