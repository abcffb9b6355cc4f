#include "counters.h"

#include "timer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PARLAB_HAVE_PAPI
#include <dlfcn.h>
#include <papi.h>
#include <pthread.h>
#include <sde_lib.h>
#endif

static int counters_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the message into err; returns -1. */
static int counters_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Resolves the list (argument, then $PARLAB_EVENTS, then the default) into spec->names;
 * `joined` receives the names comma-separated, for notes. *source says where the list came
 * from ("--events" or the variable's name), so that every message about it names what to
 * fix. Returns 0, or -1 with the message in err. */
static int counters_take_list(struct counters_spec *spec, const char *list, char *joined,
                              size_t joined_len, const char **source, char *err, size_t errlen)
{
    *source = "--events";
    memset(spec, 0, sizeof *spec);
    joined[0] = '\0';
    if (!list && (list = getenv(COUNTERS_ENV)) != NULL)
        *source = COUNTERS_ENV;
    if (!list)
        list = COUNTERS_DEFAULT_LIST;
    if (strcmp(list, "none") == 0)
        return 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= COUNTERS_NAME_LEN)
            return counters_fail(err, errlen, "%s: bad event name in '%s'", *source, list);
        if (spec->count == COUNTERS_MAX_EVENTS)
            return counters_fail(err, errlen, "%s: more than %d events in '%s'", *source,
                                 COUNTERS_MAX_EVENTS, list);
        memcpy(spec->names[spec->count], p, len);
        spec->names[spec->count][len] = '\0';
        spec->count++;
        p += len;
        if (*p == ',')
            p++;
    }
    snprintf(joined, joined_len, "%s", list);
    return 0;
}

/* A program's count may be written by other threads (atomically) while this reads it. */
static uint64_t counters_peek(const uint64_t *value)
{
    return __atomic_load_n(value, __ATOMIC_RELAXED);
}

/* The state both builds start a measurement from; no slot is counted yet. */
static void counters_reset(struct counters *c, const struct counters_spec *spec,
                           const char *library, const struct counters_sde *sde, unsigned sde_count)
{
    memset(c, 0, sizeof *c);
    c->spec = spec;
    c->library = library;
    c->sde = sde;
    c->sde_count = sde_count;
    for (unsigned i = 0; i < COUNTERS_MAX_EVENTS; i++)
        c->hw_slot[i] = -1;
    for (unsigned i = 0; i < COUNTERS_MAX_SDE; i++)
        c->sde_slot[i] = -1;
    for (unsigned i = 0; i < sde_count; i++)
        c->sde_base[i] = counters_peek(sde[i].value);
}

#ifdef PARLAB_HAVE_PAPI

/* PAPI is opened when a run first asks for counters, never at start-up: linked in, it would
 * bring libpfm, whose event tables (some 40,000 pointers) the dynamic loader relocates at
 * every start, a few milliseconds that a run without --metrics would pay for nothing. Every
 * PAPI and SDE call goes through these pointers, set all together or not at all. */
static struct {
    __typeof__(PAPI_is_initialized) *is_initialized;
    __typeof__(PAPI_library_init) *library_init;
    __typeof__(PAPI_shutdown) *shutdown;
    __typeof__(PAPI_strerror) *strerror;
    __typeof__(PAPI_get_real_nsec) *get_real_nsec;
    __typeof__(PAPI_get_virt_nsec) *get_virt_nsec;
    __typeof__(PAPI_create_eventset) *create_eventset;
    __typeof__(PAPI_cleanup_eventset) *cleanup_eventset;
    __typeof__(PAPI_destroy_eventset) *destroy_eventset;
    __typeof__(PAPI_assign_eventset_component) *assign_eventset_component;
    __typeof__(PAPI_set_opt) *set_opt;
    __typeof__(PAPI_event_name_to_code) *event_name_to_code;
    __typeof__(PAPI_add_event) *add_event;
    __typeof__(PAPI_add_named_event) *add_named_event;
    __typeof__(PAPI_start) *start;
    __typeof__(PAPI_read) *read;
    __typeof__(PAPI_stop) *stop;
    __typeof__(papi_sde_init) *sde_init;
    __typeof__(papi_sde_register_counter) *sde_register_counter;
} papi;

static pthread_once_t counters_once = PTHREAD_ONCE_INIT;
static int counters_loaded;                /* 1 once every pointer in papi is set */
static char counters_load_error[512] = ""; /* why not, as the loader said it */

