/* post_json_checks.c: jr_vm_post_json through the shared library, as a host calls it
 * (only journey.h). Run as `post_json_checks PROGRAM.jbc` with the bytecode of
 * examples/onboarding.journey; prints "ok NAME" or "FAIL NAME: why" for each check
 * and exits 1 if one failed.
 *
 * The reading rules themselves are the JSON Lines reader's (tests/unit/test_event_reader.c
 * covers them); these checks are about what is particular to one object handed over
 * in memory: the bytes outside `length` are never read, a pretty-printed object is one
 * event, anything but exactly one object is refused without changing the VM, and a
 * refusal carries the reader's own message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <journey.h>

static int failures = 0;

static void check(const char *name, bool passed, const char *why)
{
    if (passed) {
        printf("ok %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

static uint64_t events_applied(const jr_vm *vm)
{
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    return stats.events;
}

/* Posts text and checks the status and that the VM applied `applied` more events. */
static void check_post(jr_vm *vm, const char *name, const char *text, size_t length, jr_status expected,
                       uint64_t applied)
{
    uint64_t before = events_applied(vm);
    jr_error error = { 0 };
    jr_status status = jr_vm_post_json(vm, text, length, &error);
    char why[400];
    snprintf(why, sizeof why, "status %d (expected %d), %llu events applied (expected %llu): %s", (int)status,
             (int)expected, (unsigned long long)(events_applied(vm) - before), (unsigned long long)applied,
             error.message);
    bool recorded = status == JR_OK || error.status == status;
    check(name, status == expected && events_applied(vm) - before == applied && recorded, why);
}

/* The message the JSON Lines reader gives for the same line. */
static void reader_message(const jr_program *program, const char *line, char out[256])
{
    jr_read_error error = { 0 };
    jr_event event;
    jr_event_reader *reader =
        jr_reader_open_memory(jr_program_schema(program), line, strlen(line), JR_LOG_JSONL, &error);
    if (reader && jr_reader_next(reader, &event, &error) != JR_READ_BAD_LINE)
        snprintf(error.message, sizeof error.message, "(no error)");
    jr_reader_close(reader);
    memcpy(out, error.message, 256);
}

static void check_same_message(jr_vm *vm, const jr_program *program, const char *name, const char *line)
{
    char expected[256], why[600];
    reader_message(program, line, expected);
    jr_error error = { 0 };
    jr_status status = jr_vm_post_json(vm, line, strlen(line), &error);
    snprintf(why, sizeof why, "status %d, message '%s', the reader's '%s'", (int)status, error.message, expected);
    check(name, status == JR_ERROR_EVENT && strcmp(error.message, expected) == 0, why);
}

