/* disassemble.c: a readable listing of a .jbc file: its tables, then each function's
 * instructions with the source lines they came from. It checks the file's structure
 * (bounds, counts) but is not the verifier: the runtime's loader is. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "disassemble.h"

typedef struct section {
    const uint8_t *data; /* after the count */
    uint32_t count;
    uint32_t length; /* bytes after the count */
} section;

typedef struct image {
    section sections[JR_SECTION_LIMIT];
    const uint8_t **strings;
    uint32_t *string_lengths;
    uint32_t string_count;
} image;

static uint32_t read_u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t read_u64(const uint8_t *p) { return read_u32(p) | (uint64_t)read_u32(p + 4) << 32; }

static int fail(char *error, size_t size, const char *message)
{
    snprintf(error, size, "%s", message);
    return -1;
}

static int read_image(const uint8_t *bytes, size_t length, image *out, char *error, size_t size)
{
    memset(out, 0, sizeof *out);
    if (length < 20 || memcmp(bytes, JR_MAGIC, JR_MAGIC_LENGTH) != 0) return fail(error, size, "not a .jbc file");
    if (read_u32(bytes + 8) != JR_FORMAT_VERSION) return fail(error, size, "unsupported format version");
    if ((uint32_t)crc32(0L, bytes, (uInt)(length - 4)) != read_u32(bytes + length - 4))
        return fail(error, size, "checksum mismatch: the file is damaged");
    uint32_t count = read_u32(bytes + 12);
    if (count > JR_SECTION_LIMIT || 16 + (size_t)count * 12 > length - 4) return fail(error, size, "bad section directory");
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *entry = bytes + 16 + i * 12;
        uint32_t id = read_u32(entry), offset = read_u32(entry + 4), section_length = read_u32(entry + 8);
        if (id == 0 || id >= JR_SECTION_LIMIT || section_length < 4 || offset > length - 4 ||
            section_length > length - 4 - offset)
            return fail(error, size, "bad section directory entry");
        section *s = &out->sections[id];
        s->count = read_u32(bytes + offset);
        s->data = bytes + offset + 4;
        s->length = section_length - 4;
        uint64_t needed = id == JR_SECTION_NUMBERS || id == JR_SECTION_INTEGERS ? (uint64_t)s->count * 8
                          : id == JR_SECTION_STRINGS                            ? (uint64_t)s->count * 4
                          : id == JR_SECTION_CODE                               ? (uint64_t)s->count * 4
                                                  : (uint64_t)s->count * jr_record_width(id) * 4;
        if (needed > s->length) return fail(error, size, "a section is shorter than its count says");
    }
    section *strings = &out->sections[JR_SECTION_STRINGS];
    out->strings = calloc(strings->count + 1, sizeof *out->strings);
    out->string_lengths = calloc(strings->count + 1, sizeof *out->string_lengths);
    if (!out->strings || !out->string_lengths) return fail(error, size, "out of memory");
    size_t at = 0;
    for (uint32_t i = 0; i < strings->count; i++) {
        if (at + 4 > strings->length) return fail(error, size, "bad string pool");
        uint32_t string_length = read_u32(strings->data + at);
        at += 4;
        if (string_length > strings->length - at) return fail(error, size, "bad string pool");
        out->strings[i] = strings->data + at;
        out->string_lengths[i] = string_length;
        at += string_length + (4 - string_length % 4) % 4;
    }
    out->string_count = strings->count;
    return 0;
}

/* Field `field` of record `index` of a table, or JR_NONE when out of range. */
static uint32_t field_of(const image *im, int table, uint32_t index, uint32_t field)
{
    const section *s = &im->sections[table];
    if (index >= s->count || field >= jr_record_width(table)) return JR_NONE;
    return read_u32(s->data + ((size_t)index * jr_record_width(table) + field) * 4);
}