/* dlsym hands back functions as object pointers; POSIX guarantees they are the same size. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers fit a void *");

/* Each function counters.c calls, by name, with where its pointer goes. */
struct counters_fn {
    const char *name;
    void *slot;
};
/* clang-format off */
#define COUNTERS_FN(field, name) {#name, (void *)&papi.field}
/* clang-format on */
static const struct counters_fn counters_papi_fns[] = {
    COUNTERS_FN(is_initialized, PAPI_is_initialized),
    COUNTERS_FN(library_init, PAPI_library_init),
    COUNTERS_FN(shutdown, PAPI_shutdown),
    COUNTERS_FN(strerror, PAPI_strerror),
    COUNTERS_FN(get_real_nsec, PAPI_get_real_nsec),
    COUNTERS_FN(get_virt_nsec, PAPI_get_virt_nsec),
    COUNTERS_FN(create_eventset, PAPI_create_eventset),
    COUNTERS_FN(cleanup_eventset, PAPI_cleanup_eventset),
    COUNTERS_FN(destroy_eventset, PAPI_destroy_eventset),
    COUNTERS_FN(assign_eventset_component, PAPI_assign_eventset_component),
    COUNTERS_FN(set_opt, PAPI_set_opt),
    COUNTERS_FN(event_name_to_code, PAPI_event_name_to_code),
    COUNTERS_FN(add_event, PAPI_add_event),
    COUNTERS_FN(add_named_event, PAPI_add_named_event),
    COUNTERS_FN(start, PAPI_start),
    COUNTERS_FN(read, PAPI_read),
    COUNTERS_FN(stop, PAPI_stop),
};
static const struct counters_fn counters_sde_fns[] = {
    COUNTERS_FN(sde_init, papi_sde_init),
    COUNTERS_FN(sde_register_counter, papi_sde_register_counter),
};

/* dlsym hands back functions as object pointers; POSIX guarantees they are the same size. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers fit a void *");

/* Opens one of PAPI's libraries and sets the pointers of its `n` functions `fns`; 0, or -1
 * with the loader's reason kept. */
static int counters_open(const char *name, const struct counters_fn *fns, size_t n)
{
    /* Global, as if linked: PAPI's SDE component looks libsde's tool interface up in the
     * global scope when PAPI starts (and libsde looks for PAPI's overflow hooks the same
     * way), so both must be there before PAPI_library_init. Bound now: a library missing a
     * symbol fails here, with the loader's reason in the note, not in the middle of a run;
     * binding lazily measured no faster. */
    void *library = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    const char *why = library ? NULL : dlerror();
    for (size_t i = 0; library && !why && i < n; i++) {
        void *symbol = dlsym(library, fns[i].name);
        if (symbol)
            memcpy(fns[i].slot, &symbol, sizeof symbol); /* POSIX's cast; ISO C has none */
        else
            why = dlerror();
    }
    if (!why)
        return 0;
    snprintf(counters_load_error, sizeof counters_load_error, "%s", why);
    return -1;
}

static void counters_load_once(void)
{
    const char *name = getenv(COUNTERS_LIBRARY_ENV);
    if (!name || !*name)
        name = PARLAB_PAPI_SONAME;
    if (counters_open(PARLAB_SDE_SONAME, counters_sde_fns,
                      sizeof counters_sde_fns / sizeof *counters_sde_fns) == 0 &&
        counters_open(name, counters_papi_fns,
                      sizeof counters_papi_fns / sizeof *counters_papi_fns) == 0) {
        counters_loaded = 1;
        return;
    }
    /* Half a PAPI is none: what opened stays mapped (unloading PAPI is not safe), unused. */
    memset(&papi, 0, sizeof papi);
}

/* Why PAPI did not open; a function, so that the compiler sees no fixed length to warn of
 * when a note quotes it. */
static const char *counters_load_reason(void)
{
    return counters_load_error;
}

/* 1 when PAPI is open (opening it on the first call). */
static int counters_load(void)
{
    pthread_once(&counters_once, counters_load_once);
    return counters_loaded;
}

int counters_have_papi(void)
{
    return counters_load();
}

/* PAPI's real and virtual clocks while PAPI runs; the same clocks from timer.h otherwise. */
static uint64_t counters_wall_ns(void)
{
    return counters_loaded && papi.is_initialized() ? (uint64_t)papi.get_real_nsec()
                                                    : timer_wall_ns();
}

static uint64_t counters_cpu_ns(void)
{
    return counters_loaded && papi.is_initialized() ? (uint64_t)papi.get_virt_nsec()
                                                    : timer_cpu_ns();
}

/* Starts the opened PAPI: 0, or PAPI's error code. */
static int counters_init_papi(void)
{
    if (papi.is_initialized())
        return 0;
    int rc = papi.library_init(PAPI_VER_CURRENT);
    return rc == PAPI_VER_CURRENT ? 0 : rc;
}

