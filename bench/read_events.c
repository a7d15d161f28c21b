/* read_events.c: measures how fast the JSON Lines event reader runs, beside the
 * ceiling set by simdjson parsing alone. A measurement, not a test.
 *
 *   read_events scan PROGRAM.jbc FILE   read FILE once (JSON Lines, gzip-compressed or
 *                                       not), exactly as `journey sim PROGRAM FILE` reads
 *                                       it: the same reader, with the program's schema,
 *                                       and nothing else; print the events read. Timed
 *                                       from outside, this is the parse-only rate of
 *                                       make bench (bench/README.md)
 *   read_events generate FILE [LINES]   write LINES (default 1000000) Segment-shaped
 *                                       lines: track calls with 3 to 6 properties
 *                                       (70%), identify (15%) and page (15%) calls
 *   read_events FILE [RUNS]             time each of these RUNS times (default 3) and
 *                                       print the median:
 *       split     cutting the file (already in memory) into lines: memory bandwidth
 *       simdjson  the same, plus simdjson's DOM parse of each line and the walk of its
 *                 top-level members (jr_json_parse_line): the parsing ceiling
 *       reader    jr_reader_open + jr_reader_next over the file: the real thing,
 *                 reading the file through the page cache
 * Wall-clock and CPU times are both shown: on a machine shared with other work the CPU
 * time of this process is the steadier figure. The timed modes use a schema of their
 * own, which declares the events and attributes their generator writes. */
#include "event.h"
#include "json_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const jr_schema_field bench_order_fields[] = {
    { "order_id", JR_TYPE_STRING }, { "revenue", JR_TYPE_NUMBER }, { "currency", JR_TYPE_STRING },
    { "coupon", JR_TYPE_STRING },   { "products", JR_TYPE_NUMBER },
};
static const jr_schema_field bench_product_fields[] = {
    { "product_id", JR_TYPE_STRING }, { "price", JR_TYPE_NUMBER }, { "category", JR_TYPE_STRING },
};
static const jr_schema_field bench_signup_fields[] = {
    { "plan", JR_TYPE_STRING }, { "source", JR_TYPE_STRING }, { "trial", JR_TYPE_BOOL }, { "referrer", JR_TYPE_STRING },
};
static const jr_schema_field bench_email_fields[] = {
    { "email_id", JR_TYPE_STRING }, { "campaign", JR_TYPE_STRING }, { "subject", JR_TYPE_STRING },
    { "opened_at", JR_TYPE_TIME },  { "client", JR_TYPE_STRING },   { "device", JR_TYPE_STRING },
};
static const jr_schema_field bench_page_fields[] = {
    { "path", JR_TYPE_STRING }, { "url", JR_TYPE_STRING }, { "title", JR_TYPE_STRING }, { "name", JR_TYPE_STRING },
};
static const jr_schema_event bench_events[] = {
    { "Order Completed", bench_order_fields, 5 }, { "Product Viewed", bench_product_fields, 3 },
    { "Signed Up", bench_signup_fields, 4 },      { "Email Opened", bench_email_fields, 6 },
    { "Page Viewed", bench_page_fields, 4 },
};
static const jr_schema_field bench_attributes[] = {
    { "email", JR_TYPE_STRING }, { "first_name", JR_TYPE_STRING },
    { "plan", JR_TYPE_STRING },  { "age", JR_TYPE_NUMBER },
};
static const jr_schema bench_schema = { bench_events, 5, bench_attributes, 4 };

static uint64_t bench_random_state = 0x853c49e6748fea9bull;

