/* tally.c - counting and merging a run's outcomes. */
#include "tally.h"

#include <stdio.h>
#include <string.h>

static const char *const tally_names[TALLY_KINDS] = {"connect", "write", "read",
                                                     "timeout", "reply", "unparsable"};

void tally_init(struct tally *t)
{
    memset(t, 0, sizeof *t);
    hist_init(&t->latency);
}

const char *tally_kind_name(enum tally_kind kind)
{
    return tally_names[kind];
}

static void tally_reply_add(struct tally *t, const char *text, uint64_t count)
{
    for (int i = 0; i < TALLY_REPLY_TEXTS; i++) {
        struct tally_reply *r = &t->replies[i];
        if (r->count == 0) {
            snprintf(r->text, sizeof r->text, "%s", text);
            r->count = count;
            return;
        }
        if (strncmp(r->text, text, sizeof r->text - 1) == 0) {
            r->count += count;
            return;
        }
    }
    t->replies_other += count;
}

void tally_merge(struct tally *into, const struct tally *from)
{
    hist_merge(&into->latency, &from->latency);
    into->sessions += from->sessions;
    for (int k = 0; k < TALLY_KINDS; k++) {
        into->errors[k] += from->errors[k];
        if (into->first[k][0] == '\0')
            memcpy(into->first[k], from->first[k], sizeof into->first[k]);
    }
    for (int i = 0; i < TALLY_REPLY_TEXTS && from->replies[i].count; i++)
        tally_reply_add(into, from->replies[i].text, from->replies[i].count);
    into->replies_other += from->replies_other;
    if (from->last_ns > into->last_ns)
        into->last_ns = from->last_ns;
    into->value_sum += from->value_sum;
    into->value_abs_sum = into->value_abs_sum + from->value_abs_sum < into->value_abs_sum
                              ? UINT64_MAX
                              : into->value_abs_sum + from->value_abs_sum;
    into->value_count += from->value_count;
    into->uncertain += from->uncertain;
}

void tally_ok(struct tally *t, uint64_t latency_ns)
{
    t->sessions++;
    hist_record(&t->latency, latency_ns);
}

void tally_error(struct tally *t, enum tally_kind kind, const char *why)
{
    t->errors[kind]++;
    if (t->first[kind][0] == '\0')
        snprintf(t->first[kind], sizeof t->first[kind], "%s", why);
    if (kind == TALLY_REPLY)
        tally_reply_add(t, why, 1);
}

void tally_value(struct tally *t, int64_t value)
{
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    /* Past 2**62 the sum could wrap; --verify gives up long before (2**53). */
    if (t->value_abs_sum > (1ull << 62) || mag > (1ull << 62)) {
        t->value_abs_sum = UINT64_MAX;
    } else {
        t->value_abs_sum += mag;
        t->value_sum += value;
    }
    t->value_count++;
}

uint64_t tally_errors(const struct tally *t)
{
    uint64_t n = 0;
    for (int k = 0; k < TALLY_KINDS; k++)
        n += t->errors[k];
    return n;
}