/* Inheritance is a property of the CPU component's event set: bind the set to it first. */
static int counters_set_inherit(int eventset)
{
    if (papi.assign_eventset_component(eventset, 0) != PAPI_OK)
        return -1;
    PAPI_option_t opt;
    memset(&opt, 0, sizeof opt);
    opt.inherit.eventset = eventset;
    opt.inherit.inherit = PAPI_INHERIT_ALL;
    return papi.set_opt(PAPI_INHERIT, &opt) == PAPI_OK ? 0 : -1;
}

int counters_parse_events(struct counters_spec *spec, const char *list, char *err, size_t errlen)
{
    char names[COUNTERS_MAX_EVENTS * COUNTERS_NAME_LEN];
    const char *source;
    if (counters_take_list(spec, list, names, sizeof names, &source, err, errlen) != 0)
        return -1;
    if (spec->count == 0)
        return 0;

    /* Where PAPI will not open or start, the names cannot be checked: taken as given. */
    int rc = counters_load() ? counters_init_papi() : 0;
    if (!counters_loaded || rc != 0) {
        snprintf(spec->note, sizeof spec->note,
                 "not counted on this machine: %s (PAPI: %s); their cells are empty", names,
                 counters_loaded ? papi.strerror(rc) : counters_load_reason());
        return 0;
    }
    char missing[256] = "", reason[128] = "";
    int eventset = PAPI_NULL;
    papi.create_eventset(&eventset);
    for (unsigned i = 0; i < spec->count; i++) {
        int code;
        if (papi.event_name_to_code(spec->names[i], &code) != PAPI_OK) {
            papi.cleanup_eventset(eventset);
            papi.destroy_eventset(&eventset);
            papi.shutdown();
            return counters_fail(err, errlen,
                                 "%s: unknown event '%s' (papi_avail and papi_native_avail "
                                 "list the names)",
                                 source, spec->names[i]);
        }
        /* Each event is added on its own so one the machine cannot count spares the rest. */
        int add = papi.add_event(eventset, code);
        if (add != PAPI_OK) {
            if (*missing)
                strncat(missing, ",", sizeof missing - strlen(missing) - 1);
            strncat(missing, spec->names[i], sizeof missing - strlen(missing) - 1);
            snprintf(reason, sizeof reason, "%s", papi.strerror(add));
        }
    }
    papi.cleanup_eventset(eventset);
    papi.destroy_eventset(&eventset);
    if (*missing)
        snprintf(spec->note, sizeof spec->note,
                 "not counted on this machine: %s (PAPI: %s); their cells are empty", missing,
                 reason);
    /* A PAPI started here would be inherited half-working by fork()ed workers. */
    papi.shutdown();
    return 0;
}

/* Drops an event set that counts nothing or will not start. */
static void counters_discard(int *set)
{
    if (*set == PAPI_NULL)
        return;
    papi.cleanup_eventset(*set);
    papi.destroy_eventset(set);
    *set = PAPI_NULL;
}

static void counters_launch(int *set, unsigned used)
{
    if (*set != PAPI_NULL && (used == 0 || papi.start(*set) != PAPI_OK))
        counters_discard(set);
}

void counters_start(struct counters *c, const struct counters_spec *spec, const char *library,
                    const struct counters_sde *sde, unsigned sde_count)
{
    counters_reset(c, spec, library, sde, sde_count);
    c->hw_set = c->sde_set = PAPI_NULL;

    /* Without PAPI nothing could read the SDEs: the values are then read from memory. */
    if (counters_load()) {
        papi_handle_t handle = papi.sde_init(library);
        for (unsigned i = 0; i < sde_count; i++)
            papi.sde_register_counter(handle, sde[i].name,
                                      PAPI_SDE_RO |
                                          (sde[i].gauge ? PAPI_SDE_INSTANT : PAPI_SDE_DELTA),
                                      PAPI_SDE_long_long, sde[i].value);
    }
    if (counters_loaded && counters_init_papi() == 0) {
        unsigned used = 0;
        if (spec->count && papi.create_eventset(&c->hw_set) == PAPI_OK &&
            (!spec->inherit || counters_set_inherit(c->hw_set) == 0)) {
            for (unsigned i = 0; i < spec->count; i++)
                if (papi.add_named_event(c->hw_set, spec->names[i]) == PAPI_OK)
                    c->hw_slot[i] = (int)used++;
        }
        counters_launch(&c->hw_set, used);
        used = 0;
        if (sde_count && papi.create_eventset(&c->sde_set) == PAPI_OK) {
            char name[COUNTERS_NAME_LEN * 2];
            for (unsigned i = 0; i < sde_count; i++) {
                snprintf(name, sizeof name, "sde:::%s::%s", library, sde[i].name);
                if (papi.add_named_event(c->sde_set, name) == PAPI_OK)
                    c->sde_slot[i] = (int)used++;
            }
        }
        counters_launch(&c->sde_set, used);
    }
    c->wall0 = counters_wall_ns();
    c->cpu0 = counters_cpu_ns();
}

