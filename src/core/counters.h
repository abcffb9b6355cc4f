/* counters.h - the one PAPI wrapper every parlab program measures itself with.
 *
 * Hardware events (PAPI presets or native names) are counted where the machine can count
 * them; where it cannot (a VM without a PMU, perf_event_paranoid too strict) their cells stay
 * empty and one note says why. parlab's own software-defined events are published through
 * PAPI SDE and read back through an ordinary PAPI event set, exactly as an outside PAPI tool
 * would read them. Built without PAPI, the same API counts SDE values directly and reports
 * every hardware event as unavailable.
 *
 * PAPI (and libsde) are opened by the first call that needs them, counters_parse_events with
 * a non-empty list or counters_start, so a program that measures nothing never loads them.
 * Where they will not open, it goes as on a machine that cannot count: software values read
 * from memory, hardware cells empty, the loader's reason in the note. */
#ifndef PARLAB_COUNTERS_H
#define PARLAB_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#define COUNTERS_MAX_EVENTS   16
#define COUNTERS_MAX_SDE      24
#define COUNTERS_NAME_LEN     128
#define COUNTERS_DEFAULT_LIST "PAPI_TOT_INS,PAPI_TOT_CYC,PAPI_L1_DCM,PAPI_BR_MSP"
#define COUNTERS_ENV          "PARLAB_EVENTS"
/* The PAPI library to open instead of the one the build found (a path, or a name for the
 * dynamic loader to look up), e.g. a PAPI built by hand. */
#define COUNTERS_LIBRARY_ENV "PARLAB_PAPI_LIBRARY"
/* Room for a message quoting a whole event list. */
#define COUNTERS_ERR_LEN 4096

/* The hardware events a run asked for, validated once (in the parent, before any fork). */
struct counters_spec {
    unsigned count;
    char names[COUNTERS_MAX_EVENTS][COUNTERS_NAME_LEN];
    int inherit; /* count threads created after the start too (a server's connections) */
    /* Why some events are not counted; empty if all are. Nothing here prints it: a
     * program's front end shows it to the user. */
    char note[COUNTERS_MAX_EVENTS * COUNTERS_NAME_LEN + 256];
};

/* A software-defined event: `value` is where the program keeps its count. */
struct counters_sde {
    const char *name;
    uint64_t *value;
    int gauge; /* 1: read the value as it is (e.g. connections active); 0: growth since start */
};

/* What one measured region produced. */
struct counters_result {
    uint64_t wall_ns;
    uint64_t cpu_ns;
    unsigned hw_count;
    int hw_valid[COUNTERS_MAX_EVENTS];
    long long hw[COUNTERS_MAX_EVENTS];
    unsigned sde_count;
    long long sde[COUNTERS_MAX_SDE];
    int sde_via_papi[COUNTERS_MAX_SDE]; /* 1 where the value was read through a PAPI event set */
};

/* A measurement running in one process. */
struct counters {
    const struct counters_spec *spec;
    const char *library;
    const struct counters_sde *sde;
    unsigned sde_count;
    /* PAPI binds an event set to one component: hardware events and SDEs need one each. */
    int hw_set, sde_set;
    int hw_slot[COUNTERS_MAX_EVENTS]; /* position in hw_set, -1 when not counted */
    int sde_slot[COUNTERS_MAX_SDE];   /* position in sde_set, -1 when not read through PAPI */
    uint64_t sde_base[COUNTERS_MAX_SDE];
    uint64_t wall0, cpu0;
};

/* Parses a comma-separated event list: `list` if given, else $PARLAB_EVENTS, else the
 * default. "" or "none" asks for no hardware events. Returns 0, or -1 with a message in err
 * naming where the list came from ("--events: unknown event 'X' ..." or "PARLAB_EVENTS: ...")
 * for a malformed list or an unknown name: a usage error. Leaves PAPI shut down, so
 * fork()ed children start it afresh. */
int counters_parse_events(struct counters_spec *spec, const char *list, char *err, size_t errlen);

/* Asks that hardware events also count the threads the process creates after the start;
 * where the machine cannot do that, hardware events are left uncounted. */
void counters_inherit(struct counters_spec *spec);

/* Publishes `sde` under PAPI SDE library `library` and starts counting in this process.
 * `sde` is kept, not copied: it must outlive counters_stop. */
void counters_start(struct counters *c, const struct counters_spec *spec, const char *library,
                    const struct counters_sde *sde, unsigned sde_count);

/* Reads everything without stopping (for periodic rows). */
void counters_read(struct counters *c, struct counters_result *out);

/* Reads everything and stops. */
void counters_stop(struct counters *c, struct counters_result *out);

/* Adds b into a (hardware cells stay valid only where both are). */
void counters_add(struct counters_result *a, const struct counters_result *b);

/* 1 when events are read through PAPI: built with it, and the library opens (this opens it
 * if nothing has yet). */
int counters_have_papi(void);

#endif
