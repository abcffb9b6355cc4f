/* The PAPI wrapper: software-defined events read through PAPI equal the program's own
 * counts; unavailable hardware events leave invalid cells, never a failure. */
#include "check.h"
#include "counters.h"

#include <stdlib.h>

static uint64_t tested, divisions, active;

static void check_sde_round_trip(void)
{
    struct counters_spec spec;
    counters_parse(&spec, "none");
    CHECK_EQ_U64(0, spec.count);

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
    CHECK_EQ_U64(12345, r.sde[0]);
    CHECK_EQ_U64(67740404, r.sde[1]);
    CHECK_EQ_U64(5, r.sde[2]); /* a gauge reads as it stands */
    tested += 1;
    active = 2;
    counters_stop(&c, &r);
    CHECK_EQ_U64(12346, r.sde[0]);
    CHECK_EQ_U64(2, r.sde[2]);
    CHECK_EQ_U64(3, r.sde_count);
    /* In a PAPI build the values must have come through a PAPI event set. */
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ_U64(counters_have_papi(), r.sde_via_papi[i]);
}

static void check_hardware_cells(void)
{
    struct counters_spec spec;
    counters_parse(&spec, "PAPI_TOT_INS,PAPI_TOT_CYC");
    CHECK_EQ_U64(2, spec.count);
    CHECK_EQ_STR("PAPI_TOT_CYC", spec.names[1]);
    struct counters c;
    counters_start(&c, &spec, "parlab_test2", NULL, 0);
    volatile uint64_t spin = 0;
    for (int i = 0; i < 1000000; i++)
        spin += (uint64_t)i;
    struct counters_result r;
    counters_stop(&c, &r);
    CHECK_EQ_U64(2, r.hw_count);
    /* Either counted (then plausible) or reported as unavailable in the note. */
    for (unsigned i = 0; i < 2; i++) {
        if (r.hw_valid[i])
            CHECK_EQ_U64(1, r.hw[i] > 1000000);
        else
            CHECK_EQ_U64(1, spec.note[0] != '\0');
    }
    CHECK_EQ_U64(1, r.wall_ns > 0);
}

static void check_env_and_add(void)
{
    struct counters_spec spec;
    setenv(COUNTERS_ENV, "PAPI_TOT_INS", 1);
    counters_parse(&spec, NULL);
    CHECK_EQ_U64(1, spec.count);
    CHECK_EQ_STR("PAPI_TOT_INS", spec.names[0]);
    unsetenv(COUNTERS_ENV);
    counters_parse(&spec, NULL);
    CHECK_EQ_U64(4, spec.count); /* the documented default list */
    CHECK_EQ_STR("PAPI_BR_MSP", spec.names[3]);

    struct counters_result a = {0}, b = {0}, c = {0};
    b.hw_count = c.hw_count = 2;
    b.sde_count = c.sde_count = 1;
    b.hw_valid[0] = c.hw_valid[0] = 1;
    b.hw_valid[1] = 1; /* c's second event was not counted */
    b.hw[0] = 10, c.hw[0] = 32;
    b.sde[0] = 5, c.sde[0] = 6;
    counters_add(&a, &b);
    counters_add(&a, &c);
    CHECK_EQ_U64(42, a.hw[0]);
    CHECK_EQ_U64(1, a.hw_valid[0]);
    CHECK_EQ_U64(0, a.hw_valid[1]);
    CHECK_EQ_U64(11, a.sde[0]);
}

int main(void)
{
    check_sde_round_trip();
    check_hardware_cells();
    check_env_and_add();
    return check_done();
}
