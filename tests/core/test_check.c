/* test_check - check.h itself. Each assertion runs with stderr captured and its counts set
 * aside, and must hold when it should; when it should fail it must fail, be counted once,
 * and report the place, the expressions as written and both values, word for word. Each
 * operand is evaluated once, failing or not; a failed REQUIRE stops the run with the
 * summary; check_done() reports and sets the exit status. */
#include "check.h"

#include <float.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static FILE *captured;
static int saved_stderr = -1;

static void capture_begin(void)
{
    fflush(stderr);
    if (ftruncate(fileno(captured), 0) != 0 || lseek(fileno(captured), 0, SEEK_SET) != 0 ||
        (saved_stderr = dup(STDERR_FILENO)) < 0 || dup2(fileno(captured), STDERR_FILENO) < 0) {
        perror("test_check: cannot capture stderr");
        exit(1);
    }
}

/* What the assertion wrote to stderr. */
static const char *capture_end(void)
{
    static char text[4096];
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    ssize_t n = pread(fileno(captured), text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

/* text past its "FILE:LINE: FAIL " when FILE is this file and LINE that of the assertion:
 * from `line`, where the EXPECT below starts, to a few lines on, where clang-format may have
 * put its last argument; else all of text, so the comparison shows it. */
static const char *after_place(const char *text, int line)
{
    size_t len = strlen(__FILE__);
    char *end;
    if (strncmp(text, __FILE__, len) != 0 || text[len] != ':')
        return text;
    long at = strtol(text + len + 1, &end, 10);
    if (at < line || at > line + 8 || strncmp(end, ": FAIL ", 7) != 0)
        return text;
    return end + 7;
}

/* Runs `assertion` aside, then checks with the real counts: it held (1) or failed (0) as
 * `held` says, counted once either way, and wrote nothing when it held, else its place and
 * exactly `want` (unless want is NULL: the text is not the point). */
#define EXPECT(held, want, assertion)                                                              \
    do {                                                                                           \
        unsigned passed_ = check_passed, failed_ = check_failed;                                   \
        capture_begin();                                                                           \
        int ok_ = (assertion);                                                                     \
        const char *text_ = capture_end();                                                         \
        unsigned new_passed_ = check_passed - passed_, new_failed_ = check_failed - failed_;       \
        check_passed = passed_;                                                                    \
        check_failed = failed_;                                                                    \
        ASSERT_EQ(ok_, held);                                                                      \
        ASSERT_EQ(new_passed_, held);                                                              \
        ASSERT_EQ(new_failed_, !(held));                                                           \
        const char *want_ = (want);                                                                \
        if (held) {                                                                                \
            ASSERT_STR_EQ(text_, "");                                                              \
        } else if (want_) {                                                                        \
            ASSERT_STR_EQ(after_place(text_, __LINE__), want_);                                    \
        }                                                                                          \
    } while (0)

#define HOLDS(assertion) EXPECT(1, "", assertion)

static void test_cond(void)
{
    int x = 4;
    HOLDS(ASSERT(x == 4));
    EXPECT(0, "x == 5\n", ASSERT(x == 5));
}

static void test_integers(void)
{
    int x = 4;
    HOLDS(ASSERT_EQ(x, 4));
    EXPECT(0, "x == 5\n  left:  4\n  right: 5\n", ASSERT_EQ(x, 5));
    /* Negative against unsigned: compared by value, never wrapped; the spelling of a macro
     * operand is kept. */
    EXPECT(0, "-1 == UINT64_MAX\n  left:  -1\n  right: 18446744073709551615\n",
           ASSERT_EQ(-1, UINT64_MAX));
    HOLDS(ASSERT_NE(-1, UINT64_MAX));
    HOLDS(ASSERT_LT(-1, 0u));
    HOLDS(ASSERT_GT(0u, -1));
    HOLDS(ASSERT_LT((ssize_t)-1, (size_t)0));
    EXPECT(0, "(long)-1 >= 0u\n  left:  -1\n  right: 0\n", ASSERT_GE((long)-1, 0u));
    EXPECT(0, "INT64_MIN == 0\n  left:  -9223372036854775808\n  right: 0\n",
           ASSERT_EQ(INT64_MIN, 0));
    HOLDS(ASSERT_LT(INT64_MIN, -1));
    HOLDS(ASSERT_LT(-2, -1));
    HOLDS(ASSERT_LT(INT64_MAX, UINT64_MAX));
    HOLDS(ASSERT_GT(UINT64_MAX, INT64_MAX));
    /* Every relation, on both sides of its boundary. */
    HOLDS(ASSERT_NE(3, 4));
    EXPECT(0, "3 != 3\n  left:  3\n  right: 3\n", ASSERT_NE(3, 3));
    HOLDS(ASSERT_LT(2, 3));
    EXPECT(0, "3 < 3\n  left:  3\n  right: 3\n", ASSERT_LT(3, 3));
    HOLDS(ASSERT_LE(3, 3));
    EXPECT(0, "4 <= 3\n  left:  4\n  right: 3\n", ASSERT_LE(4, 3));
    HOLDS(ASSERT_GT(4, 3));
    EXPECT(0, "3 > 3\n  left:  3\n  right: 3\n", ASSERT_GT(3, 3));
    HOLDS(ASSERT_GE(3, 3));
    EXPECT(0, "2 >= 3\n  left:  2\n  right: 3\n", ASSERT_GE(2, 3));
    /* Every integer type: each keeps its value. */
    char c = 'a';
    signed char sc = -5;
    unsigned char uc = 255;
    short s = -300;
    unsigned short us = 65535;
    unsigned u = 4000000000u;
    long l = -7;
    unsigned long ul = 1ul << 40;
    long long ll = -(1ll << 40);
    _Bool b = 1;
    enum { MINUS = -2, PLUS = 2 } e = MINUS;
    HOLDS(ASSERT_EQ(c, 97));
    HOLDS(ASSERT_EQ(sc, -5));
    HOLDS(ASSERT_NE(uc, -1));
    EXPECT(0, "uc == -1\n  left:  255\n  right: -1\n", ASSERT_EQ(uc, -1));
    HOLDS(ASSERT_EQ(s, -300));
    HOLDS(ASSERT_EQ(us, 65535));
    HOLDS(ASSERT_GT(u, 0));
    EXPECT(0, "u == -1\n  left:  4000000000\n  right: -1\n", ASSERT_EQ(u, -1));
    HOLDS(ASSERT_LT(l, ul));
    HOLDS(ASSERT_EQ(ll, -1099511627776));
    HOLDS(ASSERT_EQ(b, 1));
    HOLDS(ASSERT_EQ(e, MINUS));
    HOLDS(ASSERT_LT(e, PLUS));
    HOLDS(ASSERT_LT(e, 0u));
}

static void test_doubles(void)
{
    HOLDS(ASSERT_DBL_EQ(0.5 + 0.25, 0.75));
    HOLDS(ASSERT_DBL_EQ(1.0, 1));
    EXPECT(0,
           "0.1 + 0.2 == 0.3 (bit for bit)\n"
           "  left:  0.30000000000000004 (0x1.3333333333334p-2)\n"
           "  right: 0.29999999999999999 (0x1.3333333333333p-2)\n",
           ASSERT_DBL_EQ(0.1 + 0.2, 0.3));
    EXPECT(0, "-0.0 == 0.0 (bit for bit)\n  left:  -0 (-0x0p+0)\n  right: 0 (0x0p+0)\n",
           ASSERT_DBL_EQ(-0.0, 0.0));
    HOLDS(ASSERT_DBL_EQ(NAN, NAN));
    HOLDS(ASSERT_DBL_EQ(INFINITY, INFINITY));
    EXPECT(0, NULL, ASSERT_DBL_EQ(DBL_MIN, DBL_MIN * (1 + DBL_EPSILON)));

    HOLDS(ASSERT_DBL_NEAR(1.0, 1.05, 0.1));
    HOLDS(ASSERT_DBL_NEAR(1.05, 1.0, 0.1));
    HOLDS(ASSERT_DBL_NEAR(2.0, 2.0, 0));
    HOLDS(ASSERT_DBL_NEAR(INFINITY, INFINITY, 0));
    EXPECT(0,
           "|1.0 - 1.5| <= 0.25\n"
           "  left:  1 (0x1p+0)\n"
           "  right: 1.5 (0x1.8p+0)\n"
           "  tol:   0.25 (0x1p-2)\n",
           ASSERT_DBL_NEAR(1.0, 1.5, 0.25));
    EXPECT(0, NULL, ASSERT_DBL_NEAR(1.5, 1.0, 0.25));
    EXPECT(0, "|NAN - NAN| <= 1\n  left:  nan (nan)\n  right: nan (nan)\n  tol:   1 (0x1p+0)\n",
           ASSERT_DBL_NEAR(NAN, NAN, 1));
    EXPECT(0, NULL, ASSERT_DBL_NEAR(INFINITY, -INFINITY, DBL_MAX));
}

static void test_strings(void)
{
    const char *none = NULL;
    char abc[] = "abc";
    HOLDS(ASSERT_STR_EQ(abc, "abc"));
    HOLDS(ASSERT_STR_EQ(none, NULL));
    HOLDS(ASSERT_STR_NE(abc, "abd"));
    HOLDS(ASSERT_STR_NE(none, ""));
    EXPECT(0, "abc == \"abd\"\n  left:  \"abc\"\n  right: \"abd\"\n", ASSERT_STR_EQ(abc, "abd"));
    EXPECT(0, "abc != \"abc\"\n  left:  \"abc\"\n  right: \"abc\"\n", ASSERT_STR_NE(abc, "abc"));
    EXPECT(0, "none == \"\"\n  left:  NULL\n  right: \"\"\n", ASSERT_STR_EQ(none, ""));
    /* What cannot be seen is escaped. */
    EXPECT(0,
           "\"a\\tb\\n\" == \"q\\\"\\\\\\x01\\xff\"\n"
           "  left:  \"a\\tb\\n\"\n"
           "  right: \"q\\\"\\\\\\x01\\xff\"\n",
           ASSERT_STR_EQ("a\tb\n", "q\"\\\x01\xff"));
}

static void test_memory(void)
{
    unsigned char a[20] = {1, 2, 3, 4}, b[20] = {1, 2, 9, 4};
    HOLDS(ASSERT_MEM_EQ(a, a, sizeof a));
    HOLDS(ASSERT_MEM_EQ(a, b, 2));
    HOLDS(ASSERT_MEM_EQ(NULL, NULL, 0));
    EXPECT(0, "a == b over 4 bytes: byte 2 of 4 differs\n  left:  03 04\n  right: 09 04\n",
           ASSERT_MEM_EQ(a, b, 4));
    /* From the first difference, 16 bytes at most. */
    EXPECT(0,
           "a == b over sizeof a bytes: byte 2 of 20 differs\n"
           "  left:  03 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ...\n"
           "  right: 09 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ...\n",
           ASSERT_MEM_EQ(a, b, sizeof a));
}

static void test_pointers(void)
{
    int x = 1, y = 2;
    int *none = NULL;
    HOLDS(ASSERT_PTR_EQ(&x, &x));
    HOLDS(ASSERT_PTR_NE(&x, &y));
    HOLDS(ASSERT_NULL(none));
    HOLDS(ASSERT_NOT_NULL(&x));
    char want[256];
    snprintf(want, sizeof want, "&x == &y\n  left:  %p\n  right: %p\n", (void *)&x, (void *)&y);
    EXPECT(0, want, ASSERT_PTR_EQ(&x, &y));
    snprintf(want, sizeof want, "&x != &x\n  left:  %p\n  right: %p\n", (void *)&x, (void *)&x);
    EXPECT(0, want, ASSERT_PTR_NE(&x, &x));
    snprintf(want, sizeof want, "&x == NULL\n  left:  %p\n  right: %p\n", (void *)&x, NULL);
    EXPECT(0, want, ASSERT_NULL(&x));
    snprintf(want, sizeof want, "none != NULL\n  left:  %p\n  right: %p\n", NULL, NULL);
    EXPECT(0, want, ASSERT_NOT_NULL(none));
}

/* Each operand once, whether the assertion holds or fails (a failure prints the values it
 * already has, it does not evaluate the operands again). */
static unsigned evaluated;

static int once_int(int v)
{
    evaluated++;
    return v;
}

static double once_dbl(double v)
{
    evaluated++;
    return v;
}

static const char *once_str(const char *v)
{
    evaluated++;
    return v;
}

static const void *once_ptr(const void *v)
{
    evaluated++;
    return v;
}

/* x, counted as it is evaluated (through a call: two counts in one expression are then
 * sequenced). */
#define ONCE(x)                                                                                    \
    _Generic((x), int : once_int, double : once_dbl, char * : once_str, default : once_ptr)(x)

#define EVALUATED(n, held, assertion)                                                              \
    do {                                                                                           \
        evaluated = 0;                                                                             \
        EXPECT(held, NULL, assertion);                                                             \
        ASSERT_EQ(evaluated, n);                                                                   \
    } while (0)

static void test_once(void)
{
    int x = 0;
    for (int held = 1; held >= 0; held--) {
        EVALUATED(1, held, ASSERT(ONCE(held)));
        EVALUATED(2, held, ASSERT_EQ(ONCE(held), ONCE(1)));
        EVALUATED(2, held, ASSERT_NE(ONCE(held), ONCE(0)));
        EVALUATED(2, held, ASSERT_LT(ONCE(0), ONCE(held)));
        EVALUATED(2, held, ASSERT_LE(ONCE(1), ONCE(held)));
        EVALUATED(2, held, ASSERT_GT(ONCE(held), ONCE(0)));
        EVALUATED(2, held, ASSERT_GE(ONCE(held), ONCE(1)));
        EVALUATED(2, held, ASSERT_DBL_EQ(ONCE(held ? 1.0 : 2.0), ONCE(1.0)));
        EVALUATED(3, held, ASSERT_DBL_NEAR(ONCE(held ? 1.0 : 2.0), ONCE(1.0), ONCE(0.5)));
        EVALUATED(2, held, ASSERT_STR_EQ(ONCE(held ? "a" : "b"), ONCE("a")));
        EVALUATED(2, held, ASSERT_STR_NE(ONCE(held ? "a" : "b"), ONCE("b")));
        EVALUATED(3, held, ASSERT_MEM_EQ(ONCE(held ? "ab" : "ac"), ONCE("ab"), ONCE(2)));
        EVALUATED(2, held, ASSERT_PTR_EQ(ONCE(held ? &x : NULL), ONCE(&x)));
        EVALUATED(2, held, ASSERT_PTR_NE(ONCE(held ? &x : NULL), ONCE(NULL)));
        EVALUATED(1, held, ASSERT_NULL(ONCE(held ? NULL : &x)));
        EVALUATED(1, held, ASSERT_NOT_NULL(ONCE(held ? &x : NULL)));
    }
    /* REQUIRE, holding: once too, and the run goes on. */
    evaluated = 0;
    REQUIRE_EQ(ONCE(1), ONCE(1));
    REQUIRE_STR_EQ(ONCE("a"), ONCE("a"));
    REQUIRE(ONCE(1));
    ASSERT_EQ(evaluated, 5);
}

/* Runs body in a child with fresh counts, its stdout and stderr into one file; returns its
 * wait status and what it wrote. */
static int run_child(void (*body)(void), char *out, size_t outlen)
{
    FILE *f = tmpfile();
    if (!f) {
        perror("test_check: tmpfile");
        exit(1);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("test_check: fork");
        exit(1);
    }
    if (pid == 0) {
        struct rlimit no_core = {0, 0}; /* the abort is expected: no core file */
        setrlimit(RLIMIT_CORE, &no_core);
        dup2(fileno(f), STDOUT_FILENO);
        dup2(fileno(f), STDERR_FILENO);
        check_passed = check_failed = 0;
        body();
        _exit(100); /* every body ends the run itself */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ssize_t n = pread(fileno(f), out, outlen - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    fclose(f);
    return status;
}

/* The line of the REQUIRE that fails below, known to the parent as well as to the child. */
enum { REQUIRE_FAILS_AT = __LINE__ + 6 };

static void require_body(void)
{
    ASSERT_EQ(1, 1);
    REQUIRE_EQ(2, 2);
    REQUIRE_EQ(1 + 1, 3);
    puts("went on after a failed REQUIRE");
    exit(check_done());
}

static void done_failed_body(void)
{
    ASSERT_EQ(1, 1);
    ASSERT_EQ(2, 2);
    ASSERT_GT(1, 2);
    fflush(stderr);
    exit(check_done());
}

static void done_passed_body(void)
{
    ASSERT_EQ(1, 1);
    exit(check_done());
}

static void test_require_and_done(void)
{
    char out[1024], want[1024];
    int status = run_child(require_body, out, sizeof out);
    ASSERT(WIFSIGNALED(status));
    if (WIFSIGNALED(status))
        ASSERT_EQ(WTERMSIG(status), SIGABRT);
    snprintf(want, sizeof want,
             "%s:%d: FAIL 1 + 1 == 3\n  left:  2\n  right: 3\n"
             "stopping at the first failed REQUIRE\n"
             "2 passed, 1 failed\n",
             __FILE__, REQUIRE_FAILS_AT);
    ASSERT_STR_EQ(out, want);

    status = run_child(done_failed_body, out, sizeof out);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 1);
    ASSERT_NOT_NULL(strstr(out, "FAIL 1 > 2\n"));
    ASSERT_NOT_NULL(strstr(out, "\n2 passed, 1 failed\n"));

    status = run_child(done_passed_body, out, sizeof out);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    ASSERT_STR_EQ(out, "1 passed, 0 failed\n");
}

int main(void)
{
    captured = tmpfile();
    if (!captured) {
        perror("test_check: tmpfile");
        return 1;
    }
    test_cond();
    test_integers();
    test_doubles();
    test_strings();
    test_memory();
    test_pointers();
    test_once();
    test_require_and_done();
    fclose(captured);
    return check_done();
}
