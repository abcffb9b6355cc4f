/* The strict number parsers on values they must accept; refusals are driven through the
 * programs in the usage tests, since a refusal exits. */
#include "check.h"
#include "cli.h"

int main(void)
{
    cli_init("/usr/bin/parlab-test");
    CHECK_EQ_STR("parlab-test", cli_program());
    CHECK_EQ_U64(0, cli_parse_u64("--n", "0", 0, 10));
    CHECK_EQ_U64(10, cli_parse_u64("--n", "10", 0, 10));
    CHECK_EQ_U64(7, cli_parse_u64("--n", "007", 0, 10));
    CHECK_EQ_U64(UINT64_MAX, cli_parse_u64("--n", "18446744073709551615", 0, UINT64_MAX));
    CHECK_EQ_U64(1500, (uint64_t)(cli_parse_double("--d", "1.5e3", 0, 1e6)));
    CHECK_EQ_U64(0, (uint64_t)(cli_parse_double("--d", "0", 0, 1)));
    static const char *const choices[] = {"dynamic", "static", "cyclic", NULL};
    CHECK_EQ_U64(2, cli_parse_choice("--schedule", "cyclic", choices));
    return check_done();
}