/* Reads (or stops) one event set into values; 1 when it produced them. */
static int counters_take(int set, long long *values, int stop)
{
    if (set == PAPI_NULL)
        return 0;
    return (stop ? papi.stop(set, values) : papi.read(set, values)) == PAPI_OK;
}

static void counters_collect(struct counters *c, struct counters_result *out, int stop)
{
    long long hw[COUNTERS_MAX_EVENTS] = {0}, sde[COUNTERS_MAX_SDE] = {0};
    int hw_ok = counters_take(c->hw_set, hw, stop);
    int sde_ok = counters_take(c->sde_set, sde, stop);
    memset(out, 0, sizeof *out);
    out->wall_ns = counters_wall_ns() - c->wall0;
    out->cpu_ns = counters_cpu_ns() - c->cpu0;
    out->hw_count = c->spec->count;
    for (unsigned i = 0; i < c->spec->count; i++) {
        out->hw_valid[i] = hw_ok && c->hw_slot[i] >= 0;
        out->hw[i] = out->hw_valid[i] ? hw[c->hw_slot[i]] : 0;
    }
    out->sde_count = c->sde_count;
    for (unsigned i = 0; i < c->sde_count; i++) {
        /* Read through PAPI when the event set took the SDE; else straight from memory. */
        out->sde_via_papi[i] = sde_ok && c->sde_slot[i] >= 0;
        if (out->sde_via_papi[i])
            out->sde[i] = sde[c->sde_slot[i]];
        else
            out->sde[i] = (long long)(counters_peek(c->sde[i].value) -
                                      (c->sde[i].gauge ? 0 : c->sde_base[i]));
    }
}

void counters_read(struct counters *c, struct counters_result *out)
{
    counters_collect(c, out, 0);
}

void counters_stop(struct counters *c, struct counters_result *out)
{
    counters_collect(c, out, 1);
    counters_discard(&c->hw_set);
    counters_discard(&c->sde_set);
}

#else /* built without PAPI: the program's own counts, no hardware events */

int counters_have_papi(void)
{
    return 0;
}

int counters_parse_events(struct counters_spec *spec, const char *list, char *err, size_t errlen)
{
    char names[COUNTERS_MAX_EVENTS * COUNTERS_NAME_LEN];
    const char *source;
    if (counters_take_list(spec, list, names, sizeof names, &source, err, errlen) != 0)
        return -1;
    /* Without PAPI the names cannot be checked either: they are taken as given. */
    if (spec->count)
        snprintf(spec->note, sizeof spec->note,
                 "not counted: %s (built without PAPI); their cells are empty", names);
    return 0;
}

void counters_start(struct counters *c, const struct counters_spec *spec, const char *library,
                    const struct counters_sde *sde, unsigned sde_count)
{
    counters_reset(c, spec, library, sde, sde_count);
    c->wall0 = timer_wall_ns();
    c->cpu0 = timer_cpu_ns();
}

void counters_read(struct counters *c, struct counters_result *out)
{
    memset(out, 0, sizeof *out);
    out->wall_ns = timer_wall_ns() - c->wall0;
    out->cpu_ns = timer_cpu_ns() - c->cpu0;
    out->hw_count = c->spec->count;
    out->sde_count = c->sde_count;
    for (unsigned i = 0; i < c->sde_count; i++)
        out->sde[i] =
            (long long)(counters_peek(c->sde[i].value) - (c->sde[i].gauge ? 0 : c->sde_base[i]));
}

void counters_stop(struct counters *c, struct counters_result *out)
{
    counters_read(c, out);
}

#endif

void counters_inherit(struct counters_spec *spec)
{
    spec->inherit = 1;
}

void counters_add(struct counters_result *a, const struct counters_result *b)
{
    int first = a->hw_count == 0; /* an empty total takes b's validity as it is */
    a->wall_ns += b->wall_ns;
    a->cpu_ns += b->cpu_ns;
    a->hw_count = b->hw_count;
    for (unsigned i = 0; i < b->hw_count; i++) {
        a->hw_valid[i] = (first || a->hw_valid[i]) && b->hw_valid[i];
        a->hw[i] += b->hw[i];
    }
    a->sde_count = b->sde_count;
    for (unsigned i = 0; i < b->sde_count; i++)
        a->sde[i] += b->sde[i];
}
