/* fuzz_wire - libFuzzer target for the stream parser. The first input byte decides how the
 * rest is cut into reads (as TCP might cut it); whatever the bytes and the cuts, the parser
 * must keep its promises: at most one data message and then at most one `ready`, a data
 * value that is finite and reads back the same from its text and from its Python repr,
 * printable reasons, errors that stick, and never a byte taken twice or out of bounds. */
#include "pyfloat.h"
#include "wire.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static void check_data(const struct wire_parser *p)
{
    size_t len = strlen(p->text);
    require(len > 0 && len <= WIRE_MAX_DATA);
    require(isfinite(p->value));
    double again = NAN;
    require(wire_parse_number(p->text, len, &again, NULL, 0) == 0);
    require(memcmp(&again, &p->value, sizeof again) == 0);
    char repr[PYFLOAT_LEN];
    size_t rlen = pyfloat_format(p->value, repr);
    require(rlen == strlen(repr) && rlen < PYFLOAT_LEN);
    double back = NAN;
    require(wire_parse_number(repr, rlen, &back, NULL, 0) == 0);
    require(memcmp(&back, &p->value, sizeof back) == 0);
}

static void check_reason(const char *reason)
{
    require(reason[0] != '\0');
    for (const char *c = reason; *c; c++)
        require(*c >= ' ' && *c < 0x7f);
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
            require(used <= len - used_total);
            used_total += used;
            if (ev == WIRE_DATA) {
                require(++datas == 1 && readies == 0);
                check_data(&p);
                continue;
            }
            if (ev == WIRE_READY) {
                require(datas == 1 && ++readies == 1);
                continue;
            }
            if (ev == WIRE_ERROR) {
                check_reason(p.reason);
                failed = 1;
            } else {
                require(used_total == len);
            }
            break;
        }
        off += len;
    }
    if (failed) {
        size_t used = 0;
        require(wire_next(&p, "ready", 5, &used) == WIRE_ERROR && used == 0);
    }
    const char *why = wire_eof(&p);
    require((why == NULL) == (readies == 1 && !failed));
    if (why)
        check_reason(why);
    require(p.consumed <= size);
    return 0;
}
