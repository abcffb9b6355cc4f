/* test_wire - the stream parser on every framing the protocol allows and every bad input it
 * must refuse, chunk by chunk as reads would deliver them. */
#include "check.h"
#include "wire.h"

#include <float.h>
#include <stdlib.h>

struct chunk {
    const char *bytes;
    size_t len;
};

/* A string literal as a chunk, embedded NULs included. */
#define C(s)                                                                                       \
    {                                                                                              \
        (s), sizeof(s) - 1                                                                         \
    }

static void append(char *out, size_t outlen, const char *a, const char *b)
{
    size_t len = strlen(out);
    snprintf(out + len, outlen - len, "%s%s%s", len ? "|" : "", a, b);
}

/* Feeds the chunks in order, as successive reads, and writes down the events:
 * "data TEXT", "ready", "error REASON", and with eof set "eof REASON" or "eof ok". */
static const char *feed(const struct chunk *chunks, size_t n, int eof, struct wire_parser *p,
                        char *out, size_t outlen)
{
    wire_init(p);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t off = 0;
        while (off < chunks[i].len) {
            size_t used = 0;
            enum wire_event ev = wire_next(p, chunks[i].bytes + off, chunks[i].len - off, &used);
            ASSERT_LE(used, chunks[i].len - off);
            off += used;
            if (ev == WIRE_DATA)
                append(out, outlen, "data ", p->text);
            else if (ev == WIRE_READY)
                append(out, outlen, "ready", "");
            else if (ev == WIRE_ERROR)
                append(out, outlen, "error ", p->reason);
            if (ev == WIRE_ERROR || ev == WIRE_MORE)
                break;
        }
    }
    if (eof) {
        const char *why = wire_eof(p);
        append(out, outlen, "eof ", why ? why : "ok");
    }
    return out;
}

#define FEED(eof, expected, ...)                                                                   \
    do {                                                                                           \
        const struct chunk chunks_[] = {__VA_ARGS__};                                              \
        char out_[1024];                                                                           \
        struct wire_parser p_;                                                                     \
        ASSERT_STR_EQ(                                                                             \
            feed(chunks_, sizeof chunks_ / sizeof chunks_[0], eof, &p_, out_, sizeof out_),        \
            expected);                                                                             \
    } while (0)

static void test_framing(void)
{
    /* The lab's client: the number, a pause, then `ready`, as two reads. */
    FEED(0, "data 2|ready", C("2"), C("ready"));
    /* TCP merged both writes. */
    FEED(0, "data 8|ready", C("8ready"));
    FEED(0, "data -2.5e3|ready", C("-2.5e3ready"));
    /* `ready` cut in two, or in five. */
    FEED(0, "data 6|ready", C("6"), C("rea"), C("dy"));
    FEED(0, "data 6|ready", C("6r"), C("e"), C("a"), C("d"), C("y"));
    /* nc sends lines. */
    FEED(0, "data 3|ready", C("3\n"), C("ready\n"));
    FEED(0, "data 3|ready", C("3\nready\n"));
    /* Whitespace around and between, even alone in a read. */
    FEED(0, "data 3|ready", C("  \t3 \r\n"), C("\n \v\f ready \n"));
    FEED(0, "data 4|ready", C(" "), C("\n"), C(" 4"), C(" "), C("ready"));
    FEED(0, "data 4|ready", C("4 ready"));
    /* What follows `ready` is not read: the reply is on its way. */
    FEED(0, "data 3|ready", C("3ready now"));
    /* Data has no delimiter, so a read's end ends it: a second number is a second message. */
    FEED(0, "data 1|error expected 'ready', got '2'", C("1"), C("2"));
}

static void test_bad_data(void)
{
    FEED(0, "error not a number: 'abc'", C("abc"));
    FEED(0, "error not a finite number: 'nan'", C("nan"));
    FEED(0, "error not a finite number: 'NaN'", C("NaN"));
    FEED(0, "error not a finite number: 'inf'", C("inf"));
    FEED(0, "error not a finite number: '-Infinity'", C("-Infinity"));
    FEED(0, "error number out of range: '1e400'", C("1e400"));
    FEED(0, "error number out of range: '-1e400'", C("-1e400\n"));
    FEED(0, "error not a number: '\\x00\\xff\\x01'", C("\x00\xff\x01"));
    FEED(0, "error not a number: '12abc'", C("12abc"));
    FEED(0, "error not a number: '12abcready'", C("12abcready"));
    /* An 'r' ends only a valid number; in junk it is quoted with the rest. */
    FEED(0, "error not a number: 'error'", C("error"));
    FEED(0, "error not a number: 'ready'", C("ready"));
    FEED(0, "error not a number: '0x10'", C("0x10"));
    FEED(0, "error not a number: '1_000'", C("1_000"));
    FEED(0, "error not a number: '\\x27\\x5c'", C("'\\"));
    const char *junk[] = {"1e", ".", "+", "-", "--1", "1..2", "1e+", "e5", ".e1", "1.2.3", "1e5.0"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        char expected[128];
        snprintf(expected, sizeof expected, "error not a number: '%s'", junk[i]);
        struct chunk c = {junk[i], strlen(junk[i])};
        char out[512];
        struct wire_parser p;
        ASSERT_STR_EQ(feed(&c, 1, 0, &p, out, sizeof out), expected);
    }
    /* 64 bytes is the limit. */
    char num[80];
    memset(num, '0', sizeof num);
    num[0] = '1';
    struct chunk at_limit = {num, 64}, over = {num, 65};
    char out[512];
    struct wire_parser p;
    char expected[128];
    snprintf(expected, sizeof expected, "data %.64s", num);
    ASSERT_STR_EQ(feed(&at_limit, 1, 0, &p, out, sizeof out), expected);
    ASSERT_DBL_EQ(p.value, 1e63);
    ASSERT_STR_EQ(feed(&over, 1, 0, &p, out, sizeof out),
                  "error data message longer than 64 bytes: '1000000000000000'...");
    /* Once failed, always failed. */
    FEED(0, "error not a number: 'abc'|error not a number: 'abc'", C("abc"), C("4"));
}

