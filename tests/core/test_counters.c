/* The PAPI wrapper: software-defined events read through PAPI equal the program's own
 * counts; unavailable hardware events leave invalid cells, never a failure; PAPI is loaded
 * only once counters are asked for. */
#include "check.h"
#include "counters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t tested, divisions, active;

/* counters_parse_events that must succeed. */
static void parse_ok(struct counters_spec *spec, const char *list)
{
    char err[COUNTERS_ERR_LEN] = "";
    REQUIRE_EQ(counters_parse_events(spec, list, err, sizeof err), 0);
}

static void check_sde_round_trip(void)
{
    struct counters_spec spec;
    parse_ok(&spec, "none");
    ASSERT_EQ(spec.count, 0);

    struct counters_sde sde[] = {
        {"numbers_tested", &tested, 0},
        {"trial_divisions", &divisions, 0},
        {"connections_active", &active, 1},
    };
    tested = 100; /* counted before the region: must not show in a delta */
    divisions = 7;
    active = 3;
    struct counters c;
    counters_start(&c, &spec, "parlab_test", sde, 3);
    tested += 12345;
    divisions += 67740404;
    active = 5;
    struct counters_result r;
    counters_read(&c, &r);
    ASSERT_EQ(r.sde[0], 12345);
    ASSERT_EQ(r.sde[1], 67740404);
    ASSERT_EQ(r.sde[2], 5); /* a gauge reads as it stands */
    tested += 1;
    active = 2;
    counters_stop(&c, &r);
    ASSERT_EQ(r.sde[0], 12346);
    ASSERT_EQ(r.sde[2], 2);
    ASSERT_EQ(r.sde_count, 3);
    /* In a PAPI build the values must have come through a PAPI event set. */
    for (unsigned i = 0; i < 3; i++)
        ASSERT_EQ(r.sde_via_papi[i], counters_have_papi());
}

static void check_hardware_cells(void)
{
    struct counters_spec spec;
    parse_ok(&spec, "PAPI_TOT_INS,PAPI_TOT_CYC");
    ASSERT_EQ(spec.count, 2);
    ASSERT_STR_EQ(spec.names[1], "PAPI_TOT_CYC");
    struct counters c;
    counters_start(&c, &spec, "parlab_test2", NULL, 0);
    volatile uint64_t spin = 0;
    for (int i = 0; i < 1000000; i++)
        spin += (uint64_t)i;
    struct counters_result r;
    counters_stop(&c, &r);
    ASSERT_EQ(r.hw_count, 2);
    /* Either counted (then plausible) or reported as unavailable in the note. */
    for (unsigned i = 0; i < 2; i++) {
        if (r.hw_valid[i])
            ASSERT_GT(r.hw[i], 1000000);
        else
            ASSERT_NE(spec.note[0], '\0');
    }
    ASSERT_GT(r.wall_ns, 0);
}

static void check_env_and_add(void)
{
    struct counters_spec spec;
    setenv(COUNTERS_ENV, "PAPI_TOT_INS", 1);
    parse_ok(&spec, NULL);
    ASSERT_EQ(spec.count, 1);
    ASSERT_STR_EQ(spec.names[0], "PAPI_TOT_INS");
    unsetenv(COUNTERS_ENV);
    parse_ok(&spec, NULL);
    ASSERT_EQ(spec.count, 4); /* the documented default list */
    ASSERT_STR_EQ(spec.names[3], "PAPI_BR_MSP");

    struct counters_result a = {0}, b = {0}, c = {0};
    b.hw_count = c.hw_count = 2;
    b.sde_count = c.sde_count = 1;
    b.hw_valid[0] = c.hw_valid[0] = 1;
    b.hw_valid[1] = 1; /* c's second event was not counted */
    b.hw[0] = 10, c.hw[0] = 32;
    b.sde[0] = 5, c.sde[0] = 6;
    counters_add(&a, &b);
    counters_add(&a, &c);
    ASSERT_EQ(a.hw[0], 42);
    ASSERT_EQ(a.hw_valid[0], 1);
    ASSERT_EQ(a.hw_valid[1], 0);
    ASSERT_EQ(a.sde[0], 11);
}

/* A bad list is -1 and one line naming where it came from; the caller goes on (a library
 * never exits: only a front end turns this into a usage error). */
