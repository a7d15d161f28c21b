/* test_output.c: results of `journey test` (test_output.h). */
#include "test_output.h"

#include <string.h>


#define GREEN "\033[32m"
#define RED "\033[1;31m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

void test_output_passed(FILE *out, const char *path, const char *name, bool color)
{
    fprintf(out, "%sPASS%s %s: %s\n", color ? GREEN : "", color ? RESET : "", path, name);
}

void test_output_not_compiled(FILE *out, const char *path, bool color)
{
    fprintf(out, "%sFAIL%s %s: does not compile or load (its errors are on standard error)\n", color ? RED : "",
            color ? RESET : "", path);
}

/* The step's place and source line, as a compiler diagnostic shows them. */
static void show_place(FILE *out, const jc_compiler *compiler, const jc_node *step, int64_t clock, bool color)
{
    char at[25];
    jr_format_timestamp(clock, at);
    if (!step || step->span.file >= compiler->sources.count) {
        fprintf(out, "    at %s\n", at);
        return;
    }
    const jc_source *source = compiler->sources.items[step->span.file];
    jc_position position = jc_source_position(source, step->span.begin);
    fprintf(out, "    %s%s:%u:%u:%s at %s\n", color ? BOLD : "", source->path, position.line, position.column,
            color ? RESET : "", at);
    uint32_t length;
    const char *line = jc_source_line(source, position.line, &length);
    if (line) fprintf(out, "    %5u | %.*s\n", position.line, (int)length, line);
}

/* One action the contact got: when it takes effect, what it is, and the circumstances. */
static void show_action(FILE *out, const logged_action *action, int64_t clock)
{
    char at[25], what[400], decided[25];
    jr_format_timestamp(action->at, at);
    action_log_describe(action, what, sizeof what);
    fprintf(out, "      %s  %-34s  (%s", at, what, action->journey ? action->journey : "?");
    if (action->step) fprintf(out, ", step \"%s\"", action->step);
    bool suppressed = action->kind == JR_ACTION_SEND && action->outcome == JR_SEND_SUPPRESSED;
    if (suppressed) {
        fprintf(out, "; suppressed: %s", action->reason ? action->reason : "no reason given");
    } else if (action->kind == JR_ACTION_SEND && action->outcome == JR_SEND_DEFERRED) {
        jr_format_timestamp(action->decided_at, decided);
        fprintf(out, "; deferred from %s: %s", decided, action->reason ? action->reason : "no reason given");
    }
    if (action->at > clock && !suppressed) fprintf(out, "; not yet");
    if (action->matched_line) fprintf(out, "; expected on line %u", action->matched_line);
    fputs(")\n", out);
}

void test_output_failed(FILE *out, const char *path, const char *name, bool color, const jc_compiler *compiler,
                        const scenario_failure *failure, const action_log *actions)
{
    fprintf(out, "%sFAIL%s %s: %s\n", color ? RED : "", color ? RESET : "", path, name);
    show_place(out, compiler, failure->step, failure->clock, color);
    if (failure->expected[0]) fprintf(out, "    expected: %s\n", failure->expected);
    fprintf(out, "    %s%s\n", failure->expected[0] ? "actual:   " : "", failure->actual);
    if (!failure->contact[0]) return;
    fprintf(out, "    what \"%s\" got so far:\n", failure->contact);
    uint32_t shown = 0;
    for (uint32_t i = 0; i < actions->count; i++) {
        if (strcmp(actions->items[i].contact, failure->contact) != 0) continue;
        show_action(out, &actions->items[i], failure->clock);
        shown++;
    }
    if (!shown) fputs("      nothing\n", out);
}