static void test_bad_second_message(void)
{
    FEED(0, "data 3|error expected 'ready', got 'hello'", C("3"), C("hello"));
    FEED(0, "data 3|error expected 'ready', got 'readyX'", C("3"), C("readyX"));
    FEED(0, "data 3|error expected 'ready', got 'readX'", C("3"), C("rea"), C("dX"));
    FEED(0, "data 3|error expected 'ready', got 'rea'", C("3"), C("rea"), C(" dy"));
    FEED(0, "data 3|error expected 'ready', got 'READY'", C("3"), C("READY"));
    FEED(0, "data 12|error expected 'ready', got 'rabc'", C("12rabc"));
    FEED(0, "data 3|error expected 'ready', got 'xxxxxxxxxxxxxxxxxxxxxxxx'...", C("3"),
         C("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
}

static void test_eof(void)
{
    FEED(1, "eof empty data message", C(""));
    FEED(1, "eof empty data message", C(" \n "));
    FEED(1, "data 5|eof connection closed before 'ready'", C("5"));
    FEED(1, "data 5|eof connection closed before 'ready'", C("5"), C("rea"));
    FEED(1, "data 5|ready|eof ok", C("5ready"));
}

static void test_whitespace_limit(void)
{
    static char blanks[1000];
    memset(blanks, ' ', sizeof blanks);
    struct chunk c[5];
    for (size_t i = 0; i < 5; i++)
        c[i] = (struct chunk){blanks, sizeof blanks};
    char out[512];
    struct wire_parser p;
    ASSERT_STR_EQ(feed(c, 5, 0, &p, out, sizeof out),
                  "error more than 4096 bytes without a message");
    ASSERT_STR_EQ(feed(c, 4, 0, &p, out, sizeof out), "");
}

static void test_numbers(void)
{
    struct {
        const char *text;
        double value;
    } ok[] = {
        {"0.1", 0x1.999999999999ap-4},
        {"2.675", 0x1.5666666666666p+1},
        {"+3", 3.0},
        {".5", 0.5},
        {"5.", 5.0},
        {"007", 7.0},
        {"-0", -0.0},
        {"1E-5", 0x1.4f8b588e368f1p-17},
        {"1e-400", 0.0},
        {"4.9e-324", 0x0.0000000000001p-1022},
        {"1.7976931348623157e308", DBL_MAX},
        {"9007199254740993", 0x1p53},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = 42;
        char reason[WIRE_REASON_LEN] = "";
        ASSERT_EQ(wire_parse_number(ok[i].text, strlen(ok[i].text), &v, reason, sizeof reason), 0);
        ASSERT_STR_EQ(reason, "");
        ASSERT_DBL_EQ(v, ok[i].value);
    }
    double v = 42;
    char reason[WIRE_REASON_LEN];
    ASSERT_EQ(wire_parse_number("1.7976931348623159e308", 22, &v, reason, sizeof reason), -1);
    ASSERT_STR_EQ(reason, "number out of range: '1.7976931348623159e308'");
    ASSERT_DBL_EQ(v, 42);
    ASSERT_EQ(wire_parse_number("", 0, &v, reason, sizeof reason), -1);
    ASSERT_STR_EQ(reason, "empty data message");
    /* The length counts, not a NUL. */
    ASSERT_EQ(wire_parse_number("12345", 2, &v, reason, sizeof reason), 0);
    ASSERT_DBL_EQ(v, 12.0);
    /* No reason buffer is fine too. */
    ASSERT_EQ(wire_parse_number("x", 1, &v, NULL, 0), -1);
}

static void test_quote(void)
{
    char out[128];
    ASSERT_STR_EQ(wire_quote("abc", 3, 24, out, sizeof out), "'abc'");
    ASSERT_STR_EQ(wire_quote("a b\n", 4, 24, out, sizeof out), "'a\\x20b\\x0a'");
    ASSERT_STR_EQ(wire_quote("abcdefgh", 8, 4, out, sizeof out), "'abcd'...");
    ASSERT_STR_EQ(wire_quote("", 0, 24, out, sizeof out), "''");
    /* A small buffer cuts, but stays terminated and marked: 11 characters and the NUL. */
    ASSERT_STR_EQ(wire_quote("abcdefgh", 8, 24, out, 12), "'abcdef'...");
}

int main(void)
{
    test_framing();
    test_bad_data();
    test_bad_second_message();
    test_eof();
    test_whitespace_limit();
    test_numbers();
    test_quote();
    return check_done();
}
