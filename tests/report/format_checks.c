/* format_checks.c: how the reports write figures, times and names (cli/report_format.c),
 * checked value by value. Prints each failure and "format: N checks, N failed"; exits 1
 * if any failed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_format.h"

static int checks, failures;

static void expect(const char *what, const char *actual, const char *expected)
{
    checks++;
    if (strcmp(actual, expected) == 0) return;
    failures++;
    printf("FAIL %s: got \"%s\", expected \"%s\"\n", what, actual, expected);
}

/* What report_write_name writes, as a string. */
static const char *written_name(const char *text, report_escape escape, size_t limit, size_t *count)
{
    static char buffer[4096];
    buffer[0] = '\0';
    FILE *out = fmemopen(buffer, sizeof buffer, "w");
    if (!out) {
        perror("fmemopen");
        exit(2);
    }
    *count = report_write_name(out, text, escape, limit);
    fclose(out);
    return buffer;
}

static void expect_name(const char *what, const char *text, report_escape escape, size_t limit,
                        const char *expected, size_t expected_count)
{
    size_t count;
    expect(what, written_name(text, escape, limit, &count), expected);
    checks++;
    if (count != expected_count) {
        failures++;
        printf("FAIL %s: wrote %zu characters, expected %zu\n", what, count, expected_count);
    }
}

static void check_numbers(void)
{
    expect("count 0", report_format_count(0).text, "0");
    expect("count 999", report_format_count(999).text, "999");
    expect("count 1000", report_format_count(1000).text, "1,000");
    expect("count 1234567", report_format_count(1234567).text, "1,234,567");
    expect("count max", report_format_count(UINT64_MAX).text, "18,446,744,073,709,551,615");
    expect("number 2 decimals", report_format_number(1234.5, 2).text, "1,234.50");
    expect("number negative", report_format_number(-1234567.891, 2).text, "-1,234,567.89");
    expect("number rounds to -0", report_format_number(-0.001, 2).text, "0.00");
    expect("number NaN", report_format_number(NAN, 2).text, "n/a");
    expect("number infinite", report_format_number(INFINITY, 1).text, "n/a");
    expect("number huge", report_format_number(1.5e20, 2).text, "1.500e+20");
    expect("percent", report_format_percent(0.1234).text, "12.3%");
    expect("percent rounds", report_format_percent(0.99996).text, "100.0%");
    expect("percent zero", report_format_percent(0).text, "0.0%");
    expect("percent NaN", report_format_percent(NAN).text, "n/a");
    expect("relative lift up", report_format_relative_lift(0.25).text, "+25.0%");
    expect("relative lift down", report_format_relative_lift(-0.5).text, "-50.0%");
    expect("relative lift zero", report_format_relative_lift(-0.00001).text, "0.0%");
    expect("absolute lift", report_format_absolute_lift(0.012).text, "+1.2 pp");
    expect("absolute lift NaN", report_format_absolute_lift(NAN).text, "n/a");
    expect("rate interval", report_format_rate_interval((report_interval){ 0.082, 0.1216 }).text, "[8.2%, 12.2%]");
    expect("rate interval NaN", report_format_rate_interval((report_interval){ NAN, 0.5 }).text, "n/a");
    expect("relative interval", report_format_relative_interval((report_interval){ -0.2, 4 }).text,
           "[-20.0%, +400.0%]");
    expect("absolute interval", report_format_absolute_interval((report_interval){ -0.021, 0.065 }).text,
           "[-2.1, +6.5]");
    expect("p-value", report_format_p_value(0.0123).text, "p=0.012");
    expect("p-value small", report_format_p_value(0.0004).text, "p<0.001");
    expect("p-value one", report_format_p_value(1).text, "p=1.000");
    expect("p-value NaN", report_format_p_value(NAN).text, "n/a");
}

static void check_times(void)
{
    expect("duration zero", report_format_duration(0).text, "0s");
    expect("duration under a second", report_format_duration(999).text, "<1s");
    expect("duration seconds", report_format_duration(12000).text, "12s");
    expect("duration minutes", report_format_duration(245000).text, "4m 5s");
    expect("duration whole hour", report_format_duration(3600000).text, "1h");
    expect("duration hours", report_format_duration(5 * 3600000.0 + 12 * 60000.0 + 59000).text, "5h 12m");
    expect("duration days", report_format_duration(3 * 86400000.0 + 4 * 3600000.0 + 59 * 60000.0).text, "3d 4h");
    expect("duration many days", report_format_duration(1234 * 86400000.0).text, "1,234d");
    expect("duration NaN", report_format_duration(NAN).text, "n/a");
    expect("duration negative", report_format_duration(-5).text, "n/a");
    expect("instant", report_format_instant(1772357400000).text, "2026-03-01 09:30:00 UTC");
    expect("instant none", report_format_instant(INT64_MIN).text, "none");
    expect("day", report_format_day(1772357400000).text, "2026-03-01");
}

