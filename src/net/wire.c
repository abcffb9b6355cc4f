/* wire.c - the mean protocol's stream parser (see wire.h for the framing rules). */
#include "wire.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char wire_ready_word[] = "ready";
#define WIRE_READY_LEN (sizeof wire_ready_word - 1)
/* How much of a bad message a reason quotes. */
#define WIRE_QUOTE_MAX 24
#define WIRE_QUOTE_LEN (WIRE_QUOTE_MAX * 4 + 8)

static int wire_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int wire_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void wire_reason(char *reason, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void wire_reason(char *reason, size_t len, const char *fmt, ...)
{
    if (!reason || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, len, fmt, ap);
    va_end(ap);
}

char *wire_quote(const char *bytes, size_t len, size_t max, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i = 0;
    /* Room is kept for the closing quote, "..." and the NUL. */
    if (outlen < 6) {
        if (outlen)
            out[0] = '\0';
        return out;
    }
    out[o++] = '\'';
    for (; i < len && i < max; i++) {
        unsigned char c = (unsigned char)bytes[i];
        int plain = c > ' ' && c < 0x7f && c != '\'' && c != '\\';
        if (o + (plain ? 1 : 4) + 5 > outlen)
            break;
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o++] = '\'';
    if (i < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* Case-insensitive comparison of a counted run of bytes with a lower-case word. */
static int wire_is_word(const char *s, size_t len, const char *word)
{
    if (strlen(word) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

int wire_parse_number(const char *text, size_t len, double *value, char *reason, size_t reason_len)
{
    char quoted[WIRE_QUOTE_LEN];
    if (len == 0) {
        wire_reason(reason, reason_len, "empty data message");
        return -1;
    }
    if (len > WIRE_MAX_DATA) {
        wire_reason(reason, reason_len, "data message longer than %d bytes: %s", WIRE_MAX_DATA,
                    wire_quote(text, len, 16, quoted, sizeof quoted));
        return -1;
    }
    size_t i = 0, digits = 0;
    if (text[i] == '+' || text[i] == '-')
        i++;
    for (; i < len && wire_digit(text[i]); i++)
        digits++;
    if (i < len && text[i] == '.')
        for (i++; i < len && wire_digit(text[i]); i++)
            digits++;
    int ok = digits > 0;
    if (ok && i < len && (text[i] == 'e' || text[i] == 'E')) {
        size_t exp_digits = 0;
        i++;
        if (i < len && (text[i] == '+' || text[i] == '-'))
            i++;
        for (; i < len && wire_digit(text[i]); i++)
            exp_digits++;
        ok = exp_digits > 0;
    }
    if (!ok || i != len) {
        size_t sign = text[0] == '+' || text[0] == '-';
        const char *word = text + sign;
        int special = wire_is_word(word, len - sign, "inf") ||
                      wire_is_word(word, len - sign, "infinity") ||
                      wire_is_word(word, len - sign, "nan");
        wire_reason(reason, reason_len, "%s: %s", special ? "not a finite number" : "not a number",
                    wire_quote(text, len, WIRE_QUOTE_MAX, quoted, sizeof quoted));
        return -1;
    }
    /* strtod needs a terminated string; the grammar above already vetted every byte, and
     * strtod rounds correctly, as Python's float() does. */
    char buf[WIRE_MAX_DATA + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    double v = strtod(buf, NULL);
    if (!isfinite(v)) {
        wire_reason(reason, reason_len, "number out of range: %s",
                    wire_quote(text, len, WIRE_QUOTE_MAX, quoted, sizeof quoted));
        return -1;
    }
    *value = v;
    return 0;
}

void wire_init(struct wire_parser *p)
{
    memset(p, 0, sizeof *p);
    p->phase = WIRE_PHASE_DATA;
}

static enum wire_event wire_fail(struct wire_parser *p)
{
    p->phase = WIRE_PHASE_FAILED;
    return WIRE_ERROR;
}

/* Skips whitespace from *i; fails once more than WIRE_MAX_INPUT bytes have gone by, so a
 * peer cannot keep a connection busy with blanks alone. */
static int wire_skip_space(struct wire_parser *p, const char *chunk, size_t len, size_t *i)
{
    while (*i < len && wire_space((unsigned char)chunk[*i]))
        (*i)++;
    if (p->consumed + *i > WIRE_MAX_INPUT) {
        wire_reason(p->reason, sizeof p->reason, "more than %d bytes without a message",
                    WIRE_MAX_INPUT);
        return -1;
    }
    return 0;
}

static enum wire_event wire_data(struct wire_parser *p, const char *chunk, size_t len, size_t *i)
{
    if (wire_skip_space(p, chunk, len, i) != 0)
        return wire_fail(p);
    if (*i == len)
        return WIRE_MORE;
    size_t start = *i, end = *i;
    while (end < len && !wire_space((unsigned char)chunk[end]) && chunk[end] != 'r' &&
           end - start <= WIRE_MAX_DATA)
        end++;
    double v = 0;
    if (wire_parse_number(chunk + start, end - start, &v, p->reason, sizeof p->reason) != 0) {
        /* An 'r' only ends a valid number ("8ready"); in bad input ("error") it is part of
         * what the reason quotes. */
        size_t run = end;
        while (run < len && !wire_space((unsigned char)chunk[run]))
            run++;
        if (run != end)
            wire_parse_number(chunk + start, run - start, &v, p->reason, sizeof p->reason);
        *i = run;
        return wire_fail(p);
    }
    memcpy(p->text, chunk + start, end - start);
    p->text[end - start] = '\0';
    p->value = v;
    p->phase = WIRE_PHASE_READY;
    *i = end;
    return WIRE_DATA;
}

static enum wire_event wire_ready(struct wire_parser *p, const char *chunk, size_t len, size_t *i)
{
    if (p->ready_len == 0) {
        if (wire_skip_space(p, chunk, len, i) != 0)
            return wire_fail(p);
        if (*i == len)
            return WIRE_MORE;
    }
    while (*i < len && p->ready_len < WIRE_READY_LEN &&
           chunk[*i] == wire_ready_word[p->ready_len]) {
        (*i)++;
        p->ready_len++;
    }
    if (p->ready_len == WIRE_READY_LEN && (*i == len || wire_space((unsigned char)chunk[*i]))) {
        p->phase = WIRE_PHASE_DONE;
        return WIRE_READY;
    }
    if (*i == len)
        return WIRE_MORE;
    /* Quote what was matched (perhaps in earlier chunks) plus the rest of this run. */
    char got[WIRE_QUOTE_MAX + WIRE_READY_LEN];
    size_t n = p->ready_len;
    memcpy(got, wire_ready_word, n);
    size_t end = *i;
    while (end < len && !wire_space((unsigned char)chunk[end]))
        end++;
    size_t more = end - *i;
    if (more > sizeof got - n)
        more = sizeof got - n;
    memcpy(got + n, chunk + *i, more);
    /* wire_quote reads at most WIRE_QUOTE_MAX bytes, all inside got; the full length only
     * tells it whether to mark a cut. */
    char quoted[WIRE_QUOTE_LEN];
    wire_reason(p->reason, sizeof p->reason, "expected 'ready', got %s",
                wire_quote(got, n + (end - *i), WIRE_QUOTE_MAX, quoted, sizeof quoted));
    *i = end;
    return wire_fail(p);
}

enum wire_event wire_next(struct wire_parser *p, const char *chunk, size_t len, size_t *used)
{
    size_t i = 0;
    enum wire_event ev;
    switch (p->phase) {
    case WIRE_PHASE_DATA:
        ev = wire_data(p, chunk, len, &i);
        break;
    case WIRE_PHASE_READY:
        ev = wire_ready(p, chunk, len, &i);
        break;
    case WIRE_PHASE_DONE:
        *used = len;
        return WIRE_MORE;
    default:
        *used = 0;
        return WIRE_ERROR;
    }
    p->consumed += i;
    *used = i;
    return ev;
}

const char *wire_eof(const struct wire_parser *p)
{
    switch (p->phase) {
    case WIRE_PHASE_DATA:
        return "empty data message";
    case WIRE_PHASE_READY:
        return "connection closed before 'ready'";
    case WIRE_PHASE_FAILED:
        return p->reason;
    default:
        return NULL;
    }
}
