/* wire.h - the incremental parser for the mean protocol's byte stream. Pure: no I/O, no
 * clock, no allocation, so servers, the client, unit tests and the fuzzer all drive it.
 *
 * A conversation is a data message, then `ready`. The lab's client sends str(number) with no
 * delimiter, pauses, then sends `ready`; TCP may merge or split those writes. So:
 * - leading ASCII whitespace (space, \t, \n, \v, \f, \r) is skipped before each message;
 * - the data message is the run of bytes up to whitespace, the `r` of a following `ready`
 *   ("8ready"), or the end of the chunk that brought it: data has no delimiter, so the
 *   bytes one read returns are the whole message (the server answers before `ready`);
 * - `ready` may arrive in pieces ("rea" + "dy") and ends at whitespace or a chunk's end.
 * Every chunk passed to wire_next() must be the rest of one read, in order. */
#ifndef PARLAB_WIRE_H
#define PARLAB_WIRE_H

#include <stddef.h>

#define WIRE_MAX_DATA   64   /* longest data message, bytes */
#define WIRE_MAX_INPUT  4096 /* bytes accepted before `ready` completes, whitespace included */
#define WIRE_REASON_LEN 128

enum wire_event {
    WIRE_MORE,  /* the chunk is used up; read more */
    WIRE_DATA,  /* a data message: value and text are set */
    WIRE_READY, /* `ready`: the conversation is complete */
    WIRE_ERROR, /* bad input: reason is set; the parser stays in error */
};

enum wire_phase { WIRE_PHASE_DATA, WIRE_PHASE_READY, WIRE_PHASE_DONE, WIRE_PHASE_FAILED };

struct wire_parser {
    enum wire_phase phase;
    unsigned ready_len;           /* bytes of "ready" matched so far */
    size_t consumed;              /* bytes taken so far, for WIRE_MAX_INPUT */
    double value;                 /* the data message's value, after WIRE_DATA */
    char text[WIRE_MAX_DATA + 1]; /* the data message as sent, after WIRE_DATA */
    char reason[WIRE_REASON_LEN]; /* why, after WIRE_ERROR */
};

void wire_init(struct wire_parser *p);

/* Parses from the start of chunk until the next event; *used says how many bytes that took.
 * Call again with the rest of the chunk until it returns WIRE_MORE (after WIRE_READY the
 * remaining bytes are not looked at). */
enum wire_event wire_next(struct wire_parser *p, const char *chunk, size_t len, size_t *used);

/* The peer closed its side. Returns why that is a problem ("empty data message" before any
 * data, "connection closed before 'ready'" after it), or NULL once `ready` has arrived. */
const char *wire_eof(const struct wire_parser *p);

/* Strictly parses a data message: an optional sign, decimal digits with an optional point,
 * an optional exponent; nothing else (no hex, inf, nan or underscores). Returns 0 with
 * *value set, or -1 with reason naming the bad value ("not a number: 'abc'",
 * "not a finite number: 'inf'", "number out of range: '1e400'"). */
int wire_parse_number(const char *text, size_t len, double *value, char *reason, size_t reason_len);

/* Quotes up to max bytes as '...', escaping quotes, backslashes and non-printable bytes
 * as \xNN, and marking a cut with "...". Returns out. */
char *wire_quote(const char *bytes, size_t len, size_t max, char *out, size_t outlen);

#endif