static void put_string(const image *im, uint32_t index, FILE *out)
{
    if (index >= im->string_count) {
        fputs("<none>", out);
        return;
    }
    fputc('"', out);
    for (uint32_t i = 0; i < im->string_lengths[index]; i++) {
        unsigned char c = im->strings[index][i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\x%02X", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static void put_name(const image *im, uint32_t index, FILE *out)
{
    if (index >= im->string_count) fputs("<none>", out);
    else fwrite(im->strings[index], 1, im->string_lengths[index], out);
}

static const char *type_name(uint32_t letter)
{
    switch (letter) {
    case 'n': return "number";
    case 's': return "string";
    case 'b': return "bool";
    case 't': return "time";
    case 'd': return "duration";
    default: return "?";
    }
}

static void put_duration(const image *im, uint32_t index, FILE *out)
{
    const section *s = &im->sections[JR_SECTION_INTEGERS];
    if (index >= s->count) {
        fputs("<none>", out);
        return;
    }
    int64_t ms = (int64_t)read_u64(s->data + (size_t)index * 8);
    if (ms % 86400000 == 0) fprintf(out, "%lldd", (long long)(ms / 86400000));
    else if (ms % 3600000 == 0) fprintf(out, "%lldh", (long long)(ms / 3600000));
    else if (ms % 60000 == 0) fprintf(out, "%lldm", (long long)(ms / 60000));
    else fprintf(out, "%.3fs", (double)ms / 1000);
}

static double number_at(const image *im, uint32_t index)
{
    const section *s = &im->sections[JR_SECTION_NUMBERS];
    if (index >= s->count) return 0;
    uint64_t bits = read_u64(s->data + (size_t)index * 8);
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* The text of a source line, read from the file if it is there. */
static void put_source_line(const image *im, uint32_t file, uint32_t line, FILE *out)
{
    if (file >= im->string_count || im->string_lengths[file] >= 4096) return;
    char path[4096];
    memcpy(path, im->strings[file], im->string_lengths[file]);
    path[im->string_lengths[file]] = '\0';
    FILE *source = fopen(path, "r");
    if (!source) return;
    char text[512];
    uint32_t number = 0;
    while (fgets(text, sizeof text, source)) {
        size_t length = strlen(text);
        bool whole = length && text[length - 1] == '\n';
        if (++number == line) {
            while (length && (text[length - 1] == '\n' || text[length - 1] == '\r')) text[--length] = '\0';
            const char *start = text;
            while (*start == ' ' || *start == '\t') start++;
            fprintf(out, "    ; %s:%u: %s\n", path, line, start);
            break;
        }
        while (!whole && fgets(text, sizeof text, source)) {
            length = strlen(text);
            whole = length && text[length - 1] == '\n';
        }
    }
    fclose(source);
}

static void put_operand(const image *im, jr_opcode op, uint32_t word, FILE *out)
{
    uint32_t u = jr_decode_u(word), a = jr_decode_a(word), b = jr_decode_b(word);
    switch (op) {
    case JR_OP_PUSH_NUMBER: fprintf(out, "%u  ; %.17g", u, number_at(im, u)); break;
    case JR_OP_PUSH_STRING: case JR_OP_EMIT:
        fprintf(out, "%u  ; ", u);
        put_string(im, u, out);
        break;
    case JR_OP_PUSH_DURATION:
        fprintf(out, "%u  ; ", u);
        put_duration(im, u, out);
        break;
    case JR_OP_LOAD_ATTRIBUTE:
        fprintf(out, "%u%s  ; ", b, a ? " ?" : "");
        put_name(im, field_of(im, JR_SECTION_ATTRIBUTES, b, 0), out);
        break;
    case JR_OP_SET_ATTRIBUTE:
        fprintf(out, "%u  ; ", u);
        put_name(im, field_of(im, JR_SECTION_ATTRIBUTES, u, 0), out);
        break;
    case JR_OP_LOAD_SCORE: fprintf(out, "%u  ; ", u); put_name(im, field_of(im, JR_SECTION_SCORES, u, 0), out); break;
    case JR_OP_LOAD_SEGMENT: fprintf(out, "%u  ; ", u); put_name(im, field_of(im, JR_SECTION_SEGMENTS, u, 0), out); break;
    case JR_OP_SEND: fprintf(out, "%u  ; ", u); put_name(im, field_of(im, JR_SECTION_MESSAGES, u, 0), out); break;
    case JR_OP_TRACK: fprintf(out, "%u  ; ", u); put_name(im, field_of(im, JR_SECTION_EVENTS, u, 0), out); break;
    case JR_OP_NODE: { /* the node's kind, its label, and where it begins */
        fprintf(out, "%u  ; %s", u, jr_node_kind_name(field_of(im, JR_SECTION_NODES, u, 1)));
        uint32_t label = field_of(im, JR_SECTION_NODES, u, 6);
        if (label != JR_NONE) {
            fputc(' ', out);
            put_string(im, label, out);
        }
        fprintf(out, " at %u:%u", field_of(im, JR_SECTION_NODES, u, 4), field_of(im, JR_SECTION_NODES, u, 5));
        break;
    }
    case JR_OP_CALL_BUILTIN:
        fprintf(out, "%u  ; %s", u, jr_builtin_name(u));
        break;
    case JR_OP_CALL_EXTERN: fprintf(out, "%u  ; ", u); put_name(im, field_of(im, JR_SECTION_EXTERNS, u, 1), out); break;
    case JR_OP_COMPARE_NUMBERS: case JR_OP_COMPARE_STRINGS: case JR_OP_COMPARE_TIMES: case JR_OP_COMPARE_DURATIONS:
    case JR_OP_COMPARE_BOOLS: {
        static const char *const relations[] = { "==", "!=", "<", "<=", ">", ">=" };
        fprintf(out, "%u  ; %s", u, u < 6 ? relations[u] : "?");
        break;
    }
    case JR_OP_TO_STRING: case JR_OP_POP: fprintf(out, "%s", type_name(u)); break;
    case JR_OP_PAYLOAD_ADD:
        fprintf(out, "%s ", type_name(a));
        put_string(im, b, out);
        break;
    case JR_OP_AUDIENCE:
        fprintf(out, "%s ", a ? "add" : "remove");
        put_string(im, b, out);
        break;
    case JR_OP_WAIT_UNTIL_CLOCK: fprintf(out, "%02u:%02u:%02u", u / 3600, u / 60 % 60, u % 60); break;
    case JR_OP_JUMP_IF_PRESENT: fprintf(out, "%s -> %u", type_name(a), b); break;
    case JR_OP_IS_IN: fprintf(out, "%s %u", type_name(a), b); break;
    case JR_OP_JUMP: case JR_OP_JUMP_IF_FALSE: case JR_OP_JUMP_IF_FALSE_KEEP: case JR_OP_JUMP_IF_TRUE_KEEP:
        fprintf(out, "-> %u", u);
        break;
    default: {
        const char *format = jr_opcode_operands(op);
        if (strcmp(format, "U") == 0) fprintf(out, "%u", u);
        else if (strcmp(format, "AB") == 0) fprintf(out, "%u %u", a, b);
    }
    }
}

static void put_function(const image *im, uint32_t index, FILE *out)
{
    uint32_t kind = field_of(im, JR_SECTION_FUNCTIONS, index, 0);
    uint32_t journey = field_of(im, JR_SECTION_FUNCTIONS, index, 1);
    uint32_t event = field_of(im, JR_SECTION_FUNCTIONS, index, 2);
    uint32_t result = field_of(im, JR_SECTION_FUNCTIONS, index, 3);
    uint32_t first = field_of(im, JR_SECTION_FUNCTIONS, index, 4);
    uint32_t words = field_of(im, JR_SECTION_FUNCTIONS, index, 5);
    uint32_t max_stack = field_of(im, JR_SECTION_FUNCTIONS, index, 6);
    uint32_t first_line = field_of(im, JR_SECTION_FUNCTIONS, index, 7);
    uint32_t line_count = field_of(im, JR_SECTION_FUNCTIONS, index, 8);
    fprintf(out, "\nfunction %u: %s", index, kind == JR_FUNCTION_JOURNEY ? "journey " : "expression");
    if (kind == JR_FUNCTION_JOURNEY) put_name(im, field_of(im, JR_SECTION_JOURNEYS, journey, 0), out);
    else if (result != 0) fprintf(out, " -> %s", type_name(result));
    if (event != JR_NONE) {
        fputs(", matching ", out);
        put_name(im, field_of(im, JR_SECTION_EVENTS, event, 0), out);
    }
    if (kind != JR_FUNCTION_JOURNEY && journey != JR_NONE) {
        fputs(", in journey ", out);
        put_name(im, field_of(im, JR_SECTION_JOURNEYS, journey, 0), out);
    }
    fprintf(out, " (%u instructions, stack %u)\n", words, max_stack);
    const section *code = &im->sections[JR_SECTION_CODE];
    uint32_t next_line = 0;
    for (uint32_t pc = 0; pc < words; pc++) {
        while (next_line < line_count && field_of(im, JR_SECTION_LINES, first_line + next_line, 0) <= pc) {
            if (field_of(im, JR_SECTION_LINES, first_line + next_line, 0) == pc)
                put_source_line(im, field_of(im, JR_SECTION_LINES, first_line + next_line, 1),
                                field_of(im, JR_SECTION_LINES, first_line + next_line, 2), out);
            next_line++;
        }
        if ((uint64_t)first + pc >= code->count) {
            fputs("    <code out of range>\n", out);
            return;
        }
        uint32_t word = read_u32(code->data + ((size_t)first + pc) * 4);
        jr_opcode op = jr_decode_op(word);
        if (op >= JR_OPCODE_COUNT) {
            fprintf(out, "  %5u  <invalid opcode %u>\n", pc, op);
            continue;
        }
        fprintf(out, "  %5u  %-18s ", pc, jr_opcode_name(op));
        put_operand(im, op, word, out);
        fputc('\n', out);
    }
}

int jc_disassemble(const uint8_t *bytes, size_t length, FILE *out, char *error, size_t error_size)
{
    image im;
    if (read_image(bytes, length, &im, error, error_size) != 0) {
        free(im.strings);
        free(im.string_lengths);
        return -1;
    }
    fprintf(out, "; journey bytecode, format %u, from ", JR_FORMAT_VERSION);
    put_string(&im, field_of(&im, JR_SECTION_PROGRAM, 0, 0), out);
    fputs(" by ", out);
    put_name(&im, field_of(&im, JR_SECTION_PROGRAM, 0, 1), out);
    fputc('\n', out);
    static const char *const table_names[] = {
#define S(name, id, fields) [id] = #name,
        JR_SECTION_LIST(S)
#undef S
    };
    fputs(";", out);
    for (int id = 1; id < JR_SECTION_LIMIT; id++)
        if (im.sections[id].count) fprintf(out, " %s %u", table_names[id], im.sections[id].count);
    fputc('\n', out);

    for (uint32_t i = 0; i < im.sections[JR_SECTION_EVENTS].count; i++) {
        fprintf(out, "event %u ", i);
        put_name(&im, field_of(&im, JR_SECTION_EVENTS, i, 0), out);
        fputc(' ', out);
        put_string(&im, field_of(&im, JR_SECTION_EVENTS, i, 1), out);
        uint32_t first = field_of(&im, JR_SECTION_EVENTS, i, 2), count = field_of(&im, JR_SECTION_EVENTS, i, 3);
        fputs(" {", out);
        for (uint32_t f = 0; f < count && f < 4096; f++) {
            fputs(f ? ", " : " ", out);
            put_name(&im, field_of(&im, JR_SECTION_FIELDS, first + f, 0), out);
            fprintf(out, ": %s", type_name(field_of(&im, JR_SECTION_FIELDS, first + f, 1)));
        }
        fputs(" }\n", out);
    }
    for (uint32_t i = 0; i < im.sections[JR_SECTION_ATTRIBUTES].count; i++) {
        fprintf(out, "attribute %u ", i);
        put_name(&im, field_of(&im, JR_SECTION_ATTRIBUTES, i, 0), out);
        fprintf(out, ": %s\n", type_name(field_of(&im, JR_SECTION_ATTRIBUTES, i, 1)));
    }
    for (uint32_t i = 0; i < im.sections[JR_SECTION_SCORES].count; i++) {
        fprintf(out, "score %u ", i);
        put_name(&im, field_of(&im, JR_SECTION_SCORES, i, 0), out);
        fprintf(out, ": %u rules", field_of(&im, JR_SECTION_SCORES, i, 2));
        if (field_of(&im, JR_SECTION_SCORES, i, 3) != JR_NONE) {
            fprintf(out, ", decay %g%% every ", number_at(&im, field_of(&im, JR_SECTION_SCORES, i, 3)) * 100);
            put_duration(&im, field_of(&im, JR_SECTION_SCORES, i, 4), out);
        }
        fputc('\n', out);
    }
    for (uint32_t i = 0; i < im.sections[JR_SECTION_SEGMENTS].count; i++) {
        fprintf(out, "segment %u ", i);
        put_name(&im, field_of(&im, JR_SECTION_SEGMENTS, i, 0), out);
        fprintf(out, " = function %u\n", field_of(&im, JR_SECTION_SEGMENTS, i, 1));
    }
    for (uint32_t i = 0; i < im.sections[JR_SECTION_AGGREGATES].count; i++) {
        static const char *const kinds[] = { "count", "sum", "avg", "min", "max" };
        uint32_t kind = field_of(&im, JR_SECTION_AGGREGATES, i, 0);
        fprintf(out, "aggregate %u %s(", i, kind < 5 ? kinds[kind] : "?");
        put_name(&im, field_of(&im, JR_SECTION_EVENTS, field_of(&im, JR_SECTION_AGGREGATES, i, 1), 0), out);
        if (field_of(&im, JR_SECTION_AGGREGATES, i, 3) != JR_NONE)
            fprintf(out, " where function %u", field_of(&im, JR_SECTION_AGGREGATES, i, 3));
        if (field_of(&im, JR_SECTION_AGGREGATES, i, 4) != JR_NONE) {
            fputs(" in last ", out);
            put_duration(&im, field_of(&im, JR_SECTION_AGGREGATES, i, 4), out);
        }
        fputs(")\n", out);
    }
    for (uint32_t i = 0; i < im.sections[JR_SECTION_MESSAGES].count; i++) {
        fprintf(out, "message %u ", i);
        put_name(&im, field_of(&im, JR_SECTION_MESSAGES, i, 0), out);
        fputs(" = ", out);
        put_name(&im, field_of(&im, JR_SECTION_CHANNELS, field_of(&im, JR_SECTION_MESSAGES, i, 1), 0), out);
        fputc(' ', out);
        put_string(&im, field_of(&im, JR_SECTION_MESSAGES, i, 2), out);
        fprintf(out, "%s\n", field_of(&im, JR_SECTION_MESSAGES, i, 3) ? " transactional" : "");
    }
    for (uint32_t i = 0; i < im.sections[JR_SECTION_JOURNEYS].count; i++) {
        fprintf(out, "journey %u ", i);
        put_name(&im, field_of(&im, JR_SECTION_JOURNEYS, i, 0), out);
        fprintf(out, ": function %u, %u entries, %u exits, %u slots, holdout %u bp\n",
                field_of(&im, JR_SECTION_JOURNEYS, i, 1), field_of(&im, JR_SECTION_JOURNEYS, i, 3),
                field_of(&im, JR_SECTION_JOURNEYS, i, 5), field_of(&im, JR_SECTION_JOURNEYS, i, 14),
                field_of(&im, JR_SECTION_JOURNEYS, i, 12));
    }
    for (uint32_t i = 0; i < im.sections[JR_SECTION_FUNCTIONS].count; i++) put_function(&im, i, out);
    free(im.strings);
    free(im.string_lengths);
    return 0;
}
