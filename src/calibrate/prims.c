#include "prims.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A new row at the end of t; NULL with err set when the table is full. */
static struct prims_row *prims_add(struct prims_table *t, const char *primitive,
                                   const char *variant, const char *unit, char *err, size_t errlen)
{
    if (t->count == PRIMS_MAX_ROWS) {
        snprintf(err, errlen, "%s: more than %d rows", primitive, PRIMS_MAX_ROWS);
        return NULL;
    }
    struct prims_row *row = &t->rows[t->count++];
    memset(row, 0, sizeof *row);
    row->primitive = primitive;
    snprintf(row->variant, sizeof row->variant, "%s", variant);
    row->unit = unit;
    return row;
}

/* The note as formatted, with any comma made a semicolon: a note is one CSV cell, kept
 * unquoted so that every reader splits the line alike. */
static void prims_note(struct prims_row *row, const char *fmt, va_list ap)
{
    vsnprintf(row->note, sizeof row->note, fmt, ap);
    for (char *p = row->note; (p = strchr(p, ',')) != NULL;)
        *p = ';';
}

int prims_sample(const struct prims_env *env, struct prims_table *t, const char *primitive,
                 const char *variant, const char *unit, double per, sample_fn fn, void *ctx,
                 char *err, size_t errlen, const char *fmt, ...)
{
    struct prims_row *row = prims_add(t, primitive, variant, unit, err, errlen);
    if (!row)
        return -1;
    char why[256];
    if (sample_measure(env->plan, fn, ctx, per, &row->stats, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s %s: %s", primitive, variant, why);
        t->count--;
        return -1;
    }
    row->measured = 1;
    va_list ap;
    va_start(ap, fmt);
    prims_note(row, fmt, ap);
    va_end(ap);
    size_t used = strlen(row->note);
    snprintf(row->note + used, sizeof row->note - used, "; %llu per sample",
             (unsigned long long)row->stats.batch);
    used = strlen(row->note);
    if (row->stats.attempts > 1)
        snprintf(row->note + used, sizeof row->note - used, "; the narrowest of %u sets of samples",
                 row->stats.attempts);
    return 0;
}

int prims_skip(struct prims_table *t, const char *primitive, const char *variant, const char *unit,
               char *err, size_t errlen, const char *fmt, ...)
{
    struct prims_row *row = prims_add(t, primitive, variant, unit, err, errlen);
    if (!row)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    prims_note(row, fmt, ap);
    va_end(ap);
    return 0;
}