static void check_first_name(jr_vm *vm, const jr_program *program, const char *name, const char *contact,
                             const char *expected)
{
    uint32_t index;
    jr_field_value value = { 0 };
    bool found = jr_vm_contact_find(vm, contact, strlen(contact), &index) &&
                 jr_vm_contact_attribute(vm, index, (uint32_t)jr_program_find(program, JR_NAME_ATTRIBUTE, "first_name"),
                                         &value, NULL) == JR_OK;
    bool same = found && value.type == JR_TYPE_STRING && value.as.string.length == strlen(expected) &&
                memcmp(value.as.string.bytes, expected, value.as.string.length) == 0;
    check(name, same, found ? "first_name differs" : "no such contact or attribute");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: post_json_checks PROGRAM.jbc\n");
        return 64;
    }
    jr_program *program = NULL;
    jr_vm *vm = NULL;
    jr_error error;
    if (jr_program_load_file(argv[1], NULL, &program, &error) != JR_OK ||
        jr_vm_new(program, &(jr_config){ 0 }, &vm, &error) != JR_OK) {
        fprintf(stderr, "post_json_checks: %s: %s\n", argv[1], error.message);
        return 1;
    }

    const char identify[] = "{\"type\":\"identify\",\"userId\":\"u1\",\"traits\":{\"first_name\":\"Ada\"},"
                            "\"timestamp\":\"2026-03-02T08:00:00Z\",\"messageId\":\"m1\"}";
    check_post(vm, "one object", identify, strlen(identify), JR_OK, 1);
    check_first_name(vm, program, "its traits are applied", "u1", "Ada");
    check_post(vm, "a messageId seen before is dropped", identify, strlen(identify), JR_OK, 0);

    /* Followed by bytes that would make it invalid, were they read. */
    const char bounded[] = "{\"type\":\"track\",\"userId\":\"u2\",\"event\":\"Signed Up\","
                           "\"timestamp\":\"2026-03-02T09:00:00Z\"}, trailing garbage";
    check_post(vm, "nothing past length is read", bounded, (size_t)(strchr(bounded, '}') - bounded) + 1, JR_OK, 1);

    const char pretty[] = "{\r\n  \"type\": \"identify\",\r\n  \"userId\": \"u3\",\n  \"traits\": {\n"
                          "    \"first_name\": \"line\\nbreak \\\"quoted\\\"\"\n  },\n"
                          "  \"timestamp\": \"2026-03-02T10:00:00Z\"\n}\n";
    check_post(vm, "a pretty-printed object is one event", pretty, strlen(pretty), JR_OK, 1);
    check_first_name(vm, program, "escapes survive the line breaks", "u3", "line\nbreak \"quoted\"");

    const char two[] = "{\"type\":\"track\",\"userId\":\"u4\",\"event\":\"Signed Up\","
                       "\"timestamp\":\"2026-03-02T11:00:00Z\"}\n"
                       "{\"type\":\"track\",\"userId\":\"u5\",\"event\":\"Signed Up\","
                       "\"timestamp\":\"2026-03-02T11:00:00Z\"}";
    check_post(vm, "two objects are refused", two, strlen(two), JR_ERROR_EVENT, 0);
    const char raw_break[] = "{\"type\":\"track\",\"userId\":\"u6\",\"event\":\"Signed\nUp\","
                             "\"timestamp\":\"2026-03-02T12:00:00Z\"}";
    check_post(vm, "a raw line break inside a string is refused", raw_break, strlen(raw_break), JR_ERROR_EVENT, 0);
    check_post(vm, "an array is refused", "[{\"type\":\"track\"}]", 18, JR_ERROR_EVENT, 0);
    check_post(vm, "blank input is refused", " \n\t", 3, JR_ERROR_EVENT, 0);
    check_post(vm, "empty input is refused", "", 0, JR_ERROR_EVENT, 0);
    check_post(vm, "no bytes at all are refused", NULL, 0, JR_ERROR_EVENT, 0);
    const char gzip_magic[] = { 0x1f, (char)0x8b, 0x08, 0x00 };
    check_post(vm, "gzip is refused", gzip_magic, sizeof gzip_magic, JR_ERROR_EVENT, 0);

    check_same_message(vm, program, "invalid JSON: the reader's message", "{\"type\":\"track\",");
    check_same_message(vm, program, "no contact: the reader's message",
                       "{\"type\":\"track\",\"event\":\"Signed Up\",\"timestamp\":\"2026-03-02T12:00:00Z\"}");
    check_same_message(vm, program, "a bad time: the reader's message",
                       "{\"type\":\"track\",\"userId\":\"u7\",\"event\":\"Signed Up\",\"timestamp\":\"yesterday\"}");

    jr_status status = jr_vm_post_json(NULL, identify, strlen(identify), &error);
    check("a NULL VM is an argument error", status == JR_ERROR_ARGUMENT, "another status");
    status = jr_vm_post_json(vm, NULL, 5, &error);
    check("NULL bytes with a length are an argument error", status == JR_ERROR_ARGUMENT, "another status");
    status = jr_vm_post_json(vm, "[]", 2, NULL);
    check("the error record is optional", status == JR_ERROR_EVENT, "another status");

    jr_vm_free(vm);
    jr_program_free(program);
    return failures ? 1 : 0;
}