static void check_names(void)
{
    expect_name("plain name", "welcome", REPORT_ESCAPE_PLAIN, SIZE_MAX, "welcome", 7);
    expect_name("html escapes", "<a href=\"x\">&'", REPORT_ESCAPE_HTML, SIZE_MAX,
                "&lt;a href=&quot;x&quot;&gt;&amp;&#39;", 14);
    expect_name("plain keeps markup", "<b>", REPORT_ESCAPE_PLAIN, SIZE_MAX, "<b>", 3);
    expect_name("control characters", "a\x1b[31m\nb\x7f", REPORT_ESCAPE_PLAIN, SIZE_MAX,
                "a\xef\xbf\xbd[31m\xef\xbf\xbd" "b\xef\xbf\xbd", 9);
    expect_name("C1 control", "a\xc2\x9b" "b", REPORT_ESCAPE_PLAIN, SIZE_MAX, "a\xef\xbf\xbd" "b", 3);
    expect_name("bidi override", "a\xe2\x80\xae" "b", REPORT_ESCAPE_HTML, SIZE_MAX, "a\xef\xbf\xbd" "b", 3);
    expect_name("utf-8 kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", REPORT_ESCAPE_HTML, SIZE_MAX,
                "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", 8);
    expect_name("malformed utf-8", "\xff" "a\xc3", REPORT_ESCAPE_PLAIN, SIZE_MAX, "\xef\xbf\xbd" "a\xef\xbf\xbd", 3);
    expect_name("overlong utf-8", "\xc0\xaf", REPORT_ESCAPE_PLAIN, SIZE_MAX, "\xef\xbf\xbd\xef\xbf\xbd", 2);
    expect_name("surrogate", "\xed\xa0\x80", REPORT_ESCAPE_PLAIN, SIZE_MAX,
                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3);
    expect_name("cut", "abcdefgh", REPORT_ESCAPE_PLAIN, 5, "abcd\xe2\x80\xa6", 5);
    expect_name("cut after escapes", "<<<<<<", REPORT_ESCAPE_HTML, 3, "&lt;&lt;\xe2\x80\xa6", 3);
    expect_name("fits exactly", "abcde", REPORT_ESCAPE_PLAIN, 5, "abcde", 5);
    expect_name("NULL", NULL, REPORT_ESCAPE_HTML, SIZE_MAX, "", 0);
    checks++;
    if (report_name_length("caf\xc3\xa9\xff") != 5) {
        failures++;
        printf("FAIL name length: %zu, expected 5\n", report_name_length("caf\xc3\xa9\xff"));
    }
}

static void check_nodes(void)
{
    report_node nodes[4] = { 0 };
    nodes[0].stats.kind = "split", nodes[0].stats.label = "last-call", nodes[0].parent = JR_NO_NODE;
    nodes[1].stats.kind = "arm", nodes[1].stats.label = "50%", nodes[1].stats.is_arm = true, nodes[1].parent = 0;
    nodes[2].stats.kind = "send", nodes[2].stats.label = "offer_a", nodes[2].parent = 1;
    nodes[3].stats.kind = "arm", nodes[3].stats.label = "50%", nodes[3].stats.is_arm = true, nodes[3].parent = 0;
    report_journey journey = { .nodes = nodes, .node_count = 4 };
    char name[64];
    report_node_name(&nodes[0], name, sizeof name);
    expect("node name split", name, "split \"last-call\"");
    report_node_name(&nodes[2], name, sizeof name);
    expect("node name send", name, "send offer_a");
    report_arm_name(&journey, 3, name, sizeof name);
    expect("arm name", name, "#2 arm 50%");
    checks += 4;
    if (report_node_depth(&journey, 0) != 0 || report_node_depth(&journey, 2) != 2) {
        failures++;
        printf("FAIL node depth\n");
    }
    if (!report_node_is_first_arm(&journey, 1) || report_node_is_first_arm(&journey, 3)) {
        failures++;
        printf("FAIL first arm\n");
    }
    nodes[0].parent = 2; /* a cycle in a malformed model must not hang */
    if (report_node_depth(&journey, 2) > 4) {
        failures++;
        printf("FAIL depth of a cycle\n");
    }
    nodes[0].stats.kind = NULL, nodes[0].stats.label = NULL;
    report_node_name(&nodes[0], name, sizeof name);
    if (strcmp(name, "?") != 0) {
        failures++;
        printf("FAIL node without a kind: \"%s\"\n", name);
    }
}

int main(void)
{
    check_numbers();
    check_times();
    check_names();
    check_nodes();
    printf("format: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