static void check_bad_lists(void)
{
    struct counters_spec spec;
    char err[COUNTERS_ERR_LEN];
    ASSERT_EQ(counters_parse_events(&spec, "A,,B", err, sizeof err), -1);
    ASSERT_STR_EQ(err, "--events: bad event name in 'A,,B'");
    ASSERT_EQ(counters_parse_events(&spec, ",A", err, sizeof err), -1);
    ASSERT_STR_EQ(err, "--events: bad event name in ',A'");

    setenv(COUNTERS_ENV, "A,,B", 1);
    ASSERT_EQ(counters_parse_events(&spec, NULL, err, sizeof err), -1);
    ASSERT_STR_EQ(err, "PARLAB_EVENTS: bad event name in 'A,,B'");
    unsetenv(COUNTERS_ENV);

    /* One event more than the limit. */
    char list[(COUNTERS_MAX_EVENTS + 1) * 4] = "";
    for (int i = 0; i <= COUNTERS_MAX_EVENTS; i++) {
        char item[8];
        snprintf(item, sizeof item, "%sE%d", i ? "," : "", i);
        strcat(list, item);
    }
    char want[256];
    snprintf(want, sizeof want, "--events: more than 16 events in '%s'", list);
    ASSERT_EQ(counters_parse_events(&spec, list, err, sizeof err), -1);
    ASSERT_STR_EQ(err, want);

    /* A name as long as the buffer that would hold it. */
    char longname[COUNTERS_NAME_LEN + 1];
    memset(longname, 'X', COUNTERS_NAME_LEN);
    longname[COUNTERS_NAME_LEN] = '\0';
    snprintf(want, sizeof want, "--events: bad event name in '%s'", longname);
    ASSERT_EQ(counters_parse_events(&spec, longname, err, sizeof err), -1);
    ASSERT_STR_EQ(err, want);

    /* An unknown name: refused where PAPI can check names, else taken and noted. */
    int rc = counters_parse_events(&spec, "PAPI_TOT_INS,BOGUS", err, sizeof err);
    if (counters_have_papi()) {
        ASSERT_EQ(rc, -1);
        ASSERT_STR_EQ(err, "--events: unknown event 'BOGUS' (papi_avail and papi_native_avail "
                           "list the names)");
    } else {
        ASSERT_EQ(rc, 0);
        ASSERT_STR_EQ(
            spec.note,
            "not counted: PAPI_TOT_INS,BOGUS (built without PAPI); their cells are empty");
    }

    /* Still usable after the failures. */
    parse_ok(&spec, "none");
    ASSERT_EQ(spec.count, 0);
}

/* 1 when this process has a library whose file name contains `name` mapped. */
static int mapped(const char *name)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    REQUIRE_NOT_NULL(maps);
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, maps)) {
        const char *file = strrchr(line, '/');
        found = file && strstr(file, name) != NULL;
    }
    fclose(maps);
    return found;
}

/* Nothing that measures nothing (no events, a list refused before any name is looked up)
 * loads PAPI, libpfm or libsde: the program was not linked with them. */
static void check_nothing_loaded(void)
{
    struct counters_spec spec;
    char err[COUNTERS_ERR_LEN];
    parse_ok(&spec, "none");
    ASSERT_EQ(counters_parse_events(&spec, "A,,B", err, sizeof err), -1);
    ASSERT_EQ(mapped("libpapi"), 0);
    ASSERT_EQ(mapped("libpfm"), 0);
    ASSERT_EQ(mapped("libsde"), 0);
}

/* Once counters were asked for, a PAPI build has PAPI and libsde in the process. */
static void check_loaded_when_asked(void)
{
#ifdef PARLAB_HAVE_PAPI
    if (counters_have_papi()) {
        ASSERT_EQ(mapped("libpapi"), 1);
        ASSERT_EQ(mapped("libsde"), 1);
    }
#else
    ASSERT_EQ(counters_have_papi(), 0);
    ASSERT_EQ(mapped("libpapi"), 0);
#endif
}

int main(void)
{
    check_nothing_loaded();
    check_bad_lists();
    check_sde_round_trip();
    check_hardware_cells();
    check_env_and_add();
    check_loaded_when_asked();
    return check_done();
}