static uint64_t bench_random(void)
{
    uint64_t x = bench_random_state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    bench_random_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static unsigned bench_below(unsigned limit) { return (unsigned)(bench_random() % limit); }

static int bench_generate(const char *path, long lines)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        perror(path);
        return 1;
    }
    static const char *const coupons[] = { "SPRING", "", "VIP" };
    static const char *const plans[] = { "free", "pro" };
    for (long i = 0; i < lines; i++) {
        char timestamp[32], context[128], message_id[48];
        snprintf(timestamp, sizeof timestamp, "2024-%02u-%02uT%02u:%02u:%02u.%03uZ", 1 + bench_below(12),
                 1 + bench_below(28), bench_below(24), bench_below(60), bench_below(60), bench_below(1000));
        snprintf(context, sizeof context,
                 "{\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"ip\":\"203.0.113.%u\"}",
                 1 + bench_below(254));
        snprintf(message_id, sizeof message_id, "ajs-%016llx%016llx", (unsigned long long)bench_random(),
                 (unsigned long long)bench_random());
        unsigned user = 1 + bench_below(100000);
        unsigned kind = bench_below(100);
        if (kind < 70) {
            char properties[320];
            const char *event;
            switch (bench_below(4)) {
            case 0:
                event = "Order Completed";
                snprintf(properties, sizeof properties,
                         "{\"order_id\":\"o-%u\",\"revenue\":%u.%02u,\"currency\":\"USD\",\"coupon\":\"%s\","
                         "\"products\":%u}",
                         bench_below(1000000), 5 + bench_below(495), bench_below(100), coupons[bench_below(3)],
                         1 + bench_below(6));
                break;
            case 1:
                event = "Product Viewed";
                snprintf(properties, sizeof properties, "{\"product_id\":\"p-%u\",\"price\":%u.%02u,\"category\":\"shoes\"}",
                         bench_below(5000), 1 + bench_below(98), bench_below(100));
                break;
            case 2:
                event = "Signed Up";
                snprintf(properties, sizeof properties,
                         "{\"plan\":\"%s\",\"source\":\"ads\",\"trial\":%s,\"referrer\":\"https://example.com/x\"}",
                         plans[bench_below(2)], bench_below(2) ? "true" : "false");
                break;
            default:
                event = "Email Opened";
                snprintf(properties, sizeof properties,
                         "{\"email_id\":\"e-%u\",\"campaign\":\"spring\",\"subject\":\"Hello there\","
                         "\"opened_at\":\"2024-03-01T10:00:00Z\",\"client\":\"gmail\",\"device\":\"mobile\"}",
                         bench_below(100));
                break;
            }
            fprintf(out,
                    "{\"type\":\"track\",\"event\":\"%s\",\"userId\":\"user_%u\",\"properties\":%s,\"context\":%s,"
                    "\"timestamp\":\"%s\",\"messageId\":\"%s\"}\n",
                    event, user, properties, context, timestamp, message_id);
        } else if (kind < 85) {
            fprintf(out,
                    "{\"type\":\"identify\",\"userId\":\"user_%u\",\"traits\":{\"email\":\"user_%u@example.com\","
                    "\"first_name\":\"Ann\",\"plan\":\"pro\",\"age\":%u},\"context\":%s,\"timestamp\":\"%s\","
                    "\"messageId\":\"%s\"}\n",
                    user, user, 18 + bench_below(62), context, timestamp, message_id);
        } else {
            fprintf(out,
                    "{\"type\":\"page\",\"anonymousId\":\"anon-%016llx\",\"name\":\"Pricing\",\"properties\":{"
                    "\"path\":\"/pricing\",\"url\":\"https://example.com/pricing\",\"title\":\"Pricing\","
                    "\"referrer\":\"\"},\"context\":%s,\"timestamp\":\"%s\",\"messageId\":\"%s\"}\n",
                    (unsigned long long)bench_random(), context, timestamp, message_id);
        }
    }
    if (fclose(out) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static double bench_clock(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

typedef struct bench_result {
    double seconds;     /* wall clock */
    double cpu_seconds; /* this process's CPU time */
    uint64_t lines;
    uint64_t checksum; /* keeps the work from being optimized away */
} bench_result;

typedef struct bench_timer {
    double wall, cpu;
} bench_timer;

static bench_timer bench_start(void)
{
    return (bench_timer){ bench_clock(CLOCK_MONOTONIC), bench_clock(CLOCK_PROCESS_CPUTIME_ID) };
}

static void bench_stop(bench_timer timer, bench_result *result)
{
    result->seconds = bench_clock(CLOCK_MONOTONIC) - timer.wall;
    result->cpu_seconds = bench_clock(CLOCK_PROCESS_CPUTIME_ID) - timer.cpu;
}

static char *bench_load(const char *path, size_t *length)
{
    FILE *in = fopen(path, "rb");
    if (!in) return NULL;
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *bytes = size >= 0 ? calloc((size_t)size + JR_JSON_PADDING, 1) : NULL;
    if (bytes && fread(bytes, 1, (size_t)size, in) != (size_t)size) {
        free(bytes);
        bytes = NULL;
    }
    fclose(in);
    *length = (size_t)size;
    return bytes;
}

static bench_result bench_split(const char *bytes, size_t length)
{
    bench_result result = { 0, 0, 0, 0 };
    bench_timer timer = bench_start();
    const char *at = bytes, *end = bytes + length;
    while (at < end) {
        const char *newline = memchr(at, '\n', (size_t)(end - at));
        if (!newline) newline = end;
        result.checksum += (uint64_t)(newline - at);
        result.lines++;
        at = newline + 1;
    }
    bench_stop(timer, &result);
    return result;
}

static bench_result bench_simdjson(const char *bytes, size_t length)
{
    bench_result result = { 0, 0, 0, 0 };
    jr_json_parser *parser = jr_json_parser_new();
    jr_json_line line;
    char message[256];
    bench_timer timer = bench_start();
    const char *at = bytes, *end = bytes + length;
    while (at < end) {
        const char *newline = memchr(at, '\n', (size_t)(end - at));
        if (!newline) newline = end;
        if (jr_json_parse_line(parser, at, (size_t)(newline - at), &line, message, sizeof message) == JR_JSON_OK)
            result.checksum += line.present;
        result.lines++;
        at = newline + 1;
    }
    bench_stop(timer, &result);
    jr_json_parser_free(parser);
    return result;
}

static bench_result bench_reader(const char *path)
{
    bench_result result = { 0, 0, 0, 0 };
    jr_read_error error;
    bench_timer timer = bench_start();
    jr_event_reader *reader = jr_reader_open(&bench_schema, path, JR_LOG_JSONL, &error);
    if (!reader) {
        fprintf(stderr, "read_events: %s\n", error.message);
        exit(1);
    }
    jr_event event;
    jr_read_status status;
    while ((status = jr_reader_next(reader, &event, &error)) != JR_READ_END) {
        if (status != JR_READ_EVENT) {
            fprintf(stderr, "read_events: line %llu: %s\n", (unsigned long long)error.line, error.message);
            if (status != JR_READ_BAD_LINE) exit(1);
            continue;
        }
        result.lines++;
        result.checksum += (uint64_t)event.timestamp + event.property_count + event.trait_count + event.contact_id_length;
    }
    jr_reader_close(reader);
    bench_stop(timer, &result);
    return result;
}

static int bench_compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bench_report(const char *what, const bench_result *runs, int count, size_t bytes)
{
    double wall[99], cpu[99];
    for (int i = 0; i < count; i++) {
        wall[i] = runs[i].seconds;
        cpu[i] = runs[i].cpu_seconds;
    }
    qsort(wall, (size_t)count, sizeof wall[0], bench_compare_doubles);
    qsort(cpu, (size_t)count, sizeof cpu[0], bench_compare_doubles);
    double lines = (double)runs[0].lines, median_wall = wall[count / 2], median_cpu = cpu[count / 2];
    printf("%-9s %8.0f lines  wall: median %.3f s (%.3f-%.3f) %5.2f M lines/s %5.2f GB/s  "
           "cpu: median %.3f s %5.2f M lines/s\n",
           what, lines, median_wall, wall[0], wall[count - 1], lines / median_wall / 1e6,
           (double)bytes / median_wall / 1e9, median_cpu, lines / median_cpu / 1e6);
}

/* One pass of the reader over path with the program's schema; 0 when it read to the end. */
static int bench_scan(const char *program_path, const char *path)
{
    jr_program *program = NULL;
    jr_error error;
    if (jr_program_load_file(program_path, NULL, &program, &error) != JR_OK) {
        fprintf(stderr, "read_events: %s: %s\n", program_path, error.message);
        return 1;
    }
    jr_read_error read_error;
    jr_event_reader *reader = jr_reader_open(jr_program_schema(program), path, JR_LOG_AUTO, &read_error);
    if (!reader) {
        fprintf(stderr, "read_events: %s: %s\n", path, read_error.message);
        jr_program_free(program);
        return 1;
    }
    uint64_t events = 0, bad_lines = 0, checksum = 0;
    jr_event event;
    jr_read_status status;
    while ((status = jr_reader_next(reader, &event, &read_error)) != JR_READ_END) {
        if (status == JR_READ_BAD_LINE) {
            bad_lines++;
            continue;
        }
        if (status != JR_READ_EVENT) {
            fprintf(stderr, "read_events: %s: %s\n", path, read_error.message);
            break;
        }
        events++;
        checksum += (uint64_t)event.timestamp + event.property_count + event.trait_count;
    }
    jr_reader_close(reader);
    jr_program_free(program);
    printf("events=%llu bad_lines=%llu checksum=%llu\n", (unsigned long long)events, (unsigned long long)bad_lines,
           (unsigned long long)checksum);
    return status == JR_READ_END ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "scan") == 0) return bench_scan(argv[2], argv[3]);
    if (argc >= 3 && strcmp(argv[1], "generate") == 0)
        return bench_generate(argv[2], argc >= 4 ? atol(argv[3]) : 1000000);
    if (argc < 2) {
        fprintf(stderr, "usage: read_events generate FILE [LINES] | read_events FILE [RUNS] | "
                        "read_events scan PROGRAM.jbc FILE\n");
        return 2;
    }
    int count = argc >= 3 ? atoi(argv[2]) : 3;
    if (count < 1 || count > 99) count = 3;
    size_t length;
    char *bytes = bench_load(argv[1], &length);
    if (!bytes) {
        perror(argv[1]);
        return 1;
    }
    bench_result runs[99];
    printf("%s: %zu bytes, %d runs each\n", argv[1], length, count);
    for (int i = 0; i < count; i++) runs[i] = bench_split(bytes, length);
    bench_report("split", runs, count, length);
    for (int i = 0; i < count; i++) runs[i] = bench_simdjson(bytes, length);
    bench_report("simdjson", runs, count, length);
    free(bytes);
    for (int i = 0; i < count; i++) runs[i] = bench_reader(argv[1]);
    bench_report("reader", runs, count, length);
    return 0;
}
