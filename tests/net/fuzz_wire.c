/* fuzz_wire - libFuzzer target for the stream parser. The first input byte decides how the
 * rest is cut into reads (as TCP might cut it); whatever the bytes and the cuts, the parser
 * must keep its promises: at most one data message and then at most one `ready`, a data
 * value that is finite and reads back the same from its text and from its Python repr,
 * printable reasons, errors that stick, and never a byte taken twice or out of bounds. A
 * broken promise is a REQUIRE: it prints the values and aborts, which libFuzzer reports as a
 * crash and keeps the input for. */
#include "check.h"
#include "pyfloat.h"
#include "wire.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_data(const struct wire_parser *p)
{
    size_t len = strlen(p->text);
    REQUIRE_GT(len, 0);
    REQUIRE_LE(len, WIRE_MAX_DATA);
    REQUIRE(isfinite(p->value));
    double again = NAN;
    REQUIRE_EQ(wire_parse_number(p->text, len, &again, NULL, 0), 0);
    REQUIRE_DBL_EQ(again, p->value);
    char repr[PYFLOAT_LEN];
    size_t rlen = pyfloat_format(p->value, repr);
    REQUIRE_EQ(rlen, strlen(repr));
    REQUIRE_LT(rlen, PYFLOAT_LEN);
    double back = NAN;
    REQUIRE_EQ(wire_parse_number(repr, rlen, &back, NULL, 0), 0);
    REQUIRE_DBL_EQ(back, p->value);
}

static void check_reason(const char *reason)
{
    REQUIRE_NE(reason[0], '\0');
    for (const char *c = reason; *c; c++) {
        REQUIRE_GE(*c, ' ');
        REQUIRE_LT(*c, 0x7f);
    }
}

/* Read sizes from 1 to 16 bytes, or everything left when the seed says so. */
static size_t next_cut(uint32_t *state, size_t left)
{
    *state = *state * 1103515245u + 12345u;
    size_t cut = (*state >> 16) % 17;
    return cut == 0 || cut > left ? left : cut;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint32_t state = data[0];
    const char *bytes = (const char *)data + 1;
    size -= 1;

    struct wire_parser p;
    wire_init(&p);
    int datas = 0, readies = 0, failed = 0;
    size_t off = 0;
    while (off < size && !failed) {
        size_t len = next_cut(&state, size - off);
        size_t used_total = 0;
        while (used_total < len) {
            size_t used = (size_t)-1;
            enum wire_event ev = wire_next(&p, bytes + off + used_total, len - used_total, &used);
            REQUIRE_LE(used, len - used_total);
            used_total += used;
            if (ev == WIRE_DATA) {
                REQUIRE_EQ(++datas, 1);
                REQUIRE_EQ(readies, 0);
                check_data(&p);
                continue;
            }
            if (ev == WIRE_READY) {
                REQUIRE_EQ(datas, 1);
                REQUIRE_EQ(++readies, 1);
                continue;
            }
            if (ev == WIRE_ERROR) {
                check_reason(p.reason);
                failed = 1;
            } else {
                REQUIRE_EQ(used_total, len);
            }
            break;
        }
        off += len;
    }
    if (failed) {
        size_t used = 0;
        REQUIRE_EQ(wire_next(&p, "ready", 5, &used), WIRE_ERROR);
        REQUIRE_EQ(used, 0);
    }
    const char *why = wire_eof(&p);
    REQUIRE_EQ(why == NULL, readies == 1 && !failed);
    if (why)
        check_reason(why);
    REQUIRE_LE(p.consumed, size);
    return 0;
}
