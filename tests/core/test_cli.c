/* The strict number parsers on values they must accept; refusals are driven through the
 * programs in the usage tests, since a refusal exits. */
#include "check.h"
#include "cli.h"

int main(void)
{
    cli_init("/usr/bin/parlab-test");
    ASSERT_STR_EQ(cli_program(), "parlab-test");
    ASSERT_EQ(cli_parse_u64("--n", "0", 0, 10), 0);
    ASSERT_EQ(cli_parse_u64("--n", "10", 0, 10), 10);
    ASSERT_EQ(cli_parse_u64("--n", "007", 0, 10), 7);
    ASSERT_EQ(cli_parse_u64("--n", "18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
    ASSERT_DBL_EQ(cli_parse_double("--d", "1.5e3", 0, 1e6), 1500.0);
    ASSERT_DBL_EQ(cli_parse_double("--d", "0", 0, 1), 0.0);
    static const char *const choices[] = {"dynamic", "static", "cyclic", NULL};
    ASSERT_EQ(cli_parse_choice("--schedule", "cyclic", choices), 2);
    return check_done();
}
