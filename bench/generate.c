/* generate.c: the benchmark's workload generator (build/bench/generate).
 *
 * Plans every contact's events (workload_plan.c), sorts them all by time and writes
 * them as Segment-shaped JSON Lines (workload_json.c). Deterministic: the same
 * parameters give the same bytes on every machine. Memory: about 24 bytes per event
 * while sorting (240 MB for the default preset). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload_json.h"
#include "workload_plan.h"

enum { EXIT_CLEAN = 0, EXIT_FAILED = 1, EXIT_USAGE = 64, EXIT_INTERNAL = 70 };

static const char usage_text[] =
    "Usage: generate [--preset NAME] [OPTIONS] [-o FILE]\n"
    "\n"
    "Writes the workload of journey's benchmark (bench/README.md): Segment-shaped JSON\n"
    "Lines in time order, one line per event, from contacts who sign up, view pages and\n"
    "products, fill carts, order, open and click emails and sometimes unsubscribe; the\n"
    "events are those bench/journeys declare (std/b2b, std/ecommerce, std/email and\n"
    "page calls). The same parameters give the same bytes on every machine.\n"
    "\n"
    "Options:\n"
    "  --preset NAME   tiny     1 000 contacts,     10 000 events, 30 days\n"
    "                  small    100 000 contacts,   1 000 000 events, 90 days\n"
    "                  default  1 000 000 contacts, 10 000 000 events, 90 days (the default)\n"
    "  --contacts N    contacts (overrides the preset)\n"
    "  --events N      events, exactly; at least 2 and at most 5000 per contact\n"
    "  --days N        the period, from 2026-01-05T00:00:00Z, 1 to 3650 days\n"
    "  --seed N        the random seed (default 1): another seed, another workload\n"
    "  -o FILE         write to FILE instead of standard output\n"
    "  -h, --help      show this help and exit\n"
    "\n"
    "Exit status: 0 written; 1 the output could not be written; 64 usage; 70 out of memory.\n";

static const int64_t workload_start = 1767571200000; /* 2026-01-05T00:00:00Z, a Monday */

static int usage_error(const char *message, const char *argument)
{
    fprintf(stderr, "generate: %s%s%s\nTry 'generate --help' for more information.\n", message,
            argument ? ": " : "", argument ? argument : "");
    return EXIT_USAGE;
}

static bool parse_count(const char *text, uint64_t low, uint64_t high, uint64_t *value)
{
    if (!text || !*text || *text == '-') return false;
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno || *end || parsed < low || parsed > high) return false;
    *value = parsed;
    return true;
}

static bool apply_preset(const char *name, workload_parameters *parameters)
{
    static const struct {
        const char *name;
        uint32_t contacts;
        uint64_t events;
        uint32_t days;
    } presets[] = {
        { "tiny", 1000, 10000, 30 },
        { "small", 100000, 1000000, 90 },
        { "default", 1000000, 10000000, 90 },
    };
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (strcmp(presets[i].name, name) != 0) continue;
        parameters->contacts = presets[i].contacts;
        parameters->events = presets[i].events;
        parameters->days = presets[i].days;
        return true;
    }
    return false;
}

static int compare_events(const void *a, const void *b)
{
    const workload_event *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    if (x->contact != y->contact) return x->contact < y->contact ? -1 : 1;
    return (x->sequence > y->sequence) - (x->sequence < y->sequence);
}

/* Plans every contact into one array and sorts it by time; NULL when out of memory. */
static workload_event *plan_workload(const workload_parameters *parameters)
{
    uint16_t *budgets = malloc(sizeof *budgets * parameters->contacts);
    workload_event *events = malloc(sizeof *events * parameters->events);
    if (!budgets || !events) {
        free(budgets);
        free(events);
        return NULL;
    }
    workload_budgets(parameters, budgets);
    uint64_t at = 0;
    for (uint32_t contact = 0; contact < parameters->contacts; contact++) {
        workload_plan_contact(parameters, contact, budgets[contact], events + at);
        at += budgets[contact];
    }
    free(budgets);
    qsort(events, parameters->events, sizeof *events, compare_events);
    return events;
}

static bool write_workload(const workload_parameters *parameters, const workload_event *events, FILE *out)
{
    static char buffer[1 << 20];
    setvbuf(out, buffer, _IOFBF, sizeof buffer);
    char line[WORKLOAD_LINE_MAX];
    for (uint64_t i = 0; i < parameters->events; i++) {
        size_t length = workload_json_line(parameters, &events[i], i, line);
        if (fwrite(line, 1, length, out) != length) return false;
    }
    return fflush(out) == 0;
}

int main(int argc, char **argv)
{
    workload_parameters parameters = { 0, 0, 0, 1, workload_start };
    apply_preset("default", &parameters);
    const char *output = NULL;
    uint64_t contacts = 0, events = 0, days = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(option, "-h") == 0 || strcmp(option, "--help") == 0) {
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        }
        static const char *const valued[] = { "--preset", "--contacts", "--events", "--days", "--seed", "-o" };
        bool known = false;
        for (size_t v = 0; v < sizeof valued / sizeof valued[0]; v++) known |= strcmp(option, valued[v]) == 0;
        if (!known) return usage_error("unknown option", option);
        if (!value) return usage_error("missing value after", option);
        i++;
        if (strcmp(option, "--preset") == 0) {
            if (!apply_preset(value, &parameters)) return usage_error("unknown preset (tiny, small, default)", value);
        } else if (strcmp(option, "--contacts") == 0) {
            if (!parse_count(value, 1, UINT32_MAX, &contacts)) return usage_error("--contacts takes a count", value);
        } else if (strcmp(option, "--events") == 0) {
            if (!parse_count(value, 2, UINT64_MAX / 64, &events)) return usage_error("--events takes a count", value);
        } else if (strcmp(option, "--days") == 0) {
            if (!parse_count(value, 1, 3650, &days)) return usage_error("--days takes 1 to 3650", value);
        } else if (strcmp(option, "--seed") == 0) {
            if (!parse_count(value, 0, UINT64_MAX, &parameters.seed)) return usage_error("--seed takes a number", value);
        } else {
            output = value;
        }
    }
    if (contacts) parameters.contacts = (uint32_t)contacts;
    if (events) parameters.events = events;
    if (days) parameters.days = (uint32_t)days;
    if (parameters.events < 2ull * parameters.contacts || parameters.events > 5000ull * parameters.contacts)
        return usage_error("--events must be from 2 to 5000 times --contacts", NULL);

    workload_event *planned = plan_workload(&parameters);
    if (!planned) {
        fputs("generate: out of memory planning the workload\n", stderr);
        return EXIT_INTERNAL;
    }
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "generate: cannot write '%s': %s\n", output, strerror(errno));
        free(planned);
        return EXIT_FAILED;
    }
    bool written = write_workload(&parameters, planned, out);
    if (out != stdout && fclose(out) != 0) written = false;
    free(planned);
    if (!written) {
        fprintf(stderr, "generate: cannot write '%s': %s\n", output ? output : "standard output", strerror(errno));
        return EXIT_FAILED;
    }
    return EXIT_CLEAN;
}
